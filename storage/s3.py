"""An S3 store (MinIO, Ceph, any S3-compatible server) through the minio SDK.

The bucket is created when missing: at the first use, or explicitly with
``ensure_bucket()`` / ``ping()`` when the service starts.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from collections.abc import Callable
from typing import TypeVar

import certifi
import urllib3
from minio import Minio
from minio.error import MinioException, S3Error
from minio.helpers import check_bucket_name

from .errors import ObjectNotFound, StorageError, StorageUnavailable
from .objects import check_key, check_prefix, content_key

log = logging.getLogger(__name__)

T = TypeVar("T")

_NOT_FOUND = {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}
_DENIED = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "AllAccessDisabled",
}


class S3Store:
    def __init__(
        self,
        endpoint: str,
        bucket: str,
        access_key: str | None = None,
        secret_key: str | None = None,
        *,
        secure: bool = True,
        region: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        retries: int = 2,
        create_bucket: bool = True,
    ) -> None:
        check_bucket_name(bucket)  # ValueError, before any network traffic
        self.endpoint = endpoint
        self.bucket = bucket
        self.secure = secure
        self.create_bucket = create_bucket
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
            retries=urllib3.Retry(
                total=retries,
                backoff_factor=0.2,
                status_forcelist=[500, 502, 503, 504],
            ),
        )
        self.client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
        )
        self._bucket_ready = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"S3Store({self._where()!r})"

    # -- the ObjectStore protocol -------------------------------------------------------

    def put(self, data: bytes, content_type: str, kind: str = "original") -> str:
        key = content_key(data, kind)
        if self.exists(key):
            log.debug("object %s already stored", key)
        else:
            self._upload(key, data, content_type)
        return key

    def put_at(self, key: str, data: bytes, content_type: str) -> None:
        self._upload(check_key(key), data, content_type)

    def get(self, key: str) -> bytes:
        check_key(key)

        def read() -> bytes:
            response = self.client.get_object(self.bucket, key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        return self._call("read", read, key=key)

    def exists(self, key: str) -> bool:
        check_key(key)
        try:
            self._call("check", lambda: self.client.stat_object(self.bucket, key), key=key)
        except ObjectNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        check_key(key)
        self._call("delete", lambda: self.client.remove_object(self.bucket, key))

    def keys(self, prefix: str = "") -> list[str]:
        check_prefix(prefix)

        def listing() -> list[str]:
            found = self.client.list_objects(self.bucket, prefix=prefix or None, recursive=True)
            return sorted(o.object_name for o in found if o.object_name and not o.is_dir)

        return self._call("list", listing)

    def ping(self) -> None:
        """Reach the server and make sure the bucket is there (creating it if allowed)."""
        self._bucket_ready = False
        self.ensure_bucket()

    # -- the bucket -----------------------------------------------------------------

    def ensure_bucket(self) -> None:
        with self._lock:
            if self._bucket_ready:
                return
            self._do_ensure_bucket()
            self._bucket_ready = True

    def _do_ensure_bucket(self) -> None:
        try:
            if self.client.bucket_exists(self.bucket):
                return
            if not self.create_bucket:
                raise StorageUnavailable(
                    f"bucket {self.bucket!r} does not exist at {self._where()}: create it, "
                    "or allow the service to create it."
                )
            try:
                self.client.make_bucket(self.bucket)
                log.info("created bucket %s at %s", self.bucket, self._where())
            except S3Error as exc:
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise
        except StorageError:
            raise
        except (MinioException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            raise self._unavailable("reach the bucket", exc) from exc

    # -- helpers --------------------------------------------------------------------

    def _upload(self, key: str, data: bytes, content_type: str) -> None:
        def upload() -> None:
            self.client.put_object(
                self.bucket, key, io.BytesIO(data), len(data), content_type=content_type
            )

        self._call("write", upload)
        log.debug("stored %s (%d bytes)", key, len(data))

    def _call(self, action: str, fn: Callable[[], T], key: str | None = None) -> T:
        if not self._bucket_ready:
            self.ensure_bucket()
        try:
            return fn()
        except S3Error as exc:
            if key is not None and exc.code in _NOT_FOUND:
                raise ObjectNotFound(key) from exc
            raise self._unavailable(action, exc) from exc
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._unavailable(action, exc) from exc

    def _where(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"{scheme}://{self.endpoint}/{self.bucket}"

    def _unavailable(self, action: str, exc: BaseException) -> StorageUnavailable:
        if isinstance(exc, S3Error) and exc.code in _DENIED:
            hint = "the server refused the access key: check the key and secret and their rights"
            reason = exc.code
        elif isinstance(exc, S3Error):
            hint = "the server answered with an error"
            reason = exc.code or "error"
        else:
            hint = (
                "check that the S3 server is running and that host, port and secure=true/false "
                "in PREREVIEW_OBJECT_STORE_URL are right"
            )
            reason = _reason(exc)
        return StorageUnavailable(
            f"cannot {action} in object store {self._where()}: {reason}; {hint}."
        )


def _reason(exc: BaseException) -> str:
    """A short cause without URLs' query strings or headers (they may carry signatures)."""
    cause: BaseException = exc
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException):
        cause = reason
    text = type(cause).__name__
    if isinstance(cause, urllib3.exceptions.NewConnectionError):
        text = "connection refused or host unreachable"
    elif isinstance(cause, urllib3.exceptions.ConnectTimeoutError):
        text = "connection timed out"
    elif isinstance(cause, urllib3.exceptions.SSLError):
        text = "TLS handshake failed (is the server plain http? then add ?secure=false)"
    elif isinstance(cause, urllib3.exceptions.ProtocolError):
        text = "connection broken"
    return text
