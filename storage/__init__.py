"""Object storage for originals and derived files: a local directory or an S3 bucket.

This package knows nothing of the rest of the project.
"""

from .errors import (
    InvalidKey,
    InvalidStoreURL,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
)
from .local import LocalStore
from .objects import ObjectStore, check_key, content_key
from .s3 import S3Store
from .url import store_from_url

__all__ = [
    "InvalidKey",
    "InvalidStoreURL",
    "LocalStore",
    "ObjectNotFound",
    "ObjectStore",
    "S3Store",
    "StorageError",
    "StorageUnavailable",
    "check_key",
    "content_key",
    "store_from_url",
]
