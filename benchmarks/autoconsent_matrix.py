"""Confirmed choices on every fixture consent manager: autoconsent alone, our adapters alone, both.

For each CMP fixture site (``tests/fixtures/cmp-sites``: real npm consent managers, look-alikes of
commercial ones, and the banners only autoconsent knows) and each choice (reject, accept), a fresh
browser context loads the page and makes the choice in one of three ways:

* ``autoconsent``: DuckDuckGo's autoconsent alone (:func:`auditor.browser.consent.engine_choose`);
* ``adapters``: the auditor's finders alone (configuration, CMP adapters, labels), no autoconsent;
* ``both``: :func:`auditor.browser.consent.choose` as the audit runs it.

Every choice is checked by :func:`auditor.browser.confirm.confirm_choice` (the stored state is the
proof). A cell reads ``C`` (confirmed), ``u`` (clicked, unconfirmed), ``x`` (contradicted) or ``-``
(nothing clicked); with ``both`` the engine that acted follows (``ac`` autoconsent). The engine's cost
per site (injection, and wall time until its result) is printed below the table::

    python benchmarks/autoconsent_matrix.py            # needs `npm ci` in tests/fixtures/cmp
    python benchmarks/autoconsent_matrix.py --markdown
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_cmp_web import AUTOCONSENT_SITES, LOOKALIKE_SITES, REAL_SITES, cmp_web  # type: ignore[import-not-found]  # noqa: E402

from auditor.browser import confirm, consent  # noqa: E402
from auditor.browser.autoconsent import AutoconsentSession  # noqa: E402
from auditor.browser.labels import Role  # noqa: E402
from auditor.browser.session import BrowserSession  # noqa: E402
from auditor.config import AuditOptions, SiteConfig  # noqa: E402
from auditor.fixtureweb import FixtureWeb  # noqa: E402

MODES = ("autoconsent", "adapters", "both")
BANNER_TIMEOUT = 5.0
_MARK = {"confirmed": "C", "unconfirmed": "u", "contradicted": "x"}


async def _one(session: BrowserSession, web: FixtureWeb, host: str, role: Role, mode: str) -> tuple[str, float | None]:
    url = web.url(host, "/")
    context = await session.new_context(SiteConfig(url=url))
    try:
        page = await context.new_page()
        await page.goto(url, wait_until="networkidle")
        if mode == "autoconsent":
            outcome = await consent.engine_choose(page, role, banner_timeout=BANNER_TIMEOUT)
        else:
            outcome = await consent.choose(
                page, SiteConfig(url=url), role, banner_timeout=BANNER_TIMEOUT, autoconsent=mode == "both"
            )
        action = outcome.action
        if not action.clicked:
            return "-", action.engine_ms
        await page.wait_for_load_state("networkidle")
        action = await confirm.confirm_choice(page, outcome)
        mark = _MARK.get(action.effect or "", "u")
        if mode == "both" and action.engine:
            mark += " ac"
        return mark, action.engine_ms
    finally:
        await context.close()


async def _inject_cost(session: BrowserSession, web: FixtureWeb, hosts: Sequence[str]) -> list[float]:
    costs = []
    for host in hosts:
        context = await session.new_context(SiteConfig(url=web.url(host, "/")))
        page = await context.new_page()
        await page.goto(web.url(host, "/"), wait_until="networkidle")
        engine = AutoconsentSession(page, "reject")
        await engine.start()
        costs.append(engine.inject_ms)
        engine.close()
        await context.close()
    return costs


Cells = dict[tuple[str, str, str], str]


async def matrix(web: FixtureWeb, hosts: Sequence[str]) -> tuple[Cells, list[float], list[float]]:
    """(host, role, mode) → cell; engine wall times (ms) of acting rules; injection times (ms)."""
    cells: dict[tuple[str, str, str], str] = {}
    engine_ms: list[float] = []
    # The audit's own browser session (its Chromium flags, no navigator.webdriver), one context per cell.
    async with BrowserSession(AuditOptions(extra_browser_args=tuple(web.chromium_args))) as session:
        for host in hosts:
            roles: tuple[Role, ...] = ("reject", "accept")
            for role in roles:
                for mode in MODES:
                    cell, ms = await _one(session, web, host, role, mode)
                    cells[host, role, mode] = cell
                    print(f"{host} {role} {mode}: {cell}", file=sys.stderr, flush=True)
                    if mode == "autoconsent" and ms is not None and cell != "-":
                        engine_ms.append(ms)
        injected = await _inject_cost(session, web, hosts)
    return cells, engine_ms, injected


def render(hosts: Sequence[str], cells: Cells, markdown: bool) -> str:
    """The table: one row per site, reject and accept under each mode."""
    head = ["site"] + [f"{role} {mode}" for role in ("reject", "accept") for mode in MODES]
    rows = [[h] + [cells[h, role, mode] for role in ("reject", "accept") for mode in MODES] for h in hosts]
    totals = ["confirmed"] + [
        f"{sum(1 for h in hosts if cells[h, role, mode].startswith('C'))}/{len(hosts)}"
        for role in ("reject", "accept")
        for mode in MODES
    ]
    rows.append(totals)
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in [head, *rows])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the matrix on the CMP fixture web and print the table and the engine's cost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args(argv)
    hosts = [*REAL_SITES, *LOOKALIKE_SITES, *AUTOCONSENT_SITES]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, cmp_web(Path(tmp), npm=True) as web:
        cells, engine_ms, injected = asyncio.run(matrix(web, hosts))
    print(render(hosts, cells, args.markdown))
    print()
    print(f"autoconsent injection per page: median {statistics.median(injected):.0f} ms, max {max(injected):.0f} ms")
    if engine_ms:
        print(f"autoconsent choice (injection to result): median {statistics.median(engine_ms):.0f} ms")
    print(f"matrix run in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
