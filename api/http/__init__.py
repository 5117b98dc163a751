"""The HTTP API (FastAPI) under /api/v1, as the contract names it."""

from .app import create_app

__all__ = ["create_app"]
