"""Progress of an audit run on stderr: a live rich display on a terminal, plain lines otherwise.

Both displays are :class:`auditor.run.RunObserver`\\ s: executors call :meth:`run_started` once,
:meth:`site_finished` for every site as it is journaled (from the event loop or the Dask client's
thread) and :meth:`note` for events worth telling (a browser restarted, a worker lost).

* :class:`LiveProgress` (a terminal): a bar with sites done / total, ok and failed counts, the rate in
  sites per minute and the time left; failed sites are printed above the bar as they happen.
* :class:`PlainProgress` (CI logs, pipes): one line per site, the same as before this display existed,
  so logs stay greppable.

Use :func:`make_progress` to get the right one for a stream.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import IO, Self

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn
from rich.text import Text

from auditor.model import SiteResult


def site_line(site: SiteResult) -> str:
    """One line (plus indented phase problems) describing a finished site."""
    status = "ok" if site.status == "ok" else f"error: {site.error}"
    if site.attempts > 1:
        status += f" (after {site.attempts} attempts)"
    problems = [f"{p.name}: {p.error}" for p in site.phases.values() if p.status == "error" and p.error]
    return f"  {site.url}  {status}" + "".join(f"\n      {p}" for p in problems)


def format_duration(seconds: float) -> str:
    """``1h02m``, ``4m05s`` or ``12s``."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class _Counts:
    """Sites done, ok and failed, and the rate of this run (resumed sites excluded from the rate)."""

    def __init__(self) -> None:
        self.total = 0
        self.resumed = 0
        self.ok = 0
        self.failed = 0
        self.started = time.monotonic()
        self.lock = threading.Lock()

    @property
    def done(self) -> int:
        return self.resumed + self.ok + self.failed

    def rate_per_min(self) -> float:
        elapsed = time.monotonic() - self.started
        audited = self.ok + self.failed
        return 60.0 * audited / elapsed if elapsed > 0 and audited else 0.0

    def eta(self) -> str:
        rate = self.rate_per_min()
        left = self.total - self.done
        if left <= 0:
            return "done"
        if rate <= 0:
            return "?"
        return format_duration(60.0 * left / rate)

    def add(self, site: SiteResult) -> None:
        with self.lock:
            if site.status == "ok":
                self.ok += 1
            else:
                self.failed += 1

    def describe(self) -> str:
        return f"{self.ok} ok · {self.failed} failed · {self.rate_per_min():.1f} sites/min · ETA {self.eta()}"


class _CountsColumn(ProgressColumn):
    """Ok / failed / rate / ETA, recomputed at every refresh (so the ETA moves between sites)."""

    def __init__(self, counts: _Counts) -> None:
        super().__init__()
        self.counts = counts

    def render(self, task: Task) -> Text:
        return Text(self.counts.describe())


class PlainProgress:
    """Plain lines on a stream (for logs and pipes): one per finished site."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.counts = _Counts()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stream.flush()

    def _print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def run_started(self, total: int, resumed: int) -> None:
        """Say how many sites are left."""
        self.counts.total, self.counts.resumed = total, resumed
        self.counts.started = time.monotonic()
        if resumed:
            self._print(f"  resuming: {resumed} of {total} site(s) already done, {total - resumed} to go")

    def site_finished(self, result: SiteResult) -> None:
        """Print the site's line."""
        self.counts.add(result)
        self._print(site_line(result))

    def note(self, message: str) -> None:
        """Print the message."""
        self._print(f"  note: {message}")


class LiveProgress:
    """A live rich display (sites done / total, ok, failed, rate, ETA); failures printed above it."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console if console is not None else Console(stderr=True)
        self.counts = _Counts()
        self._progress = Progress(
            TextColumn("[bold]auditing[/]"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            _CountsColumn(self.counts),
            console=self.console,
            transient=False,
            refresh_per_second=4,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> Self:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._refresh()
        self._progress.stop()

    def _refresh(self) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self.counts.done)

    def run_started(self, total: int, resumed: int) -> None:
        """Create the bar (resumed sites count as done)."""
        self.counts.total, self.counts.resumed = total, resumed
        self.counts.started = time.monotonic()
        if resumed:
            self.console.print(f"  resuming: {resumed} of {total} site(s) already done")
        self._task = self._progress.add_task("audit", total=total, completed=resumed)

    def site_finished(self, result: SiteResult) -> None:
        """Advance the bar; print the site when it failed or a phase had a problem."""
        self.counts.add(result)
        if result.status != "ok" or any(p.status == "error" for p in result.phases.values()):
            self.console.print(escape(site_line(result)), style="red" if result.status != "ok" else "yellow")
        self._refresh()

    def note(self, message: str) -> None:
        """Print the message above the bar."""
        self.console.print(f"  [dim]note:[/] {escape(message)}")


ProgressDisplay = PlainProgress | LiveProgress


def make_progress(stream: IO[str] | None = None) -> ProgressDisplay:
    """A :class:`LiveProgress` when ``stream`` (default stderr) is a terminal, else a :class:`PlainProgress`."""
    target = stream if stream is not None else sys.stderr
    if target.isatty():
        return LiveProgress(Console(file=target))
    return PlainProgress(target)
