"""The service's settings (``PREREVIEW_*`` environment variables).

Embedded default (nothing set): SQLite and a local object directory under the data
directory, work done in-process. Production profile: ``PREREVIEW_DATABASE_URL``
(PostgreSQL), ``PREREVIEW_OBJECT_STORE_URL`` (s3://… to MinIO) and
``PREREVIEW_BROKER_URL`` (redis://…, Celery workers). A production profile refuses
to start with a missing or weak callback secret.
"""

from __future__ import annotations

from engine.errors import PrereviewError
from engine.settings import Settings

WEAK_SECRETS = {"", "changeme", "change-me", "secret", "prereview", "test"}


class InsecureSettings(PrereviewError):
    code = "settings.insecure"
    exit_code = 2


class InvalidOcrEngine(PrereviewError):
    code = "settings.ocr_engine"
    exit_code = 2


def check_ocr_engines() -> None:
    """PREREVIEW_OCR_ENGINE names profiles that exist, PREREVIEW_INFERENCE a backend
    and PREREVIEW_INFERENCE_PRECISION (and PREREVIEW_DETECTION_PRECISION) an arithmetic
    that exist, or the service does not start."""
    from ocr.engines import UnknownEngine, configured
    from ocr.inference import (
        UnknownBackend,
        UnknownPrecision,
        detection_precision,
        precision,
        wanted,
    )

    try:
        configured()
        wanted()
        precision()
        detection_precision()
    except (UnknownEngine, UnknownBackend, UnknownPrecision) as problem:
        raise InvalidOcrEngine(str(problem)) from None


class ServiceSettings(Settings):
    broker_url: str = ""  # empty: work runs in-process (embedded)
    callback_secret: str = ""  # HMAC-SHA256 key for callbacks; required in production
    max_upload_mb: int = 20
    max_files_per_request: int = 20
    max_pages: int = 50
    max_pixels: int = 60_000_000
    read_retries: int = 3
    callback_retries: int = 6
    callback_backoff_seconds: float = 5.0
    stalled_after_seconds: int = 600  # a running case untouched this long is picked up again
    visibility_timeout_seconds: int = 900  # a task held by a dead worker comes back after this
    in_process_workers: int = 1

    @property
    def embedded(self) -> bool:
        return not self.broker_url

    @property
    def production(self) -> bool:
        return bool(self.broker_url or self.database_url.startswith("postgresql"))

    def refuse_insecure(self) -> None:
        """Called before a runtime is built (API, worker, CLI): a production profile
        without a strong callback secret does not start, nor does any profile whose
        PREREVIEW_OCR_ENGINE names an engine profile that does not exist."""
        check_ocr_engines()
        if not self.production:
            return
        if self.callback_secret.strip().lower() in WEAK_SECRETS:
            raise InsecureSettings(
                "PREREVIEW_CALLBACK_SECRET is missing or weak: a production profile signs "
                "callbacks with it; set a random value of 32 characters or more")
        if len(self.callback_secret) < 32:
            raise InsecureSettings(
                "PREREVIEW_CALLBACK_SECRET must be at least 32 characters long")

    def signing_secret(self) -> bytes:
        """Embedded runs without a configured secret sign with one kept in the data dir."""
        if self.callback_secret:
            return self.callback_secret.encode()
        path = self.data_dir / "callback-secret"
        if not path.exists():
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()
