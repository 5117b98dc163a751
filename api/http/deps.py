"""Typed dependencies: the runtime and the caller (an API key with a role)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..errors import Forbidden, Unauthorized
from ..keys import Caller, check_key
from ..runtime import Runtime

bearer = HTTPBearer(auto_error=False, description="an API key: prk_<id>_<secret>")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_caller(rt: RuntimeDep, request: Request,
               credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
               ) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("send Authorization: Bearer <api key>; "
                           "an administrator makes one with `prereview keys create --role ROLE`")
    with rt.sessions() as session:
        caller = check_key(session, credentials.credentials)
    if caller is None:
        raise Unauthorized("the API key is unknown or revoked")
    request.state.caller = caller
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


def allowed(permission: str) -> Callable[[Caller], Caller]:
    """A dependency admitting only roles that hold ``permission``."""

    def check(caller: CallerDep) -> Caller:
        if not caller.may(permission):
            raise Forbidden(f"the {caller.role} role may not {permission.replace('.', ' ')}",
                            permission=permission)
        return caller

    return check
