"""First load of the signed-in portal home in Chromium, against a bare page (goal <= 1.2x).

Portal: a fresh browser context (empty cache, no storage) opens a fresh one-time
`session-link` URL and is timed until a subscription card is visible: JS load, websocket,
hydrate, link redeemed and the home read in the same event, redirect, render (the `/portal`
on_load then finds the page filled and reads nothing more).
Baseline: the existing `/` front door in the same shell, timed until its hydrated text
(the business name from `BrandState.load_brand`) shows: JS load, websocket, hydrate, one
on_load; no bench-only page is added to the app. Runs alternate so both see the same noise.

Run: `.venv/bin/python bench/first_load.py [--runs 15]`
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).parent))

from _server import CHROMIUM_ARGS, BenchServer, find_chromium, summary

CUSTOMER = "team@example.com"
GOAL = 1.2


def timed_load(browser: Browser, url: str, selector: str, text: str = "") -> float:
    """Seconds from navigation start until `selector` (containing `text`) is visible."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        started = time.perf_counter()
        page.goto(url, wait_until="commit")
        target = page.locator(selector)
        if text:
            target = target.filter(has_text=text)
        target.first.wait_for(state="visible", timeout=30_000)
        return time.perf_counter() - started
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    chromium = find_chromium()
    assert chromium, "no Chromium: install Debian's chromium or set PORTAL_CHROMIUM_PATH"
    with BenchServer() as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        links = [
            f"{server.url}/session/{t}" for t in server.session_tokens([CUSTOMER] * (args.runs + 1))
        ]
        bare: list[float] = []
        portal: list[float] = []
        timed_load(browser, f"{server.url}/", "[data-testid=home-card]", "Acme Cloud")  # warm-up
        timed_load(browser, links.pop(), "[data-testid=subscription]")
        for link in links:
            bare.append(
                timed_load(browser, f"{server.url}/", "[data-testid=home-card]", "Acme Cloud")
            )
            portal.append(timed_load(browser, link, "[data-testid=subscription]"))
        browser.close()
    bare_median, bare_p95 = summary(bare)
    median, p95 = summary(portal)
    ratio = median / bare_median
    print(f"{args.runs} runs each, fresh context per run, alternating")
    print(f"{'page':<36} {'median ms':>10} {'p95 ms':>8} {'mean ms':>8}")
    print(
        f"{'baseline: / (shell + 1 on_load)':<36} {bare_median:>10.0f} {bare_p95:>8.0f} "
        f"{statistics.mean(bare) * 1000:>8.0f}"
    )
    print(
        f"{'portal home via session link':<36} {median:>10.0f} {p95:>8.0f} "
        f"{statistics.mean(portal) * 1000:>8.0f}"
    )
    verdict = "met" if ratio <= GOAL else "missed"
    print(f"ratio of medians {ratio:.2f}x (p95 {p95 / bare_p95:.2f}x); goal <= {GOAL}x: {verdict}")


if __name__ == "__main__":
    main()
