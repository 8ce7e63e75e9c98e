"""The sandbox's test helpers (clock, faults, events, webhook delivery) over plain HTTP."""

from typing import Any

import httpx

from portal_app.settings import get_settings


class Helpers:
    """The sandbox's test helpers over plain HTTP."""

    def __init__(self) -> None:
        settings = get_settings()
        self.http = httpx.Client(
            base_url=settings.sandbox_url,
            headers={"Authorization": f"Bearer {settings.sandbox_api_key}"},
            timeout=30,
        )

    def now(self) -> int:
        return int(self.http.get("/v1/test_helpers/clock").json()["now"])

    def advance(self, *, seconds: int | None = None, to: int | None = None) -> int:
        data = {"seconds": seconds} if seconds is not None else {"to": to}
        response = self.http.post("/v1/test_helpers/clock/advance", data=data)
        assert response.status_code == 200, response.text
        return int(response.json()["now"])

    def fault(self, **params: Any) -> dict[str, Any]:
        response = self.http.post("/v1/test_helpers/faults", data=params)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def clear_faults(self) -> None:
        self.http.delete("/v1/test_helpers/faults")

    def deliver(self) -> int:
        return int(self.http.post("/v1/test_helpers/deliver_events").json()["delivered"])

    def events(self, type_: str, limit: int = 100) -> list[dict[str, Any]]:
        response = self.http.get("/v1/events", params={"type": type_, "limit": limit})
        return list(response.json()["data"])
