"""Rule files fail closed: every problem named with its file and line."""

import shutil
from pathlib import Path

import pytest

from engine.errors import InvalidRuleSet
from engine.rulebook import DEFAULT_RULES_DIR, fingerprint, load_rulebook


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, target, ignore=shutil.ignore_patterns("tests"))
    return target


def problems_after(rules: Path, file: str, old: str, new: str) -> list[str]:
    path = rules / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InvalidRuleSet) as caught:
        load_rulebook(rules)
    return caught.value.problems


def test_shipped_rules_are_valid() -> None:
    book = load_rulebook()
    assert book.version and len(book.sha256) == 64
    codes = {r.finding["code"] for r in book.rules if r.finding}
    contract = {"completeness.missing_document", "completeness.id_expired",
                "completeness.statement_too_short", "income.ratio_below_min", "owner.mismatch",
                "owner.co_owner_consent_missing", "identity.name_mismatch",
                "fraud.id_number_invalid", "fraud.balance_chain_broken", "fraud.pdf_edited",
                "fraud.payslip_arithmetic", "fraud.income_mismatch", "fraud.duplicate_document"}
    assert contract <= codes


def test_unknown_field_with_suggestion_and_line(rules: Path) -> None:
    problems = problems_after(rules, "checks/income.yaml", "ratio < policy.income_ratio_reject",
                              "ration < policy.income_ratio_rejct")
    text = "\n".join(problems)
    assert "checks/income.yaml:" in text
    assert "no field 'ration'" in text and "did you mean 'ratio'" in text
    assert "income_ratio_rejct" in text and "did you mean 'income_ratio_reject'" in text


def test_unknown_fact(rules: Path) -> None:
    problems = problems_after(rules, "checks/owner.yaml", "{fact: property,", "{fact: proprety,")
    assert any("unknown fact 'proprety'" in p and "did you mean 'property'" in p
               for p in problems)


def test_schema_error_names_the_line(rules: Path) -> None:
    problems = problems_after(rules, "checks/fraud.yaml", "severity: reject", "severity: fatal")
    assert any(p.startswith("checks/fraud.yaml:") and "fatal" in p for p in problems)
    line = int(next(p for p in problems if "fatal" in p).split(":")[1])
    assert "severity" in (rules / "checks/fraud.yaml").read_text().splitlines()[line - 1]


def test_yaml_syntax_error(rules: Path) -> None:
    problems = problems_after(rules, "checks/identity.yaml", "rules:", "rules: [")
    assert any("not valid YAML" in p for p in problems)


def test_duplicate_rule_id(rules: Path) -> None:
    problems = problems_after(rules, "checks/fraud.yaml", "id: fraud.payslip_arithmetic",
                              "id: fraud.balance_chain_broken")
    assert any("duplicate rule id" in p for p in problems)


def test_alias_used_before_it_is_matched(rules: Path) -> None:
    problems = problems_after(rules, "checks/income.yaml",
                              "      policy: policy\n      cover: {fact: income_coverage, "
                              "if: \"ratio < policy.income_ratio_reject\"}",
                              "      cover: {fact: income_coverage, "
                              "if: \"ratio < policy.income_ratio_reject\"}\n      policy: policy")
    assert any("'policy' is not matched before this point" in p for p in problems)


def test_derived_facts_must_be_produced_and_used(rules: Path) -> None:
    facts = rules / "facts.yaml"
    facts.write_text(facts.read_text() + (
        "  reserve_months:\n    derived: true\n    description: x\n"
        "    fields:\n      months: number\n"
        "  orphan:\n    derived: true\n    description: y\n    fields:\n      n: number\n"))
    (rules / "checks" / "zz_unused.yaml").write_text(
        "rules:\n"
        "  - id: zz.reserve\n    version: 1\n    check: income.coverage\n    title: r\n"
        "    when:\n      income: verified_income\n"
        "    derive:\n      fact: reserve_months\n      set:\n        months: income.amount\n",
        encoding="utf-8")
    with pytest.raises(InvalidRuleSet) as caught:
        load_rulebook(rules)
    text = "\n".join(caught.value.problems)
    assert "derives 'reserve_months', which no rule or check uses" in text
    assert "derived fact 'orphan' is produced by no rule" in text


def test_cycle_is_refused(rules: Path) -> None:
    extra = rules / "checks" / "zz_cycle.yaml"
    extra.write_text(
        "rules:\n"
        "  - id: zz.loop\n    version: 1\n    check: income.coverage\n    title: loop\n"
        "    when:\n      cover: income_coverage\n"
        "    derive:\n      fact: verified_income\n      set:\n        amount: cover.ratio\n",
        encoding="utf-8")
    with pytest.raises(InvalidRuleSet) as caught:
        load_rulebook(rules)
    assert any("derivation cycle" in p for p in caught.value.problems)


def test_fingerprint_changes_with_any_rule_file(rules: Path) -> None:
    before = fingerprint(rules)
    path = rules / "policy.yaml"
    path.write_text(path.read_text() + "\n# a comment\n")
    assert fingerprint(rules) != before
