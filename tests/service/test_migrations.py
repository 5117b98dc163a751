"""Alembic over PostgreSQL: processes starting together on a fresh database (workers on
many machines) all come up, the schema made once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from .conftest import CALLBACK_SECRET, fresh_database
from .helpers import service_env

START = ("from api.config import ServiceSettings\n"
         "from api.runtime import build_runtime\n"
         "build_runtime(ServiceSettings(), dispatcher='in-process')\n")


def test_processes_starting_together_migrate_a_fresh_database_once(tmp_path: Path) -> None:
    with fresh_database() as url:
        env = service_env({"PREREVIEW_DATABASE_URL": url,
                           "PREREVIEW_CALLBACK_SECRET": CALLBACK_SECRET,
                           "PREREVIEW_DATA_DIR": str(tmp_path)})
        starts = [subprocess.Popen([sys.executable, "-c", START], env=env, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                  for _ in range(3)]
        results = [(p.wait(timeout=120), p.communicate()[1]) for p in starts]
        assert [code for code, _ in results] == [0, 0, 0], [e[-1500:] for _, e in results]
        engine = create_engine(url)
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        engine.dispose()
        assert len(versions) == 1
