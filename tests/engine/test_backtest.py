"""Backtest: a candidate rule set against the current one on cases already read."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import backtest
from engine.backtest import backtest_cases, backtest_dirs, format_change, read_case
from engine.rulebook import RuleBook, load_rulebook
from ocr.types import ReadDocument

from .docs import application, clean_documents
from .test_rulesets import copy_rules, stricter_car_loan


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[RuleBook, RuleBook]:
    tmp = tmp_path_factory.mktemp("books")
    return (load_rulebook(copy_rules(tmp, "v1")),
            load_rulebook(stricter_car_loan(copy_rules(tmp, "v2"))))


def test_only_the_cases_the_candidate_moves_change(books: tuple[RuleBook, RuleBook]) -> None:
    current, candidate = books
    cases = [(application(product="car_loan", case_id="C-1"), clean_documents()),
             (application(product="mortgage", case_id="M-1"), clean_documents())]
    car, mortgage = backtest_cases(candidate, current, cases)
    assert (car.before, car.after, car.changed) == ("pass", "conditional", True)
    assert [(f["code"], f["rule"]) for f in car.added] == [
        ("income.ratio_below_min", "income.ratio_below_min.condition")]
    assert "2.56" in car.added[0]["message"] and car.added[0]["evidence"]
    assert car.removed == []
    assert not mortgage.changed and mortgage.before == mortgage.after == "pass"
    assert "pass -> conditional" in format_change(car)
    assert backtest_cases(current, candidate, cases[:1])[0].removed == car.added


def test_read_once_then_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       books: tuple[RuleBook, RuleBook]) -> None:
    case = tmp_path / "cases" / "C-1"
    case.mkdir(parents=True)
    (case / "case.json").write_text(application(product="car_loan", case_id="C-1")
                                    .model_dump_json(), encoding="utf-8")
    docs = {d.file: d for d in clean_documents()}
    for name in docs:
        (case / name).write_bytes(name.encode())
    reads: list[str] = []

    def fake_read(name: str, data: bytes) -> list[ReadDocument]:
        reads.append(name)
        return [docs[name]]

    monkeypatch.setattr(backtest, "_read", fake_read)
    first = read_case(case)
    assert sorted(reads) == sorted(docs) and len(list((case / ".prereview-read").iterdir())) == 5
    second = read_case(case)
    assert len(reads) == 5  # nothing read again
    assert [(d.file, d.kind, d.fields, d.rows) for d in second] == [
        (d.file, d.kind, d.fields, d.rows) for d in first]
    current, candidate = books
    [change] = backtest_dirs(candidate, current, tmp_path / "cases")
    assert (change.case_id, change.before, change.after) == ("C-1", "pass", "conditional")
