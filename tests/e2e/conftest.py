"""Real-browser tests: Playwright drives Debian's Chromium against a live server on loopback.

The browser is never downloaded; ``chromium`` from Debian's packages is used. Every test fails if
the page reports a Content-Security-Policy violation, so a template that slips an inline script,
style or event handler past review breaks the build instead of breaking the page in production.
"""

import os

import pytest

from tests.services import require_chromium

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CSP_MARKERS = ("Refused to", "Content Security Policy", "Content-Security-Policy")

# Chromium logs most violations to the console, but not all (a violation inside a worker, or one
# the page's own code swallows); the DOM event sees every one, and this script, injected by the
# browser driver, is not itself subject to the page's policy.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def is_csp_violation(text: str) -> bool:
    return any(marker in text for marker in CSP_MARKERS)


@pytest.fixture(scope="session")
def browser():
    executable = require_chromium()
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls
    # made by tests in the same thread are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csp_violations() -> list[str]:
    return []


@pytest.fixture
def no_script_page(browser, live_server, csp_violations):
    """A page with JavaScript off, for the flows that must work without it; CSP violations are still collected."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def page(browser, live_server, csp_violations):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(10_000)

    def record(text: str) -> None:
        if is_csp_violation(text):
            csp_violations.append(f"{page.url}: {text}")

    page.on("console", lambda message: record(message.text))
    page.on("pageerror", lambda error: record(str(error)))
    yield page
    context.close()
    if csp_violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(csp_violations), pytrace=False)
