"""axe-core in the real-browser tests: the WCAG 2.2 AA rules, run on the page as it stands.

axe-core comes from npm (package.json pins it; ``make browser`` runs ``npm ci``). Its source is
evaluated through the browser driver, which the page's Content-Security-Policy does not govern,
whereas a ``<script>`` tag added to the page would be refused by ``script-src``.

Only the media assets are preloaded: axe's CSSOM preload copies any stylesheet that ``@import``s another
(Django admin's ``forms.css`` does) into an inline ``<style>``, which ``style-src 'self'`` refuses and the
browser tests count as a violation; the one rule that reads the CSSOM (css-orientation-lock) is
experimental and not among the WCAG tags run here, so nothing is lost.
"""

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

from tests.services import missing

AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
    preload: {assets: ["media"]},
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    targets: violation.nodes.map((node) => node.target.join(" ")),
    summaries: violation.nodes.map((node) => node.failureSummary || ""),
  }));
}
"""


@cache
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        missing("needs axe-core from npm: run `npm ci` (or `make browser`) at the project root")
    return AXE_SOURCE.read_text(encoding="utf-8")


def require_axe() -> None:
    axe_source()


def axe_violations(page: Page) -> list[dict]:
    """The page's WCAG 2.0/2.1/2.2 A and AA violations, as axe-core reports them."""
    source = axe_source()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    return page.evaluate(RUN_AXE, WCAG_22_AA)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}  <{violation['helpUrl']}>")
        for target, summary in zip(violation["targets"], violation["summaries"], strict=True):
            first = summary.splitlines()[1].strip() if summary.count("\n") else summary.strip()
            lines.append(f"    {target}" + (f"  — {first}" if first else ""))
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, where: str = "") -> None:
    violations = axe_violations(page)
    if violations:
        count = sum(len(violation["targets"]) for violation in violations)
        heading = f"{where or page.url}: {len(violations)} axe-core rule(s) failed on {count} element(s)"
        raise AssertionError(f"{heading}\n{format_violations(violations)}")
