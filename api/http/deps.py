"""Typed dependencies: the runtime and the caller (an API key with a role), named by
``Authorization: Bearer <api key>`` or, for a person signed in through the web pages,
by the session cookie (state-changing calls with the cookie need its CSRF token)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..errors import Forbidden, Unauthorized
from ..keys import Caller, check_key
from ..runtime import Runtime
from ..web import session as web_session

bearer = HTTPBearer(auto_error=False, description="an API key: prk_<id>_<secret>")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_caller(rt: RuntimeDep, request: Request,
               credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
               ) -> Caller:
    if credentials is None and COOKIE in request.cookies:
        signed_in = _cookie_caller(rt, request)
        request.state.caller = signed_in
        return signed_in
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send Authorization: Bearer <api key>; "
                           "an administrator makes one with `prereview keys create --role ROLE`")
    with rt.sessions() as session:
        caller = check_key(session, credentials.credentials)
    if caller is None:
        raise Unauthorized("the API key is unknown or revoked")
    request.state.caller = caller
    return caller


def _cookie_caller(rt: Runtime, request: Request) -> Caller:
    token = request.cookies[COOKIE]
    caller = web_session.caller_of(rt, token)
    if caller is None:
        raise Unauthorized("the sign-in has ended or its key was revoked: sign in again")
    web_session.check_csrf(rt, request, token)
    return caller


COOKIE = web_session.COOKIE
CallerDep = Annotated[Caller, Depends(get_caller)]


def allowed(permission: str) -> Callable[[Caller], Caller]:
    """A dependency admitting only roles that hold ``permission``."""

    def check(caller: CallerDep) -> Caller:
        if not caller.may(permission):
            raise Forbidden(f"the {caller.role} role may not {permission.replace('.', ' ')}",
                            permission=permission)
        return caller

    return check
