"""Cost of classification per site (knowledge base + behaviour layer) on saved results, no browser.

Reads ``tests/data/results/*/results.json`` (or the given files), drops every classification so the
sites look freshly collected, warms the caches once, then classifies them again and again and prints
the CPU microseconds per site (median and best of the rounds; CPU time, so other work sharing the
cores matters less)::

    python benchmarks/classify_saved.py [results.json ...] [--rounds 7] [--repeat 50]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from pathlib import Path

from auditor.knowledge import KnowledgeBase, classify_site
from auditor.model import SiteResult
from auditor.results import read_results

DEFAULT = sorted((Path(__file__).resolve().parent.parent / "tests" / "data" / "results").glob("*/results.json"))


def unclassified(site: SiteResult) -> SiteResult:
    """``site`` with every classification dropped (as the collector hands it over)."""
    phases = {
        name: dataclasses.replace(
            p,
            cookies=tuple(dataclasses.replace(c, classification=None) for c in p.cookies),
            set_cookie_headers=tuple(dataclasses.replace(h, classification=None) for h in p.set_cookie_headers),
            requests=tuple(dataclasses.replace(r, classification=None) for r in p.requests),
            storage=tuple(dataclasses.replace(s, classification=None) for s in p.storage),
        )
        for name, p in site.phases.items()
    }
    return dataclasses.replace(site, phases=phases)


def main() -> None:
    """Print µs of CPU per site."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    sites = [unclassified(s) for path in args.results for s in read_results(path).sites]
    kb = KnowledgeBase.builtin()
    for site in sites:
        classify_site(site, kb)
    items = sum(len(p.cookies) + len(p.requests) + len(p.storage) for s in sites for p in s.phases.values())
    per_site = []
    for _ in range(args.rounds):
        started = time.process_time()
        for _ in range(args.repeat):
            for site in sites:
                classify_site(site, kb)
        per_site.append((time.process_time() - started) / (args.repeat * len(sites)))
    print(
        f"{len(sites)} sites, {items} items: {statistics.median(per_site) * 1e6:.0f} µs/site median,"
        f" {min(per_site) * 1e6:.0f} best"
    )


if __name__ == "__main__":
    main()
