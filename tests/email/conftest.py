"""Email fixtures: a clean outbox, a default configuration, and a real SMTP server (aiosmtpd)."""

import shutil
import ssl
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from email_smtp_server import SMTP_PASSWORD, Recorder, SmtpServer, authenticate
from sqlmodel import Session, delete

from portal_app.db import get_engine
from portal_app.models import EmailSettings, OutboxEmail, PortalConfiguration
from portal_app.settings import get_settings
from tests.harness import free_port


@pytest.fixture
def db(db_tables: None) -> Iterator[Session]:
    """An empty outbox and default settings, with a branded default configuration."""
    with Session(get_engine()) as session:
        _clear(session)
        config = PortalConfiguration(
            is_default=True,
            business_name="Acme <Cloud>",
            button_color="#aa3300",
            logo_url="https://cdn.example.com/logo.png",
        )
        session.add(config)
        session.commit()
        yield session
        session.rollback()
        _clear(session)
        session.exec(delete(PortalConfiguration).where(PortalConfiguration.id == config.id))  # type: ignore[call-overload]
        session.commit()


def _clear(session: Session) -> None:
    for table in (OutboxEmail, EmailSettings):
        session.exec(delete(table))  # type: ignore[call-overload]
    session.commit()


@pytest.fixture
def start_smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., SmtpServer]]:
    """Start an SMTP server on a free port and point the portal's settings at it."""
    controllers: list[Controller] = []

    def start(
        *,
        auth: bool = False,
        tls_context: ssl.SSLContext | None = None,
        portal_tls: bool = True,
        username: str | None = None,
    ) -> SmtpServer:
        recorder = Recorder()
        port = free_port()
        options: dict[str, Any] = {}
        if auth:
            options.update(authenticator=authenticate, auth_require_tls=tls_context is not None)
        if tls_context is not None:
            options.update(tls_context=tls_context, require_starttls=True)
        controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("PORTAL_SMTP_PORT", str(port))
        monkeypatch.setenv("PORTAL_SMTP_TLS", "true" if portal_tls else "false")
        if username is not None:
            monkeypatch.setenv("PORTAL_SMTP_USERNAME", username)
            monkeypatch.setenv("PORTAL_SMTP_PASSWORD", SMTP_PASSWORD)
        get_settings.cache_clear()
        return SmtpServer(recorder=recorder, port=port)

    yield start
    for controller in controllers:
        controller.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def self_signed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server TLS context with a fresh certificate for 127.0.0.1, trusted by the client.

    The `cryptography` package is not installed here, so the certificate comes from the
    `openssl` command; without it the STARTTLS case is skipped.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    # The portal verifies certificates with the default trust store; trust this one for the test.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
