"""A pay slip's table read from the pieces the page's reader found: two labels found
as one piece still give two columns, a thousands comma read as a point is put
right, and an amount printed but not read is marked unread, never taken as zero."""

from __future__ import annotations

import numpy as np

import ocr
from ocr.kinds import pay_slip
from ocr.normalize import comma_points
from ocr.types import Page, Word
from samples.corpus import corpus_image

HEADS = [("姓名", 40), ("应发工资", 200), ("医疗保险", 370), ("失业保险", 470), ("住房公积金", 640),
         ("个人所得税", 800), ("实发工资", 960)]


def _page(values: list[tuple[str, int]]) -> Page:
    """A table of one header row and one value row, as RapidOCR's pieces."""
    def piece(text: str, middle: int, top: int) -> Word:
        half = 14 * len(text) // 2 if text[0] > "~" else 7 * len(text) // 2
        return Word(text, (middle - half, top, middle + half, top + 30), 0.98)
    heads = [piece(t, x, 100) for t, x in HEADS]
    cells = [piece(t, x, 160) for t, x in values]
    def line(pieces: list[Word]) -> Word:
        return Word(" ".join(p.text for p in pieces), (min(p.bbox[0] for p in pieces),
                    pieces[0].bbox[1], max(p.bbox[2] for p in pieces), pieces[0].bbox[3]), 0.98)
    return Page(1, np.full((260, 1100, 3), 255, np.uint8), words=[line(heads), line(cells)],
                tokens=heads + cells)


def test_cells_are_matched_to_their_columns() -> None:
    page = _page([("张三", 40), ("10,000.00", 200), ("200.00", 370), ("50.00", 470),
                  ("1.000.00", 640), ("0.00", 800), ("8,750.00", 960)])
    fields = pay_slip.read([page]).fields
    assert fields["social_insurance"].value == "250.00"  # medical + unemployment
    assert fields["housing_fund"].value == "1000.00"  # 1.000.00: a comma read as a point
    assert fields["net_pay"].value == "8750.00"
    assert fields["employee_name"].value == "张三"


def test_cells_found_as_one_piece_are_cut_apart() -> None:
    labels = pay_slip._one_label_each(Word("医疗保险失业保险", (100, 0, 300, 20), 0.9))
    assert [(w.text, w.bbox[0], w.bbox[2]) for w in labels] == [
        ("医疗保险", 100, 200), ("失业保险", 200, 300)]
    amounts = pay_slip._one_amount_each(Word("45,200.002,800.00", (0, 0, 170, 20), 0.9))
    assert [w.text for w in amounts] == ["45,200.00", "2,800.00"]
    assert pay_slip._one_amount_each(Word("45,200.00", (0, 0, 90, 20), 0.9))[0].text == (
        "45,200.00")
    # pieces like these send the row back to the detector, at full size
    assert pay_slip._run_together(labels[:1], amounts[:1]) is False
    assert pay_slip._run_together([Word("医疗保险失业保险", (0, 0, 9, 9), 0.9)], []) is True


def test_a_name_number_and_amounts_found_as_one_piece_are_cut_apart() -> None:
    """Seed 97's turned photo: the detector ran the name, the ID number and four amounts
    together; the row gave no name, number, gross pay or insurance."""
    glued = Word("于林伟31011519811013461X10,000.00200.0050.00", (20, 160, 500, 190), 0.95)
    parts = pay_slip._one_amount_each(glued)
    assert [w.text for w in parts] == ["于林伟31011519811013461X", "10,000.00", "200.00", "50.00"]
    assert [w.bbox[0] for w in parts] == sorted(w.bbox[0] for w in parts)
    assert parts[0].bbox[2] < parts[1].bbox[2] - 40  # a character twice a digit's width
    name, data, fields = corpus_image("pay_slip", 97, 2, "rotated")
    doc = ocr.read_file(name, data)
    for name in ("employee_name", "id_number", "gross_pay", "social_insurance", "net_pay"):
        assert doc.value(name) == fields[name], name


def test_an_amount_printed_but_not_read_is_unread_not_zero() -> None:
    page = _page([("张三", 40), ("10,000.00", 200), ("200.00", 370), ("50.00", 470),
                  ("1,000.00", 640), ("8,750.00", 960)])  # no cell under 个人所得税
    fields = pay_slip.read([page]).fields
    assert fields["income_tax"].value == "" and fields["income_tax"].confidence == 0.0
    assert fields["net_pay"].value == "8750.00"


def test_an_amount_read_without_its_point_is_the_one_the_others_tell() -> None:
    """Seed 101's photo read 个人所得税 5196.25 as 519625 (no amount, unread): gross pay
    less the deductions is the net pay, and those digits are the tax's."""
    values = [("张三", 40), ("10,000.00", 200), ("200.00", 370), ("50.00", 470),
              ("1,000.00", 640), ("87500", 800), ("7,875.00", 960)]
    fields = pay_slip.read([_page(values)]).fields
    assert fields["income_tax"].value == "875.00"
    assert fields["income_tax"].confidence >= 0.85
    values[5] = ("87600", 800)  # digits the balance does not tell: left unread
    fields = pay_slip.read([_page(values)]).fields
    assert fields["income_tax"].value == "" and fields["income_tax"].confidence == 0.0


def test_a_thousands_comma_read_as_a_point_is_put_back() -> None:
    assert comma_points("26.200.00") == "26,200.00"
    assert comma_points("1.234.567.89") == "1,234,567.89"
    assert comma_points("40.322.19支付宝") == "40,322.19支付宝"
    for kept in ("12.50", "1234.56", "2026.10.15", "3.1415", "45,200.002,800.00", "1,234",
                 "2026,11,30"):
        assert comma_points(kept) == kept
    # the cents' point read as a comma: no thousands group is two digits long
    assert comma_points("实发工资 36017,50") == "实发工资 36017.50"
    assert comma_points("1,224,00") == "1,224.00"


def test_a_name_and_id_number_found_as_one_piece_give_both() -> None:
    """A photo's detector ran 姓名's and 身份证号's cells together (吴悦雪4201…): the
    name is what comes before the number, wherever the piece's middle falls."""
    found: dict[str, object] = {}
    page = _page([("张三", 40)])
    cell = Word("吴悦雪420106197507294786", (20, 160, 400, 190), 0.93)
    pay_slip._identity_cell(found, page, cell, cell.text)  # type: ignore[arg-type]
    assert {k: f.value for k, f in found.items()} == {  # type: ignore[attr-defined]
        "employee_name": "吴悦雪", "id_number": "420106197507294786"}
    found.clear()
    pay_slip._identity_cell(found, page, Word("张三", (0, 0, 9, 9), 0.9), "张三")  # type: ignore[arg-type]
    assert list(found) == ["employee_name"]


def test_a_piece_of_the_next_label_read_after_the_name_label_is_no_name() -> None:
    """姓名's header cell read as 姓名基 (基 of 基本工资 beside it): 基 is no name, the
    name is the one in the cell under 姓名."""
    page = _page([("向菲", 40), ("5,500.00", 200), ("110.00", 370), ("27.50", 470),
                  ("385.00", 640), ("0.00", 800), ("4,437.50", 960)])
    header = page.words[0]
    page.words[0] = Word("姓名基 " + header.text.split(" ", 1)[1], header.bbox, 0.9)
    page.tokens[0] = Word("姓名基", page.tokens[0].bbox, 0.9)
    assert pay_slip.read([page]).fields["employee_name"].value == "向菲"
