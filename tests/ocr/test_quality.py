"""The image quality gate on generated documents: normal pictures pass; a blurred,
tiny, glared or cut-off picture, or one with no document in it, fails with the
right code and says what to do."""

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
from samples.degrade import _desk, spoil

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, np.ndarray]]:
    """Every scanned or photographed page of a small generated corpus (kind in the name)."""
    out = tmp_path_factory.mktemp("quality-corpus")
    subprocess.run([sys.executable, "-m", "samples", "documents", "--out", str(out),
                    "--count", "1", "--seed", "5"], check=True, cwd=ROOT, capture_output=True)
    truth = json.loads((out / "truth.json").read_text())
    found: list[tuple[str, np.ndarray]] = []
    for entry in truth:
        if any(name == entry["file"] for name, _ in found):
            continue  # a file holding both ID sides is listed once per side
        for page in load(entry["file"], (out / entry["file"]).read_bytes()).pages:
            if not page.has_text_layer:
                found.append((entry["file"], page.image))
    assert len(found) >= 20
    return found


def _spoiled(mode: str) -> object:
    rng = np.random.default_rng(1)
    return lambda image: spoil(image, mode, rng)


_blurred, _tiny, _glared = _spoiled("blurry"), _spoiled("tiny"), _spoiled("glare")
_cut, _emptied = _spoiled("cut_off"), _spoiled("no_document")


def _codes(image: np.ndarray, kind: DocumentKind = DocumentKind.UNKNOWN) -> list[str]:
    return [p.code for p in check_page(Page(1, image), kind)]


def test_normal_pictures_pass(pictures: list[tuple[str, np.ndarray]]) -> None:
    alarms = [(name, _codes(image)) for name, image in pictures if _codes(image)]
    assert len(alarms) <= 1, alarms  # measured: 0 of 44 (seed 3), 1 of 66 (seed 2026);
    # with cut_off and not_found: 0 of 76 (seeds 5, 11), 0 of 77 (seed 7), 1 of 75 (seed 2026:
    # a pay slip strip that really runs off the top of the frame)


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


def _photos(pictures: list[tuple[str, np.ndarray]]) -> list[tuple[str, np.ndarray]]:
    return [(n, i) for n, i in pictures if "_photo" in n or "_rotated" in n]


def test_cut_off_photos_are_found(pictures: list[tuple[str, np.ndarray]]) -> None:
    photos = _photos(pictures)
    caught = [n for n, image in photos
              if "read.quality.cut_off" in _codes(_cut(image))]  # type: ignore[operator]
    assert len(caught) >= 0.9 * len(photos), (len(caught), len(photos))


def test_a_scan_filling_the_frame_is_not_cut_off(
        pictures: list[tuple[str, np.ndarray]]) -> None:
    scans = [(n, i) for n, i in pictures if "_clean" in n or "_scan" in n]
    assert scans and not [n for n, i in scans if "read.quality.cut_off" in _codes(i)]


def test_pictures_without_a_document_are_not_found(
        pictures: list[tuple[str, np.ndarray]]) -> None:
    missed = [n for n, image in pictures
              if "read.quality.not_found" not in _codes(_emptied(image))]  # type: ignore[operator]
    assert len(missed) <= 0.1 * len(pictures), missed


@pytest.mark.parametrize("make", [
    lambda rng: _desk(1500, 2000, rng),  # an empty desk
    lambda rng: np.full((1500, 2000, 3), 246, np.uint8),  # a blank white sheet or wall
    lambda rng: np.clip(rng.normal(128, 6, (1500, 2000, 3)), 0, 255).astype(np.uint8),
    lambda rng: rng.integers(0, 256, (1200, 1600, 3), dtype=np.uint8),  # random noise
], ids=["desk", "white", "grey", "noise"])
def test_an_empty_picture_is_not_found(make: object) -> None:
    image = make(np.random.default_rng(4))  # type: ignore[operator]
    assert "read.quality.not_found" in _codes(image)
    assert "read.quality.cut_off" not in _codes(image)


def test_messages_name_the_document_and_the_side(
        pictures: list[tuple[str, np.ndarray]]) -> None:
    name, image = next((n, i) for n, i in pictures if n.startswith("id_card_back_000_photo"))
    cut = check_page(Page(1, _cut(image)), DocumentKind.ID_CARD_BACK)  # type: ignore[operator]
    message = next(p.message for p in cut if p.code == "read.quality.cut_off")
    assert "身份证国徽面" in message and "右侧" in message
    assert "the back (emblem side) of the ID card" in message and "(right side)" in message
    desk = _desk(1500, 2000, np.random.default_rng(2))
    empty = check_page(Page(1, desk), DocumentKind.PAY_SLIP)
    message = next(p.message for p in empty if p.code == "read.quality.not_found")
    assert "工资单" in message and "the pay slip" in message
