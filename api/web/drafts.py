"""Rule drafts (规则草稿): a copy of the rule files in force, kept under the data
directory (``<data dir>/rule-drafts/<id>/``) and edited file by file by compliance.
A draft is checked the way the service checks rules (engine.rulebook: schema with file
and line, fact and field names with "did you mean", expressions, cycles), its scenario
tests run with engine.scenarios, and it goes live only through publishing."""

from __future__ import annotations

import json
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from engine.errors import InvalidRuleSet, PrereviewError
from engine.rulebook import RuleBook, load_rulebook, rule_files
from engine.scenarios import run_scenarios

from ..errors import ServiceError
from ..runtime import Runtime

EDITABLE = re.compile(
    r"^(?:(?:ruleset|facts|policy)\.yaml|(?:checks|tests)/[A-Za-z0-9_.-]+\.yaml)$")
DRAFT_ID = re.compile(r"^[a-f0-9]{12}$")
PROBLEM = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): (?P<message>.*)$", re.DOTALL)
MAX_FILE_BYTES = 512 * 1024


class DraftNotFound(ServiceError):
    code, status, title = "rules.draft_not_found", 404, "No such rule draft"


class NotARuleFile(ServiceError):
    code, status, title = "rules.not_a_rule_file", 422, "Not a rule file a draft may hold"


@dataclass
class Draft:
    draft_id: str
    directory: Path
    meta: dict[str, Any]

    def files(self) -> list[str]:
        names = [p.relative_to(self.directory).as_posix() for p in rule_files(self.directory)
                 if p.is_file()]
        names += sorted(p.relative_to(self.directory).as_posix()
                        for p in (self.directory / "tests").glob("*.yaml"))
        return names

    def read(self, name: str) -> str:
        return _path(self.directory, name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        if len(text.encode()) > MAX_FILE_BYTES:
            raise NotARuleFile(f"{name} is larger than {MAX_FILE_BYTES // 1024} KB")
        path = _path(self.directory, name, must_exist=False)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.meta["updated_at"] = _now()
        _write_meta(self.directory, self.meta)


def drafts_dir(rt: Runtime) -> Path:
    return rt.settings.data_dir / "rule-drafts"


def create_draft(rt: Runtime, source: Path, created_by: str, base: RuleBook) -> Draft:
    """A new draft holding a copy of the rule files in ``source`` and their tests."""
    draft_id = secrets.token_hex(6)
    directory = drafts_dir(rt) / draft_id
    directory.mkdir(parents=True)
    for path in rule_files(source):
        if path.is_file():
            target = directory / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    tests = source / "tests" if (source / "tests").is_dir() else rt.settings.rules_dir / "tests"
    (directory / "tests").mkdir(exist_ok=True)
    for path in sorted(tests.glob("*.yaml")):
        shutil.copyfile(path, directory / "tests" / path.name)
    meta = {"draft_id": draft_id, "created_by": created_by, "created_at": _now(),
            "updated_at": _now(), "base_sha256": base.sha256, "base_version": base.version,
            "name": base.name}
    _write_meta(directory, meta)
    return Draft(draft_id, directory, meta)


def get_draft(rt: Runtime, draft_id: str) -> Draft:
    directory = drafts_dir(rt) / draft_id
    if not DRAFT_ID.match(draft_id) or not (directory / "draft.json").is_file():
        raise DraftNotFound(f"no rule draft {draft_id}")
    return Draft(draft_id, directory, json.loads((directory / "draft.json").read_text()))


def list_drafts(rt: Runtime) -> list[Draft]:
    root = drafts_dir(rt)
    found = [get_draft(rt, p.name) for p in sorted(root.iterdir())
             if (p / "draft.json").is_file()] if root.is_dir() else []
    return sorted(found, key=lambda d: str(d.meta.get("updated_at", "")), reverse=True)


def delete_draft(rt: Runtime, draft_id: str) -> None:
    shutil.rmtree(get_draft(rt, draft_id).directory)


def validate(draft: Draft) -> tuple[RuleBook | None, list[dict[str, Any]]]:
    """The draft's rule book, or each problem with its file, line and message."""
    problems = _test_file_problems(draft)
    try:
        book = load_rulebook(draft.directory)
    except InvalidRuleSet as err:
        return None, [parse_problem(p) for p in err.problems] + problems
    return (book if not problems else None), problems


def run_tests(draft: Draft) -> dict[str, Any]:
    book, problems = validate(draft)
    if book is None:
        return {"valid": False, "problems": problems, "results": [], "passed": 0, "failed": 0}
    try:
        results = run_scenarios(book, draft.directory / "tests")
    except PrereviewError as err:
        return {"valid": True, "problems": [{"file": "tests", "line": 0, "message": err.message}],
                "results": [], "passed": 0, "failed": 1}
    rows = [{"file": r.file, "name": r.name, "passed": r.passed, "problems": r.problems}
            for r in results]
    failed = sum(not r.passed for r in results)
    return {"valid": True, "problems": [], "results": rows, "passed": len(rows) - failed,
            "failed": failed}


def parse_problem(text: str) -> dict[str, Any]:
    m = PROBLEM.match(text)
    if m is None:
        return {"file": "", "line": 0, "message": text}
    return {"file": m["file"], "line": int(m["line"]), "message": m["message"]}


def _test_file_problems(draft: Draft) -> list[dict[str, Any]]:
    out = []
    for path in sorted((draft.directory / "tests").glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            out.append({"file": f"tests/{path.name}", "line": mark.line + 1 if mark else 0,
                        "message": f"not valid YAML: {getattr(err, 'problem', err)}"})
            continue
        if data is not None and not isinstance(data.get("scenarios", []) if isinstance(
                data, dict) else None, list):
            out.append({"file": f"tests/{path.name}", "line": 1,
                        "message": "a test file holds a list under 'scenarios:'"})
    return out


def _path(directory: Path, name: str, must_exist: bool = True) -> Path:
    if not EDITABLE.match(name):
        raise NotARuleFile(f"{name!r} is not a rule file: ruleset.yaml, facts.yaml, "
                           "policy.yaml, checks/NAME.yaml or tests/NAME.yaml")
    path = directory / name
    if must_exist and not path.is_file():
        raise DraftNotFound(f"the draft has no file {name}")
    return path


def _write_meta(directory: Path, meta: dict[str, Any]) -> None:
    (directory / "draft.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
