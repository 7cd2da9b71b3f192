"""Throughput benchmark: this tool at its defaults, the same at concurrency 1, and a naive auditor.

All three audit the same N synthetic fixture sites (distinct host names, each a typical news page
with a banner, exempt audience measurement, a pre-consent pixel, consent-gated trackers and a beacon
2 s after acceptance) served by the local fixture web, in one run::

    python benchmarks/throughput.py               # 20 sites, the three modes
    python benchmarks/throughput.py --sites 60 --modes default
    python benchmarks/throughput.py --json bench.json
    python benchmarks/throughput.py --phases before,reject,accept,ignore --pairs 3   # cost of an extra phase

With ``--phases``, the default mode and the tool with those phases run in alternating pairs (default,
extra, default, extra, ...) so that a change of load on a shared machine hits both alike; the table then
ends with the extra/default throughput ratio of each pair and their median.

Each mode runs as a child process (the real ``consent-audit audit`` command line, or
``benchmarks/naive.py``), so its figures cover the whole process tree — Python, Playwright's
driver and every Chromium process — and nothing of the benchmark itself (the fixture web runs in
this process):

* **sites/min**: sites audited (three phases each) per minute of wall time, browser launch included;
* **CPU-s/site**: user + system CPU of the tree (``wait4`` rusage, reaped descendants included)
  divided by the number of sites;
* **peak MB**: the highest sum of RSS over the tree, sampled every 100 ms with psutil. RSS counts
  shared pages once *per process* (every Chromium process maps the same ~100 MB of binary and fonts),
  so this overstates real use: a conservative figure;
* **peak PSS MB**: the highest sum of PSS (Linux ``smaps_rollup``: shared pages split between the
  processes sharing them), i.e. the memory the tree really takes; the memory budget uses this one.

The machine's load average is printed with the figures: other processes competing for the cores
slow every mode down.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from auditor.fixtureweb import FixtureWeb
from auditor.fixtureweb.synthetic import make_sites_dir, synthetic_hosts

HERE = Path(__file__).resolve().parent
MODES = ("default", "concurrency-1", "naive")


def site_hosts(count: int) -> list[str]:
    """``count`` distinct synthetic host names (distinct registrable domains, as in a real site list)."""
    return synthetic_hosts("banc-essai", count)


@dataclass
class Measure:
    """The figures of one mode."""

    mode: str
    sites: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    peak_pss_mb: float
    exit_code: int
    load_before: float
    ok_sites: int | None = None

    @property
    def sites_per_min(self) -> float:
        """Sites audited per minute of wall time."""
        return 60.0 * self.sites / self.seconds if self.seconds else 0.0

    @property
    def cpu_per_site(self) -> float:
        """CPU-seconds of the whole process tree per site."""
        return self.cpu_seconds / self.sites if self.sites else 0.0


def pss_kb(pid: int) -> int:
    """PSS of one process in KiB (0 where ``/proc/PID/smaps_rollup`` is unavailable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed RSS and PSS of a process and all its descendants; keeps the peaks."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.peak_pss = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop_event.is_set():
            total = pss = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                pss += pss_kb(proc.pid) * 1024
            self.peak = max(self.peak, total)
            self.peak_pss = max(self.peak_pss, pss)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop_event.set()
        self.join()


def run_measured(mode: str, command: list[str], sites: int, log: Path) -> Measure:
    """Run ``command`` as a child, measuring wall time, tree CPU (rusage) and peak tree RSS."""
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as err:
        proc = subprocess.Popen(command, stdout=err, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        sampler.stop()
    return Measure(
        mode=mode,
        sites=sites,
        seconds=elapsed,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=sampler.peak / 2**20,
        peak_pss_mb=sampler.peak_pss / 2**20,
        exit_code=proc.returncode,
        load_before=load_before,
    )


def count_ok(out: Path) -> int:
    """Sites with ``status: ok`` in a tool run's journal."""
    journal = out / "journal.jsonl"
    if not journal.exists():
        return 0
    return sum(1 for line in journal.read_text(encoding="utf-8").splitlines() if '"status": "ok"' in line)


def count_naive_ok(out: Path) -> int:
    """Sites the naive auditor finished without an error in either context."""
    path = out / "naive.jsonl"
    if not path.exists():
        return 0
    done = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        if "error" not in data.get("reject", {}) and "error" not in data.get("accept", {}):
            done += 1
    return done


def browser_args(web: FixtureWeb) -> list[str]:
    """``--browser-arg`` options carrying the fixture web's Chromium switches."""
    out: list[str] = []
    for arg in web.chromium_args:
        out.append(f"--browser-arg={arg}")
    return out


def run_mode(mode: str, urls: list[str], web: FixtureWeb, work: Path, extra: Sequence[str]) -> Measure:
    """Run one mode over ``urls`` and return its figures (``phases:<list>``: the default mode with ``--phases``)."""
    out = work / mode.replace(":", "-").replace(",", "-")
    shutil.rmtree(out, ignore_errors=True)
    if mode == "naive":
        command = [sys.executable, str(HERE / "naive.py"), "--out", str(out), *browser_args(web), *urls]
    else:
        sites_yaml = work / "sites.yaml"
        sites_yaml.write_text("sites:\n" + "".join(f"  - {u}\n" for u in urls), encoding="utf-8")
        command = [sys.executable, "-m", "auditor", "audit", "--sites", str(sites_yaml), "--out", str(out)]
        command += browser_args(web)
        if mode == "concurrency-1":
            command += ["--concurrency", "1"]
        if mode.startswith("phases:"):
            command += ["--phases", mode.removeprefix("phases:")]
        command += list(extra)
    measure = run_measured(mode, command, len(urls), work / f"{out.name}.log")
    measure.ok_sites = count_naive_ok(out) if mode == "naive" else count_ok(out)
    return measure


def report(measures: Sequence[Measure]) -> str:
    """The figures as a text table, with the speed-up over the naive auditor when it ran."""
    naive = next((m for m in measures if m.mode == "naive"), None)
    lines = [
        f"{'mode':<15}{'sites':>6}{'ok':>5}{'wall s':>9}{'sites/min':>11}{'CPU-s/site':>12}{'peak MB':>9}"
        f"{'PSS MB':>8}{'vs naive':>10}{'load':>6}{'exit':>6}"
    ]
    for m in measures:
        ratio = f"{m.sites_per_min / naive.sites_per_min:.1f}x" if naive and naive.sites_per_min else "-"
        lines.append(
            f"{m.mode:<15}{m.sites:>6}{m.ok_sites if m.ok_sites is not None else '-':>5}{m.seconds:>9.1f}"
            f"{m.sites_per_min:>11.1f}{m.cpu_per_site:>12.2f}{m.peak_rss_mb:>9.0f}{m.peak_pss_mb:>8.0f}{ratio:>10}"
            f"{m.load_before:>6.2f}{m.exit_code:>6}"
        )
    return "\n".join(lines)


def pair_ratios(measures: Sequence[Measure]) -> str:
    """Throughput of the extra phases over the default one, pair by pair (each extra run over the default run
    just before it), and the median."""
    ratios = [
        extra.sites_per_min / default.sites_per_min
        for default, extra in zip(measures[::2], measures[1::2], strict=False)
        if default.sites_per_min
    ]
    if not ratios:
        return "no pair measured"
    listed = ", ".join(f"{r:.2f}" for r in ratios)
    return f"extra/default throughput per pair: {listed}; median {statistics.median(ratios):.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table (and write JSON with ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sites", type=int, default=20, help="number of synthetic sites (default 20)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, from {', '.join(MODES)}")
    parser.add_argument("--naive-sites", type=int, default=None, help="audit only this many sites in naive mode")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    parser.add_argument("--keep", type=Path, default=None, help="keep outputs and logs in this directory")
    parser.add_argument(
        "--phases", default=None, help="measure the tool with these --phases against the default, in alternating pairs"
    )
    parser.add_argument("--pairs", type=int, default=3, help="default/extra pairs with --phases (default 3)")
    parser.add_argument("tool_args", nargs="*", help="extra arguments for the tool's modes (after --)")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    for mode in modes:
        if mode not in MODES:
            parser.error(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if args.phases:
        modes = ["default", f"phases:{args.phases}"] * args.pairs
    work = args.keep or Path(tempfile.mkdtemp(prefix="consent-audit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    hosts = site_hosts(args.sites)
    sites_dir = work / "fixture-sites"
    shutil.rmtree(sites_dir, ignore_errors=True)
    make_sites_dir(sites_dir, hosts)
    measures: list[Measure] = []
    machine = f"{psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB"
    print(f"{machine}; work dir {work}", file=sys.stderr)
    try:
        with FixtureWeb(sites_dir=sites_dir) as web:
            urls = [web.url(host, "/") for host in hosts]
            for mode in modes:
                subset = urls[: args.naive_sites] if mode == "naive" and args.naive_sites else urls
                print(f"running {mode} on {len(subset)} sites ...", file=sys.stderr, flush=True)
                measure = run_mode(mode, subset, web, work, args.tool_args)
                measures.append(measure)
                print(report([measure]).splitlines()[1], file=sys.stderr, flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(report(measures))
    if args.phases:
        print(pair_ratios(measures))
    if args.json:
        payload = [{**asdict(m), "sites_per_min": m.sites_per_min, "cpu_per_site": m.cpu_per_site} for m in measures]
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
