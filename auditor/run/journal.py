"""The client side of a run, whatever the executor: the journal, the counts, ``results.json``.

A run never holds all results in memory: each finished site goes to ``journal.jsonl`` (and to the
observer, e.g. the progress display) and is dropped; executors return a :class:`RunSummary` (counts
and paths), and :func:`iter_run_sites` streams the final sites back when something needs them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from auditor import __version__
from auditor.browser.autoconsent.vendored import engine_id
from auditor.config import AuditOptions, SiteConfig
from auditor.model import BrowserInfo, RunResult, SiteResult, ToolInfo, iso_now, to_jsonable
from auditor.redact import redact_site
from auditor.results import (
    JOURNAL_FILE,
    RESULTS_FILE,
    Journal,
    iter_latest,
    read_results,
    rewrite_journal,
    write_results_from_journal,
)
from auditor.run.site import AuditPlan, Executor, apply_postprocess

log = logging.getLogger(__name__)


class RunObserver(Protocol):
    """What an executor tells the caller (the CLI's progress display) while a run goes on."""

    def run_started(self, total: int, resumed: int) -> None:
        """``total`` sites in the plan, ``resumed`` of them already finished in the journal."""

    def site_finished(self, result: SiteResult) -> None:
        """A site was audited and journaled (called from the executor's thread or event loop)."""

    def note(self, message: str) -> None:
        """Something worth telling the user (browser restarted, worker lost, ...)."""


class SiteCallback:
    """A :class:`RunObserver` calling a plain function for each finished site."""

    def __init__(self, fn: Callable[[SiteResult], None]) -> None:
        self.fn = fn

    def run_started(self, total: int, resumed: int) -> None:
        """Nothing to do."""

    def site_finished(self, result: SiteResult) -> None:
        """Call the function."""
        self.fn(result)

    def note(self, message: str) -> None:
        """Nothing to do."""


@dataclass
class RunSummary:
    """What a run leaves for its caller: counts and where the evidence is, never the evidence itself."""

    out_dir: Path
    results_path: Path
    journal_path: Path
    total: int
    """Sites in the plan."""
    resumed: int = 0
    """Sites skipped because the journal already held them (``--resume``)."""
    audited: int = 0
    """Sites audited by this run."""
    ok: int = 0
    """Sites with ``status: ok`` (resumed ones included)."""
    failed: int = 0
    """Sites with ``status: error`` (resumed ones included)."""
    retried: int = 0
    """Sites of this run that needed more than one attempt."""
    interrupted: bool = False
    """The run stopped early (Ctrl-C): the sites not finished are missing from the results."""
    started: str = ""
    finished: str = ""
    browser: BrowserInfo = field(default_factory=BrowserInfo)
    browser_restarts: int = 0
    executor: Executor = "local"
    concurrency: int = 0
    memory_budget_mb: int | None = None
    peak_memory_mb: float | None = None
    """Highest PSS of the local process tree seen by the memory gauge (local executor)."""

    @property
    def missing(self) -> int:
        """Sites of the plan with no result (an interrupted run)."""
        return self.total - self.ok - self.failed

    def load(self) -> RunResult:
        """Read the whole ``results.json`` (every site in memory: for small runs and formats)."""
        return read_results(self.results_path)

    def iter_sites(self) -> Iterator[SiteResult]:
        """Stream the final result of every site, one at a time (journal order), never all in memory."""
        return iter_run_sites(self.journal_path)


def scan_journal(path: Path) -> dict[str, str]:
    """URL → status of every site in a journal (the last line of a URL wins; truncated lines skipped)."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                data = json.loads(line)
                out[str(data["url"])] = str(data.get("status", "error"))
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
    return out


iter_run_sites = iter_latest
"""The final result of each site of a journal, one at a time (see :func:`auditor.results.iter_latest`)."""


class RunBook:
    """The client side of any executor: sites left to do, the journal, the counts, ``results.json``.

    Creating it only reads (the journal, for ``--resume``), so an executor can check its browser or
    cluster first and fail without touching ``OUT``. Entering the ``with`` block starts the run (a fresh
    journal unless resuming); :meth:`record` journals each finished site (flushed and fsynced at once);
    :meth:`close` — also on leaving the block by an exception, Ctrl-C included — writes ``results.json``
    from the journal and returns the :class:`RunSummary`.
    """

    def __init__(self, plan: AuditPlan, observer: RunObserver | None = None, executor: Executor = "local") -> None:
        self.plan = plan
        self.observer = observer
        out = plan.out_dir
        journal_path = out / JOURNAL_FILE
        previous = scan_journal(journal_path) if self.resuming else {}
        if plan.retry_failed:
            previous = {url: status for url, status in previous.items() if status == "ok"}
        self.todo: list[SiteConfig] = [s for s in plan.sites if s.url not in previous]
        self.summary = RunSummary(
            out_dir=out,
            results_path=out / RESULTS_FILE,
            journal_path=journal_path,
            total=len(plan.sites),
            resumed=len(plan.sites) - len(self.todo),
            started=iso_now(),
            executor=executor,
            memory_budget_mb=plan.memory_budget_mb,
            concurrency=plan.options.concurrency,
        )
        wanted = {s.url for s in plan.sites}
        for url, status in previous.items():
            if url in wanted:
                self._count(status)
        self.browser = BrowserInfo()
        """Provenance for ``results.json``: set by the executor once its browser is known."""
        self._journal: Journal | None = None
        self._closed = False
        self._raw_in_journal = False
        """A resumed journal held raw values (an older version, or a run with ``--keep-values``)."""

    @property
    def resuming(self) -> bool:
        """Whether the journal is kept (``--resume`` or ``--retry-failed``)."""
        return self.plan.resume or self.plan.retry_failed

    def begin(self) -> None:
        """Start the run: a fresh journal unless resuming; tell the observer (idempotent).

        When resuming, the sites kept from the journal are evaluated again with the current packs
        (:meth:`reevaluate`) before anything new is audited.
        """
        if self._journal is not None:
            return
        self.plan.out_dir.mkdir(parents=True, exist_ok=True)
        if not self.resuming and self.summary.journal_path.exists():
            self.summary.journal_path.unlink()
        self._journal = Journal(self.summary.journal_path)
        if self.resuming:
            self.reevaluate()
        if self.observer is not None:
            self.observer.run_started(self.summary.total, self.summary.resumed)

    def reevaluate(self) -> int:
        """Evaluate the resumed sites' saved evidence with the plan's post-processing; journal the changed ones.

        No browser: the journal keeps the evidence. One site in memory at a time. Returns how many
        sites got a new journal line (those whose findings, packs or rules changed).
        """
        assert self._journal is not None
        kept = {s.url for s in self.plan.sites} - {s.url for s in self.todo}
        changed = 0
        keep_values = self.plan.options.keep_values
        for site in iter_latest(self.summary.journal_path, [s.url for s in self.plan.sites]):
            if not keep_values and redact_site(site) is not site:
                self._raw_in_journal = True  # rewritten redacted when the run closes
            if site.url not in kept or site.status != "ok":
                continue
            again = apply_postprocess(self.plan.postprocess, site)
            if not keep_values:
                again = redact_site(again)
            if to_jsonable(again) != to_jsonable(site):  # compared as written (tuples and lists alike)
                self._journal.append(again)
                changed += 1
                if again.status != "ok":  # the rules could not run on the saved evidence
                    self.summary.ok -= 1
                    self.summary.failed += 1
        return changed

    def _count(self, status: str) -> None:
        if status == "ok":
            self.summary.ok += 1
        else:
            self.summary.failed += 1

    def record(self, result: SiteResult) -> None:
        """Journal one finished site, count it, tell the observer."""
        self.begin()
        assert self._journal is not None
        if not self.plan.options.keep_values:  # nothing raw is journaled (a no-op when the pipeline redacted)
            result = redact_site(result)
        try:
            self._journal.append(result)
        except OSError as exc:  # disk full, read-only: stop, keeping what is already on disk
            raise JournalError(
                f"{self.summary.journal_path}: cannot write the journal ({exc.strerror or exc}); the run stopped "
                f"at {result.url}, the sites finished before it are kept (rerun with --resume once it is writable)"
            ) from exc
        self.summary.audited += 1
        self._count(result.status)
        if result.attempts > 1:
            self.summary.retried += 1
        if self.observer is not None:
            try:
                self.observer.site_finished(result)
            except Exception:  # a display problem must not stop the audit
                log.exception("progress observer failed")

    def note(self, message: str) -> None:
        """Pass a message to the observer."""
        log.info(message)
        if self.observer is not None:
            with contextlib.suppress(Exception):
                self.observer.note(message)

    def close(self, *, interrupted: bool = False) -> RunSummary:
        """Close the journal and write ``results.json`` from it (idempotent)."""
        summary = self.summary
        summary.interrupted = summary.interrupted or interrupted
        if self._closed:
            return summary
        self.begin()
        assert self._journal is not None
        self._closed = True
        with contextlib.suppress(OSError):  # a full disk fails the last flush; what was fsynced is kept
            self._journal.close()
        if self._raw_in_journal:  # nothing raw stays on disk: one redacted line per site
            rewrite_journal(self.summary.journal_path, redact_site, [s.url for s in self.plan.sites])
        summary.finished = iso_now()
        if self.browser.version:
            summary.browser = self.browser
        plan = self.plan
        header = RunResult(
            tool=ToolInfo("consent-auditor", __version__, consent_engines=(engine_id(),)),
            browser=summary.browser,
            started=summary.started,
            finished=summary.finished,
            arguments=plan.arguments,
            sites=(),
            options=_options_dict(plan.options),
            rule_packs=plan.rule_packs,
            rules=plan.rule_ids,
            fail_on=plan.fail_on,
            data=plan.data,
        )
        try:
            write_results_from_journal(header, summary.journal_path, summary.results_path, [s.url for s in plan.sites])
        except OSError as exc:
            raise JournalError(
                f"{summary.results_path}: cannot write the results ({exc.strerror or exc}); every finished site is "
                f"kept in {summary.journal_path} (rerun with --resume to write them)"
            ) from exc
        return summary

    def __enter__(self) -> RunBook:
        self.begin()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        stopped = exc_type is not None and issubclass(exc_type, (KeyboardInterrupt, asyncio.CancelledError))
        self.close(interrupted=stopped)


class JournalError(Exception):
    """The journal or ``results.json`` could not be written (disk full, read-only); the message names the
    file and what is kept. The command line exits with code 3 (evidence is missing)."""


def _options_dict(options: AuditOptions) -> dict[str, object]:
    data: dict[str, object] = to_jsonable(options)
    return data
