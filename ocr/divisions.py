"""China's administrative divisions (province, prefecture, county) as they are named
today, from the table python-stdnum ships for the ID number's place code
(``stdnum/cn/loc.dat``, from Wikipedia's 中华人民共和国行政区划代码): what an ID card's
issuing authority may say, and how a home address starts. A card is issued by the
public security bureau (公安局) of a county (县, 旗, county-level 市) or of a city,
through its branch (分局) for a district (区): 北京市公安局海淀分局, 昌黎县公安局,
深圳市公安局.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

_ENTRY = re.compile(r'^(\s*)(\d+) (?:province|county)="(.*)"')
_NAMED = re.compile(r"\[(\d*)-(\d*)\]([^,]*)")
_NOT_A_PLACE = ("市辖区", "县", "省直辖县级行政单位", "自治区直辖县级行政单位")


@dataclass(frozen=True)
class Division:
    province: str
    prefecture: str  # the city (地级市, 自治州…); a municipality's own name (北京市)
    county: str  # a district, county or county-level city; "" for the city itself


@cache
def _entries() -> tuple[tuple[bool, str, str], ...]:
    """The table's entries in order: (a province's own line, its code, its names);
    a county's code is its last four digits, under the province before it."""
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    return tuple((not m.group(1), m.group(2), m.group(3))
                 for line in text.splitlines() if (m := _ENTRY.match(line)))


@cache
def divisions() -> tuple[Division, ...]:
    """Every division in use today: cities and the counties under them."""
    found: list[Division] = []
    province, prefecture = "", ""
    for is_province, code, names in _entries():
        name = _current(names)
        if is_province:
            province, prefecture = name or "", ""
        elif code.endswith("00"):
            prefecture = name if name and name not in _NOT_A_PLACE else province
            if name and name not in _NOT_A_PLACE and name != province:
                found.append(Division(province, prefecture, ""))
        elif name and name not in _NOT_A_PLACE and prefecture:
            found.append(Division(province, prefecture, name))
    return tuple(found)


def _current(names: str) -> str | None:
    """The name in use today, of ``[1983-1989]南头区办事处,[1990-]南山区`` or a plain name;
    None for a division that no longer exists."""
    if "[" not in names:
        return names
    for _start, end, name in _NAMED.findall(names):
        if not end:
            return name
    return None


@cache
def issuing_authorities() -> tuple[str, ...]:
    """What a card's 签发机关 may say: 某市公安局 for a city, 某市公安局某分局 for its
    district (cities name their branches differently, see ``_branch_names``),
    某县公安局 for a county (or county-level city, banner)."""
    out: dict[str, None] = {}
    for d in divisions():
        if not d.county:
            out[f"{d.prefecture}公安局"] = None
        elif d.county.endswith("区"):
            for branch in _branch_names(d.county):
                out[f"{d.prefecture}公安局{branch}分局"] = None
        else:
            out[f"{d.county}公安局"] = None
    return tuple(out)


@cache
def address_starts() -> tuple[str, ...]:
    """How a home address on a card starts, down to its county: 北京市海淀区 (a
    municipality), 江苏省南京市鼓楼区, 河南省济源市 (a county-level city under the
    province)."""
    out: dict[str, None] = {}
    for d in divisions():
        if d.county:
            city = "" if d.prefecture == d.province else d.prefecture
            out[f"{d.province}{city}{d.county}"] = None
    return tuple(out)


@cache
def counties_by_prefecture() -> dict[str, frozenset[str]]:
    """Each city's districts and counties by name: 成都市 -> 武侯区, 锦江区, …"""
    out: dict[str, set[str]] = {}
    for d in divisions():
        if d.county:
            out.setdefault(d.prefecture, set()).add(d.county)
    return {city: frozenset(counties) for city, counties in out.items()}


@cache
def county_names() -> dict[str, str]:
    """Each district's or county's six-digit code and the name it has today (420106 ->
    武昌区): how a property's unit number (不动产单元号) starts."""
    out: dict[str, str] = {}
    province = ""
    for is_province, code, names in _entries():
        if is_province:
            province = code
        elif not code.endswith("00") and (name := _current(names)) and name not in _NOT_A_PLACE:
            out[province + code] = name
    return out


def _branch_names(district: str) -> tuple[str, ...]:
    """How a city may name its branch for a district: 海淀分局 (Beijing, Shanghai),
    天河区分局 (Guangzhou, Chengdu), 浦东分局 for 浦东新区."""
    names = [district[:-1], district]
    if district.endswith("新区") and len(district) > 3:
        names.append(district[:-2])
    return tuple(names)


@cache
def _prefectures_ever() -> frozenset[str]:
    found, province = set(), ""
    for is_province, code, _ in _entries():
        if is_province:
            province = code
        else:
            found.add(province + code[:2])
    return frozenset(found)


def known_prefecture(code: str) -> bool:
    """Whether the first four digits of an ID number name a province and city that
    exist or once did (a number keeps the code of where it was first issued)."""
    return code in _prefectures_ever()
