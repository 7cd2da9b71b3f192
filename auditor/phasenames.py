"""How the audit phases are named to people: one table, a row per phase, a column per place a name appears.

The phases themselves (:data:`auditor.model.PhaseName`, :data:`auditor.model.PHASES`) are the model's; their
human wording lives here only. Rule messages (``{phase_label}``), report headings and table columns
(:mod:`auditor.formats.summary`) and the charts of ``compare`` (:mod:`auditor.formats.compare`) read it.
A new phase adds its row here (:data:`PHASE_WORDS` must cover :data:`~auditor.model.PHASES`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from auditor.model import PhaseName


@dataclass(frozen=True)
class PhaseWords:
    """The words for one phase, by where they appear."""

    phrase: str
    """Within a sentence, after what was seen: the ``{phase_label}`` of rule messages (``after refusal``)."""
    title: str
    """A heading: report sections, console legends (``After refusing``)."""
    short: str
    """One word: table column headers (``refused``)."""
    legend: str
    """The legend of a ``compare`` chart (``after refusing``)."""


PHASE_WORDS: Mapping[PhaseName, PhaseWords] = MappingProxyType(
    {
        "before": PhaseWords("before any consent choice", "Before any choice", "before", "before any choice"),
        "reject": PhaseWords("after refusal", "After refusing", "refused", "after refusing"),
        "accept": PhaseWords("after acceptance", "After accepting", "accepted", "after accepting"),
        "ignore": PhaseWords(
            "while the banner is left unanswered (scrolled, second page)", "Banner ignored", "ignored", "banner ignored"
        ),
        "gpc": PhaseWords("with Global Privacy Control sent", "With GPC signal", "GPC", "with GPC"),
        "withdraw": PhaseWords(
            "after consent was withdrawn", "After withdrawing consent", "withdrawn", "after withdrawing"
        ),
    }
)
"""Every phase's words, in the order of :data:`auditor.model.PHASES`."""


def phase_title(phase: str) -> str:
    """The heading of ``phase`` (its own name for a phase this table does not know)."""
    words = PHASE_WORDS.get(phase)  # type: ignore[call-overload]
    return words.title if words is not None else phase
