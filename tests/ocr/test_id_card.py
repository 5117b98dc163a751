"""ID cards from the shared corpus: the fields a clerk checks, read exactly."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from stdnum.cn import ric

from ocr import image as im
from ocr.kinds.id_address import (
    _address_checked,
    _building,
    _ends_well,
    _known_start,
    _likelier_lines,
    _well_ended,
    province_line,
)
from ocr.kinds.id_back import _authority_checked
from ocr.kinds.id_card import (
    _above_address,
    _above_birth,
    _fills_its_line,
    _first_date_line,
    _in_card_order,
    _in_order,
    _may_be_born,
    _sex_band,
    _sex_ethnicity,
    _with_lines_unfound,
)
from ocr.kinds.id_number import valid_number
from ocr.types import Field, Page, Word

from .conftest import documents, same, share_right


@pytest.fixture(scope="module")
def fronts(corpus, read_page):
    _, truth = corpus
    return {deg: [(read_page(t["file"]), t) for t in documents(truth, "id_card_front", deg)]
            for deg in ("clean", "scan", "photo", "rotated")}


@pytest.fixture(scope="module")
def backs(corpus, read_page):
    _, truth = corpus
    return {deg: [(read_page(t["file"]), t) for t in documents(truth, "id_card_back", deg)]
            for deg in ("clean", "scan", "photo", "rotated")}


@pytest.mark.parametrize("degradation", ["clean", "scan"])
def test_front_key_fields_exact_on_scans(fronts, degradation):
    for reading, truth in fronts[degradation]:
        assert reading.kind == "id_card_front"
        for name in ("id_number", "birth_date", "sex"):
            assert same(name, reading.fields.get(name), truth["fields"][name]), (
                reading.file, name, reading.fields.get(name))


def test_front_names_mostly_right(fronts):
    # Tesseract misreads rare name characters (霞, 鑫...): a majority, not all.
    assert share_right(fronts["clean"] + fronts["scan"], "name") >= 0.5


@pytest.mark.parametrize("degradation", ["photo", "rotated"])
def test_front_photos_number_and_kind(fronts, degradation):
    for reading, truth in fronts[degradation]:
        assert reading.kind == "id_card_front", reading.file
        assert reading.fields.get("id_number") == truth["fields"]["id_number"], reading.file


def test_front_other_fields_mostly_right(fronts):
    readings = [r for deg in fronts.values() for r in deg]
    assert share_right(readings, "ethnicity") >= 0.8
    assert share_right(readings, "address") >= 0.5


@pytest.mark.parametrize("degradation", ["clean", "scan", "photo", "rotated"])
def test_back_fields(backs, degradation):
    for reading, truth in backs[degradation]:
        assert reading.kind == "id_card_back", reading.file
        for name in ("valid_from", "valid_until"):
            assert same(name, reading.fields.get(name), truth["fields"][name]), reading.file
    assert share_right(backs[degradation], "issuing_authority") >= 0.5


def test_number_check_character_and_birth_date():
    assert valid_number("11010519491231002X")  # GB 11643-1999's own example
    assert not valid_number("11010519491231003X")  # its sex digit misread: the check tells
    assert not valid_number("11010519491231002" + "0")  # another check character
    body = "11010519900307123"
    number = body + ric.calc_check_digit(body + "?")  # stdnum leaves out the last character
    assert valid_number(number)
    assert not valid_number("110105199002301234")  # 30 February
    assert not valid_number(number + "1")  # longer than 18
    # a district created after birth is still a real number (domain.md)
    assert valid_number("440106197001011236")


def test_a_misread_sex_digit_is_not_a_valid_number():
    """Seed 113: an income certificate's 110108197105126541 read ...6511, both readers
    alike, and kept as sure: the check character was computed over 16 digits."""
    assert not valid_number("110108197105126511")


@pytest.mark.parametrize(("kind", "printed", "box", "confidence"), [
    # seed 113's turned letter: ...6544 read ...6511 by both readers, sure (0.96)
    ("income_certificate", "兹证明张三（身份证号：{}）系我单位正式员工。", (0, 0, 9, 9), 0.96),
    ("pay_slip", "姓名：张三 身份证号：{}", (0, 0, 900, 40), 0.97)])
def test_an_id_number_whose_check_character_is_wrong_is_never_sure(
        kind: str, printed: str, box: tuple[int, int, int, int], confidence: float) -> None:
    """A letter's or pay slip's ID number has no second look: one whose check character
    is wrong was misread, and is checked by hand; a valid one is kept as read."""
    from ocr.kinds import read_kind
    from ocr.types import DocumentKind, Page, Word

    def number_read(number: str) -> float:
        line = Word(printed.format(number), box, confidence)
        page = Page(1, np.full((100, 1000, 3), 255, np.uint8), words=[line])
        found = read_kind(DocumentKind(kind), [page]).fields["id_number"]
        assert found.value == number
        return found.confidence

    assert number_read("110108197105126511") < 0.85
    assert number_read("110108197105126544") == confidence


def _sex_read(page: Page, line: Word) -> dict[str, Field]:
    return _sex_ethnicity(page, line, None, _sex_band(page.image, line, None, None))


@pytest.mark.parametrize(("line", "sex", "ethnicity"), [
    ("性别 男 民族 汉", "男", "汉"),
    ("栏剧男 民旅汉", "男", "汉"),  # both labels misread on a desk photo (seed 9)
    ("栏剧女 民旅蒙古", "女", "蒙古"),
    ("性彩男 腾汉", "男", "汉"),
])
def test_sex_and_ethnicity_read_past_misread_labels(line: str, sex: str, ethnicity: str) -> None:
    page = Page(1, np.zeros((10, 10, 3), np.uint8))
    found = _sex_read(page, Word(line, (0, 0, 10, 10), 0.9))
    assert found["sex"].value == sex
    assert found["ethnicity"].value == ethnicity


def test_a_misread_ethnicity_label_with_no_known_name_gives_none() -> None:
    page = Page(1, np.zeros((10, 10, 3), np.uint8))
    found = _sex_read(page, Word("栏剧男 民旅三削", (0, 0, 10, 10), 0.9))
    assert "ethnicity" not in found


def test_card_wording_puts_a_misread_character_right_but_not_beyond_doubt() -> None:
    assert _building("上海市浦东新区世纪大道426号院3号格6单元704号") == (
        "上海市浦东新区世纪大道426号院3号楼6单元704号", True)
    assert _building("北京市朝阳区广渠路410号院11号楼1单元303号")[1] is False
    value, conf = _authority_checked("上海市公安展浦东分局", 0.99)
    assert (value, conf) == ("上海市公安局浦东分局", 0.9)
    assert _authority_checked("南京市公安局鼓楼分局", 0.99) == ("南京市公安局鼓楼分局", 0.99)
    assert _authority_checked("宁乡县公安局", 0.99) == ("宁乡县公安局", 0.99)
    # a branch of one character lost one: a value to check by hand
    assert _authority_checked("南京市公安局楼分局", 1.0)[1] < 0.85
    assert _authority_checked("安局楼分局", 0.98)[1] < 0.85  # read from a desk photo
    assert _authority_checked("市公安局缘汇分局", 0.99)[1] < 0.85  # lost its city
    assert _authority_checked("房县公安局", 0.99)[1] == 0.99  # a county's own bureau


def test_an_address_that_does_not_start_with_a_province_is_checked_by_hand() -> None:
    assert _address_checked("江苏省南京市鼓楼区湖南路600号1407房", 0.9)[1] == 0.9
    assert _address_checked("北京市海淀区中关村大街296号407房", 0.95)[1] == 0.95
    assert _address_checked("省南京市楼区禁南路600407房", 0.9)[1] < 0.85  # lost 江苏
    # an address written as no address is: 单 not in 单元, a road's 路 twice
    assert _address_checked("湖北省武汉市武昌区武路路351号907房", 0.95)[1] < 0.85
    assert _address_checked("湖北省武汉市武昌区徐东大街156号院23号楼1单2803号", 0.95)[1] < 0.85
    assert _address_checked("山东省菏泽市单县舜师路12号", 0.95)[1] == 0.95  # 单县: a county


def test_an_address_that_lost_its_first_characters_gets_them_back_checked_by_hand() -> None:
    """Seed 103's desk photo: 省武汉市武昌区… lost 湖北 to a blur; what is left of its start
    names one place only."""
    grey = np.full((40, 400), 255, np.uint8)
    line = Word("住址省武汉市武昌区中北路362号1205房", (0, 0, 400, 40), 0.9)
    value, confidence = _known_start(grey, line, "省武汉市武昌区中北路362号1205房", 0.9)
    assert value == "湖北省武汉市武昌区中北路362号1205房" and confidence < 0.85


def _name_line(name: str, blur: float = 0.0) -> np.ndarray:
    """A name as printed on a card cut out 1400 px wide: ~45 px characters, padded."""
    import cv2
    from PIL import Image, ImageDraw

    from samples.fonts import NOTO_SANS, font

    picture = Image.new("L", (60 + 50 * len(name), 72), 255)
    ImageDraw.Draw(picture).text((8, 6), name, font=font(NOTO_SANS, 46), fill=30)
    line = np.asarray(picture)
    return cv2.GaussianBlur(line, (0, 0), blur) if blur else line


@pytest.mark.parametrize("name", ["韩军勇", "郭琳", "欧阳娜娜"])
def test_a_name_read_whole_fills_its_line(name: str) -> None:
    assert _fills_its_line(name, _name_line(name))
    assert _fills_its_line(name, _name_line(name, blur=2.0))


def test_a_name_missing_a_character_is_checked_by_hand() -> None:
    # a blurred desk-photo copy: both readers read 韩军勇 as 车勇, sure (0.99)
    assert not _fills_its_line("车勇", _name_line("韩军勇", blur=2.0))
    assert not _fills_its_line("韩军勇", _name_line("郭琳"))
    assert _fills_its_line("买买提·艾力", _name_line("买买提·艾力"))  # not judged


def test_misread_labels_on_a_small_card_fall_back_to_the_cards_line_order() -> None:
    # a desk-photo copy: 姓名 read 性书 (matches 性别), 性别 read 维理, 出生 read BE
    texts = ["性书丁玲", "维理 女 族汉", "BE 4977月4月10日", "佳址 广东省广州市天河区体育西路21",
             "6号院3号楼5单元2802号", "公民身份与码 440106197704105424"]
    lines = [Word(t, (0, 60 * i, 800, 60 * i + 50), 0.7) for i, t in enumerate(texts)]
    assert _in_card_order(lines, 5) == (0, 1, 2)
    assert _in_card_order(lines, 3) is None  # too few lines above the number
    assert _in_card_order(lines, None) is None
    no_sex = [lines[0], Word("维理 族汉", lines[1].bbox, 0.7), *lines[2:]]
    assert _in_card_order(no_sex, 5) is None  # the second line is not the sex line


def test_an_ethnicity_left_out_of_its_line_is_read_on_its_own_crop() -> None:
    """The page's reader read 性别 男 民族 and left 回 out of the piece (on a rotated
    photo of seed 7), or read it 口: the crop after 民族 is read again."""
    from PIL import Image, ImageDraw

    from samples.fonts import NOTO_SANS, font

    picture = Image.new("RGB", (700, 80), "white")
    ImageDraw.Draw(picture).text((10, 10), "性别 男    民族 回", font=font(NOTO_SANS, 46),
                                 fill=(30, 30, 30))
    page = Page(1, np.asarray(picture))
    left_out = _sex_read(page, Word("性别 男 民族", (10, 20, 295, 72), 0.99))
    assert left_out["ethnicity"].value == "回"
    misread = _sex_read(page, Word("性别 男 民族 口", (10, 20, 350, 72), 0.55))
    assert misread["ethnicity"].value == "回"
    read_right = _sex_read(page, Word("性别 男 民族 回", (10, 20, 350, 72), 0.99))
    assert read_right["ethnicity"].confidence == 0.99  # not read again


def _card_front() -> tuple[np.ndarray, list[Word]]:
    """A front's wording printed on a card-shaped grey picture, and its lines as the
    detector finds them on a clean card."""
    from PIL import Image, ImageDraw

    from samples.fonts import NOTO_SANS, font

    rows = [("姓名  郭琳", 110), ("性别  女        民族  汉", 210), ("出生  1988年3月7日", 310),
            ("住址  北京市海淀区中关村大街296号", 410), ("公民身份号码  110108198803074527", 720)]
    picture = Image.new("L", (1400, 880), 235)
    draw = ImageDraw.Draw(picture)
    for text, y in rows:
        draw.text((110, y), text, font=font(NOTO_SANS, 40), fill=30)
    lines = [Word(text, (110, y + 8, 110 + 42 * len(text), y + 56), 0.95) for text, y in rows]
    return np.asarray(picture), lines


def test_a_line_the_detector_missed_above_the_birth_date_is_read_where_it_lies() -> None:
    g, lines = _card_front()
    assert _with_lines_unfound(g, lines) == lines  # every line found: nothing added
    restored = _with_lines_unfound(g, [lines[0], *lines[2:]])  # the sex line missed
    assert len(restored) == len(lines)
    sex = restored[1]
    assert "女" in sex.text and 190 <= sex.bbox[1] <= 230
    assert sex.confidence <= 0.6  # found by place, not by the detector


def test_a_name_line_missed_above_the_first_line_found_is_read_too() -> None:
    g, lines = _card_front()
    restored = _with_lines_unfound(g, lines[1:])  # the name missed, the sex line found
    assert len(restored) == len(lines)
    name = restored[0]
    assert "郭琳" in name.text and 90 <= name.bbox[1] <= 130
    assert name.confidence <= 0.6


def test_an_address_line_read_two_ways_is_taken_as_its_crop_more_likely_says() -> None:
    g, lines = _card_front()
    line = lines[3]  # 住址  北京市海淀区中关村大街296号
    misread = Word("住址 北京市海淀区中美村大街206号", line.bbox, 0.9)
    right = "北京市海淀区中关村大街296号"
    assert _likelier_lines(g, [misread], [Word(right, line.bbox, 0.9)]) == right
    assert _likelier_lines(g, [line], [Word("址北京市海淀区中美村大街206号", line.bbox, 0.9)]
                           ) == right  # which reading is the page's does not matter


def test_an_address_that_starts_with_no_county_is_read_against_how_addresses_start() -> None:
    g, lines = _card_front()
    line = lines[3]  # 住址  北京市海淀区中关村大街296号, read unsure
    unsure = Word(line.text, line.bbox, 0.8)
    value, conf = _known_start(g, unsure, "市海定区中关村大街296号", 0.8)  # lost 北京
    assert value == "北京市海淀区中关村大街296号" and conf <= 0.6  # checked by hand
    assert _known_start(g, unsure, "北京市海淀区中关村大街296号", 0.8) == (
        "北京市海淀区中关村大街296号", 0.8)  # a start on the list: as read
    sure = Word(line.text, line.bbox, 0.95)  # a county since renamed, read sure: kept
    assert _known_start(g, sure, "北京市宣武区中关村大街296号", 0.95)[0] == (
        "北京市宣武区中关村大街296号")
    value, conf = _known_start(g, sure, "北京市海定区中关村大街296号", 0.95)
    assert value == "北京市海淀区中关村大街296号" and conf == 0.9  # one character off


def test_an_address_whose_end_is_no_address_ending_is_read_again_on_its_last_line() -> None:
    g, lines = _card_front()
    x0, y0, _, y1 = lines[3].bbox  # 住址  北京市海淀区中关村大街296号, as the detector boxes it
    line = Word(lines[3].text, (x0, y0, im.ink_runs(g, lines[3].bbox, 40)[-1][1], y1), 0.95)
    value, conf = _well_ended(g, line, "北京市海淀区中关村大街296肉", 0.95)
    assert value == "北京市海淀区中关村大街296号" and conf <= 0.6
    assert _well_ended(g, line, "北京市海淀区中关村大街296号", 0.95) == (
        "北京市海淀区中关村大街296号", 0.95)
    assert _ends_well("北京市海淀区学院路521号院3号楼4单元401号")
    assert not _ends_well("北京市海淀区学院路521号院3号24单元401号")  # a unit in no building


def test_line_roles_out_of_order_are_not_taken() -> None:
    assert _in_order(0, 1, 2)
    assert not _in_order(0, 0, 1)  # 出生 matched the sex line's misread 生
    assert not _in_order(None, 1, 2)
    # 住址 misread 性址 taken for the sex line: the two lines above the birth date instead
    assert _above_birth(2) == (0, 1, 2) and _above_birth(3) == (1, 2, 3)
    assert _above_birth(1) is None and _above_birth(None) is None


def test_the_birth_line_is_found_by_its_year_where_its_day_is_misread() -> None:
    lines = [Word(text, (0, 100 * i, 600, 100 * i + 50), 0.8) for i, text in enumerate(
        ["K汉", "1977年2月58", "电址北京市海3区学8路26号130", "110108197702054619"])]
    assert _first_date_line(lines, 3) == 1
    assert _first_date_line(lines[2:], 1) is None  # an address's numbers are no date


def test_the_address_line_is_found_by_its_province_where_no_label_was_read() -> None:
    lines = [Word(text, (0, 100 * i, 600, 100 * i + 50), 0.8) for i, text in enumerate(
        ["#飞SF", "汉", "16385", "广东省汉国市商山南海大酒9", "17号4元203号",
         "44030519636808385X"])]
    assert province_line(lines, 5) == 3
    assert province_line(lines, 3) is None  # not below the number's line
    assert _above_address(3) == (0, 1, 2)  # no birth line read: the three above it
    assert _above_address(2) is None and _above_address(None) is None


def test_a_birth_date_misread_past_today_or_before_1900_is_not_taken() -> None:
    assert _may_be_born(dt.date(1974, 6, 19))
    assert not _may_be_born(dt.date(3197, 6, 19)) and not _may_be_born(dt.date(1874, 6, 19))


def test_a_fronts_name_crop_is_read_as_it_is_once(monkeypatch) -> None:  # noqa: ANN001
    """The name's crop is read at several sizes; as it is, the recogniser reads it once
    (its reading counts for that size and as the recogniser's own vote)."""
    import ocr
    from ocr import recognizer
    from samples.corpus import corpus_image

    name, data, printed = corpus_image("id_card_front", 5, 0, "scan")
    read: list[bytes] = []
    recognise = recognizer.recognise

    def recorded(crops: list[np.ndarray]) -> list[tuple[str, float]]:
        read.extend(c.tobytes() + bytes(str(c.shape), "ascii") for c in crops)
        return recognise(crops)

    monkeypatch.setattr(recognizer, "recognise", recorded)
    front = ocr.read_upload(name, data)[0]
    assert front.value("name") == printed["name"]
    assert len(read) == len(set(read))  # no crop read twice
