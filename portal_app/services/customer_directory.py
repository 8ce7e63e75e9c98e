"""Finding customers in the mirror by email or name, for the merchant dashboard."""

from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from portal_app.models.mirror_customer import MirrorCustomer

MAX_QUERY = 200


@dataclass(frozen=True)
class CustomerSummary:
    """What the dashboard lists about a customer."""

    id: str
    name: str
    email: str


def search_customers(*, session: Session, query: str, limit: int = 20) -> list[CustomerSummary]:
    """Customers whose email, name or id contains the query (case-insensitive)."""
    text = query.strip()[:MAX_QUERY]
    statement = select(MirrorCustomer).where(col(MirrorCustomer.deleted).is_(False))
    if text:
        # LIKE wildcards in the query are matched literally.
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        statement = statement.where(
            or_(
                col(MirrorCustomer.email).ilike(pattern, escape="\\"),
                col(MirrorCustomer.name).ilike(pattern, escape="\\"),
                col(MirrorCustomer.id) == text,
            )
        )
    rows = session.exec(statement.order_by(col(MirrorCustomer.email)).limit(limit))
    return [CustomerSummary(id=c.id, name=c.name or "", email=c.email or "") for c in rows]
