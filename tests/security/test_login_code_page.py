"""M2, L2, L3: the login page's handlers against the real database, as a browser calls them."""

import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from reflex.state import State
from sqlmodel import Session, col, select

from portal_app.auth import rate_limit
from portal_app.db import get_engine
from portal_app.models import LoginCode, OutboxEmail
from portal_app.services import login_codes
from portal_app.state.customer_session import CustomerSessionState
from portal_app.state.login import SEND_ANSWER_SECONDS, LoginState
from tests import factories
from tests.support import substate

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def known(db_tables: None) -> Iterator[dict[str, str]]:
    """A configuration with a login link and a customer with a fresh email."""
    rate_limit.reset()
    email = f"tries-{secrets.token_hex(4)}@example.com"
    with Session(get_engine()) as db:
        config = factories.configuration(db)
        factories.mirror_customer(db, email=email, created=datetime.now(UTC))
        db.commit()
        yield {"configuration": config.id, "email": email}


def _page() -> Any:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    return substate(root, LoginState)


def _code(email: str) -> str:
    with Session(get_engine()) as db:
        message = db.exec(
            select(OutboxEmail)
            .where(OutboxEmail.to_address == email)
            .order_by(col(OutboxEmail.created).desc())
        ).first()
        assert message is not None
        found = re.search(r"\b\d{6}\b", message.text_body)
        assert found is not None
        return found.group()


async def test_five_wrong_codes_void_the_code_through_the_page(known: dict[str, str]) -> None:
    page = _page()
    page._configuration_id = known["configuration"]
    await LoginState.send_code.fn(page, {"email": known["email"]})
    assert page.step == "code" and page.email_error == ""
    right = _code(known["email"])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(login_codes.MAX_WRONG_TRIES):
        assert await LoginState.verify.fn(page, {"code": wrong}) is None
        assert "incorrect" in page.code_error
    with Session(get_engine()) as db:
        row = db.exec(select(LoginCode).where(LoginCode.email == known["email"])).one()
        assert row.failed_attempts == login_codes.MAX_WRONG_TRIES
    assert await LoginState.verify.fn(page, {"code": right}) is None
    assert "incorrect" in page.code_error
    customer = substate(page.parent_state, CustomerSessionState)
    assert customer._session_id == ""


async def test_the_right_code_after_fewer_wrong_tries_signs_in(known: dict[str, str]) -> None:
    page = _page()
    page._configuration_id = known["configuration"]
    await LoginState.send_code.fn(page, {"email": known["email"]})
    right = _code(known["email"])
    await LoginState.verify.fn(page, {"code": f"{(int(right) + 7) % 1_000_000:06d}"})
    assert "/portal" in str(await LoginState.verify.fn(page, {"code": right}))


async def test_known_and_unknown_emails_do_the_same_work_and_answer_alike(
    known: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    real = login_codes.login_code_email

    def counting(**kwargs: Any) -> Any:
        rendered.append(kwargs["code"])
        return real(**kwargs)

    monkeypatch.setattr(login_codes, "login_code_email", counting)
    timings = []
    for email in (known["email"], f"nobody-{secrets.token_hex(4)}@example.com"):
        page = _page()
        page._configuration_id = known["configuration"]
        started = time.monotonic()
        await LoginState.send_code.fn(page, {"email": email})
        timings.append(time.monotonic() - started)
        assert page.step == "code" and page.notice.startswith(f"If {email} has an account")
    assert len(rendered) == 2
    assert all(SEND_ANSWER_SECONDS <= t < SEND_ANSWER_SECONDS + 0.3 for t in timings), timings


def test_trusted_proxy_hops_pick_the_client_from_x_forwarded_for() -> None:
    probe = (
        "from reflex.app import EventNamespace\n"
        "from reflex_base.config import get_config\n"
        "print(get_config().trusted_proxy_hops)\n"
        "environ = {'asgi.scope': {'client': ('10.0.0.1', 1),"
        " 'headers': [(b'x-forwarded-for', b'6.6.6.6, 203.0.113.9')]}}\n"
        "data = EventNamespace._build_static_router_data(None, 'sid', environ)\n"
        "print(data['ip'])\n"
    )
    outputs = []
    for hops in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env={**__import__("os").environ, "PORTAL_TRUSTED_PROXY_HOPS": hops},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        outputs.append(done.stdout.split())
    assert outputs == [["0", "10.0.0.1"], ["1", "203.0.113.9"]]
