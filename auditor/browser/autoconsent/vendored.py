"""The vendored DuckDuckGo autoconsent: its content script, its rules and their version.

The files are the npm package's own (``auditor/browser/vendor/autoconsent/``, refreshed by
``scripts/update-autoconsent.sh``). The full ``rules.json`` is used (the compact rules have no opt-in
steps), but each frame receives only the rules that can run in it: rules for the top document or for
child frames, rules whose ``urlPattern`` matches the frame's URL, and never a cosmetic rule (it only hides
a banner: hiding is not a choice).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

VENDOR_PACKAGE = "auditor.browser.vendor"
VENDOR_DIR = "autoconsent"


@dataclass(frozen=True)
class Rule:
    """One declarative autoconsent rule, with what decides where it runs."""

    name: str
    main: bool
    """It runs in the top document."""
    frame: bool
    """It runs in child frames."""
    url_pattern: str | None
    cosmetic: bool
    json: str
    """The rule as sent to the content script."""
    data: Mapping[str, Any]

    def runs_in(self, url: str, main: bool) -> bool:
        """Whether the content script of a frame at ``url`` would consider this rule."""
        if (main and not self.main) or (not main and not self.frame):
            return False
        if not self.url_pattern:
            return True
        pattern = _pattern(self.url_pattern)
        return True if pattern is None else pattern.search(url) is not None


@dataclass(frozen=True)
class Vendored:
    """The vendored package: version, integrity, content script and rules."""

    package: str
    version: str
    integrity: str
    script: str
    rules: tuple[Rule, ...]
    generic_main: tuple[str, ...] = ()
    """The JSON of the non-cosmetic rules without ``urlPattern`` that run in the top document."""
    generic_frame: tuple[str, ...] = ()
    """The same for child frames."""

    @property
    def engine(self) -> str:
        """``@duckduckgo/autoconsent@16.23.0``: what results record as the engine's provenance."""
        return f"{self.package}@{self.version}"

    def rule(self, name: str) -> Rule | None:
        """The declarative rule called ``name`` (``None`` for rules built into the script, like OneTrust's)."""
        return next((r for r in self.rules if r.name == name), None)

    def rules_json(self, url: str, main: bool) -> str:
        """``{"autoconsent": [...]}``: the non-cosmetic rules that can run in a frame at ``url``."""
        site_specific = [r.json for r in self.rules if r.url_pattern and not r.cosmetic and r.runs_in(url, main)]
        generic = self.generic_main if main else self.generic_frame
        return '{"autoconsent": [' + ",".join([*generic, *site_specific]) + "]}"


@functools.cache
def _pattern(source: str) -> re.Pattern[str] | None:
    """A rule's JavaScript ``urlPattern`` as a Python pattern; ``None`` when Python cannot read it (the
    rule is then sent, and the content script decides)."""
    try:
        return re.compile(source)
    except re.error:
        return None


def _rule(data: Mapping[str, Any]) -> Rule:
    context = data.get("runContext") or {}
    return Rule(
        name=str(data["name"]),
        main=bool(context.get("main", True)),
        frame=bool(context.get("frame", False)),
        url_pattern=context.get("urlPattern") or None,
        cosmetic=bool(data.get("cosmetic", False)),
        json=json.dumps(data, separators=(",", ":")),
        data=data,
    )


def parse_rules(rules: Sequence[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """The rules of a ``rules.json`` ``autoconsent`` list."""
    return tuple(_rule(r) for r in rules)


@functools.cache
def _meta() -> Mapping[str, Any]:
    data: Mapping[str, Any] = json.loads(_base().joinpath("VERSION.json").read_text(encoding="utf-8"))
    return data


def _base() -> Traversable:
    return resources.files(VENDOR_PACKAGE).joinpath(VENDOR_DIR)


def engine_id() -> str:
    """``@duckduckgo/autoconsent@16.23.0``, read from ``VERSION.json`` alone (cheap: for provenance)."""
    meta = _meta()
    return f"{meta['package']}@{meta['version']}"


@functools.cache
def vendored() -> Vendored:
    """The vendored autoconsent (read once per process)."""
    base = _base()
    meta = _meta()
    rules = parse_rules(json.loads(base.joinpath("rules.json").read_text(encoding="utf-8"))["autoconsent"])
    return Vendored(
        package=str(meta["package"]),
        version=str(meta["version"]),
        integrity=str(meta["integrity"]),
        script=base.joinpath("autoconsent.playwright.js").read_text(encoding="utf-8"),
        rules=rules,
        generic_main=_generic(rules, main=True),
        generic_frame=_generic(rules, main=False),
    )


def _generic(rules: Sequence[Rule], *, main: bool) -> tuple[str, ...]:
    return tuple(r.json for r in rules if not r.url_pattern and not r.cosmetic and r.runs_in("", main))
