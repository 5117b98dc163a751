"""The storage tests use the S3 server on loopback from tests/fixtures/s3.py
(``s3_server``, ``s3``, ``bucket_name``, ``closed_port``), registered by tests/conftest.py."""
