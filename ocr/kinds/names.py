"""People's names as a clerk reads them: nine in ten Chinese bear one of the commonest
surnames, so a name read with a first character that is not one is read again where the
recogniser also saw one there (干琳 for 于琳 on an ID card, 播敏倩 for 潘敏倩 in a letter).
The name so put back is checked by hand; a rare surname the recogniser saw nothing else
for is kept as read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .. import engines
from .. import image as im
from ..types import Field, Page

# The commonest surnames (the 2020 national name report's first hundred, and fifty more)
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖萧田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫阎段"
    "雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文施洪辛柯庄樊殷祝齐葛温倪牛季"
    "欧阮喻左申安卓单聂章鲁焦岳甘涂柳舒翟游詹凌褚包关邢梅盛霍米车商饶蓝谷宁符")
_COMMON = "[" + "".join(sorted(COMMON_SURNAMES)) + "]"
# fields holding people's names outside an ID card (owners: several, split by 、)
NAME_FIELDS = ("employee_name", "owners")
# a name printed after its label on a form (a statement's 户名, a pay slip's 姓名): read
# again from its piece with this much paper (px) around it
FORM_NAME_PADS = (2, 6)
UNSURE = 0.8  # under field_confidence_min: checked by hand
_OWNERS_SEPARATOR = "、"


def name_chars(text: str) -> str:
    """A name's characters, without a piece of the 姓名 label caught in the crop."""
    name = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff" or ch == "·")
    for label in ("姓名", "名"):
        if name.startswith(label) and len(name) - len(label) >= 2:
            return name[len(label):]
    return name


def fills_its_ink(names: str, crop: np.ndarray, slack: float) -> bool:
    """Whether names read fill the ink of their crop, a square per character (、 too),
    to within ``slack`` characters: a character every reading dropped (or added) alike
    shows here. Names with ``·`` (narrow) are not judged."""
    if "·" in names:
        return True
    span = im.ink_aspect(im.grey(crop))
    return not span or abs(span - len(names)) <= slack


def common_surname(crop: np.ndarray, name: str, within: bool = False) -> str | None:
    """``name`` with a common surname in place of its first character (not one), where
    the recogniser also saw that surname on ``crop``: its runner-up at those steps, or
    its best reading. ``within``: the crop is a whole line the name is part of (a
    letter's sentence), not the name's own. None when it saw none (or the name has a
    ``·``, or is a common one already)."""
    if not name or "·" in name or name[0] in COMMON_SURNAMES:
        return None
    valid = _with_common_surname_within(name) if within else with_common_surname(name)
    found = engines.read_as_valid(crop, None, None, valid, max_changes=1)
    if found is None:
        return None
    if not within:
        return name_chars(found)
    m = re.search(_COMMON + re.escape(name[1:]), found.replace(" ", ""))
    return m.group(0) if m else None


def with_common_surname(name: str) -> Callable[[str], bool]:
    """Whether a crop's reading is ``name`` with a common surname."""
    def valid(text: str) -> bool:
        read = name_chars(text)
        return len(read) == len(name) and read[1:] == name[1:] and read[0] in COMMON_SURNAMES
    return valid


def _with_common_surname_within(name: str) -> Callable[[str], bool]:
    pattern = re.compile(_COMMON + re.escape(name[1:]))

    def valid(text: str) -> bool:
        return pattern.search(text.replace(" ", "")) is not None
    return valid


def surnames_checked(found: Field, pages: list[Page]) -> Field:
    """A name field (``NAME_FIELDS``) whose name's first character is no common surname,
    put back to the one the recogniser also saw on the field's line, as unsure."""
    if found.name not in NAME_FIELDS or not found.value or found.bbox is None:
        return found
    page = next((p for p in pages if p.number == found.page), None)
    if page is None or page.has_text_layer:
        return found
    names = found.value.split(_OWNERS_SEPARATOR)
    if all(not name or name[0] in COMMON_SURNAMES for name in names):
        return found
    crop = im.crop(page.image, found.bbox, pad=4)
    value = _OWNERS_SEPARATOR.join(
        (common_surname(crop, name, within=True) if crop.size else None) or name
        for name in names)
    if value == found.value:
        return found
    return replace(found, value=value,
                   confidence=min(found.confidence, engines.DISAGREE_CONFIDENCE))


def read_alike(found: Field, pages: list[Page]) -> Field:
    """A name printed after its label on a form, read again from its piece with a little
    less and a little more paper around it (FORM_NAME_PADS): where one reading no longer
    holds the name, the recogniser's choice turned on the crop's edge, and the name is
    checked by hand (seed 5's scanned statement: 梁晨 read 梁展, sure 0.949; with 6 px of
    paper it reads 梁晨). On 120 names of statements and pay slips of seeds 5-17 it
    flags that one and no name read right."""
    page = next((p for p in pages if p.number == found.page), None)
    if not found.value or found.bbox is None or page is None or page.has_text_layer:
        return found
    box = next((t.bbox for t in page.tokens if found.value in t.text.replace(" ", "")
                and _same_row(t.bbox, found.bbox)), found.bbox)
    crops = [im.crop(page.image, box, pad=pad) for pad in FORM_NAME_PADS]
    readings = engines.recognise(crops)
    if all(found.value in name_chars(text) or not text for text, _ in readings):
        return found
    return replace(found, confidence=min(found.confidence, UNSURE))


def _same_row(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[1] < b[3] and b[1] < a[3] and b[0] <= a[0] and a[2] <= b[2] + 4
