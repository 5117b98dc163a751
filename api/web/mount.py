"""Adds the web pages, their JSON helpers and their static files to the application."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from . import approver, compliance, intake, signin
from .frame import STATIC, PageForbidden, SignInRequired, landing, render


def mount_web(app: FastAPI) -> None:
    for module in (signin, intake, approver, compliance):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(SignInRequired, _sign_in)  # type: ignore[arg-type]
    app.add_exception_handler(PageForbidden, _forbidden)  # type: ignore[arg-type]


async def _sign_in(request: Request, err: SignInRequired) -> Response:
    query = f"?next={quote(err.next_path)}" + ("&ended=1" if err.ended else "")
    return RedirectResponse(f"/signin{query}", status_code=303)


async def _forbidden(request: Request, err: PageForbidden) -> Response:
    page = err.page
    return render(page, request, "message.html.j2", status=403,
                  title=page.t("forbidden.title"), heading=page.t("forbidden.title"),
                  body=page.t("forbidden.body", role=page.t(f"role.{page.caller.role}")),
                  home=landing(page.caller) or "/signin", home_label=page.t("forbidden.home"))
