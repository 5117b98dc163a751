"""Classification: from OCR text of the corpus pages and from PDF text layers."""

from __future__ import annotations

import numpy as np
import pytest

from ocr.classify import classify, contains
from ocr.types import DocumentKind, Page, Word

from .conftest import documents


def text_page(*lines: str) -> Page:
    words = [Word(t, (0, 20 * i, 100, 20 * i + 18), 1.0) for i, t in enumerate(lines)]
    return Page(1, np.zeros((10, 10, 3), np.uint8), words, has_text_layer=True)


@pytest.mark.parametrize("kind", ["pay_slip", "income_certificate"])
def test_other_kinds_from_ocr(corpus, read_page, kind):
    _, truth = corpus
    for t in documents(truth, kind, "clean", "scan", "photo"):
        assert read_page(t["file"]).kind == kind, t["file"]


@pytest.mark.parametrize(("lines", "kind"), [
    (["中国工商银行个人账户交易明细", "户名：张伟 账号：6222020200112233445",
      "交易日期 摘要 金额 余额 对方户名", "2026-01-05 代发工资 12000.00 35000.00 某公司"],
     DocumentKind.BANK_STATEMENT),
    (["2026年10月工资条", "姓名 张伟 应发工资 15000.00", "扣款合计 2100.00 实发工资 12900.00"],
     DocumentKind.PAY_SLIP),
    (["收入证明", "兹证明张伟同志系我单位员工，月收入人民币12000元", "特此证明"],
     DocumentKind.INCOME_CERTIFICATE),
    (["京(2019)朝阳区不动产权第0012345号", "权利人 张伟", "坐落 北京市朝阳区", "不动产单元号"],
     DocumentKind.PROPERTY_CERTIFICATE),
    (["姓名 张伟", "性别 男 民族 汉", "出生 1990年3月7日", "住址 北京市", "公民身份号码 1101"],
     DocumentKind.ID_CARD_FRONT),
    (["中华人民共和国", "居民身份证", "签发机关 北京市公安局朝阳分局",
      "有效期限 2015.06.01-2035.06.01"], DocumentKind.ID_CARD_BACK),
])
def test_text_layer(lines, kind):
    got, confidence = classify([text_page(*lines)])
    assert got is kind
    assert 0.5 <= confidence <= 1.0


def test_unknown_when_nothing_fits():
    kind, _ = classify([text_page("会议纪要", "今天天气很好", "hello world")])
    assert kind is DocumentKind.UNKNOWN
    assert classify([])[0] is DocumentKind.UNKNOWN


def test_tolerates_one_misread_character():
    assert contains("公民身份号玛110105", "公民身份号码")  # one wrong
    assert contains("不动产单号", "不动产单元号")  # one missing
    assert not contains("代发工资", "工资条")  # short keywords must be exact
    kind, _ = classify([text_page("签发机美 北京市公安局", "有效期很 2015.06.01-长期")])
    assert kind is DocumentKind.ID_CARD_BACK
