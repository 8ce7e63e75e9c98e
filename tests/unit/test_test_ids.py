"""The registry of QA `data-testid`s is a contract: every id listed is in the code once, every
id in the code is listed, and the plan-change review's hooks are documented in the README."""

import re
from collections import Counter
from pathlib import Path

from portal_app.components.test_ids import TEST_IDS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "portal_app"
LITERAL = re.compile(r"\b(?:data_testid|test_id)=\"([a-z0-9-]+)\"")
REVIEW_HOOKS = ("review-due-today", "review-next-invoice", "review-confirm")


def ids_in_code() -> Counter[str]:
    found: Counter[str] = Counter()
    for path in PACKAGE.rglob("*.py"):
        if path.name != "test_ids.py":
            found.update(LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_listed_id_is_in_the_code_exactly_once() -> None:
    found = ids_in_code()
    assert sorted(i for i in TEST_IDS if found[i] == 0) == []
    assert sorted(i for i, n in found.items() if n > 1) == []


def test_every_id_in_the_code_is_listed() -> None:
    assert sorted(set(ids_in_code()) - set(TEST_IDS)) == []


def test_review_hooks_are_documented_with_their_attributes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    qa = readme.split("## QA hooks", 1)[1].split("\n## ", 1)[0]
    for hook in REVIEW_HOOKS:
        assert f"`{hook}`" in qa
    for attribute in ("data-amount", "data-currency", "data-date"):
        assert attribute in qa
    assert "portal_app/components/test_ids.py" in qa


def test_the_review_carries_its_hooks_in_both_places() -> None:
    """The panel's review is the one the `subscription_update_confirm` flow shows too."""
    panel = (PACKAGE / "components/plan_change_panel.py").read_text(encoding="utf-8")
    for hook in REVIEW_HOOKS:
        assert f'"{hook}"' in panel
    assert "data_amount=PlanChangeState.due_today_amount" in panel
    assert "data_date=PlanChangeState.next_invoice_date" in panel
    flow_page = (PACKAGE / "pages/portal.py").read_text(encoding="utf-8")
    assert "subscriptions_section()" in flow_page
