"""The dashboard's API keys page: create (secret shown once), list, revoke."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import reflex as rx
from reflex_base.event import EventSpec

from portal_app.auth.api_keys import create_api_key, list_api_keys, revoke_api_key
from portal_app.db import session_scope
from portal_app.i18n.catalog import gettext
from portal_app.i18n.format import utc_moment
from portal_app.i18n.text import user_message
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


class DashboardApiKeysState(rx.State):
    """The merchant's keys and, right after creating one, its secret (once)."""

    keys: list[ApiKeyRow] = []
    new_secret: str = ""
    notice: str = ""

    @rx.var
    def has_keys(self) -> bool:
        """Whether the merchant has any key, live or revoked."""
        return bool(self.keys)

    async def _reload(self, merchant_id: str) -> None:
        locale = await locale_of(self)
        with session_scope() as session:
            rows = list_api_keys(session=session, merchant_id=merchant_id)
            self.keys = [
                ApiKeyRow(
                    id=row.id,
                    name=row.name or gettext("Secret key", locale=locale),
                    prefix=row.prefix + "…",
                    created=_when(row.created, locale),
                    last_used=_when(row.last_used_at, locale),
                    revoked=row.revoked_at is not None,
                )
                for row in rows
            ]

    @rx.event
    @merchant_only
    async def load(self) -> EventSpec | None:
        """Page load: the list; a secret shown earlier is gone for good."""
        merchant = current_merchant()
        self.new_secret = self.notice = ""
        await self._reload(merchant.id)
        return None

    @rx.event
    @merchant_only
    async def create(self, form_data: dict[str, Any]) -> EventSpec | None:
        """A new secret key, shown this once."""
        merchant = current_merchant()
        name = form_data.get("name") if isinstance(form_data, dict) else None
        try:
            with session_scope() as session:
                _row, secret = create_api_key(
                    session=session,
                    merchant_id=merchant.id,
                    name=name if isinstance(name, str) else "",
                )
        except ValueError as exc:
            self.new_secret = ""
            self.notice = user_message(exc, await locale_of(self))
            return None
        self.new_secret = secret
        self.notice = ""
        await self._reload(merchant.id)
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
        with session_scope() as session:
            revoked = revoke_api_key(session=session, merchant_id=merchant.id, key_id=key_id)
        self.notice = gettext("Key revoked.", locale=await locale_of(self)) if revoked else ""
        self.new_secret = ""
        await self._reload(merchant.id)
        return None
