"""Soak benchmark: many synthetic sites, one in ten hostile, at the default settings (issue 17).

The real ``consent-audit audit`` command line audits N sites (default 300) served by the local
fixture web: synthetic news sites (:mod:`auditor.fixtureweb.synthetic`) with every tenth replaced by
a page of the hostile corpus (``tests/fixtureweb_hostile.py``, not shipped: the benchmark runs from the
repository; busy loops, reload loops, dialogs, pop-ups, 20 MB pages, renderer-killing memory hogs ...)::

    python benchmarks/soak.py                 # 300 sites
    python benchmarks/soak.py --sites 30      # a short one
    python benchmarks/soak.py --sites 30 --sandbox   # Chromium's sandbox on: as root, run as nobody
    python benchmarks/soak.py --sites 30 --sandbox --as-user auditor   # ... as another plain user

Chromium's sandbox refuses root: as root, ``--sandbox`` runs the audit child as ``--as-user`` (default
``nobody``) through ``setpriv``, with an interpreter that user can execute (:mod:`plainuser`: the venv's
``python`` may be a symlink into ``/root``, which a plain user cannot traverse).

It reports sites/min, peak PSS of the whole process tree, browser restarts, sites lost (input sites
missing from ``results.json``: must be 0) and crashes (a traceback, an ``internal error`` site, or an
exit code other than 0/1/3: must be 0). The measuring helpers are those of ``throughput.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fixtureweb_hostile import HOSTILE_SITES  # type: ignore[import-not-found]
from fixtureweb_sites import ROUTES  # type: ignore[import-not-found]
from plainuser import plain_user_runner
from throughput import browser_args, run_measured

from auditor.fixtureweb import FixtureWeb
from auditor.fixtureweb.synthetic import make_sites_dir, synthetic_hosts

HOSTILE = tuple(info.host for info in HOSTILE_SITES)
"""The hostile pages, each once, in turn (the off-site click's destination is not a page of its own)."""
RENDERER_CAP = "--js-flags=--max-old-space-size=512"
"""Bounds what the memory hog can take before its renderer dies (a real page would hit the machine's limit)."""


def soak_hosts(count: int, hostile_every: int = 10) -> list[str]:
    """``count`` hosts: synthetic ones, every ``hostile_every``-th replaced by a hostile page (in turn)."""
    hosts = synthetic_hosts("endurance", count)
    for index, slot in enumerate(range(hostile_every - 1, count, hostile_every)):
        hosts[slot] = HOSTILE[index % len(HOSTILE)]
    return hosts


def soak_urls(web: FixtureWeb, hosts: list[str]) -> list[str]:
    """One URL per host; a hostile page that comes back gets a query of its own (``/?visite=2``), so that
    each of its turns is a site of the run (a URL given twice is audited once)."""
    seen: dict[str, int] = {}
    urls = []
    for host in hosts:
        seen[host] = seen.get(host, 0) + 1
        urls.append(web.url(host, "/" if seen[host] == 1 else f"/?visite={seen[host]}"))
    return urls


def main(argv: list[str] | None = None) -> int:
    """Run the soak and print its figures (and write JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sites", type=int, default=300, help="number of sites (default 300)")
    parser.add_argument("--sandbox", action="store_true", help="Chromium's sandbox on (as root: run as --as-user)")
    parser.add_argument(
        "--as-user", default=None, help="run the audit as this plain user (root only; --sandbox as root: nobody)"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    parser.add_argument("--keep", type=Path, default=None, help="keep outputs and logs in this directory")
    args = parser.parse_args(argv)
    user = args.as_user or ("nobody" if args.sandbox and os.geteuid() == 0 else None)
    runner = plain_user_runner(user, Path(__file__).resolve().parent.parent) if user else None
    work = args.keep or Path(tempfile.mkdtemp(prefix="consent-audit-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o777)  # the plain user of --sandbox writes its outputs here
    hosts = soak_hosts(args.sites)
    sites_dir = make_sites_dir(work / "fixture-sites", sorted({h for h in hosts if h not in HOSTILE}))
    out = work / "out"
    try:
        with FixtureWeb(sites_dir=sites_dir, routes=ROUTES) as web:
            urls = soak_urls(web, hosts)
            sites_yaml = work / "sites.yaml"
            sites_yaml.write_text("sites:\n" + "".join(f"  - {u}\n" for u in urls), encoding="utf-8")
            audit = ["-m", "auditor", "audit", "--sites", str(sites_yaml), "--out", str(out)]
            audit += [*browser_args(web), f"--browser-arg={RENDERER_CAP}", *(["--sandbox"] if args.sandbox else [])]
            if runner is not None:
                env = {"HOME": str(work), "TMPDIR": str(work), "PATH": os.environ["PATH"]}
                if args.sandbox:
                    env["CONSENT_AUDIT_SANDBOX"] = "1"
                command = runner.command(audit, env)
            else:
                command = [sys.executable, *audit]
            print(f"soak: {len(urls)} sites ({sum(h in HOSTILE for h in hosts)} hostile) → {work}", file=sys.stderr)
            measure = run_measured("soak", command, len(urls), work / "soak.log")
        figures = figures_of(measure.exit_code, work / "soak.log", out, urls)
        figures.update(
            sites=len(urls),
            seconds=round(measure.seconds, 1),
            sites_per_min=round(measure.sites_per_min, 1),
            peak_pss_mb=round(measure.peak_pss_mb),
            load_before=round(measure.load_before, 2),
            exit_code=measure.exit_code,
            sandbox=args.sandbox,
            user=runner.user if runner else None,
            interpreter=runner.interpreter if runner else sys.executable,
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if figures["sites_lost"] == 0 and figures["crashes"] == 0 else 1


def figures_of(exit_code: int, log: Path, out: Path, urls: list[str]) -> dict[str, object]:
    """Sites lost, crashes, restarts and the failure reasons of one soak run."""
    text = log.read_text(encoding="utf-8", errors="replace")
    results_path = out / "results.json"
    sites = json.loads(results_path.read_text(encoding="utf-8"))["sites"] if results_path.exists() else []
    seen = {s["url"] for s in sites}
    internal = [s for s in sites if str(s.get("error") or "").startswith("internal error")]
    restarts = re.search(r"(\d+) browser restart", text)
    reasons: dict[str, int] = {}
    for site in sites:
        if site.get("status") != "ok":
            key = re.sub(r"\d+", "N", str(site.get("error")))[:90]
            reasons[key] = reasons.get(key, 0) + 1
    return {
        "ok": sum(s.get("status") == "ok" for s in sites),
        "failed": sum(s.get("status") != "ok" for s in sites),
        "sites_lost": sum(u not in seen for u in urls),
        "crashes": len(internal) + ("Traceback" in text) + (exit_code not in (0, 1, 3)),
        "browser_restarts": int(restarts.group(1)) if restarts else 0,
        "failure_reasons": reasons,
    }


if __name__ == "__main__":
    raise SystemExit(main())
