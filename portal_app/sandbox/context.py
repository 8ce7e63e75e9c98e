"""What every sandbox operation gets: the store, the sandbox time, and where URLs point."""

from dataclasses import dataclass, field

from sqlmodel import Session

from portal_app.sandbox.store import Store
from portal_app.settings import get_settings


@dataclass
class Ctx:
    """One unit of work (an API request, a clock advance, the demo loader)."""

    session: Session
    now: int
    request_id: str | None = None
    idempotency_key: str | None = None
    store: Store = field(init=False)

    def __post_init__(self) -> None:
        self.store = Store(self.session)

    @property
    def public_base(self) -> str:
        """Where browsers reach the sandbox (hosted invoice pages and PDFs)."""
        return f"{get_settings().public_url.rstrip('/')}/sandbox"
