"""What every phase unit shares: the protocol, the state of one site's collection, a step clock.

A *phase unit* (:class:`PhaseUnit`) runs one fresh browser context of a site and adds the phases it
produces to a :class:`SiteState`; :mod:`auditor.browser.collect` runs the reject unit first, then the
units of the other requested phases concurrently (:data:`auditor.browser.phases.UNITS`), so a new kind of
phase is one new unit, not a branch. A unit writes only its own phases to the state.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from auditor.model import PhaseName, PhaseResult

if TYPE_CHECKING:
    from auditor.browser.collect import SiteCollector


@dataclass
class Clock:
    """Timings of the steps of one context, for profiling (``PhaseResult.timings``)."""

    marks: dict[str, float] = field(default_factory=dict)
    _t: float = field(default_factory=time.perf_counter)

    def lap(self, name: str) -> None:
        """Add the time since the previous lap to step ``name``."""
        now = time.perf_counter()
        self.marks[name] = round(self.marks.get(name, 0.0) + now - self._t, 3)
        self._t = now


@dataclass
class SiteState:
    """What the units of one site collected so far (mutable: each unit adds its phases)."""

    phases: dict[str, PhaseResult] = field(default_factory=dict)
    final_url: str | None = None
    load_error: str | None = None
    """The first context could not load the site: later units do not run."""
    site_error: str | None = None
    """Why the site counts as failed (the first load, or the accept context)."""


class PhaseUnit(Protocol):
    """One kind of phase: a fresh context of the site that produces the phases it names."""

    @property
    def produces(self) -> tuple[PhaseName, ...]:
        """The phases this unit records (the reject unit records ``before`` and ``reject``)."""
        ...

    async def collect(self, collector: SiteCollector, state: SiteState) -> None:
        """Run the unit's context and add its phases to ``state`` (a failure becomes a failed phase)."""
        ...


def failed_phase(name: PhaseName, reason: str, seen: PhaseResult | None) -> PhaseResult:
    """Phase ``name`` as an error with ``reason``, keeping what ``seen`` (its context's snapshot) observed."""
    if seen is None:
        return PhaseResult(name=name, status="error", error=reason)
    return replace(seen, name=name, status="error", error=reason)
