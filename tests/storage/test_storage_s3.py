"""S3Store against a real S3 server (moto) on loopback, checked with boto3."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from storage import ObjectNotFound, ObjectStore, S3Store, StorageUnavailable, store_from_url


@pytest.fixture
def store(s3_server: Any, bucket_name: str) -> S3Store:
    store = store_from_url(s3_server.url(bucket_name))
    assert isinstance(store, S3Store)
    return store


def bucket_exists(s3: Any, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        return False
    return True


def test_is_an_object_store(store: S3Store) -> None:
    assert isinstance(store, ObjectStore)


def test_bucket_created_on_start(store: S3Store, s3: Any, bucket_name: str) -> None:
    assert not bucket_exists(s3, bucket_name)  # nothing happens before start
    store.ping()
    assert bucket_exists(s3, bucket_name)
    store.ping()  # and again: the bucket is there, no error
    store.ensure_bucket()


def test_bucket_created_on_first_use(store: S3Store, s3: Any, bucket_name: str) -> None:
    key = store.put(b"first", "text/plain")
    assert bucket_exists(s3, bucket_name)
    assert s3.get_object(Bucket=bucket_name, Key=key)["Body"].read() == b"first"


def test_existing_bucket_is_used(s3_server: Any, s3: Any, bucket_name: str) -> None:
    s3.create_bucket(Bucket=bucket_name)
    s3.put_object(Bucket=bucket_name, Key="kept/already", Body=b"here")
    store = S3Store(
        s3_server.endpoint,
        bucket_name,
        s3_server.access_key,
        s3_server.secret_key,
        secure=False,
        create_bucket=False,
    )
    store.ping()
    assert store.get("kept/already") == b"here"


def test_missing_bucket_without_create(s3_server: Any, bucket_name: str) -> None:
    store = S3Store(
        s3_server.endpoint,
        bucket_name,
        s3_server.access_key,
        s3_server.secret_key,
        secure=False,
        create_bucket=False,
    )
    with pytest.raises(StorageUnavailable, match="does not exist"):
        store.ping()


def test_round_trip(store: S3Store, s3: Any, bucket_name: str) -> None:
    data = "工资条 8500.00".encode() + bytes(range(256)) * 100
    key = store.put(data, "image/jpeg")
    digest = hashlib.sha256(data).hexdigest()
    assert key == f"original/{digest[:2]}/{digest}"
    assert store.get(key) == data
    assert store.exists(key)
    head = s3.head_object(Bucket=bucket_name, Key=key)
    assert head["ContentType"] == "image/jpeg"
    assert head["ContentLength"] == len(data)


def test_same_bytes_stored_once(store: S3Store, s3: Any, bucket_name: str) -> None:
    data = b"%PDF-1.7 the same statement"
    key = store.put(data, "application/pdf")
    first = s3.head_object(Bucket=bucket_name, Key=key)
    time.sleep(1.1)  # S3's Last-Modified has one-second resolution
    assert store.put(data, "application/pdf") == key
    assert store.put(data, "application/pdf") == key
    listing = s3.list_objects_v2(Bucket=bucket_name)
    assert [o["Key"] for o in listing["Contents"]] == [key]
    assert s3.get_object(Bucket=bucket_name, Key=key)["Body"].read() == data
    again = s3.head_object(Bucket=bucket_name, Key=key)
    assert again["LastModified"] == first["LastModified"]  # not uploaded a second time


def test_put_at_and_keys_with_prefix(store: S3Store, s3: Any, bucket_name: str) -> None:
    k1 = store.put(b"one", "image/png")
    k2 = store.put(b"two", "image/png", kind="page")
    store.put_at("cases/c1/documents/d/page-1.png", b"p1", "image/png")
    store.put_at("cases/c1/verdict.json", b"{}", "application/json")
    store.put_at("cases/c1/verdict.json", b'{"v": 2}', "application/json")
    store.put_at("cases/c10/verdict.json", b"{}", "application/json")
    assert store.keys("original/") == [k1]
    assert store.keys("page/") == [k2]
    assert store.keys("cases/c1/") == ["cases/c1/documents/d/page-1.png", "cases/c1/verdict.json"]
    assert store.keys("cases/c1") == [
        "cases/c1/documents/d/page-1.png",
        "cases/c1/verdict.json",
        "cases/c10/verdict.json",
    ]
    assert store.keys("none/") == []
    assert len(store.keys()) == 5
    assert store.get("cases/c1/verdict.json") == b'{"v": 2}'
    listed = s3.list_objects_v2(Bucket=bucket_name, Prefix="cases/")
    assert sorted(o["Key"] for o in listed["Contents"]) == store.keys("cases/")


def test_not_found_and_delete(store: S3Store, s3: Any, bucket_name: str) -> None:
    with pytest.raises(ObjectNotFound) as caught:
        store.get("original/00/0000")
    assert caught.value.code == "storage.not_found"
    assert not store.exists("original/00/0000")
    store.put_at("x/y", b"1", "text/plain")
    store.delete("x/y")
    store.delete("x/y")  # deleting what is gone is fine
    assert not store.exists("x/y")
    assert s3.list_objects_v2(Bucket=bucket_name).get("Contents", []) == []


def test_ping_against_a_closed_port(closed_port: int) -> None:
    store = store_from_url(f"s3://someone:very-secret@127.0.0.1:{closed_port}/bucket?secure=false")
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        store.ping()
    assert time.monotonic() - started < 10
    assert caught.value.code == "storage.unavailable"
    message = caught.value.message
    assert f"127.0.0.1:{closed_port}" in message and "running" in message
    assert "very-secret" not in message
    with pytest.raises(StorageUnavailable):
        store.get("a/b")


def test_tls_against_plain_http_server(s3_server: Any, bucket_name: str) -> None:
    store = S3Store(
        s3_server.endpoint, bucket_name, s3_server.access_key, s3_server.secret_key, secure=True
    )
    with pytest.raises(StorageUnavailable) as caught:
        store.ping()
    assert caught.value.code == "storage.unavailable"
