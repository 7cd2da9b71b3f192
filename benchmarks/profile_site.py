"""Where the time of one site goes: launch, contexts, navigation, waits, snapshots, screenshots, rules, writing.

Audits one synthetic fixture site a few times in one browser (after a warm-up) and prints the mean
seconds of each step, from ``PhaseResult.timings`` (per context: ``context``, ``load``, ``consent``,
``after_click``, ``second_view``, ``dwell``, ``snapshot_*``, ``screenshot_*``) plus what happens around
collection (browser launch, classification and rules, the journal line, ``results.json``) and the CPU
seconds of the browser's process tree and of Python per site::

    python benchmarks/profile_site.py [--runs 3] [--no-screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import psutil

from auditor.browser.collect import collect_site
from auditor.browser.session import BrowserSession
from auditor.config import AuditOptions, SiteConfig
from auditor.fixtureweb import FixtureWeb
from auditor.fixtureweb.synthetic import make_sites_dir
from auditor.knowledge import classify_site
from auditor.model import RunResult, SiteResult, ToolInfo
from auditor.pipeline import build_pipeline
from auditor.policy import evaluate
from auditor.results import Journal, write_results_from_journal

HOST = "www.banc-profil.fr"
T = TypeVar("T")


def tree_cpu() -> float:
    """CPU seconds (user + system) of this process's descendants: Playwright's driver and Chromium."""
    total = 0.0
    for proc in psutil.Process().children(recursive=True):
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


async def profile(runs: int, screenshots: bool, work: Path) -> None:
    """Audit the site ``runs`` times after a warm-up and print the breakdown."""
    pipeline = build_pipeline(None)
    steps: dict[str, list[float]] = defaultdict(list)
    around: dict[str, list[float]] = defaultdict(list)
    with FixtureWeb(sites_dir=work / "sites") as web:
        options = AuditOptions(extra_browser_args=tuple(web.chromium_args), screenshots=screenshots)
        site = SiteConfig(url=web.url(HOST))
        session = BrowserSession(options)
        started = time.perf_counter()
        await session.start()
        around["browser launch (once per run)"].append(time.perf_counter() - started)
        try:
            await collect_site(session, site, work / "out")  # warm-up: caches, first renderer
            journal = Journal(work / "out" / "journal.jsonl")
            for _ in range(runs):
                cpu_before, py_before = tree_cpu(), time.process_time()
                wall_before = time.perf_counter()
                result: SiteResult = await collect_site(session, site, work / "out")
                around["collection (wall)"].append(time.perf_counter() - wall_before)
                around["collection: browser tree CPU-s"].append(tree_cpu() - cpu_before)
                around["collection: Python CPU-s"].append(time.process_time() - py_before)
                for name in ("reject", "accept"):
                    for step, seconds in result.phases[name].timings.items():
                        steps[f"{name}: {step}"].append(seconds)
                classified, t_classify = timed(lambda r=result: classify_site(r, pipeline.knowledge))
                findings, t_rules = timed(lambda c=classified: evaluate(c, pipeline.rules))
                around["classification"].append(t_classify)
                around["rules"].append(t_rules)
                final = SiteResult(**{**classified.__dict__, "findings": findings})
                _, t_journal = timed(lambda f=final: journal.append(f))
                around["journal line (fsync)"].append(t_journal)
            journal.close()
            header = RunResult(ToolInfo("consent-auditor", "profile"), session.info, "", None, (), ())
            _, t_results = timed(
                lambda: write_results_from_journal(header, journal.path, work / "out" / "results.json")
            )
            around["results.json (per run, all sites)"].append(t_results)
        finally:
            closing = time.perf_counter()
            await session.close()
            around["browser close (once per run)"].append(time.perf_counter() - closing)
    print(f"one site, mean of {runs} runs after a warm-up, screenshots {'on' if screenshots else 'off'}")
    print(f"{'step':<38}{'seconds':>9}")
    for name, values in steps.items():
        print(f"{name:<38}{statistics.mean(values):>9.3f}")
    for phase in ("reject", "accept"):
        total = sum(statistics.mean(v) for k, v in steps.items() if k.startswith(phase) and "snapshot_before" not in k)
        print(f"{phase + ' context total':<38}{total:>9.3f}")
    print()
    for name, values in around.items():
        print(f"{name:<38}{statistics.mean(values):>9.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-screenshots", action="store_true")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="consent-audit-profile-"))
    try:
        make_sites_dir(work / "sites", [HOST])
        asyncio.run(profile(args.runs, not args.no_screenshots, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
