"""The explicit registry of consent-manager adapters, in the order they are reported.

>>> from auditor.browser.cmp.registry import get
>>> get("didomi").name
'Didomi'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from auditor.browser.cmp import (
    axeptio,
    cookie_consent_js,
    cookiebot,
    cookies_eu_banner,
    didomi,
    dp_consent,
    hb_cookie_law_banner,
    klaro,
    mozilla_consent_banner,
    onetrust,
    orejime,
    osano,
    porsche_cookie_consent_banner,
    quantcast,
    sourcepoint,
    tarteaucitron,
    tcf,
    usercentrics,
    vanilla_cookieconsent,
)
from auditor.browser.cmp.interface import CmpAdapter, InvalidAdapterError, UnknownCmpError


def _index(adapters: Iterable[CmpAdapter]) -> dict[str, CmpAdapter]:
    out: dict[str, CmpAdapter] = {}
    for adapter in adapters:
        if adapter.id in out:
            raise InvalidAdapterError(f"two adapters share the id {adapter.id!r}")
        out[adapter.id] = adapter
    return out


ADAPTERS: Mapping[str, CmpAdapter] = _index(
    (
        didomi.ADAPTER,
        sourcepoint.ADAPTER,
        onetrust.ADAPTER,
        usercentrics.ADAPTER,
        quantcast.ADAPTER,
        cookiebot.ADAPTER,
        axeptio.ADAPTER,
        tarteaucitron.ADAPTER,
        vanilla_cookieconsent.ADAPTER,
        klaro.ADAPTER,
        orejime.ADAPTER,
        osano.ADAPTER,
        cookies_eu_banner.ADAPTER,
        porsche_cookie_consent_banner.ADAPTER,
        mozilla_consent_banner.ADAPTER,
        hb_cookie_law_banner.ADAPTER,
        cookie_consent_js.ADAPTER,
        dp_consent.ADAPTER,
        tcf.ADAPTER,
    )
)
"""Every adapter by id. Adding one: a module with ``ADAPTER = CmpAdapter(...)``, then a line here."""


def get(adapter_id: str) -> CmpAdapter:
    """The adapter registered as ``adapter_id``; raises :class:`UnknownCmpError` naming it otherwise."""
    try:
        return ADAPTERS[adapter_id]
    except KeyError:
        known = ", ".join(sorted(ADAPTERS))
        raise UnknownCmpError(f"unknown consent manager adapter {adapter_id!r} (known: {known})") from None


def ids() -> tuple[str, ...]:
    """The registered adapter ids, in registry order."""
    return tuple(ADAPTERS)


@cache
def scan_spec() -> tuple[dict[str, Any], ...]:
    """Every adapter's signature and selectors as plain data, for one ``scan.js`` call per frame."""
    return tuple(adapter.spec() for adapter in ADAPTERS.values())
