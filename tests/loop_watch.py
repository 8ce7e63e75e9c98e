"""Catching database calls made on the event loop (issue 14).

Every SQL statement on the portal's engine is made slow, and the loop runs in asyncio's
debug mode, which logs each callback that holds the loop longer than
`slow_callback_duration`. A database call made on the loop holds it for at least one
statement's wait, so it shows up as a slow callback; one made in a worker thread does not.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import event

from portal_app.db import get_engine

# Each statement waits this long; a callback holding the loop as long is reported.
STATEMENT_WAIT = 0.08


@asynccontextmanager
async def blocking_calls(caplog: pytest.LogCaptureFixture) -> AsyncIterator[list[str]]:
    """Yields the slow-callback warnings logged while the block runs (filled on exit), with
    every SQL statement made slow meanwhile."""
    loop = asyncio.get_running_loop()
    was = loop.get_debug(), loop.slow_callback_duration
    loop.set_debug(True)
    loop.slow_callback_duration = STATEMENT_WAIT
    caplog.set_level(logging.WARNING, logger="asyncio")
    caplog.clear()
    found: list[str] = []

    def wait(*_args: Any) -> None:
        time.sleep(STATEMENT_WAIT)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", wait)
    # The loop times a step only if debug was on when the step began: start a new one.
    await asyncio.sleep(0)
    try:
        yield found
        await asyncio.sleep(0)  # end the block's last step, so the loop times it too
    finally:
        event.remove(engine, "before_cursor_execute", wait)
        loop.set_debug(was[0])
        loop.slow_callback_duration = was[1]
        found += [
            r.getMessage()
            for r in caplog.records
            if r.name == "asyncio" and r.getMessage().startswith("Executing")
        ]
