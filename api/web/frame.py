"""What every page shares: who is signed in, the role's navigation, the language, the
CSRF token for the page's scripts, and rendering a template into a response."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from ..keys import Caller
from ..runtime import Runtime
from . import session as web_session
from .i18n import LANG_COOKIE, LANGS, Translator, choose_lang

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# (permission, path, message key): a role sees an item only when it holds the permission
NAV: tuple[tuple[str, str, str], ...] = (
    ("case.create", "/intake", "nav.intake"),
    ("report.read", "/approver", "nav.approver"),
    ("rules.edit", "/compliance", "nav.compliance"),
)
# people use the pages; the system role is for other systems calling the API
PAGE_ROLES = frozenset({"intake", "approver", "compliance", "admin"})
# scripts and styles only from the service itself; images also as data: URIs (the report)
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
       "script-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'")

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                          autoescape=jinja2.select_autoescape(("html", "j2")),
                          undefined=jinja2.StrictUndefined, trim_blocks=True,
                          lstrip_blocks=True)


class SignInRequired(Exception):
    """No valid session: the person is sent to the sign-in page."""

    def __init__(self, next_path: str, ended: bool) -> None:
        super().__init__(next_path)
        self.next_path, self.ended = next_path, ended


class PageForbidden(Exception):
    def __init__(self, page: Page) -> None:
        super().__init__(page.caller.role)
        self.page = page


@dataclass
class Page:
    """A signed-in person looking at a page."""

    request: Request
    rt: Runtime
    caller: Caller
    token: str
    t: Translator

    @property
    def lang(self) -> str:
        return self.t.lang

    def may(self, permission: str) -> bool:
        return self.caller.may(permission)


def landing(caller: Caller) -> str | None:
    """The first page the role may open, or None for a role with no pages (system)."""
    if caller.role not in PAGE_ROLES:
        return None
    return next((path for permission, path, _ in NAV if caller.may(permission)), None)


def signed_in(request: Request, permission: str) -> Page:
    """The page's reader; sign in first, and only a role holding ``permission`` gets in."""
    rt: Runtime = request.app.state.runtime
    token = request.cookies.get(web_session.COOKIE)
    caller = web_session.caller_of(rt, token)
    if caller is None or token is None:
        raise SignInRequired(request.url.path, ended=token is not None)
    page = Page(request, rt, caller, token, Translator(choose_lang(request)))
    if not caller.may(permission) or caller.role not in PAGE_ROLES:
        raise PageForbidden(page)
    return page


def render(page: Page | None, request: Request, template: str, status: int = 200,
           **context: Any) -> HTMLResponse:
    lang = page.lang if page else choose_lang(request)
    t = page.t if page else Translator(lang)
    nav = []
    if page is not None:
        nav = [{"href": path, "label": t(key), "active": request.url.path.startswith(path)}
               for permission, path, key in NAV if page.may(permission)]
    other = LANGS[1 - LANGS.index(lang)]
    html = _env.get_template(template).render(
        t=t, lang=lang, nav=nav, caller=page.caller if page else None,
        role_label=t(f"role.{page.caller.role}") if page else "",
        csrf=web_session.csrf_token(page.rt, page.token) if page else "",
        csrf_field=web_session.CSRF_FIELD, catalogue=t.catalogue(),
        switch_lang_href=f"{request.url.path}?{_with_lang(request, other)}",
        **context)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    if request.query_params.get("lang") in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="strict")
    return response


def _with_lang(request: Request, lang: str) -> str:
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    pairs.append(("lang", lang))
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)


def not_found(page: Page, request: Request) -> HTMLResponse:
    return render(page, request, "message.html.j2", status=404, title=page.t("notfound.title"),
                  heading=page.t("notfound.title"), body=page.t("notfound.body"),
                  home="/", home_label=page.t("forbidden.home"))
