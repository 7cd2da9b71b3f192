"""The naive auditor the benchmark compares against: a browser per site, a fixed 3 s sleep per step.

It does the same three phases as the tool (``before`` and ``reject`` in one context, ``accept`` in a
second one, each choice followed by a reload) with the textbook approach: launch Chromium for every
site, wait a fixed three seconds after each navigation or click, audit one site after the other.
It records the cookies and requests of each phase, so its work is comparable, and nothing else.

Usage (the benchmark calls it)::

    python benchmarks/naive.py --out DIR [--browser-arg ARG]... URL...
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Page, async_playwright

from auditor.config import find_browser

STEP_SLEEP = 3.0
"""Seconds slept after each step: the fixed wait a naive auditor uses instead of watching the network."""
LABELS = {"reject": ("Tout refuser", "Reject all"), "accept": ("Tout accepter", "Accept all")}


async def _phase(context: BrowserContext, url: str, role: str, requests: list[str]) -> dict[str, Any]:
    page: Page = await context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    await page.goto(url, wait_until="load", timeout=30000)
    await asyncio.sleep(STEP_SLEEP)
    before = [c["name"] for c in await context.cookies()]
    clicked = False
    for label in LABELS[role]:
        button = page.get_by_role("button", name=label)
        if await button.count():
            await button.first.click(timeout=5000)
            clicked = True
            break
    await asyncio.sleep(STEP_SLEEP)
    await page.reload(wait_until="load", timeout=30000)
    await asyncio.sleep(STEP_SLEEP)
    after = [c["name"] for c in await context.cookies()]
    return {"before": before, role: after, "clicked": clicked, "requests": len(requests)}


async def audit(url: str, browser_args: list[str]) -> dict[str, Any]:
    """Audit one site the naive way: launch a browser, two contexts, fixed sleeps, close."""
    executable = find_browser().path
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, headless=True, args=browser_args)
        try:
            result: dict[str, Any] = {"url": url}
            for role in ("reject", "accept"):
                context = await browser.new_context(locale="fr-FR")
                try:
                    result[role] = await _phase(context, url, role, [])
                except Exception as exc:  # a naive auditor records the failure and moves on
                    result[role] = {"error": str(exc).splitlines()[0]}
                finally:
                    await context.close()
            return result
        finally:
            await browser.close()


async def main_async(urls: list[str], browser_args: list[str], out: Path) -> None:
    """Audit ``urls`` one after the other and write a JSON-lines file of what was seen."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / "naive.jsonl").open("w", encoding="utf-8") as fh:
        for url in urls:
            fh.write(json.dumps(await audit(url, browser_args)) + "\n")
            fh.flush()


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--browser-arg", action="append", default=[])
    args = parser.parse_args(argv)
    asyncio.run(main_async(args.urls, args.browser_arg, args.out))


if __name__ == "__main__":
    sys.exit(main())
