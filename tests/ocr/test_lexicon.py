"""Reading a line as one of the things it may say (ocr.lexicon, ocr.divisions): the CTC
forward algorithm against every alignment counted by hand, and real recogniser
readings of blurred card wording."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr import divisions, engines, lexicon
from ocr.kinds.id_back import _authority_again
from ocr.kinds.id_card import ETHNICITIES
from ocr.types import Word
from samples.fonts import NOTO_SANS, font


def _collapse(path: tuple[int, ...]) -> tuple[int, ...]:
    """A CTC alignment's labels: repeats merged, then blanks dropped."""
    merged = [k for k, _ in itertools.groupby(path)]
    return tuple(k for k in merged if k != lexicon.BLANK)


def _by_every_alignment(log_probs: np.ndarray, labels: tuple[int, ...],
                        free_start: bool, free_end: bool = False) -> float:
    steps, classes = log_probs.shape
    total = 0.0
    starts = range(steps) if free_start else [0]
    for start in starts:
        for path in itertools.product(range(classes), repeat=steps - start):
            read = _collapse(path)
            if (read[:len(labels)] if free_end else read) == labels:
                total += float(np.exp(sum(log_probs[start + t, k] for t, k in enumerate(path))))
    return float(np.log(total))


@pytest.mark.parametrize("labels", [(1,), (1, 2), (2, 2), (1, 2, 1)])
@pytest.mark.parametrize("free_start", [False, True])
def test_the_forward_algorithm_sums_every_alignment(labels: tuple[int, ...],
                                                     free_start: bool) -> None:
    rng = np.random.default_rng(len(labels))
    probs = rng.random((5, 3)) + 0.05
    log_probs = np.log(probs / probs.sum(axis=1, keepdims=True))
    got = lexicon.ctc_log_likelihoods(log_probs, np.array([labels]), free_start)[0]
    assert got == pytest.approx(_by_every_alignment(log_probs, labels, free_start))


@pytest.mark.parametrize("labels", [(1,), (1, 2), (2, 2), (1, 2, 1)])
@pytest.mark.parametrize("free_start", [False, True])
def test_the_forward_algorithm_sums_every_alignment_that_starts_with_the_labels(
        labels: tuple[int, ...], free_start: bool) -> None:
    rng = np.random.default_rng(10 + len(labels))
    probs = rng.random((5, 3)) + 0.05
    log_probs = np.log(probs / probs.sum(axis=1, keepdims=True))
    got = lexicon.ctc_log_likelihoods(log_probs, np.array([labels]), free_start, True)[0]
    assert got == pytest.approx(_by_every_alignment(log_probs, labels, free_start, True))


def test_choose_takes_the_candidate_the_steps_spell() -> None:
    characters = ["blank", "汉", "回", "满"]
    steps = [1, 1, 0, 0, 3]  # 汉 汉 _ _ 满 with a little doubt everywhere
    probs = np.full((len(steps), 4), 0.02)
    probs[np.arange(len(steps)), steps] = 0.94
    chosen = lexicon.choose(np.log(probs), characters, ["汉满", "回", "汉", "满"])
    assert chosen is not None and chosen.value == "汉满" and chosen.share > 0.9
    tail = lexicon.choose(np.log(probs), characters, ["汉", "满", "回"], free_start=True)
    assert tail is not None and tail.value == "满"  # the line's end, whatever precedes
    assert lexicon.choose(np.log(probs), characters, ["土家"]) is None  # not writable


def test_issuing_authorities_are_todays_bureaus_and_branches() -> None:
    issuers = divisions.issuing_authorities()
    for name in ("北京市公安局海淀分局", "上海市公安局浦东分局", "广州市公安局天河区分局",
                 "深圳市公安局", "昌黎县公安局", "杭州市公安局西湖分局"):
        assert name in issuers
    assert "北京市公安局崇文分局" not in issuers  # merged into 东城区 in 2010
    assert "北京市公安局市辖分局" not in issuers
    assert len(issuers) > 3000


def _printed(text: str, blur: float, width: int = 900) -> np.ndarray:
    """A line of card print (~30 px characters, as on a card cut from a desk photo),
    blurred and shrunk as a phone blurs it, then enlarged back."""
    picture = Image.new("RGB", (width, 60), (236, 234, 228))
    ImageDraw.Draw(picture).text((10, 10), text, font=font(NOTO_SANS, 32), fill=(40, 40, 40))
    line = cv2.GaussianBlur(np.asarray(picture), (0, 0), blur) if blur else np.asarray(picture)
    small = cv2.resize(line, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (line.shape[1], line.shape[0]), interpolation=cv2.INTER_LINEAR)


@pytest.mark.parametrize("ethnicity", ["汉", "回", "维吾尔", "土家"])
def test_a_blurred_ethnicity_is_read_as_one_of_the_56(ethnicity: str) -> None:
    crop = _printed(f"性别 男      民族 {ethnicity}", blur=2.2, width=560)
    chosen = engines.read_as_one_of(crop, ETHNICITIES, free_start=True)
    assert chosen is not None and chosen.value == ethnicity


def test_an_authority_misread_by_a_character_is_read_as_the_bureau_it_names() -> None:
    crop = _printed("签发机关 深圳市公安局南山分局", blur=2.0)
    line = Word("签发机关 深圳市公安局山分局", (0, 0, crop.shape[1], crop.shape[0]), 0.7)
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    again = _authority_again(grey, line, "深圳市公安局山分局")
    assert again is not None and again[0] == "深圳市公安局南山分局"
    assert again[1] >= 0.85 and again[2]  # the reading backs it: one character lost
    unbacked = _authority_again(grey, line, "安场综汇分网")
    assert unbacked is not None and unbacked[1] < 0.85  # chosen, but checked by hand
    assert not unbacked[2]


def _spelled(text: str, runners_up: dict[int, str], alphabet: str = "0123456789X"
             ) -> tuple[np.ndarray, list[str]]:
    """Steps spelling ``text`` (a character, then a blank, each), with a runner-up
    character at some positions."""
    characters = ["blank", *alphabet]
    probs = np.full((2 * len(text), len(characters)), 0.01)
    for i, ch in enumerate(text):
        probs[2 * i, characters.index(ch)] = 0.8
        if i in runners_up:
            probs[2 * i, characters.index(runners_up[i])] = 0.15
        probs[2 * i + 1, 0] = 0.9
    return np.log(probs / probs.sum(axis=1, keepdims=True)), characters


def test_a_number_read_a_digit_off_is_made_valid_by_its_runner_up() -> None:
    from ocr.kinds.id_number import valid_number

    read = "440305198092157834"  # 0 of 1980-02-15 read 9; its runner-up at that step is 0
    assert not valid_number(read)
    log_probs, characters = _spelled(read, {10: "0", 3: "8"})
    assert lexicon.closest_valid(log_probs, characters, "0123456789X", 18,
                                 valid_number) == "440305198002157834"
    # no runner-up makes it valid, or it has another length: no guess
    bare, characters = _spelled(read, {})
    assert lexicon.closest_valid(bare, characters, "0123456789X", 18, valid_number) is None
    assert lexicon.closest_valid(log_probs, characters, "0123456789X", 17, valid_number) is None


def test_a_blurred_surname_is_put_back_to_a_common_one_the_recogniser_saw() -> None:
    from ocr.kinds.names import name_chars as _name_chars
    from ocr.kinds.names import with_common_surname as _with_common_surname

    alphabet = "名干于泰秦琳强"
    log_probs, characters = _spelled("名干琳", {1: "于"}, alphabet)  # 干 0.8, 于 0.15
    found = lexicon.closest_valid(log_probs, characters, None, None,
                                  _with_common_surname("干琳"), max_changes=1)
    assert found is not None and _name_chars(found) == "于琳"
    # a rare surname read with no common one beside it stays as read
    sure, characters = _spelled("名干琳", {}, alphabet)
    assert lexicon.closest_valid(sure, characters, None, None,
                                 _with_common_surname("干琳"), max_changes=1) is None
    # nor is another character of the name changed to make one
    other, characters = _spelled("泰强", {0: "干", 1: "琳"}, alphabet)
    assert lexicon.closest_valid(other, characters, None, None,
                                 _with_common_surname("泰强"), max_changes=1) is None


def test_a_name_within_a_letters_sentence_gets_the_common_surname_seen_there() -> None:
    from ocr.kinds.names import _with_common_surname_within

    alphabet = "兹证明播潘敏倩系王"
    # seed 61's letter photo: 潘敏倩 read 播敏倩 (0.945), 潘 the runner-up at its steps
    log_probs, characters = _spelled("兹证明播敏倩系", {3: "潘"}, alphabet)
    assert lexicon.closest_valid(log_probs, characters, None, None,
                                 _with_common_surname_within("播敏倩"),
                                 max_changes=1) == "兹证明潘敏倩系"
    # no common surname seen at its steps: kept as read (a rare surname)
    sure, characters = _spelled("兹证明播敏倩系", {}, alphabet)
    assert lexicon.closest_valid(sure, characters, None, None,
                                 _with_common_surname_within("播敏倩"), max_changes=1) is None


def test_an_authority_read_sure_but_off_the_list_stays_as_read() -> None:
    """A development zone's branch (成都市公安局高新分局) is no district's: read sure, it is
    kept, not put right to the nearest district's branch."""
    from ocr.kinds.id_back import _authority
    from ocr.types import Page

    crop = _printed("签发机关  成都市公安局高新分局", blur=0.0)
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    assert "成都市公安局高新分局" not in divisions.issuing_authorities()
    ys, xs = np.nonzero(grey < 128)  # the line's box: its ink, as the detector finds it
    box = (int(xs.min()) - 2, int(ys.min()) - 2, int(xs.max()) + 2, int(ys.max()) + 2)
    line = Word("签发机关 成都市公安局高新分局", box, 0.99)
    with engines.forced("rapidocr"):
        found = _authority(Page(1, crop), grey, line)
    assert found["issuing_authority"].value == "成都市公安局高新分局"
