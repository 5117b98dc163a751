"""Compliance (合规) pages: the rule set in force, drafts, the editor that validates as
it saves, scenario tests, backtests, publishing and the version history. The pages call
the JSON endpoints of api/http/rules.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from engine.rulebook import rule_files

from . import drafts, rulesource
from .frame import not_found, render, signed_in

router = APIRouter(include_in_schema=False)


@router.get("/compliance")
def compliance_home(request: Request) -> Response:
    page = signed_in(request, "rules.edit")
    book = rulesource.current(page.rt)
    directory = rulesource.live_directory(page.rt)
    files = [p.relative_to(directory).as_posix() for p in rule_files(directory) if p.is_file()]
    return render(page, request, "compliance_home.html.j2", title=page.t("compliance.title"),
                  book=book, files=files, drafts=drafts.list_drafts(page.rt),
                  versions=rulesource.versions(page.rt),
                  can_publish=callable(getattr(page.rt.rules, "publish", None)))


@router.get("/compliance/live/{name:path}")
def live_file(name: str, request: Request) -> Response:
    page = signed_in(request, "rules.edit")
    directory = rulesource.live_directory(page.rt)
    live = {p.relative_to(directory).as_posix(): p for p in rule_files(directory)
            if p.is_file()}
    if name not in live:
        return not_found(page, request)
    return render(page, request, "compliance_file.html.j2", title=name, name=name,
                  text=live[name].read_text(encoding="utf-8"), files=list(live),
                  book=rulesource.current(page.rt))


@router.get("/compliance/drafts/{draft_id}")
def draft_page(draft_id: str, request: Request, file: str = "policy.yaml") -> Response:
    page = signed_in(request, "rules.edit")
    try:
        draft = drafts.get_draft(page.rt, draft_id)
    except drafts.DraftNotFound:
        return not_found(page, request)
    files = draft.files()
    name = file if file in files else files[0]
    _, problems = drafts.validate(draft)
    return render(page, request, "compliance_draft.html.j2",
                  title=f"{page.t('compliance.draft')} {draft_id}", draft=draft, files=files,
                  name=name, text=draft.read(name), problems=problems,
                  bad_files={p["file"] for p in problems},
                  can_publish=callable(getattr(page.rt.rules, "publish", None)))
