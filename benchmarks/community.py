"""Cost of the community layer: filter lists of EasyList + EasyPrivacy size, and the Open Cookie Database.

There is no network here, so no real EasyList: the benchmark *generates* lists with the shape of the
real ones (Adblock Plus network-filter syntax, the real mix of host anchors ``||host^``, ``$third-party``
and type options, ``$domain=`` restrictions, path and substring filters, ``@@`` exceptions, plus
cosmetic ``##`` rules the loader drops), of a chosen size, with a fixed seed::

    python benchmarks/community.py                       # 80,000 filters, classify 200 synthetic sites
    python benchmarks/community.py --filters 120000 --sites 500 --json community.json

It measures, in this process: compiling the lists (seconds, RSS growth), loading the Open Cookie
Database (seconds), and the classification time per site (``classify_site``) without and with the
lists, on synthetic sites of 3 phases × (60 cookies + 200 requests, 40 % to hosts the lists know)
and on the saved results in ``tests/data/results``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import string
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psutil

from auditor.knowledge import KnowledgeBase, classify_site
from auditor.knowledge.community import CommunityData
from auditor.knowledge.datacache import DataSource, update
from auditor.model import PHASES, Cookie, Party, PhaseResult, Request, SiteResult
from auditor.results import read_results

HERE = Path(__file__).resolve().parent
SAVED = HERE.parent / "tests" / "data" / "results"
TLDS = ("com", "net", "io", "fr", "de", "co.uk", "org", "info")
WORDS = ("ad", "ads", "track", "pixel", "stat", "metrics", "beacon", "tag", "banner", "sync", "collect", "count")
TYPES = ("script", "image", "xmlhttprequest", "subdocument", "stylesheet", "ping")


def _word(rng: random.Random, lo: int = 4, hi: int = 10) -> str:
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(lo, hi)))


def _host(rng: random.Random) -> str:
    prefix = rng.choice(("", "", "cdn.", "t.", "px.", "ads.", "stats.", "tag."))
    return f"{prefix}{_word(rng)}{rng.choice(('', '-' + rng.choice(WORDS)))}.{rng.choice(TLDS)}"


def generate_list(rng: random.Random, count: int) -> tuple[str, list[str]]:
    """A list of ``count`` filters (about 15 % cosmetic) in EasyList's proportions; also the hosts it blocks."""
    lines = ["[Adblock Plus 2.0]", "! Title: generated benchmark list", "! Version: 1"]
    hosts: list[str] = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.45:  # host anchors, most common in EasyPrivacy
            host = _host(rng)
            hosts.append(host)
            option = rng.choice(("", "", "$third-party", f"${rng.choice(TYPES)},third-party"))
            lines.append(f"||{host}^{option}")
        elif roll < 0.60:  # host + path
            host = _host(rng)
            hosts.append(host)
            lines.append(f"||{host}/{rng.choice(WORDS)}/{_word(rng, 2, 6)}")
        elif roll < 0.75:  # path or substring filters
            w = rng.choice(WORDS)
            lines.append(rng.choice((f"/{w}/{_word(rng)}.", f"-{w}-{_word(rng, 3, 6)}.", f"/{_word(rng)}_{w}.js")))
        elif roll < 0.80:  # domain-restricted
            lines.append(f"/{_word(rng)}/{rng.choice(WORDS)}$script,domain={_word(rng)}.{rng.choice(TLDS)}")
        elif roll < 0.85:  # exceptions
            lines.append(f"@@||{_host(rng)}^${rng.choice(TYPES)}")
        else:  # cosmetic (dropped on load)
            lines.append(f"{_word(rng)}.{rng.choice(TLDS)}##.{rng.choice(WORDS)}-{_word(rng, 3, 8)}")
    return "\n".join(lines) + "\n", hosts


def synthetic_site(rng: random.Random, index: int, listed: Sequence[str]) -> SiteResult:
    """A site of 3 phases × (60 cookies + 200 requests); 40 % of the requests go to hosts the lists block."""
    own = f"www.site{index}.example"
    phases: dict[str, PhaseResult] = {}
    for name in PHASES:
        requests = []
        for n in range(200):
            roll = rng.random()
            host = rng.choice(listed) if roll < 0.4 else (own if roll < 0.6 else _host(rng))
            party: Party = "first" if host == own else "third"
            requests.append(
                Request(
                    url=f"https://{host}/{rng.choice(WORDS)}/{n}.js?id={rng.getrandbits(64):x}",
                    host=host,
                    resource_type=rng.choice(("script", "image", "xhr", "fetch", "ping")),
                    method="GET",
                    party=party,
                    registrable_domain=host.split(".", 1)[-1],
                    initiator=f"https://{own}/",
                    status=200,
                )
            )
        cookies = [
            Cookie(
                name=rng.choice(("_ga", "IDE", "AMP_", "_gali", "uid", "sess")) + _word(rng, 0, 4),
                value=f"{rng.getrandbits(96):x}",
                domain=rng.choice((f".site{index}.example", ".doubleclick.net", ".unknown-adtech.io")),
                path="/",
                expires=2e9,
                lifetime_days=390.0,
                secure=True,
                http_only=False,
                same_site="Lax",
                party="first",
                registrable_domain=f"site{index}.example",
                set_by="script",
            )
            for _ in range(60)
        ]
        phases[name] = PhaseResult(
            name=name,
            status="ok",
            url=f"https://{own}/",
            requests=tuple(requests),
            cookies=tuple(cookies),
        )
    return SiteResult(url=f"https://{own}/", status="ok", phases=phases)


def _per_site_ms(kb: KnowledgeBase, sites: Sequence[SiteResult], rounds: int = 3) -> float:
    """Best of ``rounds`` of the mean ``classify_site`` time per site, in milliseconds (fresh caches each round)."""
    best = float("inf")
    for _ in range(rounds):
        fresh = KnowledgeBase(kb._layers, kb.community)
        start = time.perf_counter()
        for site in sites:
            classify_site(site, fresh)
        best = min(best, (time.perf_counter() - start) / len(sites) * 1000)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    """Run the measurements and print them (and write ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filters", type=int, default=80_000, help="filters over the two generated lists")
    parser.add_argument("--sites", type=int, default=200, help="synthetic sites to classify")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    rng = random.Random(2026)
    proc = psutil.Process()
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        big, hosts_a = generate_list(rng, args.filters * 5 // 8)  # EasyPrivacy-like share
        ads, hosts_b = generate_list(rng, args.filters * 3 // 8)
        (work / "a.txt").write_text(big, encoding="utf-8")
        (work / "b.txt").write_text(ads, encoding="utf-8")
        bodies = {"a": (work / "a.txt").read_bytes(), "b": (work / "b.txt").read_bytes()}
        cache = work / "cache"
        update(
            [DataSource("generated-privacy", "bench://a"), DataSource("generated-ads", "bench://b")],
            cache,
            fetch=lambda url, _timeout: bodies[url[-1]],
        )
        base = KnowledgeBase.builtin()
        start = time.perf_counter()
        base.community.classify_name("warm", "example.fr")
        figures["ocd_load_s"] = time.perf_counter() - start
        sites = [synthetic_site(rng, i, hosts_a + hosts_b) for i in range(args.sites)]
        saved = [s for run in sorted(SAVED.iterdir()) for s in read_results(run).sites]
        gc.collect()
        rss = proc.memory_info().rss
        community = CommunityData(cache)
        start = time.perf_counter()
        matcher = community.matcher
        figures["lists_compile_s"] = time.perf_counter() - start
        gc.collect()
        figures["lists_rss_mb"] = (proc.memory_info().rss - rss) / 2**20
        figures["filters_loaded"] = float(matcher.filter_count if matcher is not None else 0)
        if matcher is not None:
            urls = [(r.url, r.resource_type) for site in sites[:10] for p in site.phases.values() for r in p.requests]
            start = time.perf_counter()
            for url, kind in urls:
                matcher.classify(url, "https://www.site0.example/", kind)
            figures["us_per_request_check"] = (time.perf_counter() - start) / len(urls) * 1e6
        with_lists = KnowledgeBase.load([], community)
        figures["ms_per_site_without_lists"] = _per_site_ms(base, sites)
        figures["ms_per_site_with_lists"] = _per_site_ms(with_lists, sites)
        figures["ms_per_saved_site_without_lists"] = _per_site_ms(base, saved)
        figures["ms_per_saved_site_with_lists"] = _per_site_ms(with_lists, saved)
        blocked = sum(
            1
            for site in sites[:20]
            for phase in classify_site(site, with_lists).phases.values()
            for r in phase.requests
            if r.classification is not None and r.classification.layer == "community"
        )
        figures["community_requests_in_20_sites"] = float(blocked)
    figures["load_average_1min"] = psutil.getloadavg()[0]
    for key, value in figures.items():
        print(f"{key:36} {value:10.3f}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
