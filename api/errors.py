"""Errors the service answers with: each a class with a stable ``code`` and an HTTP
status, sent as ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    code = "service.error"
    status = 500
    title = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body = {"type": f"https://prereview.dev/problems/{self.code}", "title": self.title,
                "status": self.status, "code": self.code, "detail": self.detail, **self.extra}
        if instance:
            body["instance"] = instance
        return body


class Unauthorized(ServiceError):
    code, status, title = "auth.unauthorized", 401, "Missing or invalid API key"


class Forbidden(ServiceError):
    code, status, title = "auth.forbidden", 403, "The key's role may not do this"


class CaseNotFound(ServiceError):
    code, status, title = "case.not_found", 404, "No such case"


class CaseExists(ServiceError):
    code, status, title = "case.exists", 409, "A case with this id exists"


class CaseBusy(ServiceError):
    code, status, title = "case.busy", 409, "The case is being verified"


class VerdictNotReady(ServiceError):
    code, status, title = "verdict.not_ready", 404, "No verdict yet"


class InvalidApplication(ServiceError):
    code, status, title = "case.invalid_application", 422, "The application is not valid"


class NoFiles(ServiceError):
    code, status, title = "upload.no_files", 422, "No files in the request"


class UnsupportedType(ServiceError):
    code, status, title = "upload.unsupported_type", 415, "Not an image or a PDF"


class UploadTooLarge(ServiceError):
    code, status, title = "upload.too_large", 413, "The file is too large"


class NotReady(ServiceError):
    code, status, title = "service.not_ready", 503, "The service is not ready"
