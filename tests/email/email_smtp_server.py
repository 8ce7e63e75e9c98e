"""A real SMTP server for the email tests (aiosmtpd), and what it received."""

from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword
from aiosmtpd.smtp import Session as SmtpSession

SMTP_USER = "portal"
SMTP_PASSWORD = "smtp-secret"


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what arrives, refusing the next `refuse` messages."""

    refuse: int = 0
    received: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.received.append(envelope)
        return "250 OK"


@dataclass
class SmtpServer:
    recorder: Recorder
    port: int


def authenticate(
    server: SMTP, session: SmtpSession, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)
