"""The browser tests' fixtures: the scenario's ledger (tests/integration/scenario.py), a real
Chromium driven by Playwright, and the screenshots each test keeps under test-artifacts/
(listed at the end of the run)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.integration.scenario import frozen_ledger, quarter, read_models

__all__ = ["frozen_ledger", "quarter", "read_models"]

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
CHROMIUM_VARIABLE = "PLANLEDGER_CHROMIUM"
SCREENSHOTS: list[Path] = []


def chromium_path() -> str:
    """The system's Chromium (scripts/test.sh installs Debian's `chromium`); Playwright's own
    browser download is not used."""
    for candidate in (
        os.environ.get(CHROMIUM_VARIABLE),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(
        f"no Chromium: install Debian's chromium (scripts/test.sh does) or set {CHROMIUM_VARIABLE}"
    )


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(20_000)
            yield page
        finally:
            browser.close()


@pytest.fixture
def screenshot(request, browser_page):
    """`screenshot(name)`: the whole page, kept as test-artifacts/browser/TEST/NN-NAME.png."""
    folder = ARTIFACTS / request.node.name.replace("[", "-").replace("]", "")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken: list[Path] = []

    def take(name: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        SCREENSHOTS.append(path)
        return path

    return take


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS:
        terminalreporter.write_sep("-", "workbench screenshots")
        for path in SCREENSHOTS:
            terminalreporter.write_line(str(path))
