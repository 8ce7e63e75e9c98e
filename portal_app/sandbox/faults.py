"""Injected faults: 429, 500 or a timeout for matching requests, before anything is written."""

import secrets
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, delete, select

from portal_app.sandbox.errors import invalid_request
from portal_app.sandbox.models import SandboxFault
from portal_app.sandbox.params import get_float, get_int, get_str

MODES = ("429", "500", "timeout")


def add_fault(session: Session, params: dict[str, Any]) -> dict[str, Any]:
    """Register a fault from `mode`, `count` or `rate`, `path_prefix` and `delay_ms`."""
    mode = get_str(params, "mode")
    if mode not in MODES:
        raise invalid_request(f"mode must be one of {', '.join(MODES)}", param="mode")
    count = get_int(params, "count")
    rate = get_float(params, "rate")
    if count is None and rate is None:
        count = 1
    if rate is not None and not 0 < rate <= 1:
        raise invalid_request("rate must be in (0, 1]", param="rate")
    prefix = get_str(params, "path_prefix") or "/v1/"
    if not prefix.startswith("/"):
        prefix = "/" + prefix
    fault = SandboxFault(
        mode=mode,
        path_prefix=prefix,
        remaining=count if rate is None else None,
        rate=rate,
        delay_ms=get_int(params, "delay_ms", 5000) or 0,
    )
    session.add(fault)
    session.commit()
    return _render(fault)


def clear_faults(session: Session) -> dict[str, Any]:
    """Remove every injected fault."""
    session.exec(delete(SandboxFault))
    session.commit()
    return {"object": "list", "data": [], "has_more": False, "url": "/v1/test_helpers/faults"}


def list_faults(session: Session) -> dict[str, Any]:
    """The faults still armed."""
    rows = session.exec(select(SandboxFault).order_by(col(SandboxFault.id)))
    data = [_render(f) for f in rows]
    return {"object": "list", "data": data, "has_more": False, "url": "/v1/test_helpers/faults"}


def take_fault(session: Session, path: str) -> dict[str, Any] | None:
    """The fault that fires for this request, if any (a counted fault is used up atomically)."""
    faults = [_render(f) for f in session.exec(select(SandboxFault).order_by(col(SandboxFault.id)))]
    for fault in faults:
        if not path.startswith(fault["path_prefix"]):
            continue
        if fault["rate"] is not None:
            if secrets.randbelow(1_000_000) < fault["rate"] * 1_000_000:
                return fault
            continue
        # A conditional decrement: two workers can never both use the last count.
        result = session.execute(
            update(SandboxFault)
            .where(col(SandboxFault.id) == fault["id"], col(SandboxFault.remaining) > 0)
            .values(remaining=col(SandboxFault.remaining) - 1)
        )
        session.commit()
        if result.rowcount == 1:  # type: ignore[attr-defined]
            session.execute(
                delete(SandboxFault).where(
                    col(SandboxFault.id) == fault["id"], col(SandboxFault.remaining) <= 0
                )
            )
            session.commit()
            return fault
    return None


def _render(fault: SandboxFault) -> dict[str, Any]:
    return {
        "id": fault.id,
        "object": "test_helpers.fault",
        "mode": fault.mode,
        "path_prefix": fault.path_prefix,
        "remaining": fault.remaining,
        "rate": fault.rate,
        "delay_ms": fault.delay_ms,
    }
