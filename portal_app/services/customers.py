"""Finding customers in the mirror."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal_app.models.mirror_billing import MirrorSubscription
from portal_app.models.mirror_customer import MirrorCustomer

LIVE_STATUSES = ("active", "trialing", "past_due")


def customer_for_login(*, session: Session, email: str) -> MirrorCustomer | None:
    """The customer an email signs in as: among those sharing it, the newest one with a live
    subscription, else the newest one."""
    candidates = session.exec(
        select(MirrorCustomer)
        .where(
            func.lower(MirrorCustomer.email) == email.lower(),
            col(MirrorCustomer.deleted).is_(False),
        )
        .order_by(col(MirrorCustomer.created).desc())
    ).all()
    if not candidates:
        return None
    ids = [c.id for c in candidates]
    live = set(
        session.exec(
            select(MirrorSubscription.customer).where(
                col(MirrorSubscription.customer).in_(ids),
                col(MirrorSubscription.status).in_(LIVE_STATUSES),
            )
        ).all()
    )
    return next((c for c in candidates if c.id in live), candidates[0])
