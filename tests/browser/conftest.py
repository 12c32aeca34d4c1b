"""Playwright (sync API) against pytest-django's live server, in Debian's Chromium.

Run with `.venv/bin/pytest tests/browser -q`. Nothing here is skipped: without a browser the tests
fail and say why. Never run `playwright install`; the system Chromium is used.

Every page gets a `PageLog`: console errors, uncaught exceptions, Content-Security-Policy
violations and any request to another origin (aborted before it leaves the machine).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM
# calls from the test body (personas, assertions on the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("OPSCENTER_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DESKTOP = {"width": 1366, "height": 860}
TABLET = {"width": 768, "height": 1024}

# Records CSP violations as the browser reports them (init scripts are not subject to the CSP).
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


@dataclass
class PageLog:
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def csp_violations(self, page) -> list[str]:
        from_console = [m for m in self.console_errors if "Content Security Policy" in m]
        return from_console + page.evaluate("window.__cspViolations || []")

    def problems(self, page) -> list[str]:
        return self.console_errors + self.page_errors + self.external_requests + self.csp_violations(page)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
            "(apt-get install -y chromium fonts-noto-cjk) or set OPSCENTER_CHROMIUM. "
            "Do not run `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def _open_page(browser, live_server, viewport):
    context = browser.new_context(
        base_url=live_server.url, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(10_000)
    log = PageLog()
    own = urlsplit(live_server.url).netloc

    def guard(route):
        url = route.request.url
        if urlsplit(url).scheme in {"http", "https"} and urlsplit(url).netloc != own:
            log.external_requests.append(f"request to another origin: {url}")
            route.abort()
        else:
            route.continue_()

    context.route(re.compile(r".*"), guard)
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and log.console_errors.append(message.text))
    page.on("pageerror", lambda error: log.page_errors.append(f"uncaught: {error}"))
    return context, page, log


@pytest.fixture
def page_and_log(browser, live_server):
    context, page, log = _open_page(browser, live_server, DESKTOP)
    yield page, log
    context.close()


@pytest.fixture
def tablet_page_and_log(browser, live_server):
    context, page, log = _open_page(browser, live_server, TABLET)
    yield page, log
    context.close()


@pytest.fixture
def sign_in():
    """Sign in through the login form, like a person."""

    def sign_in(page, username: str, password: str) -> None:
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main form button[type=submit]")
        page.wait_for_load_state("networkidle")

    return sign_in
