"""The whole three-phase audit, as ``consent-audit audit`` runs it, callable from a test.

pytest-playwright's sync API marks its event loop as the running loop of the main thread for the
whole session, so ``asyncio.run`` cannot be called there once a test has used ``page``. The audit
therefore runs in a worker thread with an event loop of its own (:func:`in_worker_thread`), whatever
the calling thread is doing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from auditor.config import AuditOptions, SiteConfig
from auditor.model import RunResult
from auditor.pipeline import build_pipeline
from auditor.run import AuditPlan, run

T = TypeVar("T")


def in_worker_thread(fn: Callable[[], T]) -> T:
    """Call ``fn`` in a fresh worker thread (so it may start its own event loop) and return its result."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="consent-audit") as pool:
        return pool.submit(fn).result()


def audit_sites(
    sites: Sequence[SiteConfig],
    options: AuditOptions,
    out_dir: Path,
    *,
    rules: Sequence[str] | None = None,
    knowledge: Sequence[str | Path] = (),
) -> RunResult:
    """Audit ``sites`` in three phases, classified and evaluated against ``rules`` (default: ``baseline``).

    The same :func:`auditor.pipeline.build_pipeline` and :func:`auditor.run.run` as the CLI: a bad pack
    raises :class:`auditor.yamlutil.ConfigError` before any browser starts; ``out_dir`` receives
    ``results.json``, the journal and the screenshots.
    """
    pipeline = build_pipeline(rules, sites, knowledge=knowledge)
    plan = AuditPlan(
        sites=tuple(sites),
        options=options,
        out_dir=out_dir,
        postprocess=pipeline.postprocess,
        arguments=("pytest", "consent_audit"),
        rule_packs=pipeline.pack_names,
        rule_ids=pipeline.rule_ids,
    )
    return in_worker_thread(lambda: run(plan))
