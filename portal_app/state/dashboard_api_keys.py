"""The dashboard's API keys page: create (secret shown once), list, revoke."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec
from sqlmodel import Session

from portal_app.auth.api_keys import create_api_key, list_api_keys, revoke_api_key
from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import utc_moment
from portal_app.i18n.text import user_message
from portal_app.services.off_loop import in_session
from portal_app.state.dashboard_auth import current_merchant, merchant_only
from portal_app.state.i18n import locale_of


@dataclass
class ApiKeyRow:
    """A key as the list shows it: never the secret or its hash."""

    id: str
    name: str
    prefix: str
    created: str
    last_used: str
    revoked: bool


def _when(moment: datetime | None, locale: str) -> str:
    return utc_moment(moment, locale) if moment else gettext("Never", locale=locale)


def _key_rows(*, session: Session, merchant_id: str, locale: str) -> list[ApiKeyRow]:
    return [
        ApiKeyRow(
            id=row.id,
            name=row.name or gettext("Secret key", locale=locale),
            prefix=row.prefix + "…",
            created=_when(row.created, locale),
            last_used=_when(row.last_used_at, locale),
            revoked=row.revoked_at is not None,
        )
        for row in list_api_keys(session=session, merchant_id=merchant_id)
    ]


class DashboardApiKeysState(rx.State):
    """The merchant's keys and, right after creating one, its secret (once)."""

    keys: list[ApiKeyRow] = []
    new_secret: str = ""
    notice: str = ""

    @rx.var
    def has_keys(self) -> bool:
        """Whether the merchant has any key, live or revoked."""
        return bool(self.keys)

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load: the list; a secret shown earlier is gone for good."""
        merchant = current_merchant()
        self.new_secret = self.notice = ""
        locale = await locale_of(self)
        self.keys = await in_session(
            lambda db: _key_rows(session=db, merchant_id=merchant.id, locale=locale)
        )
        return None

    @rx.event
    @merchant_only
    async def create(self, form_data: dict[str, Any]) -> EventSpec | None:
        """A new secret key, shown this once."""
        merchant = current_merchant()
        name = form_data.get("name") if isinstance(form_data, dict) else None
        locale = await locale_of(self)

        def create(db: Session) -> tuple[str, list[ApiKeyRow]]:
            _row, secret = create_api_key(
                session=db, merchant_id=merchant.id, name=name if isinstance(name, str) else ""
            )
            return secret, _key_rows(session=db, merchant_id=merchant.id, locale=locale)

        try:
            self.new_secret, self.keys = await in_session(create)
        except ValueError as exc:
            self.new_secret = ""
            self.notice = user_message(exc, locale)
            return None
        self.notice = ""
        return None

    @rx.event
    @merchant_only
    async def dismiss_secret(self) -> None:
        """Hide the new secret (it cannot be shown again)."""
        self.new_secret = ""

    @rx.event
    @merchant_only
    async def revoke(self, key_id: str) -> EventSpec | None:
        """Revoke one of the merchant's own keys; requests with it fail from now on."""
        merchant = current_merchant()
        if not isinstance(key_id, str):
            return None
        locale = await locale_of(self)

        def revoke(db: Session) -> tuple[bool, list[ApiKeyRow]]:
            revoked = revoke_api_key(session=db, merchant_id=merchant.id, key_id=key_id)
            return revoked, _key_rows(session=db, merchant_id=merchant.id, locale=locale)

        revoked, self.keys = await in_session(revoke)
        self.notice = gettext("Key revoked.", locale=locale) if revoked else ""
        self.new_secret = ""
        return None
