"""Bring a database to the newest schema (Alembic, run in-process at start-up)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

LOCK_KEY = 0x70726572  # 'prer': the advisory lock taken while migrating (PostgreSQL)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", "api:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Idempotent: a database already at the head is left as it is."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # processes starting together (workers on many machines, a fresh database)
            # migrate one at a time; the lock ends with the transaction
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
