"""Signing in with an API key (pasted once; the browser keeps only a session cookie),
signing out, and the start page of each role."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..keys import check_key
from ..runtime import Runtime
from . import session as web_session
from .frame import landing, render
from .i18n import Translator, choose_lang

router = APIRouter(include_in_schema=False)


@router.get("/")
def start(request: Request) -> Response:
    rt: Runtime = request.app.state.runtime
    caller = web_session.caller_of(rt, request.cookies.get(web_session.COOKIE))
    home = landing(caller) if caller else None
    return RedirectResponse(home or "/signin", status_code=303)


@router.get("/signin")
def signin_page(request: Request, next: str = "", ended: bool = False) -> Response:
    t = Translator(choose_lang(request))
    return render(None, request, "signin.html.j2", title=t("signin.title"),
                  next_path=_safe_next(next), error=t("signin.ended") if ended else "")


@router.post("/signin")
def signin(request: Request, api_key: Annotated[str, Form(max_length=200)],
           next: Annotated[str, Form(max_length=500)] = "") -> Response:
    rt: Runtime = request.app.state.runtime
    t = Translator(choose_lang(request))
    if not _same_origin(request):
        return render(None, request, "signin.html.j2", status=403, title=t("signin.title"),
                      next_path="", error=t("forbidden.title"))
    with rt.sessions() as db:
        caller = check_key(db, api_key.strip())
    home = landing(caller) if caller else None
    if caller is None or home is None:
        error = t("signin.bad_key") if caller is None else t("signin.no_pages")
        return render(None, request, "signin.html.j2", status=401 if caller is None else 403,
                      title=t("signin.title"), next_path=_safe_next(next), error=error)
    issued = web_session.issue(rt, caller)
    response = RedirectResponse(_safe_next(next) or home, status_code=303)
    response.set_cookie(web_session.COOKIE, issued.token, max_age=web_session.LIFETIME_SECONDS,
                        httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")
    from .. import cases

    cases.audit(rt, caller, "web.signin", None)
    return response


@router.post("/signout")
def signout(request: Request,
            csrf_token: Annotated[str, Form(max_length=200)] = "") -> Response:
    rt: Runtime = request.app.state.runtime
    token = request.cookies.get(web_session.COOKIE)
    if token:
        web_session.check_csrf(rt, request, token, csrf_token)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(web_session.COOKIE, path="/", httponly=True, samesite="strict")
    return response


def _safe_next(path: str) -> str:
    """Only a path on this service (never another site) is followed after signing in."""
    if path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return ""


def _same_origin(request: Request) -> bool:
    """A sign-in form posted from another site is refused (its Origin names another
    host). The scheme is not compared: behind a TLS-terminating proxy the service sees
    http while the browser says https."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)
