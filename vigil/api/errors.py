"""One JSON error shape for every failure: ``{"error": {"status", "code", "message"}}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError as DatabaseValueError
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException

from vigil.errors import TooManyRequestsError, VigilError, redact_paths


class ErrorDetail(BaseModel):
    """What went wrong, for people and programs."""

    status: int
    code: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


def error_response(status: int, code: str, message: str, headers: Any = None) -> JSONResponse:
    """A JSON error response in the one shape."""
    body = {"error": {"status": status, "code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


#: Documented error responses shared by every route.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in {
        400: "The request is impossible (bad value, unknown model).",
        401: "No valid credentials.",
        403: "Role or clearance too low.",
        404: "Not found, or hidden by clearance.",
        409: "Conflict: a duplicate or a stale version.",
        422: "The request does not validate.",
        429: "Too many attempts; wait the seconds in Retry-After.",
        503: "A backing service is unavailable.",
    }.items()
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}


def install(app: FastAPI) -> None:
    """Register handlers turning Vigil, validation and HTTP errors into the one shape."""

    @app.exception_handler(VigilError)
    async def _vigil(request: Request, err: VigilError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if err.status_code == 401 else None
        if isinstance(err, TooManyRequestsError):
            headers = {"Retry-After": str(err.retry_after)}
        settings = getattr(request.app.state, "settings", None)
        message = redact_paths(" ".join(str(err).split()), home=getattr(settings, "home", None))
        return error_response(err.status_code, err.code, message, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        parts = []
        for item in err.errors()[:5]:
            where = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
            parts.append(f"{where}: {item.get('msg', 'invalid')}")
        return error_response(422, "invalid_request", "; ".join(parts) or "invalid request")

    @app.exception_handler(HTTPException)
    async def _http(_: Request, err: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(err.status_code, "http_error")
        return error_response(err.status_code, code, str(err.detail), err.headers)

    @app.exception_handler(DatabaseValueError)
    async def _value(_: Request, err: DatabaseValueError) -> JSONResponse:
        reason = redact_paths(str(err.orig).splitlines()[0]) if err.orig else "invalid value"
        return error_response(422, "invalid_value", f"the database refused a value: {reason}")

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, err: IntegrityError) -> JSONResponse:
        return error_response(409, "conflict", "the change collides with existing data; retry")

    @app.exception_handler(OperationalError)
    async def _database(_: Request, err: OperationalError) -> JSONResponse:
        return error_response(
            503, "database_unavailable", "the database is busy or unreachable; retry"
        )
