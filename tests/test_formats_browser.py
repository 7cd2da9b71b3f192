"""The HTML report and the comparison page, opened in a real Chromium: key elements visible, nothing fetched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import require_module, unavailable

from auditor.config import find_browser
from auditor.formats import Format, render
from auditor.formats.compare import build_comparison, run_labels
from auditor.results import read_results
from auditor.yamlutil import ConfigError

playwright_api = require_module("playwright.sync_api")

DATA = Path(__file__).parent / "data" / "results"
RUN1 = DATA / "run1" / "results.json"
RUN2 = DATA / "run2" / "results.json"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_browser() -> Iterator[object]:
    try:
        choice = find_browser()
    except ConfigError as exc:
        unavailable(str(exc))
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=choice.path)
        yield instance
        instance.close()


def open_page(browser: object, path: Path) -> tuple[object, list[str], list[str]]:
    """Open ``path``; return the page, the URLs it requested and the dialogs and errors it raised."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: problems.append(f"error: {e}"))
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, requests, problems


def test_report_shows_verdicts_screenshots_and_tables(report_browser: object, tmp_path: Path) -> None:
    out = tmp_path / "report.html"  # anywhere: the screenshots are embedded
    out.write_text(render(read_results(RUN1), Format.HTML, results_path=RUN1), encoding="utf-8")
    page, requests, problems = open_page(report_browser, out)
    assert page.locator("table.verdicts").is_visible()  # type: ignore[attr-defined]
    rows = page.locator("table.verdicts tbody tr")  # type: ignore[attr-defined]
    assert "Shop (down)" in rows.first.inner_text() and "Not audited" in rows.first.inner_text()  # worst first
    assert "Le Journal" in rows.nth(1).inner_text() and "Fails" in rows.nth(1).inner_text()
    assert "Not audited" in page.locator("p.run-verdict").inner_text()  # type: ignore[attr-defined]
    sentence = page.locator("section.site .sentence").nth(1)  # type: ignore[attr-defined]
    assert sentence.is_visible() and "still set cookies" in sentence.inner_text()
    shots = page.locator("img.banner-shot")  # type: ignore[attr-defined]
    assert shots.count() == 2
    for i in range(shots.count()):
        shots.nth(i).scroll_into_view_if_needed()
        assert shots.nth(i).is_visible()
        assert shots.nth(i).evaluate("img => img.complete && img.naturalWidth") > 100
    assert page.locator("section.site .phases .phase").first.is_visible()  # type: ignore[attr-defined]
    assert page.locator("table.cookies").first.is_visible()  # type: ignore[attr-defined]
    hostile = page.get_by_text("<script>alert('xss')</script>").first  # type: ignore[attr-defined]
    hostile.scroll_into_view_if_needed()
    assert hostile.is_visible()  # shown as text
    assert page.evaluate("document.querySelectorAll('script').length") == 0  # type: ignore[attr-defined]
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert problems == []


def test_compare_page_charts_and_sorting(report_browser: object, tmp_path: Path) -> None:
    paths = [RUN1, RUN2]
    comparison = build_comparison(list(zip(run_labels(paths), [read_results(p) for p in paths], strict=True)))
    out = tmp_path / "compare.html"
    out.write_text(comparison.to_html(), encoding="utf-8")
    page, requests, problems = open_page(report_browser, out)
    assert page.locator("figure.chart svg").count() == 2  # type: ignore[attr-defined]
    assert page.locator('figure.chart svg rect:not([width="0.0"])').first.is_visible()  # type: ignore[attr-defined]
    header = page.locator("th.sortable", has_text="error").first  # type: ignore[attr-defined]
    header.click()
    header.click()  # descending: the site with most error findings first
    first = page.locator("table.sortable-table tbody tr").first.inner_text()  # type: ignore[attr-defined]
    assert "Le Journal" in first and "run1" in first
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert problems == []  # the inline script ran under the page's CSP (allowed by its hash)
