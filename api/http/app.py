"""The FastAPI application: the contract's API, health checks and metrics.

Every error is ``application/problem+json`` with a stable ``code``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import ServiceError
from ..runtime import Runtime
from ..web.mount import mount_web
from . import ops, routes, rules

log = logging.getLogger("prereview.http")
PROBLEM = "application/problem+json"


def create_app(runtime: Runtime) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ops.resume_stalled(runtime)
        yield
        shutdown = getattr(runtime.dispatcher, "shutdown", None)
        if shutdown is not None:
            shutdown()

    app = FastAPI(title="prereview", version="1.0.0", lifespan=lifespan,
                  description="Loan pre-review (贷款预审): cases, documents, verdicts, reports.")
    app.state.runtime = runtime
    app.include_router(routes.router)
    app.include_router(ops.router)
    app.include_router(rules.router)
    mount_web(app)
    app.add_exception_handler(ServiceError, _service_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _internal_error)
    return app


async def _service_error(request: Request, err: ServiceError) -> JSONResponse:
    return JSONResponse(err.problem(request.url.path), status_code=err.status,
                        media_type=PROBLEM,
                        headers={"WWW-Authenticate": "Bearer"} if err.status == 401 else None)


async def _invalid_request(request: Request, err: RequestValidationError) -> JSONResponse:
    errors = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
              for e in err.errors()]
    body = {"type": "https://prereview.dev/problems/request.invalid", "title":
            "The request is not valid", "status": 422, "code": "request.invalid",
            "detail": "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            "errors": errors, "instance": request.url.path}
    return JSONResponse(body, status_code=422, media_type=PROBLEM)


async def _http_error(request: Request, err: HTTPException) -> JSONResponse:
    code = {404: "request.not_found", 405: "request.method_not_allowed"}.get(
        err.status_code, f"http.{err.status_code}")
    body = {"type": f"https://prereview.dev/problems/{code}", "title": str(err.detail),
            "status": err.status_code, "code": code, "detail": str(err.detail),
            "instance": request.url.path}
    return JSONResponse(body, status_code=err.status_code, media_type=PROBLEM)


async def _internal_error(request: Request, err: Exception) -> JSONResponse:
    log.error("request failed with %s", type(err).__name__, exc_info=False)
    body = {"type": "https://prereview.dev/problems/service.internal", "title":
            "Internal error", "status": 500, "code": "service.internal",
            "detail": "the request failed inside the service; nothing was lost, try again",
            "instance": request.url.path}
    return JSONResponse(body, status_code=500, media_type=PROBLEM)
