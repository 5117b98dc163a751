"""Masking of personal data (个人信息脱敏): pure functions for the report, logs and API.

Policy (domain.md, "Care with personal data"):

- Masking applies to every reader unless ``reader_role`` is in :data:`UNMASKED_ROLES`
  (only ``admin``). An unknown or missing role is masked.
- Personal fields, by name: names (``name``, ``employee_name``, ``holder_name``, each of
  ``owners``, ``counterparty`` of a person), ``id_number``, ``account_number``, ``phone``,
  ``address`` and ``birth_date`` (the year is kept: the approver needs the age, the full
  date is what the masked ID number hides). The property's ``location`` (坐落) is kept:
  the approver needs the collateral.
- Free text (messages, trace values, file names) goes through :class:`Scrubber`: it masks
  the personal values it was told about (names read from the case) and any 18-character
  ID number, 16-19 digit account number (also written in groups) and mobile number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

UNMASKED_ROLES: frozenset[str] = frozenset({"admin"})

STARS = "******"
_ADDRESS_UNIT = re.compile(
    r"[^\d省市区县旗盟镇乡村路街道号巷弄栋楼室幢单元层*]{1,14}?"
    r"(自治区|特别行政区|自治州|自治县|地区|省|市|区|县|旗|盟)"
)
_COUNTY_ENDS = {"区", "县", "自治县", "旗"}
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z*])\d{17}[\dXx](?![0-9A-Za-z])")
_ACCOUNT_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z*])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,4})?)(?![0-9A-Za-z])"
)
_PHONE_IN_TEXT = re.compile(r"(?<![0-9*])1[3-9]\d{9}(?![0-9])")
_ORGANISATION = re.compile(r"(公司|银行|中心|局|院|学校|大学|所|部|委员会|协会|合作社|店|厂)$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def should_mask(reader_role: str | None) -> bool:
    return reader_role not in UNMASKED_ROLES


def mask_id_number(value: str) -> str:
    """``110105199003071234`` -> ``110105********1234`` (first 6 and last 4 kept)."""
    s = re.sub(r"\s", "", value)
    if len(s) < 11:
        return "*" * len(s)
    return s[:6] + "*" * (len(s) - 10) + s[-4:]


def mask_account(value: str) -> str:
    """``6222021234567890123`` -> ``6222 **** **** *** 0123`` (first 4 and last 4 kept)."""
    s = re.sub(r"[\s-]", "", value)
    if len(s) < 9:
        return "*" * max(len(s) - 4, 0) + s[-4:] if len(s) > 4 else "*" * len(s)
    hidden = len(s) - 8
    groups = ["*" * min(4, hidden - i) for i in range(0, hidden, 4)]
    return " ".join([s[:4], *groups, s[-4:]])


def mask_name(value: str) -> str:
    """``张三丰`` -> ``张*丰``, ``张三`` -> ``张*``."""
    s = value.strip()
    if len(s) <= 1:
        return "*" * len(s)
    if len(s) == 2:
        return s[0] + "*"
    return s[0] + "*" * (len(s) - 2) + s[-1]


def mask_phone(value: str) -> str:
    """``13800000000`` -> ``138****0000``."""
    s = re.sub(r"[\s-]", "", value)
    if len(s) == 11:
        return s[:3] + "****" + s[-4:]
    return "*" * max(len(s) - 4, 0) + s[-4:] if len(s) > 4 else "*" * len(s)


def mask_address(value: str) -> str:
    """Keep up to the district or county: ``北京市朝阳区建国路88号`` -> ``北京市朝阳区******``."""
    s = value.strip()
    kept, pos = "", 0
    for _ in range(3):
        m = _ADDRESS_UNIT.match(s, pos)
        if not m:
            break
        kept, pos = s[: m.end()], m.end()
        if m.group(1) in _COUNTY_ENDS:
            break
    return kept + STARS if pos < len(s) else kept or STARS


def mask_birth_date(value: str) -> str:
    """``1990-03-07`` -> ``1990-**-**``."""
    m = re.match(r"\s*(\d{4})", value)
    return f"{m.group(1)}-**-**" if m else STARS


def mask_owners(value: str) -> str:
    """Each owner of ``张三、李四`` masked, separators kept."""
    return "".join(p if re.fullmatch(r"[、,，;；\s]+", p) else mask_person_or_org(p)
                   for p in re.split(r"([、,，;；\s]+)", value) if p)


def mask_person_or_org(value: str) -> str:
    """A counterparty: an organisation's name is not personal data, a person's is."""
    return value if _ORGANISATION.search(value.strip()) else mask_name(value)


FIELD_MASKS: dict[str, Callable[[str], str]] = {
    "name": mask_name,
    "employee_name": mask_name,
    "holder_name": mask_name,
    "owners": mask_owners,
    "counterparty": mask_person_or_org,
    "id_number": mask_id_number,
    "account_number": mask_account,
    "phone": mask_phone,
    "address": mask_address,
    "birth_date": mask_birth_date,
}
KEPT_FIELDS = frozenset({"location"})  # the collateral's 坐落: the approver needs it


def is_personal_field(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in FIELD_MASKS


def mask_value(field: str, value: Any) -> Any:
    """``value`` masked when ``field`` (last dotted part) is a personal field."""
    mask = FIELD_MASKS.get(field.rsplit(".", 1)[-1])
    if mask is None or value is None or value == "":
        return value
    return mask(str(value))


def mask_fields(kind: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a document's ``fields`` with the personal ones masked.

    ``kind`` is the document kind; every kind uses the same field names today
    (``ocr.types.KIND_FIELDS``), so it only documents intent: the property
    certificate's ``location`` stays readable."""
    del kind
    return {k: v if k in KEPT_FIELDS else mask_value(k, v) for k, v in fields.items()}


def mask_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A statement row (date, summary, amount, balance, counterparty), counterparty masked."""
    return {k: mask_value(k, v) for k, v in row.items()}


def _looks_like_id(s: str) -> bool:
    """An 18-character number is taken for an ID number (rather than an account) when
    its check character is right or its digits 7-14 read as a birth date."""
    if s[-1] in "Xx":
        return True
    total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS, strict=True))
    if "10X98765432"[total % 11] == s[17]:
        return True
    year, month, day = int(s[6:10]), int(s[10:12]), int(s[12:14])
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def _mask_id_or_account(m: re.Match[str]) -> str:
    s = m.group(0)
    return mask_id_number(s) if _looks_like_id(s) else mask_account(s)


def scrub_text(text: str) -> str:
    """Mask ID numbers, account numbers and mobile numbers found in free text."""
    text = _ID_IN_TEXT.sub(_mask_id_or_account, text)
    text = _ACCOUNT_IN_TEXT.sub(lambda m: mask_account(m.group(0)), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text)


class Scrubber:
    """Masks known personal values (and number patterns) in any text.

    ``known`` maps a field name to values seen in the case (``{"name": ["张三"], ...}``);
    each value is replaced wherever it appears by its masked form, longest first."""

    def __init__(self, known: Mapping[str, Iterable[Any]] | None = None) -> None:
        pairs: dict[str, str] = {}
        for field, values in (known or {}).items():
            for v in values:
                if v is None:
                    continue
                for part in _split_values(field, str(v).strip()):
                    if len(part) >= 2:
                        pairs[part] = str(mask_value(field, part))
        self._pairs = sorted(pairs.items(), key=lambda kv: -len(kv[0]))

    def __call__(self, text: str) -> str:
        for plain, masked in self._pairs:
            if plain in text:
                text = text.replace(plain, masked)
        return scrub_text(text)


def _split_values(field: str, value: str) -> list[str]:
    if field == "owners":
        return [p for p in re.split(r"[、,，;；\s]+", value) if p]
    if field == "counterparty" and _ORGANISATION.search(value):
        return []
    return [value]
