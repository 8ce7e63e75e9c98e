"""Persistence of sandbox objects: one JSON document per Stripe object, plus list queries."""

import copy
import secrets
import string
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from portal_app.sandbox.errors import invalid_request, not_found
from portal_app.sandbox.models import SandboxObject, SandboxState

_ALPHABET = string.ascii_letters + string.digits
_INDEXES = ("customer", "parent", "status", "lookup", "active", "due_at")

# Words Stripe uses in "No such ..." messages, by object type.
KIND_NAMES = {
    "customer": "customer",
    "price": "price",
    "product": "product",
    "subscription": "subscription",
    "subscription_schedule": "subscription schedule",
    "invoice": "invoice",
    "invoiceitem": "invoiceitem",
    "payment_method": "PaymentMethod",
    "setup_intent": "setupintent",
    "payment_intent": "payment_intent",
    "coupon": "coupon",
    "promotion_code": "promotion code",
    "tax_id": "tax id",
    "discount": "discount",
}


def random_token(length: int) -> str:
    """Random letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_object_id(prefix: str) -> str:
    """A Stripe-looking id such as `cus_Q3xk9...` (prefix, underscore, 16 random letters/digits)."""
    return f"{prefix}_{random_token(16)}"


class Store:
    """Reads and writes sandbox objects within one database session (one API request)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_for_write(self) -> None:
        """Serialise sandbox writes across threads and worker processes for this transaction."""
        if self.session.get_bind().dialect.name == "sqlite":
            # Take SQLite's write lock up front: upgrading a read lock later can fail at once.
            self.session.connection().exec_driver_sql("BEGIN IMMEDIATE")
            return
        # Every worker locks the same row, so sandbox writes happen one at a time.
        self.session.execute(
            pg_insert(SandboxState)
            .values(key="write_lock", value={})
            .on_conflict_do_nothing(index_elements=["key"])
        )
        self.session.exec(
            select(SandboxState).where(SandboxState.key == "write_lock").with_for_update()
        ).one()

    def row(self, object_id: str, kind: str | None = None) -> SandboxObject:
        """The row of an object, or 404 (also when it is of another type than `kind`)."""
        found = self.session.exec(
            select(SandboxObject).where(SandboxObject.id == object_id)
        ).first()
        if found is None or (kind is not None and found.object != kind):
            raise not_found(KIND_NAMES.get(kind or "", kind or "object"), object_id)
        return found

    def find(self, object_id: str) -> SandboxObject | None:
        """The row of an object, or None."""
        return self.session.exec(select(SandboxObject).where(SandboxObject.id == object_id)).first()

    def customer_clock(self, customer_id: str) -> str | None:
        """The test clock a customer is attached to, or None."""
        found = self.find(customer_id)
        return found.parent if found is not None and found.object == "customer" else None

    def get(self, object_id: str, kind: str | None = None) -> dict[str, Any]:
        """A copy of the object's document (404 when missing)."""
        return copy.deepcopy(self.row(object_id, kind).data)

    def hidden(self, object_id: str) -> dict[str, Any]:
        """A copy of the object's hidden state (what Stripe keeps but does not serve)."""
        return copy.deepcopy(self.row(object_id).hidden)

    def insert(
        self, doc: dict[str, Any], *, hidden: dict[str, Any] | None = None, **index: Any
    ) -> dict[str, Any]:
        """Store a new object document with its lookup columns."""
        unknown = set(index) - set(_INDEXES)
        if unknown:
            raise ValueError(f"unknown index columns {unknown}")
        if doc["object"] == "customer":
            # Indexed, so a clock finds its customers (and their objects) when it advances.
            index.setdefault("parent", doc.get("test_clock"))
        elif "test_clock" in doc and doc["test_clock"] is None:
            # Like Stripe, an object of a customer on a test clock names that clock.
            owner = index.get("customer") or doc.get("customer")
            doc["test_clock"] = self.customer_clock(owner) if isinstance(owner, str) else None
        row = SandboxObject(
            id=doc["id"],
            object=doc["object"],
            data=copy.deepcopy(doc),
            hidden=copy.deepcopy(hidden or {}),
            **index,
        )
        self.session.add(row)
        self.session.flush()
        return doc

    def save(
        self, doc: dict[str, Any], *, hidden: dict[str, Any] | None = None, **index: Any
    ) -> dict[str, Any]:
        """Replace an object's document (and hidden state or lookup columns when given)."""
        row = self.row(doc["id"])
        row.data = copy.deepcopy(doc)
        flag_modified(row, "data")
        if hidden is not None:
            row.hidden = copy.deepcopy(hidden)
            flag_modified(row, "hidden")
        for name, value in index.items():
            if name not in _INDEXES:
                raise ValueError(f"unknown index column {name}")
            setattr(row, name, value)
        self.session.add(row)
        self.session.flush()
        return doc

    def delete(self, object_id: str) -> None:
        """Remove an object for good."""
        self.session.delete(self.row(object_id))
        self.session.flush()

    def rows(self, kind: str, **filters: Any) -> list[SandboxObject]:
        """Every row of a type matching the lookup filters, oldest first."""
        query = select(SandboxObject).where(SandboxObject.object == kind)
        for name, value in filters.items():
            query = query.where(getattr(SandboxObject, name) == value)
        return list(self.session.exec(query.order_by(col(SandboxObject.seq))).all())

    def page(
        self,
        kind: str,
        params: dict[str, Any],
        url: str,
        **filters: Any,
    ) -> dict[str, Any]:
        """A Stripe list (newest first) with `limit`, `starting_after`, `ending_before`."""
        limit = _limit(params)
        query = select(SandboxObject).where(SandboxObject.object == kind)
        for name, value in filters.items():
            if isinstance(value, tuple | frozenset):
                # One of several values (e.g. every status but the ended ones), filtered in the
                # query so `limit` and `has_more` count what is returned.
                query = query.where(col(getattr(SandboxObject, name)).in_(value))
            elif value is not None:
                query = query.where(getattr(SandboxObject, name) == value)
        created = params.get("created")
        if isinstance(created, dict):
            query = _created_filter(query, created)
        after, before = params.get("starting_after"), params.get("ending_before")
        if after:
            query = query.where(col(SandboxObject.seq) < self.row(str(after)).seq)
        if before:
            query = query.where(col(SandboxObject.seq) > self.row(str(before)).seq)
            rows = list(self.session.exec(query.order_by(col(SandboxObject.seq)).limit(limit + 1)))
            has_more = len(rows) > limit
            rows = list(reversed(rows[:limit]))
        else:
            rows = list(
                self.session.exec(query.order_by(col(SandboxObject.seq).desc()).limit(limit + 1))
            )
            has_more = len(rows) > limit
            rows = rows[:limit]
        return list_object([copy.deepcopy(r.data) for r in rows], url, has_more=has_more)

    def state(self, key: str) -> dict[str, Any]:
        """A named shared value (empty when never set)."""
        row = self.session.get(SandboxState, key)
        return dict(row.value) if row else {}

    def set_state(self, key: str, value: dict[str, Any]) -> None:
        """Set a named shared value."""
        row = self.session.get(SandboxState, key)
        if row is None:
            self.session.add(SandboxState(key=key, value=value))
        else:
            row.value = value
            flag_modified(row, "value")
            self.session.add(row)
        self.session.flush()


def _limit(params: dict[str, Any]) -> int:
    raw = params.get("limit", "10")
    try:
        limit = int(str(raw))
    except ValueError:
        raise invalid_request(f"Invalid integer: {raw}", param="limit") from None
    if not 1 <= limit <= 100:
        raise invalid_request(
            "This value must be greater than or equal to 1 and less than or equal to 100.",
            param="limit",
        )
    return limit


def _created_filter(query: Any, created: dict[str, Any]) -> Any:
    column = SandboxObject.data["created"].as_integer()
    for op, value in created.items():
        bound = int(value)
        if op == "gt":
            query = query.where(column > bound)
        elif op == "gte":
            query = query.where(column >= bound)
        elif op == "lt":
            query = query.where(column < bound)
        elif op == "lte":
            query = query.where(column <= bound)
    return query


def list_object(data: list[dict[str, Any]], url: str, *, has_more: bool = False) -> dict[str, Any]:
    """Stripe's list envelope."""
    return {"object": "list", "data": data, "has_more": has_more, "url": url}
