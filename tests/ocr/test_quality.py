"""The image quality gate on generated documents: normal pictures pass; a blurred,
tiny or glared picture fails with the right code and says what to do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

import ocr
from ocr.loader import load
from ocr.quality import check_page
from ocr.types import DocumentKind, Page
from samples.degrade import spoil

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, np.ndarray]]:
    """Every scanned or photographed page of a small generated corpus (kind in the name)."""
    out = tmp_path_factory.mktemp("quality-corpus")
    subprocess.run([sys.executable, "-m", "samples", "documents", "--out", str(out),
                    "--count", "1", "--seed", "5"], check=True, cwd=ROOT, capture_output=True)
    truth = json.loads((out / "truth.json").read_text())
    found = []
    for entry in truth:
        for page in load(entry["file"], (out / entry["file"]).read_bytes()).pages:
            if not page.has_text_layer:
                found.append((entry["file"], page.image))
    assert len(found) >= 20
    return found


def _spoiled(mode: str) -> object:
    rng = np.random.default_rng(1)
    return lambda image: spoil(image, mode, rng)


_blurred, _tiny, _glared = _spoiled("blurry"), _spoiled("tiny"), _spoiled("glare")


def _codes(image: np.ndarray, kind: DocumentKind = DocumentKind.UNKNOWN) -> list[str]:
    return [p.code for p in check_page(Page(1, image), kind)]


def test_normal_pictures_pass(pictures: list[tuple[str, np.ndarray]]) -> None:
    alarms = [(name, _codes(image)) for name, image in pictures if _codes(image)]
    assert len(alarms) <= 1, alarms  # measured: 0 of 44 (seed 3), 1 of 66 (seed 2026)


@pytest.mark.parametrize(("degrade", "code"), [(_blurred, "read.quality.blurry"),
                                               (_tiny, "read.quality.too_small")])
def test_every_blurred_or_tiny_picture_fails(pictures: list[tuple[str, np.ndarray]],
                                             degrade: object, code: str) -> None:
    missed = [name for name, image in pictures
              if code not in _codes(degrade(image))]  # type: ignore[operator]
    assert not missed


def test_glare_on_photos_is_found(pictures: list[tuple[str, np.ndarray]]) -> None:
    photos = [(n, i) for n, i in pictures if "photo" in n or "rotated" in n]
    caught = [n for n, image in photos
              if "read.quality.glare" in _codes(_glared(image))]  # type: ignore[operator]
    assert len(caught) >= 0.8 * len(photos), (len(caught), len(photos))


def test_a_pdf_text_layer_is_never_gated() -> None:
    blank = np.full((100, 100, 3), 128, np.uint8)  # tiny and flat: would fail as an image
    assert check_page(Page(1, blank, has_text_layer=True), DocumentKind.BANK_STATEMENT) == []


def test_read_file_names_the_side_and_keeps_reading(
        pictures: list[tuple[str, np.ndarray]]) -> None:
    name, image = next((n, i) for n, i in pictures if n.startswith("id_card_back_000_scan"))
    ok, jpeg = cv2.imencode(".jpg", _glared(image))  # type: ignore[operator]
    document = ocr.read_file("back.jpg", jpeg.tobytes())
    glare = [p for p in document.problems if p.code == "read.quality.glare"]
    assert document.kind is DocumentKind.ID_CARD_BACK and glare
    assert "身份证国徽面" in glare[0].message and "without glare" in glare[0].message
    assert document.readable  # a quality problem is not an unreadable file
