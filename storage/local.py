"""The embedded store: one file per object under a directory.

Writes go to a temporary file in the target directory, are flushed to disk and then
renamed over the target, so a reader sees the old object or the new one, never half.
"""

from __future__ import annotations

import logging
import os
import tempfile
from contextlib import suppress
from pathlib import Path

from .errors import InvalidKey, ObjectNotFound, StorageUnavailable
from .objects import TEMP_PREFIX, check_key, check_prefix, content_key

log = logging.getLogger(__name__)

_CONFLICT = (FileExistsError, NotADirectoryError, IsADirectoryError)


class LocalStore:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().absolute()

    def __repr__(self) -> str:
        return f"LocalStore({str(self.root)!r})"

    # -- the ObjectStore protocol -------------------------------------------------------

    def put(self, data: bytes, content_type: str, kind: str = "original") -> str:
        key = content_key(data, kind)
        path = self._path(key)
        if path.is_file():
            log.debug("object %s already stored", key)
        else:
            self._write(key, path, data)
        return key

    def put_at(self, key: str, data: bytes, content_type: str) -> None:
        self._write(key, self._path(key), data)

    def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, *_CONFLICT) as exc:
            raise ObjectNotFound(key) from exc
        except OSError as exc:
            raise self._unavailable("read", exc) from exc

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except (NotADirectoryError, IsADirectoryError):
            pass  # a directory is a prefix, not an object: nothing to delete
        except OSError as exc:
            raise self._unavailable("delete", exc) from exc

    def keys(self, prefix: str = "") -> list[str]:
        check_prefix(prefix)
        # walk only the deepest directory the prefix names in full
        start = self.root.joinpath(*prefix.split("/")[:-1]) if "/" in prefix else self.root
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [d for d in dirnames if not d.startswith(TEMP_PREFIX)]
            rel = Path(dirpath).relative_to(self.root).parts
            for name in filenames:
                if name.startswith(TEMP_PREFIX):
                    continue
                key = "/".join((*rel, name))
                if key.startswith(prefix):
                    found.append(key)
        return sorted(found)

    def ping(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise self._unavailable("write", exc) from exc

    # -- helpers --------------------------------------------------------------------

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def _write(self, key: str, path: Path, data: bytes) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, path)
            except BaseException:
                with suppress(OSError):
                    os.unlink(tmp)
                raise
        except _CONFLICT as exc:
            raise InvalidKey(
                f"key {key!r} clashes with an existing object or prefix in {self.root}"
            ) from exc
        except OSError as exc:
            raise self._unavailable("write", exc) from exc
        _fsync_dir(path.parent)
        log.debug("stored %s (%d bytes)", key, len(data))

    def _unavailable(self, action: str, exc: OSError) -> StorageUnavailable:
        reason = exc.strerror or type(exc).__name__
        return StorageUnavailable(
            f"cannot {action} objects under {self.root}: {reason}. Check that the directory "
            "exists, is writable by this user and that the disk is not full, or set "
            "PREREVIEW_OBJECT_STORE_URL to another location."
        )


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every filesystem allows it)."""
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
