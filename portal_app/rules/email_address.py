"""One rule for an email address a person types: valid syntax, normalised, refused in words.

`email-validator` decides; its own reasons are English only, so the reason shown is chosen
from the shape of what was typed, never from the validator's message.
"""

from email_validator import EmailNotValidError, validate_email

from portal_app.i18n.text import Text
from portal_app.rules.text import has_control_characters


class EmailAddressInvalid(ValueError):
    """The address was refused; `reason` says why, translatable."""

    def __init__(self, reason: Text) -> None:
        super().__init__(reason)
        self.reason = reason


def email_address(raw: str) -> str:
    """The address in email-validator's normalised form (no deliverability check)."""
    text = raw.strip()
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise EmailAddressInvalid(_why(text)) from exc


def _why(text: str) -> Text:
    local, at, domain = text.rpartition("@")
    if not text:
        return Text("it is empty")
    if not at:
        return Text("it has no @")
    if not local:
        return Text("nothing comes before the @")
    if not domain:
        return Text("nothing comes after the @")
    if has_control_characters(text) or any(character.isspace() for character in text):
        return Text("it contains spaces or invisible characters")
    if "." not in domain.strip("."):
        return Text("the part after the @ is not a domain name like example.com")
    return Text("it contains characters an email address cannot have")
