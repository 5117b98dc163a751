"""Browser sessions: after a person signs in with their API key, the service sets an
HttpOnly, SameSite=Strict cookie holding a signed, expiring token that names the key
(never the key itself). Every request re-checks the key, so revoking it ends the session.

State-changing calls made with the cookie must also carry the session's CSRF token in
the ``X-CSRF-Token`` header (our own scripts read it from the page; another site can
neither read it nor, SameSite aside, send a custom header without a CORS pre-flight)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from fastapi import Request

from ..db import ApiKey
from ..errors import ServiceError
from ..keys import Caller
from ..runtime import Runtime

COOKIE = "prereview_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
LIFETIME_SECONDS = 8 * 3600  # a working day
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfRejected(ServiceError):
    code, status, title = "auth.csrf", 403, "The request did not come from the service's page"


@dataclass(frozen=True)
class WebSession:
    token: str
    key_id: str
    expires: int


def issue(rt: Runtime, caller: Caller, now: float | None = None) -> WebSession:
    expires = int((now or time.time()) + LIFETIME_SECONDS)
    body = f"{caller.key_id}.{expires}.{secrets.token_urlsafe(12)}"
    token = f"{body}.{_sign(rt, 'session', body)}"
    return WebSession(token, caller.key_id, expires)


def parse(rt: Runtime, token: str, now: float | None = None) -> WebSession | None:
    """The session a cookie holds, or None when forged, malformed or expired."""
    body, _, signature = token.rpartition(".")
    if not body or not hmac.compare_digest(signature, _sign(rt, "session", body)):
        return None
    parts = body.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    expires = int(parts[1])
    if expires < (now or time.time()):
        return None
    return WebSession(token, parts[0], expires)


def caller_of(rt: Runtime, token: str | None) -> Caller | None:
    """The caller a session cookie stands for, if the session and its key are valid."""
    if not token:
        return None
    session = parse(rt, token)
    if session is None:
        return None
    with rt.sessions() as db:
        key = db.get(ApiKey, session.key_id)
        if key is None or key.revoked_at is not None:
            return None
        return Caller(key.key_id, key.role)


def csrf_token(rt: Runtime, token: str) -> str:
    return _sign(rt, "csrf", token)


def check_csrf(rt: Runtime, request: Request, token: str, presented: str | None = None) -> None:
    """Refuse a state-changing call made with the cookie but without the page's token."""
    if request.method in SAFE_METHODS:
        return
    presented = presented or request.headers.get(CSRF_HEADER, "")
    if not presented or not hmac.compare_digest(presented, csrf_token(rt, token)):
        raise CsrfRejected("calls made with the sign-in cookie must carry the page's "
                           f"{CSRF_HEADER} header; reload the page and try again")


def _sign(rt: Runtime, purpose: str, text: str) -> str:
    digest = hmac.new(_key(rt), f"{purpose}:{text}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _key(rt: Runtime) -> bytes:
    """Derived from the service's signing secret (kept in the data directory when
    embedded), so sessions survive a restart and end when the secret changes."""
    return hashlib.sha256(b"prereview web sessions\0" + rt.settings.signing_secret()).digest()
