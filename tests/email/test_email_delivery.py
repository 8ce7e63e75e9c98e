"""Delivery through a real SMTP server: parts, headers, branding, TLS, AUTH, retries, claims."""

import logging
import ssl
import threading
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from email_smtp_server import SMTP_USER, SmtpServer
from sqlmodel import Session, select

from portal_app.models import OutboxEmail
from portal_app.models.base import utcnow
from portal_app.services.email import configuration_brand, queue_email, queue_rendered
from portal_app.services.email_delivery import MAX_ATTEMPTS, DeliveryResult, retry_delay, send_now
from portal_app.services.email_templates import LOGIN_CODE, login_code
from tests.harness import free_port


def _queue_login_code(db: Session, to: str = "jane@example.com", code: str = "123456") -> str:
    brand = configuration_brand(session=db, configuration_id=None)
    message = queue_rendered(
        session=db,
        kind=LOGIN_CODE,
        to=to,
        email=login_code(brand=brand, code=code, valid_minutes=10),
        expires_at=utcnow() + timedelta(minutes=10),
    )
    assert message is not None
    db.commit()
    return message.id


def _parsed(server: SmtpServer, index: int = 0) -> EmailMessage:
    content = server.recorder.received[index].content
    assert isinstance(content, bytes)
    parsed = message_from_bytes(content, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _row(db: Session, message_id: str) -> OutboxEmail:
    db.expire_all()
    return db.exec(select(OutboxEmail).where(OutboxEmail.id == message_id)).one()


def test_sends_both_parts_from_the_merchant_in_its_brand(
    db: Session, start_smtp: Callable[..., SmtpServer]
) -> None:
    server = start_smtp()
    message_id = _queue_login_code(db)

    assert send_now() == DeliveryResult(sent=1)

    envelope = server.recorder.received[0]
    assert envelope.rcpt_tos == ["jane@example.com"]
    email = _parsed(server)
    assert email["To"] == "jane@example.com"
    # No sender saved yet: the business name and a no-reply address on the public host.
    assert email["From"] == '"Acme <Cloud>" <no-reply@127.0.0.1>'
    assert email["Subject"] == "Your Acme <Cloud> login code"
    text = email.get_body(("plain",))
    html = email.get_body(("html",))
    assert text is not None and html is not None
    assert "123456" in text.get_content() and "Acme <Cloud>" in text.get_content()
    html_content = html.get_content()
    assert "Acme &lt;Cloud&gt;" in html_content and "<Cloud>" not in html_content
    assert 'src="https://cdn.example.com/logo.png"' in html_content
    assert "123456" in html_content
    row = _row(db, message_id)
    assert (row.status, row.attempts, row.claim_token) == ("sent", 1, None)
    assert row.sent_at is not None


def test_uses_the_saved_sender(db: Session, start_smtp: Callable[..., SmtpServer]) -> None:
    from portal_app.services.email import update_email_settings

    server = start_smtp()
    update_email_settings(
        session=db,
        sender_name="Acme Billing",
        sender_address="billing@acme.example",
        send_subscription_updated=False,
        send_subscription_canceled=False,
        send_payment_method_updated=False,
    )
    queue_email(session=db, kind=LOGIN_CODE, to="a@example.com", subject="Hi", text="Plain only")
    db.commit()

    send_now()

    email = _parsed(server)
    assert email["From"] == "Acme Billing <billing@acme.example>"
    assert email["Message-ID"].endswith("@acme.example>")
    assert not email.is_multipart() and email.get_content().strip() == "Plain only"


def test_refusal_is_retried_with_backoff_then_sent(
    db: Session, start_smtp: Callable[..., SmtpServer], caplog: pytest.LogCaptureFixture
) -> None:
    server = start_smtp()
    server.recorder.refuse = 1
    message_id = _queue_login_code(db)

    with caplog.at_level(logging.WARNING, logger="portal_app.services.email_delivery"):
        assert send_now() == DeliveryResult(retrying=1)
    row = _row(db, message_id)
    assert (row.status, row.attempts) == ("queued", 1)
    assert "451" in row.last_error
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    # Not due again before the first backoff has passed.
    assert send_now() == DeliveryResult()
    assert send_now(now=utcnow() + retry_delay(1)) == DeliveryResult(sent=1)
    row = _row(db, message_id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert len(server.recorder.received) == 1


def test_backoff_doubles_from_a_minute_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() / 60 for n in range(1, 9)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
    ]


def test_a_server_that_always_refuses_ends_in_failed_and_keeps_the_row(
    db: Session, start_smtp: Callable[..., SmtpServer], caplog: pytest.LogCaptureFixture
) -> None:
    server = start_smtp()
    server.recorder.refuse = 1000
    message_id = queue_email(
        session=db, kind="subscription_updated", to="b@example.com", subject="S", text="T"
    ).id
    db.commit()

    moment = utcnow()
    with caplog.at_level(logging.WARNING):
        for _ in range(MAX_ATTEMPTS):
            send_now(now=moment)
            moment += timedelta(hours=2)
        assert send_now(now=moment) == DeliveryResult()

    row = _row(db, message_id)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert row.subject == "S" and row.text_body == "T"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "failed after 8 attempts" in caplog.records[-1].getMessage()


def test_an_unreachable_server_is_retried(
    db: Session, monkeypatch: pytest.MonkeyPatch, start_smtp: Callable[..., SmtpServer]
) -> None:
    from portal_app.settings import get_settings

    start_smtp()
    monkeypatch.setenv("PORTAL_SMTP_PORT", str(free_port()))
    get_settings.cache_clear()
    message_id = _queue_login_code(db)

    assert send_now() == DeliveryResult(retrying=1)
    assert "ConnectionRefusedError" in _row(db, message_id).last_error


def test_an_expired_login_code_is_not_sent(
    db: Session, start_smtp: Callable[..., SmtpServer]
) -> None:
    server = start_smtp()
    message_id = queue_email(
        session=db,
        kind=LOGIN_CODE,
        to="c@example.com",
        subject="Code",
        text="Code",
        expires_at=utcnow() - timedelta(seconds=1),
    ).id
    db.commit()

    assert send_now() == DeliveryResult(expired=1)
    assert _row(db, message_id).status == "expired"
    assert server.recorder.received == []


def test_auth_in_plain_text_only_when_tls_is_turned_off(
    db: Session, start_smtp: Callable[..., SmtpServer]
) -> None:
    server = start_smtp(auth=True, portal_tls=True, username=SMTP_USER)
    message_id = _queue_login_code(db)

    # The server offers no STARTTLS: the password is not sent in the clear.
    assert send_now() == DeliveryResult(retrying=1)
    assert "unencrypted" in _row(db, message_id).last_error

    server = start_smtp(auth=True, portal_tls=False, username=SMTP_USER)
    assert send_now(now=utcnow() + retry_delay(1)) == DeliveryResult(sent=1)
    assert len(server.recorder.received) == 1


def test_wrong_credentials_are_retried(db: Session, start_smtp: Callable[..., SmtpServer]) -> None:
    start_smtp(auth=True, portal_tls=False, username="someone-else")
    message_id = _queue_login_code(db)

    assert send_now() == DeliveryResult(retrying=1)
    assert "SMTPAuthenticationError" in _row(db, message_id).last_error


def test_starttls_and_auth(
    db: Session, start_smtp: Callable[..., SmtpServer], self_signed: ssl.SSLContext
) -> None:
    # The server requires STARTTLS before MAIL and AUTH, so a delivery proves both happened.
    server = start_smtp(auth=True, tls_context=self_signed, username=SMTP_USER)
    _queue_login_code(db)

    assert send_now() == DeliveryResult(sent=1)
    assert "123456" in str(_parsed(server).get_body(("plain",)).get_content())


def test_without_smtp_messages_stay_in_the_outbox(
    db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="portal_app.services.email"):
        message_id = _queue_login_code(db, code="654321")

    assert send_now() == DeliveryResult()
    assert _row(db, message_id).status == "queued"
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "login_code" in logged and "jane@example.com" in logged
    assert "654321" not in logged


def test_several_workers_never_send_a_message_twice(
    db: Session, start_smtp: Callable[..., SmtpServer]
) -> None:
    server = start_smtp()
    ids = {_queue_login_code(db, to=f"user{n}@example.com") for n in range(12)}
    results: list[DeliveryResult] = []

    def worker() -> None:
        results.append(send_now())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(r.sent for r in results) == 12
    recipients = [envelope.rcpt_tos[0] for envelope in server.recorder.received]
    assert sorted(recipients) == sorted(f"user{n}@example.com" for n in range(12))
    assert {_row(db, i).status for i in ids} == {"sent"}
