"""Build a store from a URL: ``file:///path`` or a plain path gives a LocalStore,
``s3://ACCESS:SECRET@host:port/bucket?secure=false&region=us-east-1`` an S3Store.
Access key and secret may be percent-encoded (a ``/`` in a secret is ``%2F``)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import InvalidStoreURL
from .local import LocalStore
from .objects import ObjectStore
from .s3 import S3Store

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def store_from_url(url: str) -> ObjectStore:
    url = url.strip()
    if not url:
        raise InvalidStoreURL("the object store URL is empty: give a directory or an s3:// URL")
    if "://" not in url:
        return LocalStore(Path(url))
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path:
            raise InvalidStoreURL(
                "a file URL needs an absolute path: file:///var/lib/prereview/objects"
            )
        return LocalStore(Path(unquote(parts.path)))
    if scheme in ("s3", "minio"):
        return _s3(url)
    raise InvalidStoreURL(
        f"unknown object store scheme {scheme!r}: use a directory, file:///path or "
        "s3://ACCESS:SECRET@host:port/bucket?secure=false"
    )


def _s3(url: str) -> S3Store:
    parts = urlsplit(url)
    example = "s3://ACCESS:SECRET@host:port/bucket?secure=false"
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # a port that is not a number
        raise InvalidStoreURL(f"bad port in the object store URL: use {example}") from exc
    if not host:
        raise InvalidStoreURL(f"the object store URL has no host: use {example}")
    bucket = parts.path.strip("/")
    if not bucket or "/" in bucket:
        raise InvalidStoreURL(f"the object store URL needs exactly one bucket name: {example}")
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = set(query) - {"secure", "region"}
    if unknown:
        raise InvalidStoreURL(f"unknown object store URL options {sorted(unknown)}: {example}")
    secure_text = query.get("secure", "true").lower()
    if secure_text not in _TRUE | _FALSE:
        raise InvalidStoreURL("secure= must be true or false in the object store URL")
    access = unquote(parts.username) if parts.username else None
    secret = unquote(parts.password) if parts.password is not None else None
    if (access is None) != (secret is None):
        raise InvalidStoreURL(f"give both access key and secret, or neither: {example}")
    hostport = f"[{host}]" if ":" in host else host
    if port:
        hostport = f"{hostport}:{port}"
    try:
        return S3Store(
            hostport,
            bucket,
            access,
            secret,
            secure=secure_text in _TRUE,
            region=query.get("region") or None,
        )
    except ValueError as exc:  # minio's checks of endpoint and bucket name; no secrets
        raise InvalidStoreURL(f"invalid object store URL: {exc}") from exc
