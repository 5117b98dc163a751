"""The object store interface and the key scheme shared by every store.

Originals are content-addressed: ``{kind}/{sha256[:2]}/{sha256}``, so the same bytes
are stored once however often they are submitted. Derived objects (page images, what
was read, verdicts) go under keys the caller chooses with ``put_at``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Protocol, runtime_checkable

from .errors import InvalidKey

_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\]")
TEMP_PREFIX = ".~tmp-"  # LocalStore's half-written files; never a key segment
_KIND = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@runtime_checkable
class ObjectStore(Protocol):
    def put(self, data: bytes, content_type: str, kind: str = "original") -> str:
        """Store ``data`` content-addressed; return its key. Same bytes, same key, one copy."""
        ...

    def put_at(self, key: str, data: bytes, content_type: str) -> None:
        """Store (or replace) ``data`` under a caller-chosen key."""
        ...

    def get(self, key: str) -> bytes:
        """The object's bytes; ``ObjectNotFound`` when there is none."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""
        ...

    def keys(self, prefix: str = "") -> list[str]:
        """Every key starting with ``prefix`` (a plain string prefix, as in S3), sorted."""
        ...

    def ping(self) -> None:
        """Raise ``StorageUnavailable`` unless the store can be used."""
        ...


def content_key(data: bytes, kind: str = "original") -> str:
    """The content-addressed key of ``data``."""
    if not _KIND.match(kind):
        raise InvalidKey(f"invalid kind {kind!r}: use lower-case letters, digits, '-' and '_'")
    digest = hashlib.sha256(data).hexdigest()
    return f"{kind}/{digest[:2]}/{digest}"


def check_key(key: str) -> str:
    """Accept ``a/b/c`` keys; reject anything that could escape a directory or be read
    differently by another store: empty, '.' or '..' segments, a leading or doubled '/',
    control characters, backslashes, over-long names."""
    if not key or len(key.encode()) > 1024:
        raise InvalidKey("a key must be 1 to 1024 bytes long")
    for segment in key.split("/"):
        if (
            segment in ("", ".", "..")
            or _FORBIDDEN.search(segment)
            or segment != segment.strip()
            or segment.startswith(TEMP_PREFIX)
            or len(segment.encode()) > 255
        ):
            raise InvalidKey(
                f"invalid key {key!r}: use '/'-separated names without empty, '.' or '..' "
                "parts, surrounding spaces, backslashes or control characters"
            )
    return key


def check_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a key optionally ending in '/'."""
    if prefix:
        check_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix
