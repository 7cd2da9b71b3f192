"""Google Consent Mode v2: the consent state Google tags send with each request (``gcs``, ``gcd``, ``npa``, ``dma``).

Google tags (GA4 ``/g/collect``, Google Ads, Floodlight, ``googlesyndication``...) append the
consent state they act on to their request URLs. Decoded here from the URL alone (pure, no I/O),
after these public descriptions of the format:

* ``gcs=G1xy``: ``x`` is ``ad_storage``, ``y`` is ``analytics_storage``; ``1`` granted, ``0``
  denied, ``-`` not set (Google, "Consent mode reference", and Markus Baersch's guest post
  "Consent Mode V2 for Google Tags" on https://www.simoahava.com/analytics/consent-mode-v2-google-tags/).
* ``gcd=11<a>1<b>1<c>1<d>5`` (trailing characters vary): one character per signal, in the order
  ``ad_storage``, ``analytics_storage``, ``ad_user_data``, ``ad_personalization``, separated by
  digits. Each character is a digit of the URL-safe base-64 alphabet
  (``0-9a-zA-Z-_``); in its value, bits 2-3 are the *default* state and bits 0-1 the *update*
  (the user's choice): ``1`` not set, ``2`` denied, ``3`` granted (``0``: not set). That is the
  table of letters published in the same post — ``l`` no signal, ``p`` denied by default,
  ``q`` denied by default and by update, ``r`` denied by default then granted, ``t`` granted by
  default, ``u`` granted by default then denied, ``v`` granted by both, ``m`` denied by update,
  ``n`` granted by update — checked letter by letter in ``tests/test_consentmode.py``.
* ``npa=1``: non-personalised ads requested; ``dma=1``: the Digital Markets Act applies,
  ``dma_cps``: the Google services consented to (kept as sent).

The effective state of a signal is its update when there is one, else its default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

from auditor.model import ConsentModeSignal, PhaseResult, Request, SiteResult
from auditor.party import registrable_domain

SIGNALS: tuple[str, ...] = ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization")
"""The Consent Mode v2 signals, in ``gcd`` order."""

GOOGLE_TAG_DOMAINS: frozenset[str] = frozenset(
    {
        "google-analytics.com",
        "analytics.google.com",
        "googletagmanager.com",
        "doubleclick.net",
        "googlesyndication.com",
        "googleadservices.com",
        "google.com",
        "googletagservices.com",
    }
)
"""Registrable domains (and ``analytics.google.com``) whose requests carry Consent Mode parameters."""

_B64 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
_STATE = {0: None, 1: None, 2: "denied", 3: "granted"}
_GCS = {"1": "granted", "0": "denied"}


def gcd_letter(letter: str) -> tuple[str | None, str | None]:
    """``(default, update)`` of one ``gcd`` character: ``"r"`` → ``("denied", "granted")``, unknown ``(None, None)``."""
    value = _B64.find(letter)
    if value < 0 or len(letter) != 1:
        return None, None
    return _STATE[(value >> 2) & 3], _STATE[value & 3]


def decode_gcd(gcd: str) -> dict[str, tuple[str | None, str | None]] | None:
    """The ``(default, update)`` of each signal in a ``gcd`` value, ``None`` when it does not have the format."""
    if len(gcd) < 9 or not gcd[:2].isdigit():
        return None
    letters = gcd[2:9:2]
    separators = gcd[3:9:2]
    if not separators.isdigit() or any(c.isdigit() for c in letters):
        return None
    return {signal: gcd_letter(letter) for signal, letter in zip(SIGNALS, letters, strict=True)}


def decode_gcs(gcs: str) -> dict[str, str | None] | None:
    """``ad_storage`` and ``analytics_storage`` of a ``gcs`` value (``G1xy``), ``None`` when malformed."""
    if len(gcs) != 4 or not gcs.startswith("G1") or any(c not in "01-" for c in gcs[2:]):
        return None
    return {"ad_storage": _GCS.get(gcs[2]), "analytics_storage": _GCS.get(gcs[3])}


def is_google_tag_host(host: str) -> bool:
    """Whether ``host`` belongs to Google's tag, analytics or ad domains."""
    host = host.lower().rstrip(".")
    return registrable_domain(host) in GOOGLE_TAG_DOMAINS or host.endswith(".analytics.google.com")


def decode_url(url: str) -> ConsentModeSignal | None:
    """The Consent Mode state a request URL carries, ``None`` when it has no ``gcs`` or ``gcd``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if "gcs=" not in parts.query and "gcd=" not in parts.query:
        return None
    query: Mapping[str, list[str]] = parse_qs(parts.query)

    def first(name: str) -> str | None:
        values = query.get(name)
        return values[0] if values else None

    gcs, gcd = first("gcs"), first("gcd")
    if gcs is None and gcd is None:
        return None
    states: dict[str, str | None] = dict.fromkeys(SIGNALS)
    defaults: dict[str, str | None] = dict.fromkeys(SIGNALS)
    decoded_gcd = decode_gcd(gcd) if gcd is not None else None
    if decoded_gcd is not None:
        for signal, (default, update) in decoded_gcd.items():
            defaults[signal] = default
            states[signal] = update or default
    decoded_gcs = decode_gcs(gcs) if gcs is not None else None
    if decoded_gcs is not None:  # gcs is the state the tag acted on: it wins for the two storage signals
        for signal, state in decoded_gcs.items():
            if state is not None:
                states[signal] = state
    return ConsentModeSignal(
        gcs=gcs,
        gcd=gcd,
        npa=first("npa"),
        dma=first("dma"),
        dma_cps=first("dma_cps"),
        ad_storage=states["ad_storage"],
        analytics_storage=states["analytics_storage"],
        ad_user_data=states["ad_user_data"],
        ad_personalization=states["ad_personalization"],
        defaults=tuple(f"{s}={d}" for s, d in defaults.items() if d is not None),
        malformed=(gcs is not None and decoded_gcs is None) or (gcd is not None and decoded_gcd is None),
    )


def consent_mode_of(request: Request) -> ConsentModeSignal | None:
    """The request's decoded signal (decoding its URL for results written before the field existed)."""
    if request.consent_mode is not None:
        return request.consent_mode
    return decode_url(request.url) if is_google_tag_host(request.host) else None


def annotate_phase(phase: PhaseResult) -> PhaseResult:
    """``phase`` with :attr:`~auditor.model.Request.consent_mode` filled on its Google tag requests."""
    changed = False
    requests: list[Request] = []
    for request in phase.requests:
        if request.consent_mode is None and is_google_tag_host(request.host):
            signal = decode_url(request.url)
            if signal is not None:
                request = replace(request, consent_mode=signal)
                changed = True
        requests.append(request)
    return replace(phase, requests=tuple(requests)) if changed else phase


def annotate_site(site: SiteResult) -> SiteResult:
    """``site`` with the Consent Mode signal decoded on every Google tag request of every phase."""
    phases = {name: annotate_phase(phase) for name, phase in site.phases.items()}
    if all(phases[name] is phase for name, phase in site.phases.items()):
        return site
    return replace(site, phases=phases)


_LAST: list[tuple[PhaseResult, ConsentModeSignal | None]] = []


def last_signal(phase: PhaseResult) -> ConsentModeSignal | None:
    """The last Consent Mode signal a Google tag sent in the phase (the state the page ended in).

    Rules ask it once per cookie of a phase: the answer for the last phase asked is kept.
    """
    cached = _LAST[0] if _LAST else None  # one read: another thread may replace it
    if cached is not None and cached[0] is phase:
        return cached[1]
    found: ConsentModeSignal | None = None
    for request in reversed(phase.requests):
        signal = consent_mode_of(request)
        if signal is not None and not signal.malformed:
            found = signal
            break
    _LAST[:] = [(phase, found)]
    return found
