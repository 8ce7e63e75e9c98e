"""Portal configurations stored: create, update, read, list, the default, the login link.

What a change may hold is checked by `configuration_document`; what is answered is a
`configuration_views.ConfigurationView`.
"""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from portal_app.i18n.text import Text
from portal_app.models.configuration import PortalConfiguration
from portal_app.models.mirror_catalog import MirrorPrice
from portal_app.services.configuration_document import (
    ConfigurationError,
    PriceFacts,
    PriceLookup,
    apply_document,
    document_of,
    keep_product_settings,
    merge,
    products_of,
)
from portal_app.services.configuration_views import ConfigurationView, view_of


def mirror_price_facts(session: Session, price_ids: Sequence[str]) -> dict[str, PriceFacts]:
    """Interval and currency of the recurring, live prices among `price_ids`, from the mirror."""
    statement = select(MirrorPrice).where(
        col(MirrorPrice.id).in_(list(price_ids)), col(MirrorPrice.deleted).is_(False)
    )
    return {
        price.id: PriceFacts(
            product=price.product,
            interval=price.recurring_interval,
            interval_count=price.recurring_interval_count or 1,
            currency=price.currency,
        )
        for price in session.exec(statement)
        if price.recurring_interval
    }


def _facts_for(
    session: Session, document: Mapping[str, Any], price_lookup: PriceLookup | None
) -> Mapping[str, PriceFacts] | None:
    if price_lookup is None:
        return None
    ids = [
        price
        for entry in products_of(document) or []
        if isinstance(entry, Mapping)
        for price in entry.get("prices") or []
        if isinstance(price, str)
    ]
    return price_lookup(session, ids) if ids else {}


def default_configuration(*, session: Session) -> PortalConfiguration | None:
    """The configuration portal sessions use when none is named."""
    statement = select(PortalConfiguration).where(col(PortalConfiguration.is_default).is_(True))
    return session.exec(statement).first()


def create_configuration(
    *,
    session: Session,
    fields: Mapping[str, Any],
    price_lookup: PriceLookup | None = mirror_price_facts,
    now: datetime | None = None,
) -> ConfigurationView:
    """A new configuration; the first one becomes the default.

    Without `business_name` the default configuration's is used, so a plain Stripe client
    (which knows nothing of the portal's branding) can still create configurations.
    """
    now = now or datetime.now(UTC)
    current_default = default_configuration(session=session)
    document: dict[str, Any] = {"features": {}}
    if current_default is not None:
        document["business_name"] = current_default.business_name
    document = merge(document, fields)
    config = PortalConfiguration(
        business_name="", is_default=current_default is None, created=now, updated=now
    )
    apply_document(config, document, facts=_facts_for(session, document, price_lookup))
    session.add(config)
    session.flush()
    return view_of(config)


def update_configuration(
    *,
    session: Session,
    configuration_id: str,
    fields: Mapping[str, Any],
    price_lookup: PriceLookup | None = mirror_price_facts,
    now: datetime | None = None,
) -> ConfigurationView:
    """Apply a partial update (nested objects merge, as in Stripe's API)."""
    config = get_configuration_row(session=session, configuration_id=configuration_id)
    before = document_of(config)
    document = keep_product_settings(before, merge(before, fields))
    # Only a changed product list is re-checked: an archived price must not block other edits.
    products_changed = products_of(document) != products_of(before)
    facts = _facts_for(session, document, price_lookup) if products_changed else None
    apply_document(config, document, facts=facts)
    config.updated = now or datetime.now(UTC)
    session.add(config)
    session.flush()
    return view_of(config)


def get_configuration_row(*, session: Session, configuration_id: str) -> PortalConfiguration:
    """The stored configuration, or ConfigurationError naming `configuration`."""
    config = session.get(PortalConfiguration, configuration_id) if configuration_id else None
    if config is None:
        raise ConfigurationError(
            Text("No such configuration: '{configuration}'", configuration=configuration_id),
            "configuration",
            code="resource_missing",
        )
    return config


def get_configuration(*, session: Session, configuration_id: str) -> ConfigurationView:
    """The typed view of one configuration."""
    return view_of(get_configuration_row(session=session, configuration_id=configuration_id))


def list_configurations(
    *,
    session: Session,
    limit: int = 10,
    starting_after: str | None = None,
    ending_before: str | None = None,
    is_default: bool | None = None,
    active: bool | None = None,
) -> tuple[list[ConfigurationView], bool]:
    """A page of configurations, newest first, and whether more follow (Stripe's cursors)."""
    statement = select(PortalConfiguration)
    if is_default is not None:
        statement = statement.where(col(PortalConfiguration.is_default).is_(is_default))
    if active is not None:
        statement = statement.where(col(PortalConfiguration.active).is_(active))
    created, ident = col(PortalConfiguration.created), col(PortalConfiguration.id)
    if starting_after:
        anchor = get_configuration_row(session=session, configuration_id=starting_after)
        statement = statement.where(
            (created < anchor.created) | ((created == anchor.created) & (ident < anchor.id))
        )
    elif ending_before:
        anchor = get_configuration_row(session=session, configuration_id=ending_before)
        statement = statement.where(
            (created > anchor.created) | ((created == anchor.created) & (ident > anchor.id))
        )
        rows = list(session.exec(statement.order_by(created, ident).limit(limit + 1)))
        has_more = len(rows) > limit
        return [view_of(row) for row in reversed(rows[:limit])], has_more
    rows = list(session.exec(statement.order_by(created.desc(), ident.desc()).limit(limit + 1)))
    return [view_of(row) for row in rows[:limit]], len(rows) > limit


def make_default(
    *, session: Session, configuration_id: str, now: datetime | None = None
) -> ConfigurationView:
    """Make this active configuration the default; the previous default stops being one."""
    config = get_configuration_row(session=session, configuration_id=configuration_id)
    if not config.active:
        raise ConfigurationError(
            Text("Activate the configuration before making it the default."), "active"
        )
    for other in session.exec(
        select(PortalConfiguration).where(col(PortalConfiguration.is_default).is_(True))
    ):
        if other.id != config.id:
            other.is_default = False
            session.add(other)
    session.flush()
    config.is_default = True
    config.updated = now or datetime.now(UTC)
    session.add(config)
    session.flush()
    return view_of(config)


def set_login_link(*, session: Session, enabled: bool) -> ConfigurationView:
    """Turn the default configuration's no-code login link on or off (takes effect at once)."""
    config = default_configuration(session=session)
    if config is None:
        raise ConfigurationError(Text("Create a portal configuration first."), "configuration")
    return update_configuration(
        session=session, configuration_id=config.id, fields={"login_page": {"enabled": enabled}}
    )


def configuration_for_login_token(*, session: Session, token: str) -> PortalConfiguration | None:
    """The active configuration whose enabled login link carries this token, else None."""
    if not token or len(token) > 128:
        return None
    config = session.exec(
        select(PortalConfiguration).where(PortalConfiguration.login_page_token == token)
    ).first()
    if config is None or not config.active or not config.login_page_enabled:
        return None
    return config
