"""The tab's language: chosen from the portal session, the customer, the browser, or by hand."""

import json
from typing import Any

import reflex as rx

from portal_app.i18n import locales
from portal_app.i18n.catalog import gettext, ui_messages
from portal_app.services.billing_details import TAX_ID_TYPES, countries
from portal_app.services.tax_codes import tax_code_options

# Pages whose loaders make text on the server (rows, labels): route → the loader to re-run
# when the language changes, so that text follows the switch without a page reload.
_RELOAD_ON_SWITCH: dict[str, Any] = {}


async def locale_of(state: rx.State) -> str:
    """The tab's locale, for the text a handler makes (notices, errors)."""
    return (await state.get_state(I18nState)).locale


def reload_on_switch(route: str, loader: Any) -> None:
    """Re-run `loader` on `route` (which may have `[name]` segments) after the customer or
    merchant picks another language."""
    _RELOAD_ON_SWITCH[route.rstrip("/") or "/"] = loader


def _loader_for(path: str) -> Any:
    """The loader registered for the route that matches `path`, if any."""
    parts = (path.rstrip("/") or "/").split("/")
    for route, loader in _RELOAD_ON_SWITCH.items():
        pattern = route.split("/")
        if len(pattern) != len(parts):
            continue
        pairs = zip(pattern, parts, strict=True)
        if all(p == q or (p.startswith("[") and p.endswith("]")) for p, q in pairs):
            return loader
    return None


class I18nState(rx.State):
    """`messages` is the UI catalogue of `locale`, sent to the browser once per change."""

    locale: str = locales.DEFAULT
    messages: dict[str, str] = ui_messages(locales.DEFAULT)
    _chosen: bool = False  # the customer picked a language: later detection keeps it

    @rx.var
    def lang(self) -> str:
        """The locale as an HTML `lang` value."""
        return locales.html_lang(self.locale)

    @rx.var
    def options(self) -> list[tuple[str, str, str]]:
        """Every shipped language, named in itself."""
        return locales.OPTIONS

    @rx.var
    def countries(self) -> list[tuple[str, str]]:
        """(code, name) of every country, named and sorted in the current language."""
        return countries(self.locale)

    @rx.var
    def tax_id_kinds(self) -> list[tuple[str, str]]:
        """(type, label) of the tax IDs the portal can check, in the current language."""
        return [
            (kind, gettext(label, locale=self.locale)) for kind, (label, _) in TAX_ID_TYPES.items()
        ]

    @rx.var
    def tax_codes(self) -> list[tuple[str, str]]:
        """(code, label) of the product tax codes the dashboard offers, in the current language."""
        return tax_code_options(self.locale)

    @rx.event
    async def detect(self):
        """On every page: the browser's language until something more specific is known."""
        if self._chosen:
            return await self._apply(self.locale)
        header = self.router.headers.accept_language
        return await self._apply(locales.first_match(locales.parse_accept_language(header)))

    async def settle(self, *, session_locale: str | None, preferred: list[str]):
        """Use the signed-in customer's locale (their own choice in this tab wins)."""
        return await self._apply(
            self.settled_locale(session_locale=session_locale, preferred=preferred)
        )

    def settled_locale(self, *, session_locale: str | None, preferred: list[str]) -> str:
        """The locale `settle` applies; changes nothing, so a worker thread may ask it."""
        if self._chosen:
            return self.locale or locales.DEFAULT
        chosen = locales.choose(
            session_locale=session_locale,
            preferred=preferred,
            accept_language=self.router.headers.accept_language,
        )
        return chosen or locales.DEFAULT

    def forget_choice(self) -> None:
        """A new portal session starts with its own language."""
        self._chosen = False

    @rx.event
    async def switch(self, locale: str):
        """The customer picks a language; the portal's server-made text follows."""
        found = locales.match(locale) if isinstance(locale, str) else None
        if found is None:
            return None
        self._chosen = True
        script = await self._apply(found)
        loader = _loader_for(str(self.router.url.path))
        return script if loader is None else [script, loader]

    async def _apply(self, locale: str | None):
        """Switch to `locale` (the catalogue is only sent when it changes)."""
        locale = locale or locales.DEFAULT
        if locale != self.locale:
            self.locale = locale
            self.messages = dict(ui_messages(locale))
        # Reflex writes <html lang> once at build time; this keeps it true for screen readers.
        lang = json.dumps(locales.html_lang(locale))
        return rx.call_script(f"document.documentElement.lang = {lang}")
