"""Phase units: one small unit per kind of phase, each a fresh context of the site in the same browser.

:data:`UNITS` lists them (their phases are reported in that order); :func:`units_for` picks those of the
requested phases (``--phases``). The reject unit always runs first: it records ``before``, the reference of
every other phase, and its load failure stops the site; the other units then run concurrently.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.browser.phases.base import Clock, PhaseUnit, SiteState, failed_phase
from auditor.browser.phases.choice import AcceptUnit, RejectUnit
from auditor.browser.phases.gpc import GpcUnit
from auditor.browser.phases.ignore import IgnoreUnit
from auditor.browser.phases.withdraw import WithdrawUnit
from auditor.model import PhaseName

UNITS: tuple[PhaseUnit, ...] = (RejectUnit(), AcceptUnit(), IgnoreUnit(), GpcUnit(), WithdrawUnit())
"""Every phase unit, the reject unit first."""


def units_for(phases: Sequence[PhaseName]) -> tuple[PhaseUnit, ...]:
    """The units that produce any of ``phases``, in run order (the reject unit always: it gives ``before``)."""
    wanted = {"before", *phases}
    return tuple(u for u in UNITS if wanted & set(u.produces))


__all__ = ["UNITS", "Clock", "PhaseUnit", "SiteState", "failed_phase", "units_for"]
