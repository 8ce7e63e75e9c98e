"""H2: a random secret key kept in the data directory, refused defaults, future-dated events."""
# ruff: noqa: S104  (the tests name the all-interfaces address on purpose)

import json
import stat
import sys
import time
from pathlib import Path

import httpx
import pytest

from portal_app.api import build_api
from portal_app.settings import (
    DEVELOPMENT_SECRET_KEY,
    SECRET_KEY_FILE,
    Settings,
    UnsafeToServe,
    get_settings,
    is_loopback,
)
from tests.billing.test_billing_webhooks import customer_event, post, stored_name


@pytest.fixture
def fresh_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_first_start_generates_a_private_key_that_later_starts_reuse(fresh_data: Path) -> None:
    first = Settings().secret_key.get_secret_value()
    path = fresh_data / SECRET_KEY_FILE
    assert len(first) >= 48 and first != DEVELOPMENT_SECRET_KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Settings().secret_key.get_secret_value() == first
    assert Settings().sandbox_api_key == Settings().sandbox_api_key


def test_two_installs_derive_different_sandbox_keys(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    keys = set()
    for name in ("one", "two"):
        monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / name))
        keys.add((Settings().sandbox_api_key, Settings().webhook_secret))
    assert len(keys) == 2


def test_the_environment_variable_overrides_the_stored_key(fresh_data: Path, monkeypatch) -> None:
    Settings()
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    assert Settings().secret_key.get_secret_value() == "x" * 40


def test_an_emptied_key_file_is_refused(fresh_data: Path) -> None:
    fresh_data.mkdir(parents=True)
    (fresh_data / SECRET_KEY_FILE).write_text("short\n")
    with pytest.raises(UnsafeToServe):
        Settings()


@pytest.mark.parametrize("weak", [DEVELOPMENT_SECRET_KEY, "test-secret-key"])
def test_a_weak_key_is_refused_beyond_loopback_or_with_a_real_stripe_key(
    weak: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTAL_SECRET_KEY", weak)
    settings = Settings()
    settings.check_safe_to_serve(host="127.0.0.1")
    settings.check_safe_to_serve(host="::1")
    for host in ("0.0.0.0", "192.168.1.5", "::", "portal.example.com"):
        with pytest.raises(UnsafeToServe, match="listen on"):
            settings.check_safe_to_serve(host=host)
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_real")
    with pytest.raises(UnsafeToServe, match="Stripe key"):
        Settings().check_safe_to_serve(host="127.0.0.1")


def test_a_generated_key_may_listen_publicly(fresh_data: Path) -> None:
    Settings().check_safe_to_serve(host="0.0.0.0")
    assert is_loopback("localhost") and is_loopback("127.0.0.2") and not is_loopback("0.0.0.0")


def test_the_app_refuses_to_start_with_the_development_key_on_all_interfaces(
    tmp_path: Path,
) -> None:
    import os
    import subprocess

    env = {
        **os.environ,
        "PORTAL_SECRET_KEY": DEVELOPMENT_SECRET_KEY,
        "REFLEX_BACKEND_HOST": "0.0.0.0",
        "PORTAL_DATA_DIR": str(tmp_path),
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import portal_app.portal_app"],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
        timeout=120,
    )
    assert done.returncode != 0 and "UnsafeToServe" in done.stderr


def test_start_script_binds_to_loopback_unless_told() -> None:
    script = (Path(__file__).resolve().parents[2] / "scripts" / "start.sh").read_text()
    assert 'HOST="${PORTAL_HOST:-127.0.0.1}"' in script
    assert '--backend-host "$HOST"' in script


async def test_a_future_dated_event_is_refused(
    db_tables: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_real_account")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_real_account")
    get_settings.cache_clear()
    try:
        await _post_future_events()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def _post_future_events() -> None:
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        event = customer_event("From the future")
        event["created"] = int(time.time()) + 3600
        response = await post(client, event)
        assert response.status_code == 400, response.text
        assert stored_name(event["data"]["object"]["id"]) is None
        event["created"] = int(time.time()) + 60  # within the tolerance: clock skew
        assert (await post(client, event)).status_code == 200
        missing = customer_event()
        del missing["created"]
        assert (await post(client, missing)).status_code == 400
        assert json.loads((await post(client, missing)).text)["error"]["type"]


async def test_in_sandbox_mode_a_live_event_dated_ahead_is_refused_a_test_clock_one_is_not(
    db_tables: None,
) -> None:
    """Test-mode objects on a test clock live at its time, which may be ahead of now; a live
    event never is."""
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        live = customer_event("Live from the future")
        live["created"] = int(time.time()) + 3600
        assert (await post(client, live)).status_code == 400
        assert stored_name(live["data"]["object"]["id"]) is None
        clocked = customer_event("On a test clock ahead")
        clocked["created"] = int(time.time()) + 3600
        clocked["livemode"] = False
        assert (await post(client, clocked)).status_code == 200
        assert stored_name(clocked["data"]["object"]["id"]) == "On a test clock ahead"
