"""200 customers for a bounded time doing a realistic mix; then check that nothing was lost.

Each simulated customer has its own sandbox customer (created through the sandbox's HTTP API
with a Visa card and a Starter monthly subscription, mirrored by the sandbox's webhooks) and
its own tab: a websocket with its own token and portal session (bench/_reflex_ws.py). With a
random think time (mean 5 s; `--think 1` makes it a stress test) it reloads the home page,
opens and closes the plan switch, pages through invoices, cancels at period end and renews
(CancelState.confirm / renew), or adds a card the way the browser does (open_add,
submit_card's script: POST the card to the sandbox's confirm endpoint with the client
secret, then card_confirmed). Writes go through
the real handlers, services, gateway and sandbox. At the end: every cancel, renew and card
the customers saw succeed must be in the audit log and in the mirror, and the server must
have logged no ERROR. Baseline: one more tab sends a trivial event (`PlanChangeState.close`:
no DB, no Stripe) every 0.5 s, for 5 s before the load ("idle") and during it ("loaded").

Run: `.venv/bin/python bench/load_run.py [--seconds 300] [--customers 200] [--think 5]`
(not for CI)
"""

import argparse
import asyncio
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from _reflex_ws import PLAN_STATE, PORTAL_STATE, ROOT_STATE, ReflexSocket, open_portal
from _server import BenchServer, summary

CANCEL_STATE = f"{ROOT_STATE}.portal_app___state___cancel____cancel_state"
CARDS_STATE = f"{ROOT_STATE}.portal_app___state___payment_methods____payment_methods_state"
MIX = {"home": 35, "plan switch": 20, "more invoices": 20, "cancel + renew": 15, "add card": 10}
TEST_CARD = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2031", "cvc": "123"}
SETTLE_SECONDS = 30
PROBE_SECONDS = 0.5
JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


class Failed(Exception):
    """The portal answered with an error (or not at all)."""


async def provision(server: BenchServer, count: int) -> list[str]:
    """`count` sandbox customers with a card and a subscription; their emails."""
    key = server.settings().sandbox_api_key
    base = f"{server.url}/sandbox/v1"
    emails = [f"load{n:04d}@example.com" for n in range(count)]
    gate = asyncio.Semaphore(8)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(headers=headers, timeout=60) as http:
        price = await http.get(f"{base}/prices", params={"lookup_keys[]": "starter_monthly"})
        price_id = price.raise_for_status().json()["data"][0]["id"]

        async def one(email: str) -> None:
            async with gate:
                customer = (await http.post(f"{base}/customers", data={"email": email})).json()
                pm = await http.post(
                    f"{base}/payment_methods/pm_card_visa/attach", data={"customer": customer["id"]}
                )
                await http.post(
                    f"{base}/customers/{customer['id']}",
                    data={"invoice_settings[default_payment_method]": pm.json()["id"]},
                )
                sub = await http.post(
                    f"{base}/subscriptions",
                    data={"customer": customer["id"], "items[0][price]": price_id},
                )
                sub.raise_for_status()

        await asyncio.gather(*(one(e) for e in emails))
    deadline = time.monotonic() + 120
    while mirrored_subscriptions(server) < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the new customers never reached the mirror")
        await asyncio.sleep(2)
    return emails


def mirrored_subscriptions(server: BenchServer) -> int:
    """How many subscriptions of the `load...` customers the mirror holds."""
    from sqlmodel import col, func, select

    from portal_app.models.mirror import MirrorCustomer, MirrorSubscription

    with server.db() as s:
        return s.exec(
            select(func.count())
            .select_from(MirrorSubscription)
            .join(MirrorCustomer, col(MirrorCustomer.id) == col(MirrorSubscription.customer))
            .where(col(MirrorCustomer.email).like("load%"))
        ).one()


def mirrored_load_customers(server: BenchServer) -> dict[str, dict[str, Any]]:
    """Per `load...` customer email: audited actions, live cards, canceling subscriptions."""
    from sqlmodel import col, select

    from portal_app.models.audit import AuditEntry
    from portal_app.models.mirror import MirrorCustomer, MirrorPaymentMethod, MirrorSubscription

    out: dict[str, dict[str, Any]] = {}
    with server.db() as s:
        for c in s.exec(select(MirrorCustomer).where(col(MirrorCustomer.email).like("load%"))):
            audit: dict[str, int] = {}
            for a in s.exec(select(AuditEntry).where(AuditEntry.customer == c.id)):
                audit[a.action] = audit.get(a.action, 0) + 1
            cards = s.exec(
                select(MirrorPaymentMethod).where(
                    MirrorPaymentMethod.customer == c.id, ~col(MirrorPaymentMethod.deleted)
                )
            ).all()
            subs = s.exec(select(MirrorSubscription).where(MirrorSubscription.customer == c.id))
            out[str(c.email)] = {
                "audit": audit,
                "cards": len(cards),
                "canceling": [x.id for x in subs if x.cancel_at_period_end],
            }
    return out


class Shopper:
    """One customer's tab and what it saw succeed."""

    def __init__(self, sock: ReflexSocket, home: dict[str, Any], server: BenchServer) -> None:
        self.sock, self.server = sock, server
        self.subscription = home[PORTAL_STATE]["subscriptions_rx_state_"][0]["id"]
        self.cursor = home[PORTAL_STATE]["invoices_cursor_rx_state_"]
        self.done: Counter[str] = Counter()

    async def send(self, state: str, handler: str, payload: dict[str, Any]) -> None:
        self.sock.drain()
        await self.sock.emit(f"{state}.{handler}", payload, "/portal")

    async def outcome(self, state: str, success: str) -> dict[str, Any]:
        """Wait for `state`'s `success` or `error` var, then for the page reload it triggers."""
        update = await self.sock.until(
            lambda u: any(
                u.get("delta", {}).get(state, {}).get(k) for k in (success, "error_rx_state_")
            )
        )
        if error := update["delta"][state].get("error_rx_state_"):
            raise Failed(error)
        await self.sock.until(
            lambda u: "subscriptions_rx_state_" in u.get("delta", {}).get(PORTAL_STATE, {})
        )
        return update

    async def act(self, kind: str) -> None:
        if kind == "home":
            home = await self.sock.load("/portal")
            self.cursor = home[PORTAL_STATE]["invoices_cursor_rx_state_"]
        elif kind == "plan switch":
            await self.send(PLAN_STATE, "open", {"subscription_id": self.subscription})
            opened = await self.sock.until(lambda u: PLAN_STATE in u.get("delta", {}))
            if opened["delta"][PLAN_STATE].get("error_rx_state_"):
                raise Failed(opened["delta"][PLAN_STATE]["error_rx_state_"])
            await self.send(PLAN_STATE, "close", {})
            await self.sock.until(lambda u: PLAN_STATE in u.get("delta", {}))
        elif kind == "more invoices":
            await self.send(PORTAL_STATE, "more_invoices", {})
            await self.sock.until(lambda u: PORTAL_STATE in u.get("delta", {}))
        elif kind == "cancel + renew":
            await self.send(CANCEL_STATE, "open", {"subscription_id": self.subscription})
            await self.sock.until(lambda u: CANCEL_STATE in u.get("delta", {}))
            await self.send(CANCEL_STATE, "confirm", {"form_data": {"reason": ""}})
            await self.outcome(CANCEL_STATE, "confirmation_rx_state_")
            self.done["subscription.cancel"] += 1
            await self.send(CANCEL_STATE, "renew", {"subscription_id": self.subscription})
            await self.outcome(CANCEL_STATE, "confirmation_rx_state_")
            self.done["subscription.renew"] += 1
        else:
            await self.add_card()
            self.done["payment_method.attach"] += 1

    async def add_card(self) -> None:
        await self.send(CARDS_STATE, "open_add", {})
        opened = await self.sock.until(lambda u: CARDS_STATE in u.get("delta", {}))
        if not opened["delta"][CARDS_STATE].get("adding_rx_state_"):
            raise Failed(opened["delta"][CARDS_STATE].get("error_rx_state_", "no card form"))
        await self.send(CARDS_STATE, "submit_card", {})
        update = await self.sock.until(
            lambda u: any(e["name"] == "_call_script" for e in u.get("events", []))
        )
        script = update["events"][0]["payload"]["javascript_code"]
        url = next(json.loads(s) for s in JSON_STRING.findall(script) if "/confirm" in s)
        secret = next(json.loads(s) for s in JSON_STRING.findall(script) if "_secret_" in s)
        card = {f"payment_method_data[card][{k}]": v for k, v in TEST_CARD.items()}
        async with httpx.AsyncClient(timeout=30) as http:
            answer = await http.post(
                url,
                data={"client_secret": secret, "payment_method_data[type]": "card", **card},
            )
        data = answer.json()
        result = {"ok": data.get("status") == "succeeded", "id": data.get("id"), "message": ""}
        await self.send(CARDS_STATE, "card_confirmed", {"outcome": result})
        await self.outcome(CARDS_STATE, "notice_rx_state_")


async def probe(sock: ReflexSocket, until: float, out: list[float]) -> None:
    """The baseline: a trivial event (no DB, no Stripe) every 0.5 s from one more tab."""
    while time.monotonic() < until:
        started = time.perf_counter()
        await sock.emit(f"{PLAN_STATE}.close", {}, "/portal")
        await sock.until(lambda u: PLAN_STATE in u.get("delta", {}), timeout=60)
        out.append(time.perf_counter() - started)
        await asyncio.sleep(PROBE_SECONDS)


async def run(server: BenchServer, emails: list[str], seconds: float, think: float) -> None:
    tokens = server.session_tokens([*emails, emails[0]])
    probe_sock, _ = await open_portal("127.0.0.1", server.port, tokens.pop())
    idle: list[float] = []
    await probe(probe_sock, time.monotonic() + 5, idle)
    gate = asyncio.Semaphore(20)

    async def join(token: str) -> Shopper:
        async with gate:
            return Shopper(*await open_portal("127.0.0.1", server.port, token), server)

    shoppers = await asyncio.gather(*(join(t) for t in tokens))
    timings: dict[str, list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    deadline = time.monotonic() + seconds
    cpu = server.cpu_seconds()

    async def shop(shopper: Shopper) -> None:
        while time.monotonic() < deadline:
            await asyncio.sleep(random.expovariate(1 / think))
            kind = random.choices(list(MIX), weights=list(MIX.values()))[0]
            started = time.perf_counter()
            try:
                await shopper.act(kind)
                timings[kind].append(time.perf_counter() - started)
            except (Failed, TimeoutError) as exc:
                errors[f"{kind}: {type(exc).__name__} {exc}"[:120]] += 1
                shopper.sock.drain()

    loaded: list[float] = []
    await asyncio.gather(probe(probe_sock, deadline, loaded), *(shop(s) for s in shoppers))
    busy = (server.cpu_seconds() - cpu) / (time.monotonic() - deadline + seconds)
    await asyncio.gather(probe_sock.close(), *(s.sock.close() for s in shoppers))
    print(f"{len(shoppers)} customers for {seconds:.0f}s, think time mean {think}s")
    print(f"server CPU: {busy:.0%} of one core on average (one Python process serves it all)")
    print(f"{'action':<16} {'done':>6} {'median ms':>10} {'p95 ms':>8}")
    rows = {"baseline idle": idle, "baseline loaded": loaded, **timings}
    for kind, values in rows.items():
        median, p95 = summary(values) if values else (0.0, 0.0)
        print(f"{kind:<16} {len(values):>6} {median:>10.0f} {p95:>8.0f}")
    print(f"errors: {sum(errors.values())}")
    for message, n in errors.most_common(10):
        print(f"  {n} x {message}")
    done = sum((s.done for s in shoppers), Counter())
    print(f"changes the customers saw succeed: {dict(done)}")
    started = time.monotonic()
    # Webhooks still in flight may land after the run: check again until it converges.
    while verify(server, emails, shoppers, time.monotonic() - started) and (
        time.monotonic() - started < SETTLE_SECONDS
    ):
        await asyncio.sleep(5)
    log_errors = [
        line
        for line in server.log_path.read_text(errors="replace").splitlines()
        if "ERROR" in line or "Traceback" in line
    ]
    print(f"server log ERROR/Traceback lines: {len(log_errors)}")
    for line in log_errors[:5]:
        print("  " + line[:160])


def sandbox_subscription(server: BenchServer, subscription_id: str) -> dict[str, Any]:
    """The subscription as Stripe (the sandbox, the source of truth) has it now."""
    key = server.settings().sandbox_api_key
    answer = httpx.get(
        f"{server.url}/sandbox/v1/subscriptions/{subscription_id}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    return dict(answer.raise_for_status().json())


def verify(server: BenchServer, emails: list[str], shoppers: list[Shopper], after: float) -> int:
    """Compare what the customers saw succeed with the audit log and the mirror."""
    mirror = mirrored_load_customers(server)
    problems = []
    for email, shopper in zip(emails, shoppers, strict=True):
        row = mirror[email]
        for action, n in shopper.done.items():
            if row["audit"].get(action, 0) < n:
                problems.append(f"{email}: {n} x {action} done, audit has {row['audit']}")
        if row["cards"] < 1 + shopper.done["payment_method.attach"]:
            problems.append(f"{email}: {row['cards']} cards in the mirror")
        for sub in row["canceling"]:
            truth = sandbox_subscription(server, sub)["cancel_at_period_end"]
            problems.append(
                f"{email}: {sub} renewed, still canceling in the mirror "
                f"(the sandbox says cancel_at_period_end={truth})"
            )
    print(f"{after:.0f}s after the run, audit log + mirror: {len(problems)} problems")
    for problem in problems[:5]:
        print("  " + problem)
    return len(problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--think", type=float, default=5.0, help="mean think time (s)")
    args = parser.parse_args()
    with BenchServer() as server:
        started = time.perf_counter()
        emails = asyncio.run(provision(server, args.customers))
        print(f"provisioned {len(emails)} customers in {time.perf_counter() - started:.0f}s")
        asyncio.run(run(server, emails, args.seconds, args.think))


if __name__ == "__main__":
    main()
