"""Rule files (rules/): load, validate (fail closed), describe.

A rule book is the whole directory: ruleset.yaml (name, version), facts.yaml
(the fact catalogue), policy.yaml (products, thresholds, checks) and
checks/*.yaml (the rules). Its sha256 covers every one of those files, so a
verdict names exactly the rules that produced it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import InvalidRuleSet

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
SCHEMA_DIR = DEFAULT_RULES_DIR / "schema"
SEVERITIES = ("reject", "condition", "info")
ENGINE_FIELDS = {"id", "type"}


@dataclass(frozen=True)
class Alias:
    name: str
    fact: str
    condition: str | None


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    check: str
    title: str
    aliases: tuple[Alias, ...]
    source: str  # "checks/income.yaml:12"
    derive_fact: str | None = None
    derive_set: dict[str, Any] = field(default_factory=dict)
    finding: dict[str, str] | None = None
    products: tuple[str, ...] = ()
    effective_from: date | None = None
    effective_until: date | None = None

    def applies(self, product: str, on: date) -> bool:
        if self.products and product not in self.products:
            return False
        if self.effective_from and on < self.effective_from:
            return False
        return not (self.effective_until and on > self.effective_until)


@dataclass
class RuleBook:
    name: str
    version: str
    sha256: str
    directory: Path
    facts: dict[str, dict[str, str]]  # fact type -> field -> type
    derived_facts: set[str]  # fact types produced by rules
    policy: dict[str, Any]
    rules: list[Rule]

    def thresholds(self, product: str) -> dict[str, float]:
        merged = dict(self.policy["thresholds"])
        merged.update(self.policy["products"].get(product, {}).get("thresholds", {}))
        return merged

    def required_documents(self, product: str) -> list[list[str]]:
        return list(self.policy["products"][product]["required_documents"])

    def document_label(self, kind: str) -> str:
        return str(self.policy["documents"].get(kind, kind))

    def checks(self, product: str) -> dict[str, dict[str, Any]]:
        return {name: c for name, c in self.policy["checks"].items()
                if not c.get("products") or product in c["products"]}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def rule_files(directory: Path) -> list[Path]:
    names = [directory / "ruleset.yaml", directory / "facts.yaml", directory / "policy.yaml"]
    return names + sorted((directory / "checks").glob("*.yaml"))


def fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in rule_files(directory):
        if path.is_file():
            digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_rulebook(directory: Path = DEFAULT_RULES_DIR) -> RuleBook:
    """Load and validate a rule directory; raise InvalidRuleSet listing every problem."""
    from .rulecheck import limit_problems, semantic_problems  # they import Rule, Problem

    problems: list[Problem] = []
    docs: dict[str, tuple[Any, yaml.Node | None]] = {}
    for path in rule_files(directory):
        rel = path.relative_to(directory).as_posix()
        docs[rel] = _read_yaml(path, rel, problems)
    schemas = {"ruleset.yaml": "ruleset", "facts.yaml": "facts", "policy.yaml": "policy"}
    for rel, (data, node) in docs.items():
        schema = schemas.get(rel, "rules")
        if data is not None:
            problems += _schema_problems(rel, data, node, schema)
    if problems:
        raise InvalidRuleSet([str(p) for p in problems])
    meta = docs["ruleset.yaml"][0]
    catalogue = docs["facts.yaml"][0]["facts"]
    facts = {name: dict(spec["fields"]) for name, spec in catalogue.items()}
    derived = {name for name, spec in catalogue.items() if spec.get("derived")}
    policy = docs["policy.yaml"][0]
    facts["policy"] = {name: "number" for name in _all_thresholds(policy)}
    rules: list[Rule] = []
    for rel, (data, node) in docs.items():
        if rel.startswith("checks/"):
            rules += [_rule(rel, i, raw, node) for i, raw in enumerate(data["rules"])]
    problems += semantic_problems(rules, facts, derived, policy)
    if not problems:
        problems += limit_problems(rules, facts)
    if problems:
        raise InvalidRuleSet([str(p) for p in problems])
    return RuleBook(meta["name"], str(meta["version"]), fingerprint(directory), directory,
                    facts, derived, policy, rules)


def _read_yaml(path: Path, rel: str, problems: list[Problem]) -> tuple[Any, yaml.Node | None]:
    if not path.is_file():
        problems.append(Problem(rel, 0, "file is missing"))
        return None, None
    text = path.read_text(encoding="utf-8")
    try:
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        problems.append(Problem(rel, mark.line + 1 if mark else 0, f"not valid YAML: {err}"))
        return None, None


@cache
def _schema(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text())
    return loaded


def _schema_problems(rel: str, data: Any, node: yaml.Node | None, schema: str) -> list[Problem]:
    validator = jsonschema.Draft202012Validator(_schema(schema))
    out = []
    for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top)"
        out.append(Problem(rel, line_of(node, list(err.absolute_path)), f"{where}: {err.message}"))
    return out


def line_of(node: yaml.Node | None, path: list[Any]) -> int:
    """1-based line of the YAML node at ``path`` (the nearest existing parent)."""
    if node is None:
        return 0
    for key in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(
            node.value
        ):
            child = node.value[key]
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1


def _rule(rel: str, index: int, raw: dict[str, Any], node: yaml.Node | None) -> Rule:
    aliases = tuple(
        Alias(name, spec, None) if isinstance(spec, str) else Alias(name, spec["fact"],
                                                                     spec.get("if"))
        for name, spec in raw["when"].items()
    )
    derive = raw.get("derive") or {}
    return Rule(
        id=raw["id"], version=raw["version"], check=raw["check"], title=raw["title"],
        aliases=aliases, source=f"{rel}:{line_of(node, ['rules', index])}",
        derive_fact=derive.get("fact"), derive_set=dict(derive.get("set", {})),
        finding=raw.get("finding"), products=tuple(raw.get("products", ())),
        effective_from=_date(raw.get("effective_from")),
        effective_until=_date(raw.get("effective_until")),
    )


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _all_thresholds(policy: dict[str, Any]) -> set[str]:
    names = set(policy["thresholds"])
    for product in policy["products"].values():
        names |= set(product.get("thresholds", {}))
    return names
