"""A production profile refuses to start with a missing or weak callback secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.config import InsecureSettings, ServiceSettings
from api.runtime import build_runtime


@pytest.mark.parametrize("secret", ["", "changeme", "short-but-not-weak"])
def test_production_profile_refuses_a_weak_secret(tmp_path: Path, secret: str) -> None:
    settings = ServiceSettings(data_dir=tmp_path, broker_url="redis://127.0.0.1:6379/15",
                               callback_secret=secret)
    with pytest.raises(InsecureSettings) as raised:
        build_runtime(settings)
    assert raised.value.code == "settings.insecure"
    assert "PREREVIEW_CALLBACK_SECRET" in raised.value.message


def test_embedded_profile_needs_no_secret(tmp_path: Path) -> None:
    ServiceSettings(data_dir=tmp_path).refuse_insecure()
    ServiceSettings(data_dir=tmp_path, broker_url="redis://x", callback_secret="s" * 40
                    ).refuse_insecure()
