"""Memory and CPU: the defaults derived from this machine, and the memory of the audit's process tree.

The concurrency of a run and its memory budget default to what the machine has (cores, memory available
now); :class:`MemoryGauge` samples the PSS of the process tree (Python, Playwright's driver, every
Chromium process) for :class:`auditor.run.pool.BrowserPool`'s memory gate and the run summary.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable

BROWSER_BASE_MB = 350
"""Memory (PSS) of an idle audit: Python, Playwright's driver, Chromium's browser, GPU and utility processes."""
SITE_MB = 200
"""Memory (PSS) budgeted per site in flight: one renderer of a heavy real-world page, its frames and caches."""
SITES_PER_CORE = 4
"""Sites in flight per CPU core: a site mostly waits (network quiet, dwell after a click). Measured on 2 cores
(``benchmarks/throughput.py``, 20 synthetic sites, alternating runs): 3 a core left ~20 % of the CPU idle,
4 a core audited 11 % more sites a minute for +70 MB PSS; past the CPU's limit more sites in flight only
make each slower (the memory gate, :class:`auditor.run.pool.BrowserPool`, bounds what they take)."""
MAX_DEFAULT_CONCURRENCY = 16
"""Upper bound of the automatic concurrency (past it, one browser process becomes the bottleneck)."""
MEMORY_SHARE = 0.5
"""Share of the memory available at start used as the default budget."""


def available_memory_mb() -> float | None:
    """Memory available to new processes (MiB), or ``None`` when it cannot be read."""
    try:
        import psutil

        return float(psutil.virtual_memory().available) / 2**20
    except ImportError:
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def default_memory_budget_mb() -> int:
    """The default memory budget of a run: half the memory available now (2 GiB when unknown)."""
    available = available_memory_mb()
    if available is None:
        return 2048
    return max(BROWSER_BASE_MB + SITE_MB, int(available * MEMORY_SHARE))


def default_concurrency(memory_budget_mb: float | None = None, cores: int | None = None) -> int:
    """Sites in flight in one browser: :data:`SITES_PER_CORE` per core, within the memory budget."""
    cores = cores or os.cpu_count() or 1
    budget = memory_budget_mb if memory_budget_mb is not None else default_memory_budget_mb()
    by_cpu = SITES_PER_CORE * cores
    by_memory = int((budget - BROWSER_BASE_MB) // SITE_MB)
    return max(1, min(by_cpu, by_memory, MAX_DEFAULT_CONCURRENCY))


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$", re.IGNORECASE)


def parse_memory(text: str) -> int:
    """Parse a memory size into MiB: ``1500`` (MiB), ``1500M``, ``1.5G``, ``2GiB``, ``800MB``.

    Raises :class:`ValueError` with a readable message.
    """
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"invalid memory size {text!r}: expected e.g. 1500M, 1.5G or 2GiB")
    number, unit = float(match.group(1)), match.group(2).lower()
    scale = {"": 1.0, "k": 1 / 1024, "m": 1.0, "g": 1024.0, "t": 1024.0**2}[unit]
    value = int(number * scale)
    if value <= 0:
        raise ValueError(f"invalid memory size {text!r}: must be positive")
    return value


# --- memory of the process tree -------------------------------------------------------------------


def _pss_kb(pid: int) -> int | None:
    """Proportional set size of one process (Linux ``smaps_rollup``), ``None`` where unavailable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def process_tree_memory_mb(pid: int | None = None) -> float | None:
    """Memory of a process and all its descendants (Chromium, Playwright's driver), in MiB.

    Uses PSS where Linux offers it (shared pages split between the processes sharing them: the real
    footprint), else the sum of RSS (which counts shared pages once per process: an overestimate).
    ``None`` when psutil is not installed.
    """
    try:
        import psutil
    except ImportError:
        return None
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return None
    total_kb = 0
    for proc in procs:
        pss = _pss_kb(proc.pid)
        if pss is None:
            try:
                pss = proc.memory_info().rss // 1024
            except psutil.Error:
                continue
        total_kb += pss
    return total_kb / 1024


GAUGE_INTERVAL = 2.0
"""Seconds between two samples of the tree's memory: reading ``smaps_rollup`` of every Chromium process
takes tens of milliseconds of the event loop (measured: 29 ms a sample with 6 sites in flight), and a
site's memory grows over seconds, not milliseconds."""


class MemoryGauge:
    """The process tree's memory, sampled at most every ``interval`` seconds (cheap to call often)."""

    def __init__(
        self, interval: float = GAUGE_INTERVAL, reader: Callable[[], float | None] = process_tree_memory_mb
    ) -> None:
        self.interval = interval
        self._reader = reader
        self._value: float | None = None
        self._at = -1e9
        self.peak = 0.0

    def used_mb(self) -> float | None:
        """The latest sample (taken now when the previous one is older than ``interval``)."""
        now = time.monotonic()
        if now - self._at >= self.interval:
            self._value = self._reader()
            self._at = now
            if self._value is not None:
                self.peak = max(self.peak, self._value)
        return self._value
