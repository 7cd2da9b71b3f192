"""The loaded form of rule packs: :class:`Rule`, :class:`PackInfo` and the resolved :class:`RuleSet`."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from auditor.model import PhaseName, Severity
from auditor.policy.conditions import Predicate
from auditor.policy.declarations import Declarations

ExpectMode = Literal["absent", "present", "at_most", "at_least"]


@dataclass(frozen=True)
class Expect:
    """What a rule expects of the subjects matching its condition, per phase."""

    mode: ExpectMode
    """``absent``: none may match (one finding per match); ``present``: at least one must match;
    ``at_most`` / ``at_least``: the number of matches is bounded by :attr:`count`."""
    count: int = 0

    def describe(self) -> str:
        """The expectation in words."""
        if self.mode == "absent":
            return "no matching subject"
        if self.mode == "present":
            return "at least one matching subject"
        if self.mode == "at_most":
            return f"at most {self.count} matching subject(s)"
        return f"at least {self.count} matching subject(s)"


@dataclass(frozen=True)
class Rule:
    """One compiled rule."""

    id: str
    title: str
    severity: Severity
    phases: tuple[PhaseName, ...]
    subject: str
    """Subject kind: cookie, set_cookie, request, storage, banner, consent, tcf."""
    message: str
    """Finding message template (see :mod:`auditor.policy.template`)."""
    expect: Expect
    when: Any
    """The condition as written (for docs); evaluation uses :attr:`predicate`."""
    predicate: Predicate = field(compare=False, repr=False)
    fields_used: tuple[str, ...] = ()
    """Fields the condition reads; their values are added to each finding's evidence."""
    requires: tuple[str, ...] = ()
    """Evidence that must exist or the rule reports outcome ``error``: ``consent`` (the phase's
    choice was clicked) and/or ``banner`` (banner evidence was recorded)."""
    group_by: tuple[str, ...] = ()
    """For ``absent``: one finding per distinct value of these fields instead of one per subject."""
    description: str | None = None
    sources: tuple[Mapping[str, Any], ...] = ()
    """What the rule implements: documents, articles, paragraphs, URLs, quotes."""
    pack: str = ""
    """Id of the pack that defines the rule."""
    file: str = ""
    line: int | None = None
    overridden_by: tuple[str, ...] = ()
    """Packs whose ``override`` changed this rule."""
    declarations: Declarations | None = field(default=None, compare=False, repr=False)
    """What the site declares, per this rule's pack and the packs it extends (``declarations:``)."""

    def source_mapping(self) -> dict[str, Any]:
        """The ``Finding.source`` of this rule: the first citation, the others under ``also``."""
        if not self.sources:
            return {}
        first = dict(self.sources[0])
        if len(self.sources) > 1:
            first["also"] = [dict(s) for s in self.sources[1:]]
        return first


@dataclass(frozen=True)
class PackInfo:
    """A loaded rule pack (its own metadata, not the rules it extends)."""

    id: str
    title: str
    description: str | None
    file: str
    extends: tuple[str, ...] = ()
    """Ids of the packs it extends."""
    sources: tuple[Mapping[str, Any], ...] = ()
    rule_ids: tuple[str, ...] = ()
    """Ids of the rules it defines."""
    disabled: tuple[str, ...] = ()
    """Ids of the rules it disables."""
    overridden: tuple[str, ...] = ()
    """Ids of the rules it overrides."""
    declarations: Declarations | None = field(default=None, compare=False, repr=False)
    """Its own ``declarations:`` section, when it has one."""


@dataclass(frozen=True)
class RuleSet:
    """The resolved rules of one or more packs (extends followed, disables and overrides applied)."""

    rules: tuple[Rule, ...]
    packs: tuple[PackInfo, ...]
    """Every pack loaded, bases before the packs that extend them."""
    disabled: Mapping[str, str] = field(default_factory=dict)
    """Rule id → id of the pack that disabled it."""

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of the active rules, in evaluation order."""
        return tuple(r.id for r in self.rules)

    @property
    def pack_ids(self) -> tuple[str, ...]:
        """Ids of the loaded packs."""
        return tuple(p.id for p in self.packs)

    def get(self, rule_id: str) -> Rule:
        """The active rule with this id; ``KeyError`` naming the id (and close matches) otherwise."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        if rule_id in self.disabled:
            raise KeyError(f"rule {rule_id!r} is disabled by pack {self.disabled[rule_id]!r}")
        close = difflib.get_close_matches(rule_id, self.ids, n=3)
        hint = f" (did you mean: {', '.join(close)}?)" if close else ""
        raise KeyError(f"unknown rule {rule_id!r}{hint}")

    def pack(self, pack_id: str) -> PackInfo:
        """The loaded pack with this id; ``KeyError`` naming it otherwise."""
        for p in self.packs:
            if p.id == pack_id:
                return p
        raise KeyError(f"unknown rule pack {pack_id!r} (loaded: {', '.join(self.pack_ids)})")
