"""A shared corpus for the reading tests: ``python -m samples documents`` into a
session temp dir, and each page read once (prepare -> classify -> kind)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from ocr.classify import classify
from ocr.kinds import read_kind
from ocr.prepare import prepare_page
from ocr.types import DocumentKind, Page

COUNT = 2  # documents per kind and degradation
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Reading:
    file: str
    kind: DocumentKind
    fields: dict[str, str]
    seconds: float
    rotation: int


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("ocr-corpus")
    subprocess.run([sys.executable, "-m", "samples", "documents", "--out", str(out),
                    "--count", str(COUNT), "--seed", "11"], check=True, cwd=ROOT,
                   capture_output=True)
    return out, json.loads((out / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def read_page(corpus: tuple[Path, list[dict]]):  # noqa: ANN201 - a cached callable
    folder, _ = corpus
    cache: dict[str, Reading] = {}

    def read(file: str) -> Reading:
        if file not in cache:
            image = cv2.imdecode(np.fromfile(folder / file, np.uint8), cv2.IMREAD_COLOR)
            started = time.perf_counter()
            page = prepare_page(Page(1, image))
            kind, _ = classify([page])
            try:
                fields = {k: f.value for k, f in read_kind(kind, [page]).fields.items()}
            except ModuleNotFoundError:  # a kind whose reader another helper still writes
                fields = {}
            cache[file] = Reading(file, kind, fields,
                                  time.perf_counter() - started, page.rotation)
        return cache[file]

    return read


def documents(truth: list[dict], kind: str, *degradations: str) -> list[dict]:
    return [t for t in truth if t["kind"] == kind and t["degradation"] in degradations]


def same(name: str, got: str | None, want: str) -> bool:
    """Field equality as the truth prints it: spaces ignored; an area compares
    the building's floor area (the reader returns the number only)."""
    want = want.replace(" ", "")
    if name == "area" and "m²" in want:
        want = re.findall(r"房屋建筑面积([\d.]+)", want)[0]
    return (got or "").replace(" ", "") == want


def share_right(readings: list[tuple[Reading, dict]], name: str) -> float:
    pairs = [(r, t) for r, t in readings if name in t["fields"]]
    return sum(same(name, r.fields.get(name), t["fields"][name]) for r, t in pairs) / len(pairs)
