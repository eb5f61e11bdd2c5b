"""The workbench as people use it, in a real Chromium (docs/web.md): home, a fund class, its
report, a figure, the figure's events, one event, two moments compared, the log paged, and the
hostile actor's event shown inert. A server on 127.0.0.1 (a free port) per test, stopped at
its end; a screenshot of every page under test-artifacts/browser/."""

from __future__ import annotations

import re

from adapters.store.chain import format_commit_time
from adapters.web.app import create_app
from tests.workbench import (
    BEFORE_CORRECTIONS,
    HOSTILE_ACTOR,
    HOSTILE_REASON,
    TODAY,
    build_workbench_ledger,
    read_only,
    served,
)


def position_shown(page) -> int:
    return int(page.locator("#log-position").inner_text())


def test_workbench(quarter, tmp_path, database_url, browser_page, screenshot):
    build_workbench_ledger(quarter, tmp_path, database_url)
    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with read_only(database_url) as ledger, served(create_app(ledger, today=lambda: TODAY)) as url:
        head = ledger.served_position()
        page.goto(url + "/")
        assert position_shown(page) == head
        screenshot("home")

        page.locator("a.fund-class", has_text="INTL-BCV/R").click()
        page.wait_for_url(re.compile(r"/fund-class/INTL-BCV/R"))
        assert page.locator("#balances").is_visible()
        screenshot("fund-class")

        page.locator("#quarters a.report", has_text="2003Q3").click()
        page.wait_for_url(re.compile(r"/report/INTL-BCV/R/2003Q3"))
        screenshot("report")

        page.locator("#figures a.figure").first.click()
        page.wait_for_url(re.compile(r"/figure\?pointer="))
        assert page.locator("#figure-label").inner_text().startswith("Quarter")
        screenshot("figure")
        _figure_events(page, url, screenshot)
        _compare_and_page_the_log(page, screenshot)
        _hostile_event_is_inert(page, url, screenshot)
    assert dialogs == []


def _figure_events(page, url, screenshot) -> None:
    """The paid-to-Distributor figure lands on its three payments (and September's reversal);
    one opens its event."""
    page.goto(url + "/report/INTL-BCV/R/2003Q3")
    page.locator('a.figure[href*="pointer=%2Fquarter_figures%2Fpaid_to_distributor"]').first.click()
    page.wait_for_url(re.compile(r"paid_to_distributor"))
    rows = page.locator("#entries tbody tr")
    kinds = rows.locator("td:nth-child(4)").all_inner_texts()
    assert kinds.count("DistributorPaid") == 3, kinds
    screenshot("figure-events")
    rows.first.locator("a.event").click()
    page.wait_for_url(re.compile(r"/event/\d+"))
    assert "DistributorPaid" in page.locator("#event-title").inner_text()
    screenshot("event")


def _compare_and_page_the_log(page, screenshot) -> None:
    page.get_by_role("link", name="Compare").click()
    page.fill('input[name="known_at_a"]', format_commit_time(BEFORE_CORRECTIONS))
    page.fill('input[name="quarter"]', "2003Q3")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"known_at_a="))
    assert page.locator("#compare-figures tr.differs").count() > 0
    kinds = page.locator("#between tbody td:nth-child(4)").all_inner_texts()
    assert "NetAssetsRestated" in kinds and "DistributorPaymentReversed" in kinds
    screenshot("compare")

    page.get_by_role("link", name="Event log").click()
    first_page = page.locator("#entries tbody tr td:first-child").all_inner_texts()
    screenshot("log")
    page.locator("#next").click()
    page.wait_for_url(re.compile(r"after="))
    second_page = page.locator("#entries tbody tr td:first-child").all_inner_texts()
    assert int(second_page[0]) > int(first_page[-1])
    screenshot("log-next-page")
    page.locator("#previous").click()
    page.wait_for_url(re.compile(r"before="))
    assert page.locator("#entries tbody tr td:first-child").all_inner_texts() == first_page


def _hostile_event_is_inert(page, url, screenshot) -> None:
    page.goto(url + "/log?type=DistributorPaymentReversed")
    page.locator("#entries a.event").first.click()
    page.wait_for_url(re.compile(r"/event/\d+"))
    assert page.locator("#event-actor").inner_text() == HOSTILE_ACTOR
    assert page.locator("#event-why").inner_text() == HOSTILE_REASON
    assert page.locator("main script, main img").count() == 0
    screenshot("hostile-text-inert")
    for name in ("Breaks", "Verify"):
        page.get_by_role("link", name=name).click()
        screenshot(name.lower())
    assert page.locator("#verify-result").inner_text().startswith("OK")
