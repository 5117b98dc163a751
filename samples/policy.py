"""What the default policy of domain.md makes of each scenario (the expected answer)."""

from __future__ import annotations

# Severity of each code under the default policy. income.ratio_below_min is a
# condition between 1.5 and 2.0 and a reject below 1.5 (see ``severity``).
SEVERITY: dict[str, str] = {
    "completeness.missing_document": "condition",
    "completeness.id_expired": "condition",
    "completeness.statement_too_short": "condition",
    "document.unreadable": "condition",
    "owner.mismatch": "reject",
    "owner.co_owner_consent_missing": "condition",
    "identity.name_mismatch": "condition",
}

RATIO_MIN = 2.0
RATIO_REJECT = 1.5


def severity(code: str, income_ratio: float | None = None) -> str:
    if code == "income.ratio_below_min":
        assert income_ratio is not None
        return "reject" if income_ratio < RATIO_REJECT else "condition"
    if code.startswith("fraud."):
        return "reject"
    return SEVERITY[code]


def combine(severities: list[str]) -> str:
    """The fixed rule of combination of contract.md."""
    if "reject" in severities:
        return "reject"
    if "condition" in severities:
        return "conditional"
    return "pass"


def verdict(codes: list[str], income_ratio: float | None) -> str:
    return combine([severity(c, income_ratio) for c in codes])
