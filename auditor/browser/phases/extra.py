"""The frame shared by the extra phases (``ignore``, ``gpc``): one fresh context, one first
load, the unit's own steps, one snapshot; any failure becomes the failed phase, never a site failure.

A requested extra phase that failed stays in the results with ``status: error`` and its reason, so the
verdict reports it as a gap (:mod:`auditor.verdict`) instead of leaving it out.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from auditor.browser.network import NetworkRecorder
from auditor.browser.pageview import describe_error, load_page
from auditor.browser.phases.base import Clock, SiteState, failed_phase
from auditor.model import PhaseName
from auditor.party import host_of

if TYPE_CHECKING:
    from auditor.browser.collect import SiteCollector


@dataclass
class ExtraView:
    """What an extra phase's steps work with, and what they report back."""

    collector: SiteCollector
    context: BrowserContext
    page: Page
    recorder: NetworkRecorder
    clock: Clock
    steps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)
    """Fields of the phase's :class:`PhaseResult` set by the steps (``consent``, ``banner``, ``gpc``)."""
    error: str | None = None
    """Why the steps could not be completed (the phase is then recorded as failed, with its evidence)."""


Steps = Callable[[ExtraView], Awaitable[None]]
Prepare = Callable[[BrowserContext], Awaitable[None]]


async def _nothing(context: BrowserContext) -> None:
    """No preparation of the context."""


async def run_extra(
    collector: SiteCollector,
    state: SiteState,
    name: PhaseName,
    steps: Steps,
    prepare: Prepare = _nothing,
    *,
    label: str | None = None,
) -> None:
    """Run extra phase ``name``: a fresh context (``prepare``\\ d), the first load, ``steps``, the snapshot.

    The phase's requests are those labelled ``name``; with ``label``, requests are labelled so until the
    steps switch the recorder to ``name`` (the ``withdraw`` phase counts only what follows the withdrawal)."""
    clock = Clock()
    context, recorder = await collector.open_context(label or name)
    try:
        await prepare(context)
        clock.lap("context")
        page = await context.new_page()
        loaded = await load_page(page, recorder, collector.options, collector.site.url)
        clock.lap("load")
        view = ExtraView(collector, context, page, recorder, clock, warnings=list(loaded.warnings))
        if loaded.error is None:
            await steps(view)
        else:
            view.error = f"the {name} context did not load: {loaded.error}"
        phase = await collector.snapshot(
            name, context, view.page, recorder, (name,), view.warnings, loaded.status, clock, shoot=True
        )
        phase = replace(phase, steps=tuple(view.steps), redirects=loaded.redirects, **view.changes)
        if view.error is not None:
            phase = replace(phase, status="error", error=view.error)
    except PlaywrightError as exc:  # this context crashed or was closed: the phase failed, the site did not
        phase = failed_phase(name, f"browser failure: {describe_error(exc)}", None)
    finally:
        with contextlib.suppress(PlaywrightError):
            await context.close()
    state.phases[name] = phase


def first_party_link(collector: SiteCollector, links: list[str], current: str) -> str | None:
    """The first of ``links`` (page order) on one of the site's own domains that is not ``current``."""
    here = current.split("#", 1)[0]
    for href in links:
        bare = href.split("#", 1)[0]
        if bare.startswith("http") and bare != here and collector.party.of_host(host_of(bare)) == "first":
            return bare
    return None
