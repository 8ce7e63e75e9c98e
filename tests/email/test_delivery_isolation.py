"""M5: one message that cannot be sent is marked failed; the others still go."""

from collections.abc import Callable

from email_smtp_server import SmtpServer
from sqlmodel import Session

from portal_app.models.email import OutboxEmail
from portal_app.services.email import queue_email
from portal_app.services.email_delivery import DeliveryResult, send_now


def test_a_broken_header_fails_alone_and_the_next_message_is_sent(
    db: Session, start_smtp: Callable[..., SmtpServer]
) -> None:
    server = start_smtp()
    # Written before names were checked: a line break would inject a header.
    broken = queue_email(
        session=db,
        kind="login_code",
        to="first@example.com",
        subject="Your Evil\r\nBcc: all@example.com login code",
        text="111111",
    )
    fine = queue_email(
        session=db, kind="login_code", to="second@example.com", subject="Hello", text="222222"
    )
    db.commit()

    assert send_now() == DeliveryResult(sent=1, failed=1)

    db.expire_all()
    failed = db.get(OutboxEmail, broken.id)
    assert failed is not None and failed.status == "failed" and failed.last_error
    sent = db.get(OutboxEmail, fine.id)
    assert sent is not None and sent.status == "sent"
    assert [e.rcpt_tos for e in server.recorder.received] == [["second@example.com"]]
    # Nothing is retried: the next pass has nothing to do.
    assert send_now() == DeliveryResult()
