from __future__ import annotations

from pathlib import Path

import pytest

from storage import InvalidStoreURL, LocalStore, S3Store, store_from_url


def test_plain_path_and_file_url(tmp_path: Path) -> None:
    plain = store_from_url(str(tmp_path / "objects"))
    assert isinstance(plain, LocalStore) and plain.root == tmp_path / "objects"
    url = store_from_url(f"file://{tmp_path}/objs")
    assert isinstance(url, LocalStore) and url.root == tmp_path / "objs"
    relative = store_from_url("var/objects")
    assert isinstance(relative, LocalStore) and relative.root == Path.cwd() / "var/objects"


def test_s3_url() -> None:
    store = store_from_url("s3://AK:s%2Fe%2Bcret@minio.internal:9000/prereview?secure=false")
    assert isinstance(store, S3Store)
    assert store.endpoint == "minio.internal:9000"
    assert store.bucket == "prereview"
    assert store.secure is False
    creds = store.client._provider.retrieve()  # type: ignore[union-attr]
    assert (creds.access_key, creds.secret_key) == ("AK", "s/e+cret")
    assert "cret" not in repr(store)


def test_s3_url_defaults_to_tls() -> None:
    store = store_from_url("s3://AK:SK@s3.example.cn/bucket-1")
    assert isinstance(store, S3Store) and store.secure is True


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://host/x",
        "file://host/path",
        "s3://AK:SK@host:9000",
        "s3://AK:SK@host:9000/a/b",
        "s3://AK:SK@host:port/b",
        "s3://AK:SK@host:9000/b?secure=maybe",
        "s3://AK:SK@host:9000/b?colour=blue",
        "s3://AK@host:9000/b",
        "s3://AK:SK@host:9000/Bad_Bucket!",
    ],
)
def test_bad_urls(url: str) -> None:
    with pytest.raises(InvalidStoreURL) as caught:
        store_from_url(url)
    assert caught.value.code == "storage.invalid_url"
    assert "SK" not in str(caught.value)
