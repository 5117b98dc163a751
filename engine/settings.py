"""Settings from the environment (``PREREVIEW_*``). With none set, everything
is embedded: SQLite and a local directory under the data directory."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from .rulebook import DEFAULT_RULES_DIR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PREREVIEW_", extra="ignore")

    data_dir: Path = Path.home() / ".local" / "share" / "prereview"
    database_url: str = ""  # default: sqlite in data_dir
    object_store_url: str = ""  # default: data_dir/objects; s3://KEY:SECRET@host:port/bucket
    rules_dir: Path = DEFAULT_RULES_DIR

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'prereview.db'}"

    def resolved_object_store_url(self) -> str:
        return self.object_store_url or str(self.data_dir / "objects")
