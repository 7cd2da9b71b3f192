"""The shared interface of consent-manager adapters: what recognises a CMP and where its controls are.

An adapter is *data*, not code that drives the page: a :class:`Signature` (globals, DOM selectors,
cookie names, script URLs) and CSS selectors per role. The scan script (``js/scan.js``) evaluates
every adapter's signature and selectors in one ``evaluate`` per frame, piercing open shadow roots,
so adding an adapter never adds a round trip to the browser. Clicking stays in
:mod:`auditor.browser.consent`, which presses the controls like a user would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.browser.labels import Role

ROLES: tuple[Role, ...] = ("reject", "accept", "settings", "save")
"""Roles an adapter may name selectors for."""

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_CALL = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$")


class CmpError(Exception):
    """Base error of the consent-manager adapters."""


class UnknownCmpError(CmpError, KeyError):
    """A consent-manager adapter id that is not in the registry."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown consent manager adapter"


class InvalidAdapterError(CmpError, ValueError):
    """An adapter definition that cannot work (bad id, unknown role, no signal)."""


@dataclass(frozen=True)
class Signature:
    """What betrays a consent manager in a frame. Any one signal is enough to recognise it."""

    globals: tuple[str, ...] = ()
    """``window`` properties (dotted paths allowed: ``"Didomi.getUserStatus"``)."""
    selectors: tuple[str, ...] = ()
    """CSS selectors of its own DOM (``"#didomi-host"``), searched in open shadow roots too."""
    cookies: tuple[str, ...] = ()
    """Names of its first-party cookies (as seen by ``document.cookie`` in the frame)."""
    scripts: tuple[str, ...] = ()
    """Substrings of the ``src`` of a ``<script>`` loading it (``"sdk.privacy-center.org/"``)."""
    frames: tuple[str, ...] = ()
    """Substrings of the URL of a frame that belongs to it (``"privacy-mgmt.com/"``)."""

    def signals(self) -> int:
        """How many signals the signature declares."""
        return len(self.globals) + len(self.selectors) + len(self.cookies) + len(self.scripts) + len(self.frames)


@dataclass(frozen=True)
class CmpAdapter:
    """A consent manager the auditor recognises, and where its consent controls are.

    ``controls`` maps a role to CSS selectors, tried on every layer (a settings layer is just more
    visible controls): the first visible match wins. ``roots`` are the containers of its UI: a
    visible control inside one, not matched by a role selector, belongs to the CMP too and is
    classified by its label (a consent manager whose buttons carry no stable id).
    """

    id: str
    """Registry id, lower-case (``didomi``, ``vanilla-cookieconsent``)."""
    name: str
    """Human name (``Didomi``)."""
    signature: Signature
    controls: Mapping[Role, tuple[str, ...]] = field(default_factory=dict)
    roots: tuple[str, ...] = ()
    """Containers of the CMP's UI (banner and settings layer)."""
    consent_keys: tuple[str, ...] = ()
    """Cookie names and web-storage keys where it stores the visitor's choice (a trailing ``*`` matches a
    prefix): :mod:`auditor.browser.confirm` reads them to confirm that a click was taken into account."""
    generic: bool = False
    """A framework many CMPs implement (the IAB TCF API): named only when no specific CMP is recognised."""
    reopen: tuple[str, ...] = ()
    """Its own API to reopen the consent choices after a choice, as dotted paths of functions called with no
    argument, tried in order (``klaro.show``): the ``withdraw`` phase's way back when the page shows none."""
    reopen_controls: tuple[str, ...] = ()
    """CSS selectors of its persistent way back to the choices (a floating icon, a link it renders or
    binds), tried before the label heuristics of :func:`auditor.browser.vocabulary.is_way_back`."""
    docs: tuple[str, ...] = ()
    """Public documentation the signature and selectors were written from."""
    notes: str = ""
    """What a reader of a report should know about this CMP's interface."""

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise InvalidAdapterError(f"adapter id {self.id!r}: lower-case letters, digits and '-' only")
        unknown = [r for r in self.controls if r not in ROLES]
        if unknown:
            raise InvalidAdapterError(f"adapter {self.id!r}: unknown role(s) {unknown}; expected one of {list(ROLES)}")
        bad = [c for c in self.reopen if not _CALL.match(c)]
        if bad:
            raise InvalidAdapterError(f"adapter {self.id!r}: reopen {bad} must be dotted function paths")
        if self.signature.signals() == 0:
            raise InvalidAdapterError(f"adapter {self.id!r}: its signature declares no signal")

    def spec(self) -> dict[str, Any]:
        """The plain-data form ``scan.js`` receives."""
        sig = self.signature
        return {
            "id": self.id,
            "globals": list(sig.globals),
            "selectors": list(sig.selectors),
            "cookies": list(sig.cookies),
            "scripts": list(sig.scripts),
            "frames": list(sig.frames),
            "controls": {role: list(sels) for role, sels in self.controls.items()},
            "roots": list(self.roots),
        }
