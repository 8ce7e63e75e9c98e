"""The sandbox's test helpers (test clocks, faults, events, webhook delivery) over plain HTTP."""

import time
from typing import Any

import httpx

from portal_app.settings import get_settings


class Helpers:
    """The sandbox's test helpers over plain HTTP.

    `clock` is the test clock of the test that runs (set by `new_clock`, which the `customer`
    fixture calls): `now` and `advance` read and move it, like Stripe's test clocks.
    """

    def __init__(self) -> None:
        settings = get_settings()
        self.http = httpx.Client(
            base_url=settings.sandbox_url,
            headers={"Authorization": f"Bearer {settings.sandbox_api_key}"},
            timeout=30,
        )
        self.clock: str | None = None

    def new_clock(self, *, frozen_time: int | None = None, name: str = "pytest") -> str:
        """Create a test clock (at real time unless told) and make it this test's clock."""
        response = self.http.post(
            "/v1/test_helpers/test_clocks",
            data={"frozen_time": frozen_time or int(time.time()), "name": name},
        )
        assert response.status_code == 200, response.text
        self.clock = str(response.json()["id"])
        return self.clock

    def test_clock(self) -> dict[str, Any]:
        assert self.clock is not None, "no test clock: create one with new_clock()"
        response = self.http.get(f"/v1/test_helpers/test_clocks/{self.clock}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def now(self) -> int:
        """The frozen time of this test's clock, or real time when it has none."""
        return int(self.test_clock()["frozen_time"]) if self.clock else int(time.time())

    def advance(self, *, seconds: int | None = None, to: int | None = None) -> int:
        """Advance this test's clock and wait until it is `ready`; its new frozen time."""
        target = to if to is not None else self.now() + (seconds or 0)
        response = self.http.post(
            f"/v1/test_helpers/test_clocks/{self.clock}/advance", data={"frozen_time": target}
        )
        assert response.status_code == 200, response.text
        deadline = time.monotonic() + 30
        while (clock := self.test_clock())["status"] != "ready":
            assert time.monotonic() < deadline, f"the test clock is still {clock['status']}"
            time.sleep(0.05)
        return int(clock["frozen_time"])

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
