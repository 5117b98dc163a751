"""Errors that stop a pre-review from producing a verdict. Each has a stable
``code`` and says what to do about it."""

from __future__ import annotations


class PrereviewError(Exception):
    code = "prereview.error"
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CaseNotFound(PrereviewError):
    code = "case.not_found"
    exit_code = 2


class InvalidApplication(PrereviewError):
    code = "case.invalid_application"
    exit_code = 3


class InvalidRuleSet(PrereviewError):
    """The rule files are wrong; nothing may be verified until they are fixed."""

    code = "rules.invalid"
    exit_code = 4

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("invalid rule set:\n" + "\n".join(f"  {p}" for p in problems))


class RuleEngineFailure(PrereviewError):
    """An action raised inside the rules engine: the verdict would be incomplete."""

    code = "rules.engine_failure"
    exit_code = 5


class RuleSetNotFound(PrereviewError):
    """No published rule set has this sha256."""

    code = "rules.not_found"
    exit_code = 6
