"""One reader interface over Tesseract and RapidOCR: profiles chosen per kind by
configuration, each reading a real rendered document with the engines it names."""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import date

import pytest

import ocr
from ocr import engines, recognizer
from ocr.loader import load
from ocr.types import DocumentKind, Word
from samples import degrade, people
from samples.render import id_card


@pytest.fixture(scope="module")
def id_front() -> tuple[bytes, dict[str, str]]:
    rng = random.Random(41)
    person = people.make_person(rng, date(2026, 11, 1), min_age=20, max_age=65)
    fields = id_card.front_fields(person)
    rendered = id_card.render_front(fields, rng, id_card.LAYOUTS[0], id_card.VALUE_FONTS[0])
    data, _ = degrade.apply(rendered.pages[0], "scan", 41)
    return data, rendered.fields


@pytest.fixture
def recogniser_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records each use of the PP-OCR model (the real model still runs)."""
    calls: list[str] = []
    for name in ("recognise", "detect_and_read", "reread_lines", "read_pieces"):
        real = getattr(recognizer, name)

        def spy(*args: object, _real: object = real, _name: str = name) -> object:
            calls.append(_name)
            return _real(*args)  # type: ignore[operator]

        monkeypatch.setattr(recognizer, name, spy)
    yield calls


def test_configuration_names_a_default_and_exceptions_per_kind(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PREREVIEW_OCR_ENGINE", "tesseract,bank_statement=rapidocr")
    assert engines.for_kind(DocumentKind.PAY_SLIP).name == "tesseract"
    assert engines.for_kind(DocumentKind.BANK_STATEMENT).name == "rapidocr"
    assert engines.for_kind(None).name == "tesseract"
    with engines.forced("combined"):  # the bench reads everything with one profile
        assert engines.for_kind(DocumentKind.BANK_STATEMENT).name == "combined"


@pytest.mark.parametrize("setting", ["paddle", "combined,id_card=rapidocr",
                                     "combined,pay_slip=best"])
def test_a_setting_that_names_no_profile_is_refused(
        monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setenv("PREREVIEW_OCR_ENGINE", setting)
    with pytest.raises(engines.UnknownEngine) as caught:
        engines.configured()
    assert caught.value.code == "read.engine_unknown"


def test_the_service_does_not_start_with_an_unknown_engine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from api.config import InvalidOcrEngine, ServiceSettings

    monkeypatch.setenv("PREREVIEW_OCR_ENGINE", "paddle")
    with pytest.raises(InvalidOcrEngine) as caught:
        ServiceSettings().refuse_insecure()
    assert "tesseract-raw, tesseract, rapidocr, combined" in caught.value.message


def test_detected_pieces_are_grouped_into_lines_left_to_right() -> None:
    pieces = [Word("姓名", (10, 10, 60, 30), 0.9), Word("住址", (10, 52, 60, 72), 0.95),
              Word("张三", (80, 12, 140, 31), 0.8), Word("北京市", (80, 50, 170, 71), 0.99)]
    lines = engines.lines_from_pieces(pieces)
    assert [line.text for line in lines] == ["姓名 张三", "住址 北京市"]
    assert lines[0].bbox == (10, 10, 140, 31) and lines[0].confidence == 0.8


@pytest.mark.parametrize("profile", ["tesseract", "rapidocr", "combined"])
def test_each_profile_reads_an_id_card(id_front: tuple[bytes, dict[str, str]], profile: str,
                                       recogniser_calls: list[str]) -> None:
    data, truth = id_front
    with engines.forced(profile):
        doc = ocr.read_file("front.png", data)
    assert doc.kind is DocumentKind.ID_CARD_FRONT
    assert doc.value("id_number") == truth["id_number"]
    if profile == "tesseract":
        assert recogniser_calls == []  # Tesseract alone: the PP-OCR model is never asked
    else:
        assert recogniser_calls
    if profile == "rapidocr":
        assert "read_pieces" in recogniser_calls  # it finds the lines itself
        assert doc.fields["id_number"].confidence >= 0.9  # Tesseract's vote agreed


def test_a_kind_configured_to_another_engine_is_read_with_it(
        id_front: tuple[bytes, dict[str, str]], recogniser_calls: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    data, truth = id_front
    monkeypatch.setenv("PREREVIEW_OCR_ENGINE", "tesseract,id_card_front=rapidocr")
    doc = ocr.read_file("front.png", data)
    assert doc.value("name") == truth["name"]
    assert "read_pieces" in recogniser_calls


def test_the_baseline_reads_the_picture_as_it_is(
        id_front: tuple[bytes, dict[str, str]]) -> None:
    data, _ = id_front
    with engines.forced("tesseract-raw"):
        doc = ocr.read_file("front.png", data)
    loaded = load("front.png", data).pages[0].image
    assert doc.pages[0].image.shape == loaded.shape[:2] + (3,)  # no crop, no resize
    seconds, pages = engines.bare_tesseract_seconds("front.png", data)
    assert pages == 1 and seconds > 0


@pytest.mark.parametrize("profile", list(engines.PROFILES))
def test_no_ocr_on_a_page_with_a_text_layer(profile: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from samples.corpus import render_kind

    rendered = render_kind("bank_statement", random.Random(5), 0)
    assert rendered.pdf
    ocr_calls: list[str] = []
    monkeypatch.setattr(engines.tesseract.pytesseract, "image_to_data",
                        lambda *a, **k: ocr_calls.append("tesseract"))
    monkeypatch.setattr(recognizer, "detect_and_read",
                        lambda *a, **k: ocr_calls.append("rapidocr") or [])
    monkeypatch.setattr(recognizer, "recognise",
                        lambda crops: ocr_calls.append("rapidocr") or [("", 0.0)] * len(crops))
    with engines.forced(profile):
        doc = ocr.read_file("statement.pdf", rendered.pdf)
    assert doc.kind is DocumentKind.BANK_STATEMENT
    assert len(doc.rows) == len(rendered.rows) and doc.rows
    assert ocr_calls == []


def test_two_valid_id_numbers_read_make_it_a_check_by_hand(
        id_front: tuple[bytes, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    from stdnum.cn import ric

    from ocr.kinds import id_number

    data, truth = id_front
    body = truth["id_number"][:16] + str((int(truth["id_number"][16]) + 2) % 10)
    other = body + ric.calc_check_digit(body + "?")  # valid, and not the printed number
    def tesseract_reads_other(crop: object, whitelist: str) -> Future[str]:
        opinion: Future[str] = Future()
        opinion.set_result(other)
        return opinion

    monkeypatch.setattr(id_number, "second_opinion_soon", tesseract_reads_other)
    with engines.forced("rapidocr"):
        doc = ocr.read_file("front.png", data)
    assert doc.value("id_number") == truth["id_number"]  # RapidOCR's reading is kept …
    assert doc.fields["id_number"].confidence < 0.85  # … but only as a check by hand


@pytest.mark.parametrize("small", [False, True])
def test_tesseract_is_asked_its_opinion_of_a_number_except_on_a_small_card(
        id_front: tuple[bytes, dict[str, str]], monkeypatch: pytest.MonkeyPatch,
        small: bool) -> None:
    """A small card cut out of a photo has its number voted on again once it is read,
    and Tesseract misreads its enlarged digits: it is not asked there."""
    import dataclasses

    from ocr.kinds import id_number, read_kind
    from ocr.loader import load
    from ocr.prepare import prepare_page

    asked: list[str] = []
    real = id_number.second_opinion_soon
    monkeypatch.setattr(id_number, "second_opinion_soon",
                        lambda crop, chars: asked.append(chars) or real(crop, chars))
    data, truth = id_front
    with engines.forced("rapidocr"), engines.reading_as(DocumentKind.ID_CARD_FRONT):
        page = prepare_page(dataclasses.replace(load("front.png", data).pages[0],
                                                one_card=True, small_card=small))
        result = read_kind(DocumentKind.ID_CARD_FRONT, [page])
    assert result.fields["id_number"].value == truth["id_number"]
    assert len(asked) == (0 if small else 1)


def test_a_crop_read_and_then_asked_how_sure_each_character_is_is_read_once() -> None:
    """A row's crop read by the recogniser and then asked for its characters' scores
    (a certificate's owners and location) runs the model once: the reading is RapidOCR's
    own for that crop, and the scores are those of the same run."""
    import numpy as np

    from samples.corpus import corpus_image

    name, data, _ = corpus_image("property_certificate", 5, 0, "scan")
    page = load(name, data).pages[0].image
    crop = np.ascontiguousarray(page[400:460, 300:900])
    engine = recognizer._engine()
    single = recognizer._single(engine)
    runs: list[tuple[int, ...]] = []
    session = single.session

    def counted(batch: np.ndarray) -> list[np.ndarray]:
        runs.append(batch.shape)
        return session(batch)

    single.session = counted
    try:
        recognizer._PREDICTED.clear()
        ((text, score),) = recognizer.recognise([crop])
        scores = recognizer.character_scores(crop.copy())
        assert len(runs) == 1
        assert scores is not None
        assert len(recognizer.recognise([crop[:, :-40]])) == 1  # another crop: read anew
        assert len(runs) == 2
    finally:
        single.session = session
    ((own_text, own_score),), _ = single([np.dstack([crop] * 3) if crop.ndim == 2 else crop])
    assert (text, round(score, 5)) == (str(own_text).strip(), round(float(own_score), 5))
    assert text
    steps = scores[0].argmax(axis=1)  # the likeliest class at each step, CTC-collapsed
    best = "".join(scores[1][i] for k, i in enumerate(steps)
                   if i > 0 and (k == 0 or steps[k - 1] != i))
    assert best.strip() == text
