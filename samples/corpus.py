"""An OCR corpus: N documents per kind and degradation, with truth.json."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from . import degrade, ledger, people
from .money import d, make_salary
from .render import composite, id_card, income, payslip, statement
from .render import property as prop
from .render.common import Rendered

IMAGE_DEGRADATIONS = ("clean", "scan", "photo", "rotated")
STATEMENT_DEGRADATIONS = ("digital_pdf", "scanned")
KINDS = ("id_card_front", "id_card_back", "property_certificate", "pay_slip",
         "income_certificate", "bank_statement")


def _pick(options: tuple[str, ...], i: int) -> str:
    return options[i % len(options)]


def render_kind(kind: str, rng: random.Random, i: int) -> Rendered:
    """One document of ``kind``; layouts and fonts cycle with ``i``."""
    on = date(2026, 11, 1) + timedelta(days=rng.randint(0, 60))
    person = people.make_person(rng, on, min_age=20, max_age=65)
    employer = people.make_employer(rng, person.region)
    if kind == "id_card_front":
        return id_card.render_front(id_card.front_fields(person), rng, _pick(id_card.LAYOUTS, i),
                                    _pick(id_card.VALUE_FONTS, i // 2))
    if kind == "id_card_back":
        return id_card.render_back(id_card.back_fields(person), rng, _pick(id_card.LAYOUTS, i),
                                   _pick(id_card.VALUE_FONTS, i // 2))
    if kind == "property_certificate":
        region = person.region
        owners = [person.name]
        co = rng.choice(("单独所有", "单独所有", "共同共有", "按份共有"))
        if co != "单独所有":
            owners.append(people.make_person(rng, on).name)
        notes = prop.make_notes(rng, rng.choice(("none", "mortgage", "seizure")), region.city,
                                region.district)
        fields = prop.make_fields(rng, owners=owners, co_ownership=co, abbr=region.abbr,
                                  region_code=region.code, district=region.district,
                                  street=rng.choice(region.streets), notes=notes)
        return prop.render(fields, rng, _pick(prop.LAYOUTS, i), _pick(prop.VALUE_FONTS, i // 2))
    salary = make_salary(rng, d(rng.randint(50, 500) * 100))
    if kind == "pay_slip":
        month = on.replace(day=1) - timedelta(days=1)
        fields, extra = payslip.make_fields(
            salary, employer=employer, name=person.name, period=f"{month:%Y-%m}",
            id_number=person.id_number if rng.random() < 0.5 else "")
        return payslip.render(fields, extra, rng, _pick(payslip.LAYOUTS, i),
                              _pick(payslip.VALUE_FONTS, i // 2))
    if kind == "income_certificate":
        fields = income.make_fields(
            employer=employer, name=person.name, id_number=person.id_number,
            position=rng.choice(people.POSITIONS),
            start_date=(on - timedelta(days=rng.randint(400, 4000))).isoformat(),
            income=d(rng.randint(50, 500) * 100 + rng.choice((0, 0, 50))),
            issue_date=(on - timedelta(days=rng.randint(1, 20))).isoformat())
        return income.render(fields, rng, _pick(income.LAYOUTS, i),
                             _pick(income.VALUE_FONTS, i // 2))
    bank = rng.choice(people.BANKS)
    end = on - timedelta(days=rng.randint(1, 20))
    start = end - timedelta(days=rng.randint(90, 300))
    rows = ledger.make_rows(rng, start=start, end=end, salary=salary.net,
                            salary_day=rng.choice((5, 10, 15, 25)), employer=employer,
                            opening=d(rng.randint(1000, 50000)),
                            loan_payment=d(rng.randint(5, 40) * 100) if rng.random() < 0.3
                            else None)
    fields = {"bank": bank.name, "holder_name": person.name,
              "account_number": people.make_account(rng, bank),
              "period_start": start.isoformat(), "period_end": end.isoformat()}
    printed = end + timedelta(days=1)
    return statement.render(fields, [r.truth() for r in rows], rng,
                            print_date=printed.isoformat(),
                            creation=f"D:{printed:%Y%m%d}100000+08'00'",
                            layout=_pick(statement.LAYOUTS, i),
                            font_name=_pick(statement.VALUE_FONTS, i // 2), with_images=True)


def corpus_image(kind: str, seed: int, i: int, deg: str) -> tuple[str, bytes, dict[str, str]]:
    """Document ``i`` of ``kind`` as ``build_corpus`` makes it for ``deg`` (one of
    IMAGE_DEGRADATIONS): its file name, bytes and printed fields."""
    rng = random.Random(f"corpus:{seed}:{kind}:{i}:{deg}")
    rendered = render_kind(kind, rng, i)
    data, ext = degrade.apply(rendered.pages[0], deg, rng.randrange(2**31))
    return f"{kind}_{i:03d}_{deg}.{ext}", data, rendered.fields


def build_corpus(out: Path, count: int, seed: int) -> list[dict[str, object]]:
    out.mkdir(parents=True, exist_ok=True)
    truth: list[dict[str, object]] = []
    for kind in KINDS:
        degradations = STATEMENT_DEGRADATIONS if kind == "bank_statement" else IMAGE_DEGRADATIONS
        for i in range(count):
            for deg in degradations:
                rng = random.Random(f"corpus:{seed}:{kind}:{i}:{deg}")
                r = render_kind(kind, rng, i)
                stem = f"{kind}_{i:03d}_{deg}"
                dseed = rng.randrange(2**31)
                if deg == "digital_pdf":
                    name, data = f"{stem}.pdf", r.pdf or b""
                elif deg == "scanned":
                    jpegs = [degrade.apply(p, "scan", dseed + k, "jpg")[0]
                             for k, p in enumerate(r.pages)]
                    data = statement.images_to_pdf(jpegs, [p.size for p in r.pages])
                    name = f"{stem}.pdf"
                else:
                    data, ext = degrade.apply(r.pages[0], deg, dseed)
                    name = f"{stem}.{ext}"
                (out / name).write_bytes(data)
                entry: dict[str, object] = {
                    "file": name, "kind": kind, "degradation": deg, "layout": r.layout,
                    "font": r.font, "fields": r.fields, "rows": r.rows}
                if deg == "rotated":
                    entry["rotation"] = degrade.rotation_of(dseed)
                truth.append(entry)
    for i in range(count):
        for deg in composite.DEGRADATIONS:
            truth.extend(_composite_entries(out, seed, i, deg))
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n",
                                    encoding="utf-8")
    return truth


def composite_copy(seed: int, i: int, deg: str) -> tuple[str, bytes, list[dict[str, object]]]:
    """Both ID sides photocopied onto one A4 page, degraded by ``deg`` (one of
    composite.DEGRADATIONS): (file name, bytes, a truth entry per side, front first)."""
    rng = random.Random(f"corpus:{seed}:composite:{i}:{deg}")
    on = date(2026, 11, 1) + timedelta(days=rng.randint(0, 60))
    person = people.make_person(rng, on, min_age=20, max_age=65)
    layout, font = _pick(id_card.LAYOUTS, i), _pick(id_card.VALUE_FONTS, i // 2)
    page, front, back = composite.id_copy(person, rng, layout, font)
    data, ext = composite.degrade_copy(page, deg, rng.randrange(2**31))
    name = f"id_copy_{i:03d}_{deg}.{ext}"
    entries: list[dict[str, object]] = [
        {"file": name, "kind": kind, "degradation": deg, "layout": layout, "font": font,
         "fields": fields, "rows": [], "part": part}
        for part, (kind, fields) in enumerate(
            (("id_card_front", front), ("id_card_back", back)), start=1)]
    return name, data, entries


def _composite_entries(out: Path, seed: int, i: int, deg: str) -> list[dict[str, object]]:
    name, data, entries = composite_copy(seed, i, deg)
    (out / name).write_bytes(data)
    return entries
