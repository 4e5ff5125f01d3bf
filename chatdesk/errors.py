"""The one error type views and services raise, and its wire shape (docs/api.md, Conventions)."""

from __future__ import annotations

from http import HTTPStatus

import orjson

# Status -> code for errors that carry no code of their own (Starlette's 404/405, for one).
DEFAULT_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the client should see: status, snake_case code, human sentence."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or DEFAULT_CODES.get(status, HTTPStatus(status).phrase.lower().replace(" ", "_"))
        self.message = message
        self.fields = fields
        self.headers = headers or {}

    def body(self, request_id: str | None = None) -> bytes:
        """The JSON body: `{"error": {"code", "message", "fields"?, "request_id"?}}`."""
        error: dict[str, object] = {"code": self.code, "message": self.message}
        if self.fields is not None:
            error["fields"] = self.fields
        if request_id is not None:
            error["request_id"] = request_id
        return orjson.dumps({"error": error})


def not_found(what: str = "resource") -> ApiError:
    """404 for things that don't exist and for things the caller may not know exist."""
    return ApiError(404, f"No such {what}.")


def forbidden(message: str = "You may not do this.") -> ApiError:
    return ApiError(403, message)


def unauthorized(message: str = "Sign in first.") -> ApiError:
    return ApiError(401, message)


def rate_limited(retry_after_s: int, message: str = "Too many requests; try again later.") -> ApiError:
    return ApiError(429, message, headers={"Retry-After": str(max(1, retry_after_s))})


def unavailable(retry_after_s: int, message: str = "This is briefly unavailable; try again in a moment.") -> ApiError:
    return ApiError(503, message, headers={"Retry-After": str(max(1, retry_after_s))})
