"""Rule files over HTTP for compliance (合规): the rule set in force and its files, the
version history, drafts edited file by file (validated as they are saved), scenario
tests, backtests against stored cases, and publishing a draft as a new version.
``rules.read`` may look; ``rules.edit`` may change drafts and publish."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response, status
from pydantic import BaseModel, Field

from engine.errors import InvalidRuleSet
from engine.rulebook import rule_files

from .. import cases
from ..errors import ServiceError
from ..keys import Caller
from ..web import drafts, rulesource
from .deps import RuntimeDep, allowed

router = APIRouter(prefix="/api/v1/rules", tags=["rules"])
Reader = Annotated[Caller, Depends(allowed("rules.read"))]
Editor = Annotated[Caller, Depends(allowed("rules.edit"))]
Problem = {"model": dict[str, Any], "content": {"application/problem+json": {}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {401: Problem, 403: Problem, 404: Problem,
                                             422: Problem, 501: Problem}


class InvalidDraft(ServiceError):
    code, status, title = "rules.invalid", 422, "The rule draft is not valid"


class RuleProblem(BaseModel):
    file: str
    line: int
    message: str


class RuleSetOut(BaseModel):
    name: str
    version: str
    sha256: str
    rules: int
    files: list[str]


class DraftOut(BaseModel):
    draft_id: str
    name: str
    base_version: str
    base_sha256: str
    created_by: str
    created_at: str
    updated_at: str
    files: list[str]
    valid: bool | None = None
    problems: list[RuleProblem] = []


class SavedFile(BaseModel):
    file: str
    saved: bool
    valid: bool
    problems: list[RuleProblem]


class PublishRequest(BaseModel):
    note: str = Field(min_length=1, max_length=500)


@router.get("", response_model=RuleSetOut, responses=PROBLEMS)
def rule_set(rt: RuntimeDep, caller: Reader) -> RuleSetOut:
    """The rule set in force."""
    book = rulesource.current(rt)
    directory = rulesource.live_directory(rt)
    return RuleSetOut(name=book.name, version=book.version, sha256=book.sha256,
                      rules=len(book.rules), files=[p.relative_to(directory).as_posix()
                                                    for p in rule_files(directory)
                                                    if p.is_file()])


@router.get("/files/{name:path}", responses=PROBLEMS)
def rule_file(name: str, rt: RuntimeDep, caller: Reader) -> Response:
    """One file of the rule set in force, as text."""
    directory = rulesource.live_directory(rt)
    live = {p.relative_to(directory).as_posix(): p for p in rule_files(directory)}
    if name not in live or not live[name].is_file():
        raise drafts.DraftNotFound(f"the rule set in force has no file {name}")
    return Response(live[name].read_text(encoding="utf-8"),
                    media_type="text/plain; charset=utf-8")


@router.get("/versions", responses=PROBLEMS)
def versions(rt: RuntimeDep, caller: Reader) -> list[dict[str, Any]]:
    """Every version, newest first (who published it, why, how many cases used it)."""
    return rulesource.versions(rt)


@router.get("/drafts", response_model=list[DraftOut], responses=PROBLEMS)
def list_drafts(rt: RuntimeDep, caller: Editor) -> list[DraftOut]:
    return [_draft_out(d) for d in drafts.list_drafts(rt)]


@router.post("/drafts", status_code=status.HTTP_201_CREATED, response_model=DraftOut,
             responses=PROBLEMS)
def create_draft(rt: RuntimeDep, caller: Editor) -> DraftOut:
    """A new draft: a copy of the rule set in force and its scenario tests."""
    draft = drafts.create_draft(rt, rulesource.live_directory(rt), caller.key_id,
                                rulesource.current(rt))
    cases.audit(rt, caller, "rules.draft_create", None, {"draft": draft.draft_id})
    return _draft_out(draft, check=True)


@router.get("/drafts/{draft_id}", response_model=DraftOut, responses=PROBLEMS)
def get_draft(draft_id: str, rt: RuntimeDep, caller: Editor) -> DraftOut:
    return _draft_out(drafts.get_draft(rt, draft_id), check=True)


@router.delete("/drafts/{draft_id}", status_code=204, responses=PROBLEMS)
def delete_draft(draft_id: str, rt: RuntimeDep, caller: Editor) -> Response:
    drafts.delete_draft(rt, draft_id)
    cases.audit(rt, caller, "rules.draft_delete", None, {"draft": draft_id})
    return Response(status_code=204)


@router.get("/drafts/{draft_id}/files/{name:path}", responses=PROBLEMS)
def draft_file(draft_id: str, name: str, rt: RuntimeDep, caller: Editor) -> Response:
    text = drafts.get_draft(rt, draft_id).read(name)
    return Response(text, media_type="text/plain; charset=utf-8")


@router.put("/drafts/{draft_id}/files/{name:path}", response_model=SavedFile,
            responses=PROBLEMS)
def save_draft_file(draft_id: str, name: str, rt: RuntimeDep, caller: Editor,
                    text: Annotated[str, Body(media_type="text/plain")]) -> SavedFile:
    """Save one file of the draft (body: the file's text) and validate the whole draft:
    every problem with its file and line ("did you mean" for misspelt names)."""
    draft = drafts.get_draft(rt, draft_id)
    draft.write(name, text)
    _, problems = drafts.validate(draft)
    cases.audit(rt, caller, "rules.draft_save", None, {"draft": draft_id, "file": name})
    return SavedFile(file=name, saved=True, valid=not problems,
                     problems=[RuleProblem(**p) for p in problems])


@router.post("/drafts/{draft_id}/validate", response_model=SavedFile, responses=PROBLEMS)
def validate_draft(draft_id: str, rt: RuntimeDep, caller: Editor) -> SavedFile:
    _, problems = drafts.validate(drafts.get_draft(rt, draft_id))
    return SavedFile(file="", saved=False, valid=not problems,
                     problems=[RuleProblem(**p) for p in problems])


@router.post("/drafts/{draft_id}/test", responses=PROBLEMS)
def test_draft(draft_id: str, rt: RuntimeDep, caller: Editor) -> dict[str, Any]:
    """The draft's scenario tests (tests/*.yaml) against the draft's rules."""
    return drafts.run_tests(drafts.get_draft(rt, draft_id))


@router.post("/drafts/{draft_id}/backtest", responses=PROBLEMS)
def backtest_draft(draft_id: str, rt: RuntimeDep, caller: Editor,
                   limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> dict[str, Any]:
    """Stored cases evaluated again with the draft: which verdicts would change, and why."""
    draft = drafts.get_draft(rt, draft_id)
    book, problems = drafts.validate(draft)
    if book is None:
        raise InvalidDraft("the draft is not valid: fix it before backtesting",
                           problems=problems)
    result = rulesource.backtest(rt, book, limit)
    cases.audit(rt, caller, "rules.backtest", None, {"draft": draft_id})
    return result


@router.post("/drafts/{draft_id}/publish", status_code=status.HTTP_201_CREATED,
             responses=PROBLEMS)
def publish_draft(draft_id: str, body: PublishRequest, rt: RuntimeDep,
                  caller: Editor) -> dict[str, Any]:
    """Publish the draft as a new version: refused (422, with every problem) unless it is
    valid, its scenario tests pass and it compiles."""
    draft = drafts.get_draft(rt, draft_id)
    _, problems = drafts.validate(draft)
    if problems:
        raise InvalidDraft("the draft is not valid", problems=problems)
    try:
        version = rulesource.publish(rt, draft.directory, caller.key_id, body.note)
    except InvalidRuleSet as err:
        raise InvalidDraft("the rule set cannot go live",
                           problems=[drafts.parse_problem(p) for p in err.problems]) from err
    cases.audit(rt, caller, "rules.publish", None, {"draft": draft_id,
                                                     "sha256": version.get("sha256", "")})
    return version


def _draft_out(draft: drafts.Draft, check: bool = False) -> DraftOut:
    meta = draft.meta
    problems: list[dict[str, Any]] = []
    if check:
        _, problems = drafts.validate(draft)
    return DraftOut(draft_id=draft.draft_id, name=str(meta.get("name", "")),
                    base_version=str(meta.get("base_version", "")),
                    base_sha256=str(meta.get("base_sha256", "")),
                    created_by=str(meta.get("created_by", "")),
                    created_at=str(meta.get("created_at", "")),
                    updated_at=str(meta.get("updated_at", "")), files=draft.files(),
                    valid=not problems if check else None,
                    problems=[RuleProblem(**p) for p in problems])
