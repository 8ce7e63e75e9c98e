"""Stripe's error JSON and status codes, raised as one exception type by every endpoint."""

from typing import Any


class ApiError(Exception):
    """An error answered as `{"error": {...}}`; `keep_changes` commits writes made before it."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        decline_code: str | None = None,
        keep_changes: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code
        self.param = param
        self.decline_code = decline_code
        self.keep_changes = keep_changes
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """The JSON body Stripe sends for this error."""
        error: dict[str, Any] = {
            "type": self.type,
            "code": self.code,
            "message": self.message,
            "param": self.param,
            "decline_code": self.decline_code,
            **self.extra,
        }
        return {"error": error}


def invalid_request(message: str, *, param: str | None = None, code: str | None = None) -> ApiError:
    """400 invalid_request_error."""
    return ApiError(400, "invalid_request_error", message, code=code, param=param)


def not_found(kind: str, object_id: str, param: str = "id") -> ApiError:
    """404 resource_missing, worded like Stripe."""
    return ApiError(
        404,
        "invalid_request_error",
        f"No such {kind}: '{object_id}'",
        code="resource_missing",
        param=param,
    )


def card_error(
    message: str,
    *,
    code: str,
    decline_code: str | None = None,
    param: str | None = None,
    keep_changes: bool = False,
    extra: dict[str, Any] | None = None,
) -> ApiError:
    """402 card_error (declines, bad numbers, past expiry)."""
    return ApiError(
        402,
        "card_error",
        message,
        code=code,
        decline_code=decline_code,
        param=param,
        keep_changes=keep_changes,
        extra=extra,
    )


def unauthorized(presented: str | None) -> ApiError:
    """401 for a missing or wrong API key."""
    if not presented:
        message = "You did not provide an API key."
    else:
        message = f"Invalid API Key provided: {presented[:8]}{'*' * 8}{presented[-4:]}"
    return ApiError(401, "invalid_request_error", message)


def idempotency_mismatch(key: str) -> ApiError:
    """400 idempotency_error: a key reused with different parameters."""
    return ApiError(
        400,
        "idempotency_error",
        "Keys for idempotent requests can only be used with the same parameters they were "
        f"first used with. Try using a key other than '{key}' if you meant to execute a "
        "different request.",
    )


def rate_limited() -> ApiError:
    """429 rate_limit (an injected fault)."""
    return ApiError(
        429,
        "invalid_request_error",
        "Too many requests hit the API too quickly.",
        code="rate_limit",
    )


def api_error(message: str = "An unknown error occurred (injected fault).") -> ApiError:
    """500 api_error (an injected fault)."""
    return ApiError(500, "api_error", message)
