"""ID numbers (GB 11643-1999) and names, judged as domain.md says: by the check
character, a real birth date and the sex digit; any region code is accepted
(python-stdnum's full validation rejects real numbers from newer districts)."""

from __future__ import annotations

import re
from datetime import date

from ocr.kinds.id_number import check_character_right


def check(number: str, printed_sex: str | None) -> dict[str, bool]:
    number = number.strip().upper()
    shape = bool(re.fullmatch(r"\d{17}[\dX]", number))
    check_ok = shape and check_character_right(number)
    birth_ok = shape and _birth(number) is not None
    sex_ok = shape and (printed_sex is None or printed_sex == sex_of(number))
    return {"valid": check_ok and birth_ok and sex_ok, "check_ok": check_ok,
            "birth_ok": birth_ok, "sex_ok": sex_ok}


def _birth(number: str) -> date | None:
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if date(1900, 1, 1) <= born <= date.today() else None


def sex_of(number: str) -> str:
    return "男" if int(number[16]) % 2 else "女"


def days_valid_after(valid_until: str, on: date) -> int | None:
    """Days the card stays valid after ``on`` (negative: expired); 长期 is for life."""
    if "长期" in valid_until:
        return 36500
    try:
        return (date.fromisoformat(valid_until[:10]) - on).days
    except ValueError:
        return None


def normal_name(name: str) -> str:
    return re.sub(r"[\s·•.．,，:：]", "", name)


def same_name(a: str, b: str) -> bool:
    return normal_name(a) == normal_name(b)


def near_name(a: str, b: str) -> bool:
    """Names of three or more characters that differ in one place only (龚丽值 and
    龚丽倩): a rare character misread as often as another person. Two-character names
    are left out: people of one surname differ in one place."""
    a, b = normal_name(a), normal_name(b)
    return len(a) == len(b) >= 3 and sum(x != y for x, y in zip(a, b, strict=True)) == 1
