"""Storage errors: each class has a stable ``code`` and a message that says what
to do. Messages name keys, hosts and buckets, never credentials or content."""

from __future__ import annotations


class StorageError(Exception):
    code = "storage.error"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class StorageUnavailable(StorageError):
    """The store cannot be reached or refuses us (down, wrong address, bad credentials)."""

    code = "storage.unavailable"


class ObjectNotFound(StorageError, KeyError):
    code = "storage.not_found"

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(f"no object under key {key!r}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.message


class InvalidKey(StorageError, ValueError):
    code = "storage.invalid_key"


class InvalidStoreURL(StorageError, ValueError):
    code = "storage.invalid_url"
