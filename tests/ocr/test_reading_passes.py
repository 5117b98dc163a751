"""The passes that keep reading fast must not change what is read: detection on a
smaller copy keeps boxes in page pixels, several crops read in one Tesseract run
come back to their own crop, and a page upside down is found so by RapidOCR's
angle classifier and read the right way up."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

import ocr
from ocr import engines, recognizer
from ocr.tesseract import AMOUNT_CHARS
from ocr.types import DocumentKind
from samples import degrade
from samples.corpus import render_kind


def _text_image(lines: list[str], size: tuple[int, int], scale: float) -> np.ndarray:
    """Digits drawn with OpenCV's own font at known places."""
    h, w = size
    image = np.full((h, w, 3), 255, np.uint8)
    for i, text in enumerate(lines):
        cv2.putText(image, text, (int(0.1 * w), int((i + 1) * h / (len(lines) + 1))),
                    cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), max(1, int(2 * scale)))
    return image


def test_detection_on_a_smaller_copy_keeps_boxes_in_page_pixels() -> None:
    page = _text_image(["12345.67", "89012.34"], (2400, 1800), 3.0)
    assert max(page.shape[:2]) > recognizer.DET_SIDE  # detection runs on a copy
    pieces = recognizer.read_pieces(page).pieces
    texts = [p.text.replace(",", "") for p in pieces]
    assert "12345.67" in texts and "89012.34" in texts
    first = pieces[texts.index("12345.67")]
    x0, y0, x1, y1 = first.bbox
    assert 0.1 * 1800 - 20 <= x0 <= 0.1 * 1800 + 20  # where it was drawn, full size
    assert y0 < 2400 / 3 < y1 + 20


def test_crops_read_in_one_run_come_back_to_their_own_crop() -> None:
    values = ["4,558.75", "29266.25", "50.00", "3675.00"]
    crops = [_text_image([v], (60, 40 + 28 * len(v)), 1.0) for v in values]
    crops = [c[5:55] for c in crops]
    read = engines.second_opinions(crops, AMOUNT_CHARS)
    assert read == values
    assert engines.second_opinions([], AMOUNT_CHARS) == []


@pytest.mark.parametrize("seed", [31])
def test_a_page_upside_down_is_turned_and_read(seed: int) -> None:
    rng = random.Random(seed)
    rendered = render_kind("pay_slip", rng, 0)
    data, _ = degrade.apply(rendered.pages[0], "scan", seed)
    picture = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    ok, turned = cv2.imencode(".png", cv2.rotate(picture, cv2.ROTATE_180))
    assert ok
    with engines.forced("rapidocr"):
        upright = ocr.read_file("slip.png", data)
        doc = ocr.read_file("slip-turned.png", turned.tobytes())
    assert doc.kind is DocumentKind.PAY_SLIP
    assert doc.pages[0].rotation == 180
    assert doc.value("net_pay") == rendered.fields["net_pay"] == upright.value("net_pay")
    assert doc.pages[0].tokens, "the pieces RapidOCR found are kept for the readers"


def test_a_page_found_upside_down_is_read_once_the_right_way_up(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The angle classifier's vote comes before recognition: the turn it finds upside
    down is detected once, and its pieces are recognised turned the right way up."""
    from ocr import image as im
    from ocr import recognizer
    from ocr.prepare import upright

    rendered = render_kind("income_certificate", random.Random(41), 0)
    data, _ = degrade.apply(rendered.pages[0], "scan", 41)
    picture = im.fit_size(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR))
    engine = recognizer._engine()
    runs: list[int] = []
    real = engine.text_rec
    monkeypatch.setattr(engine, "text_rec", lambda crops: runs.append(len(crops)) or real(crops))
    detections: list[int] = []
    detect = recognizer._detect
    monkeypatch.setattr(recognizer, "_detect",
                        lambda *a: detections.append(1) or detect(*a))
    with engines.forced("rapidocr"), engines.reading_as(None):
        turn, _, text, _ = upright(cv2.rotate(picture, cv2.ROTATE_180), False)
    assert turn == 180
    assert "收入证明" in "".join(w.text for w in text.lines)
    assert len(runs) == 1  # one recognition pass: the upright one
    assert len(detections) == 1  # the boxes found upside down, turned with the page



def test_a_page_found_upside_down_is_read_as_it_lies_from_the_same_pieces(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the classifier's vote may be wrong (few keywords), the page is also read as
    it lies: from the pieces already found, the same text as finding them again."""
    from ocr import image as im

    rendered = render_kind("income_certificate", random.Random(41), 0)
    data, _ = degrade.apply(rendered.pages[0], "scan", 41)
    picture = im.fit_size(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR))
    ready = im.ocr_ready(cv2.rotate(picture, cv2.ROTATE_180))
    with engines.forced("rapidocr"), engines.reading_as(None):
        text = engines.find_text(ready, orientation=True)
        assert text.turned and text.as_it_lies is not None
        detections: list[int] = []
        detect = recognizer._detect
        monkeypatch.setattr(recognizer, "_detect",
                            lambda *a: detections.append(1) or detect(*a))
        lying = text.as_it_lies()
        monkeypatch.setattr(recognizer, "_detect", detect)
        found_again = engines.find_text(ready)
    assert not detections
    assert [(w.text, w.bbox) for w in lying.lines] == [
        (w.text, w.bbox) for w in found_again.lines]
    assert lying.lines != text.lines  # upside-down reading, not the turned one
    assert engines.find_text(ready, orientation=False).as_it_lies is None


def test_an_upload_is_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from ocr import loader

    rendered = render_kind("id_card_back", random.Random(37), 0)
    data, _ = degrade.apply(rendered.pages[0], "photo", 37)
    calls = []
    load = loader.load
    monkeypatch.setattr(loader, "load", lambda *a: calls.append(1) or load(*a))
    [doc] = ocr.read_upload("back.jpg", data)
    assert doc.kind is DocumentKind.ID_CARD_BACK
    assert len(calls) == 1


def test_the_detectors_float32_input_is_rapidocrs_own() -> None:
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    picture = np.random.default_rng(3).integers(0, 256, (300, 500, 3), dtype=np.uint8)
    theirs = DetPreProcess(2000, "max", [0.5] * 3, [0.5] * 3)(picture)
    ours = recognizer._engine().text_det.get_preprocess(500)(picture)
    assert ours.dtype == np.float32
    assert np.abs(ours - theirs).max() < 1e-6


@pytest.mark.parametrize("one_card", [False, True])
def test_a_picture_known_to_hold_one_card_is_turned_only_to_lie_landscape(
        one_card: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """A card cut out of a desk photo may measure off a card's shape; where nothing
    on it settles the turn, it is still tried only lying landscape (0 and 180), not
    on its sides as a sheet would be (each try a full reading)."""
    from ocr import prepare

    tried: list[tuple[int, ...]] = []
    find_text = engines.find_text
    monkeypatch.setattr(engines, "find_text", lambda image, **kw: tried.append(
        image.shape[:2]) or find_text(image, **kw))
    blank = np.full((940, 1400, 3), 235, np.uint8)  # 1.49: not a card's 1.585
    prepare.upright(blank, is_card=False, one_card=one_card)
    portrait = [shape for shape in tried if shape[0] > shape[1]]
    assert bool(portrait) is not one_card
    assert tried
