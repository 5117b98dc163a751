"""The accuracy bench's figures: each field read wrong is listed with its confidence
and whether anything asks for it to be checked by hand."""

from __future__ import annotations

import io
import json
import os
import random
from pathlib import Path

import pytest
from rich.console import Console

import ocr
from api import bench
from samples import degrade
from samples.corpus import render_kind


def test_a_value_read_wrong_is_listed_and_said_to_be_sure_or_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rendered = render_kind("id_card_back", random.Random(13), 0)
    data, _ = degrade.apply(rendered.pages[0], "scan", 13)
    (tmp_path / "back.png").write_bytes(data)
    truth = dict(rendered.fields, issuing_authority="不存在的机关")  # a truth it cannot match
    (tmp_path / "truth.json").write_text(json.dumps([{
        "file": "back.png", "kind": "id_card_back", "degradation": "scan",
        "fields": truth, "rows": []}], ensure_ascii=False))
    out = io.StringIO()
    reads: list[str] = []
    read_upload = ocr.read_upload
    monkeypatch.setattr(ocr, "read_upload",
                        lambda name, data: reads.append(name) or read_upload(name, data))
    figures = bench.accuracy(1, 0, tmp_path, Console(file=out, width=200), repeat=2)
    assert reads == ["back.png"] * 3  # once untimed (the models load), then the quieter of 2
    [wrong] = figures["misreads"]
    assert wrong["field"] == "issuing_authority" and wrong["truth"] == "不存在的机关"
    assert wrong["read"] == rendered.fields["issuing_authority"]
    assert wrong["silent"] is (wrong["confidence"] >= 0.85)
    assert "1 fields read wrong" in out.getvalue()
    assert figures["kinds"]["id_card_back/scan"]["kind_accuracy"] == 1.0
    # the CPU the seconds were taken on is said beside them
    assert figures["machine"] == bench.machine() and f"machine: {bench.machine()}" in out.getvalue()
    assert f"{os.cpu_count()} cores" in figures["machine"]


def test_the_quietest_round_gives_both_sides_seconds() -> None:
    """Ours and bare Tesseract's seconds come from one round, the one that took least
    in all, not each side's fastest from different moments."""
    busy_bare = ((0.48, 1), {None: (0.50, [])})
    quiet = ((0.32, 1), {None: (0.44, [])})
    busy_ours = ((0.30, 1), {None: (0.70, [])})
    assert bench.quietest_round([busy_bare, quiet, busy_ours]) is quiet
    profiles = ((0.30, 1), {None: (0.40, []), "tesseract": (0.45, [])})
    slower = ((0.29, 1), {None: (0.39, []), "tesseract": (0.60, [])})
    assert bench.quietest_round([slower, profiles]) is profiles
