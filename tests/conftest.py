"""Fixtures every test folder may use."""

from tests.fixtures.s3 import bucket_name, closed_port, s3, s3_server

__all__ = ["bucket_name", "closed_port", "s3", "s3_server"]
