"""What a test asks of the consent checks: rule packs, consent controls, first-party domains.

Built from the plugin's options and ini values, then from the ``@pytest.mark.consent(...)`` marker
closest to the test (:meth:`ConsentSettings.with_marker`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest

from auditor.config import ControlSpec, SiteConfig
from auditor.pipeline import Pipeline, build_pipeline
from auditor.yamlutil import ConfigError

MARKER_KEYS = (
    "rules",
    "reject_label",
    "reject_selector",
    "accept_label",
    "accept_selector",
    "settings_label",
    "settings_selector",
    "first_party",
    "fail_on",
)
"""Keyword arguments of ``@pytest.mark.consent``."""


@dataclass(frozen=True)
class ConsentSettings:
    """Rule packs and consent-control hints for one test."""

    rules: tuple[str, ...] = ("baseline",)
    reject: ControlSpec | None = None
    accept: ControlSpec | None = None
    settings: ControlSpec | None = None
    first_party: tuple[str, ...] = ()
    fail_on: str = "error"
    """Findings at least this severe fail the assertions: ``error``, ``warning`` or ``info``."""

    def with_marker(self, kwargs: Mapping[str, Any]) -> ConsentSettings:
        """These settings overridden by a ``consent`` marker's keyword arguments (unknown keys raise ``TypeError``)."""
        unknown = sorted(set(kwargs) - set(MARKER_KEYS))
        if unknown:
            raise TypeError(
                f"@pytest.mark.consent: unknown argument(s) {unknown}; expected some of {list(MARKER_KEYS)}"
            )
        out = self
        if "rules" in kwargs:
            out = replace(out, rules=_strings(kwargs["rules"], "rules"))
        if "first_party" in kwargs:
            out = replace(out, first_party=_strings(kwargs["first_party"], "first_party"))
        if "fail_on" in kwargs:
            if kwargs["fail_on"] not in ("error", "warning", "info"):
                raise TypeError(
                    f"@pytest.mark.consent: fail_on must be error, warning or info, not {kwargs['fail_on']!r}"
                )
            out = replace(out, fail_on=kwargs["fail_on"])
        for role in ("reject", "accept", "settings"):
            label, selector = kwargs.get(f"{role}_label"), kwargs.get(f"{role}_selector")
            if label is not None or selector is not None:
                spec = ControlSpec(selector=selector, label=label)
                out = replace(out, reject=spec) if role == "reject" else out
                out = replace(out, accept=spec) if role == "accept" else out
                out = replace(out, settings=spec) if role == "settings" else out
        return out

    def site(self, url: str) -> SiteConfig:
        """The site configuration of ``url`` with these hints (as a ``sites.yaml`` entry would give)."""
        return SiteConfig(
            url=url, first_party=self.first_party, reject=self.reject, accept=self.accept, settings=self.settings
        )


def _strings(value: Any, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise TypeError(f"@pytest.mark.consent: {name} must be a string or a list of strings, not {value!r}")


def pipeline_for(settings: ConsentSettings, sites: tuple[SiteConfig, ...] = ()) -> Pipeline:
    """The pipeline of these settings; a bad rule pack fails the test with the loader's message."""
    try:
        return build_pipeline(settings.rules, sites)
    except ConfigError as exc:
        pytest.fail(f"consent rule packs: {exc}", pytrace=False)
