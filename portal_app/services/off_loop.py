"""Synchronous database work from async code, without blocking the event loop."""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from portal_app.db import session_scope

T = TypeVar("T")


def _run(work: Callable[[Session], T]) -> T:
    with session_scope() as db:
        return work(db)


async def in_session(work: Callable[[Session], T]) -> T:
    """`work(db)` in one DB session (committed when it returns) in a worker thread."""
    return await asyncio.to_thread(_run, work)
