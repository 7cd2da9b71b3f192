"""The core of the field registry: subjects in a phase (:class:`Item`), field specs, missing evidence."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from auditor.model import (
    Classification,
    PhaseResult,
    SiteResult,
)
from auditor.phasenames import PHASE_WORDS
from auditor.policy.declarations import Declarations

SubjectKind = Literal["cookie", "set_cookie", "request", "storage", "banner", "consent", "tcf"]
SUBJECT_KINDS: tuple[SubjectKind, ...] = ("cookie", "set_cookie", "request", "storage", "banner", "consent", "tcf")
"""The subject kinds a rule can be about, in documentation order."""

FieldType = Literal["string", "domain", "enum", "number", "bool", "intset", "controls"]
"""How a field is matched (see :mod:`auditor.policy.conditions`)."""

PHASE_LABELS: Mapping[str, str] = {name: words.phrase for name, words in PHASE_WORDS.items()}
"""Human wording of the phases, for the ``{phase_label}`` placeholder (:data:`auditor.phasenames.PHASE_WORDS`)."""


class MissingEvidence(Exception):
    """A field's value was not collected, so a rule using it cannot be evaluated."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass
class Context:
    """What accessors may need beyond the subject itself: the site and the phase being evaluated."""

    site: SiteResult
    phase: PhaseResult
    declarations: Declarations | None = None
    """What the site declares, per the rule's pack (``declarations:``); ``None`` when its pack declares nothing."""
    _request_classes: dict[str, Classification] | None = field(default=None, repr=False)
    _host_classes: dict[str, Classification] | None = field(default=None, repr=False)

    def classification_for_response(self, url: str, host: str) -> Classification | None:
        """Classification of the request that carried a response (by URL, then by host)."""
        if self._request_classes is None:
            by_url: dict[str, Classification] = {}
            by_host: dict[str, Classification] = {}
            for req in self.phase.requests:
                if req.classification is not None:
                    by_url.setdefault(req.url, req.classification)
                    by_host.setdefault(req.host, req.classification)
            self._request_classes, self._host_classes = by_url, by_host
        assert self._host_classes is not None
        return self._request_classes.get(url) or self._host_classes.get(host)


@dataclass(frozen=True, slots=True)
class Item:
    """One subject (a cookie, a request, the banner, ...) seen in one phase."""

    obj: Any
    ctx: Context


Accessor = Callable[[Item], Any]


@dataclass(frozen=True)
class FieldSpec:
    """A field of a subject kind: its name, how it is matched, what it means and how to read it."""

    name: str
    type: FieldType
    doc: str
    get: Accessor
    choices: tuple[str, ...] = ()
    """Allowed values of an ``enum`` field."""
    evidence: bool = True
    """Whether the value is copied into a finding's evidence when the rule's condition uses it."""


def attribute(name: str) -> Accessor:
    """The accessor reading attribute ``name`` of the subject object."""

    def get(item: Item) -> Any:
        return getattr(item.obj, name)

    return get
