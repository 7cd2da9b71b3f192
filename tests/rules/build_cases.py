"""Writes the table-driven rule cases: ``tests/rules/cases/<rule-id>[/<variant>]/{visit.json, expected.yaml}``.

The visits are saved ``SiteResult`` objects (results contract v1), built here from a few helpers so
that each case shows only the evidence it is about, with ``classification`` filled in as the
knowledge base would. Run ``python tests/rules/build_cases.py`` after changing a case; the files
are committed, and ``tests/test_policy_cases.py`` evaluates every case against the built-in packs.

``expected.yaml``: ``present`` lists findings that must appear, ``absent`` findings that must not
(each: ``rule``, optional ``phase``, ``subject_name``, ``subject_domain``, ``outcome`` (default
``fail``), ``count`` (exact number of such findings)); ``packs`` optionally restricts the packs
loaded (default: every built-in pack).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from auditor.knowledge import classify_site, value_shape
from auditor.knowledge.consentmode import annotate_site
from auditor.model import (
    Banner,
    BannerControl,
    Classification,
    ConsentAction,
    ConsentEffectEvidence,
    Cookie,
    CookieAfterWithdrawal,
    PhaseResult,
    Request,
    SetCookieHeader,
    SiteResult,
    StorageItem,
    StoredChoice,
    TcfState,
    WithdrawalEvidence,
    to_jsonable,
)
from auditor.party import host_of, registrable_domain

CASES = Path(__file__).resolve().parent / "cases"
SITE = "https://www.example-presse.fr/"


# --- evidence builders -------------------------------------------------------------------------

KB: Mapping[str, Classification] = {
    "doubleclick": Classification("Google", "advertising", True, "Google Ad Manager / DoubleClick", "Ad targeting"),
    "gads": Classification("Google", "advertising", True, "Google Ads", "Conversion tracking"),
    "meta": Classification("Meta", "social", True, "Meta Pixel", "Social-network tracking"),
    "meta-ad": Classification("Meta", "advertising", True, "Meta Pixel", "Ad conversion tracking"),
    "twitter": Classification("X Corp", "social", True, "X (Twitter) widgets", "Social-network tracking"),
    "ga": Classification("Google", "analytics", True, "Google Analytics", "Audience measurement"),
    "piano": Classification(
        "Piano", "analytics", True, "Piano Analytics", "Audience measurement (CNIL exemption possible)", True
    ),
    "didomi": Classification("Didomi", "consent", False, "Didomi", "Stores the consent choice"),
    "necessary": Classification(None, "necessary", False, None, "Session"),
    "cdn": Classification("Cloudflare", "necessary", False, "Cloudflare CDN", "Content delivery"),
    "unknown": Classification(None, "unknown", False),
}


def cookie(
    name: str,
    domain: str,
    kb: str | None,
    *,
    party: str | None = None,
    lifetime: float | None = 365.0,
    set_by: str = "header",
) -> Cookie:
    """A cookie; party defaults to first when its domain is the site's."""
    reg = registrable_domain(domain)
    if party is None:
        party = "first" if reg == registrable_domain(host_of(SITE)) else "third"
    return Cookie(
        name=name,
        value="x",
        domain=domain,
        path="/",
        expires=None if lifetime is None else 1_800_000_000.0,
        lifetime_days=lifetime,
        secure=True,
        http_only=False,
        same_site="Lax",
        party=party,  # type: ignore[arg-type]
        registrable_domain=reg,
        set_by=set_by,  # type: ignore[arg-type]
        classification=KB[kb] if kb else None,
    )


def request(url: str, kb: str | None, *, resource_type: str = "script") -> Request:
    """A request; party from the site's registrable domain."""
    host = host_of(url)
    reg = registrable_domain(host)
    party = "first" if reg == registrable_domain(host_of(SITE)) else "third"
    return Request(
        url=url,
        host=host,
        resource_type=resource_type,
        method="GET",
        party=party,  # type: ignore[arg-type]
        registrable_domain=reg,
        status=200,
        classification=KB[kb] if kb else None,
    )


def set_cookie(name: str, url: str, *, stored: bool, domain: str | None = None) -> SetCookieHeader:
    """A Set-Cookie header seen on the response to ``url``."""
    host = host_of(url)
    party = "first" if registrable_domain(host) == registrable_domain(host_of(SITE)) else "third"
    return SetCookieHeader(
        name=name,
        domain=domain or host,
        url=url,
        host=host,
        party=party,  # type: ignore[arg-type]
        stored=stored,
        attributes={"max-age": "33696000", "samesite": "None", "secure": ""},
    )


def control(
    label: str,
    role: str,
    kind: str = "button",
    layer: int = 1,
    *,
    width: float | None = 180.0,
    height: float | None = 44.0,
    contrast: float | None = 7.0,
    font_size: float | None = 15.0,
    checked: bool | None = None,
    disabled: bool | None = None,
) -> BannerControl:
    """A banner control."""
    return BannerControl(
        label=label,
        role=role,  # type: ignore[arg-type]
        kind=kind,  # type: ignore[arg-type]
        layer=layer,
        width=width,
        height=height,
        contrast=contrast,
        font_size=font_size,
        checked=checked,
        disabled=disabled,
    )


FAIR_CONTROLS = (
    control("Tout accepter", "accept"),
    control("Tout refuser", "reject"),
    control("Paramétrer", "settings", "link", width=90.0, height=20.0),
)


def banner(
    controls: Sequence[BannerControl] = FAIR_CONTROLS, *, found: bool = True, second_layer: str | None = "none"
) -> Banner:
    """A banner (a fair one by default: accept and reject buttons alike on the first layer, no settings layer)."""
    return Banner(
        found=found,
        cmp="didomi" if found else None,
        controls=tuple(controls) if found else (),
        second_layer=second_layer,  # type: ignore[arg-type]
    )


def tcf(**kw: Any) -> TcfState:
    """A decoded TCF state (from the API unless ``source`` says otherwise)."""
    kw.setdefault("source", "api")
    kw.setdefault("tc_string", "CQ-demo")
    kw.setdefault("valid", True)
    return TcfState(**kw)


def choice(action: str, label: str, *, steps: int = 1, **kw: Any) -> ConsentAction:
    """A clicked consent choice, confirmed by default: the dialog went away and a matching choice was stored."""
    says = "reject" if action == "reject" else "accept"
    stored = StoredChoice("cookie", "didomi_token", ".example-presse.fr", "added", says, cmp="didomi")  # type: ignore[arg-type]
    kw.setdefault("effect", "confirmed")
    kw.setdefault("effect_reason", f"the dialog went away and didomi_token ({says}) was stored")
    kw.setdefault(
        "effect_evidence",
        ConsentEffectEvidence(dialog="div#didomi-notice", dialog_hidden=True, stored=(stored,), banner_back=False),
    )
    kw.setdefault("method", "cmp:didomi")
    return ConsentAction(action=action, clicked=True, label=label, steps=steps, **kw)  # type: ignore[arg-type]


def phase(name: str, **kw: Any) -> PhaseResult:
    """A phase; reject/accept phases get a successful one-click choice unless ``consent`` is given."""
    kw.setdefault("status", "ok")
    kw.setdefault("url", SITE)
    if name in ("reject", "accept") and "consent" not in kw:
        label = "Tout refuser" if name == "reject" else "Tout accepter"
        kw["consent"] = choice(name, label)
    kw.setdefault("banner", banner())
    for key in ("cookies", "requests", "set_cookie_headers", "tcf", "storage"):
        if key in kw:
            kw[key] = tuple(kw[key])
    return PhaseResult(name=name, **kw)  # type: ignore[arg-type]


def site(url: str = SITE, requested: Sequence[str] = (), **phases: PhaseResult) -> SiteResult:
    """A site; missing default phases are clean ones; ``requested`` extra phases (``--phases``) are recorded
    as asked for, and those given in ``phases`` are added."""
    all_phases = {p: phases.get(p, phase(p)) for p in ("before", "reject", "accept")}
    all_phases.update({p: v for p, v in phases.items() if p not in all_phases})
    asked = ("before", "reject", "accept", *requested) if requested else ()
    return SiteResult(url=url, status="ok", final_url=url, phases=all_phases, phases_requested=asked)  # type: ignore[arg-type]


def f(
    rule: str, phase: str | None = None, name: str | None = None, domain: str | None = None, **kw: Any
) -> dict[str, Any]:
    """An expected-finding entry."""
    out: dict[str, Any] = {"rule": rule}
    if phase:
        out["phase"] = phase
    if name:
        out["subject_name"] = name
    if domain:
        out["subject_domain"] = domain
    out.update(kw)
    return out


# --- the cases ----------------------------------------------------------------------------------

IDE = cookie("IDE", ".doubleclick.net", "doubleclick", lifetime=390)
GA = cookie("_ga", ".example-presse.fr", "ga", lifetime=395, set_by="script")
PCID = cookie("_pcid", ".example-presse.fr", "piano", lifetime=390, set_by="script")
FBP = cookie("_fbp", ".example-presse.fr", "meta-ad", lifetime=90, set_by="script")
GCL = cookie("_gcl_au", ".example-presse.fr", "gads", lifetime=90, set_by="script")
SESSION = cookie("PHPSESSID", "www.example-presse.fr", "necessary", lifetime=None)
CDN = cookie("__cf_bm", ".cdnjs-demo.com", "unknown", lifetime=0.02)
DIDOMI = cookie("didomi_token", ".example-presse.fr", "didomi", lifetime=365)


def cases() -> dict[str, tuple[SiteResult, dict[str, Any]]]:
    """Every case: directory → (visit, expected)."""
    c: dict[str, tuple[SiteResult, dict[str, Any]]] = {}

    # baseline ------------------------------------------------------------------------------------
    c["baseline-third-party-tracker-cookie"] = (
        site(
            before=phase("before", cookies=[IDE, GA, CDN]),
            reject=phase("reject", cookies=[IDE, CDN]),
            accept=phase("accept", cookies=[IDE, GA]),
        ),
        {
            "present": [
                f("baseline-third-party-tracker-cookie", "before", "IDE", ".doubleclick.net", count=1),
                f("baseline-third-party-tracker-cookie", "reject", "IDE", ".doubleclick.net", count=1),
            ],
            "absent": [
                f("baseline-third-party-tracker-cookie", name="_ga"),
                f("baseline-third-party-tracker-cookie", name="__cf_bm"),
                f("baseline-third-party-tracker-cookie", "accept"),
            ],
        },
    )
    c["baseline-first-party-ad-cookie"] = (
        site(
            before=phase("before", cookies=[FBP, GA]),
            reject=phase("reject", cookies=[GCL, SESSION]),
        ),
        {
            "present": [
                f("baseline-first-party-ad-cookie", "before", "_fbp", ".example-presse.fr"),
                f("baseline-first-party-ad-cookie", "reject", "_gcl_au"),
            ],
            "absent": [
                f("baseline-first-party-ad-cookie", name="_ga"),
                f("baseline-first-party-ad-cookie", name="PHPSESSID"),
            ],
        },
    )
    fb = [
        request(f"https://www.facebook.com/tr?id=1&ev=PageView&n={i}", "meta", resource_type="image") for i in range(3)
    ]
    c["baseline-tracker-request"] = (
        site(
            before=phase(
                "before",
                requests=[*fb, request("https://www.google-analytics.com/g/collect?v=2", "ga", resource_type="ping")],
            ),
            reject=phase(
                "reject", requests=[request("https://securepubads.g.doubleclick.net/tag/js/gpt.js", "doubleclick")]
            ),
        ),
        {
            "present": [
                f("baseline-tracker-request", "before", domain="www.facebook.com", count=1),
                f("baseline-tracker-request", "reject", domain="securepubads.g.doubleclick.net"),
            ],
            "absent": [f("baseline-tracker-request", domain="www.google-analytics.com")],
        },
    )
    beacon = "https://ad.doubleclick.net/ddm/activity/src=1"
    c["baseline-tracker-set-cookie-attempt"] = (
        site(
            before=phase(
                "before",
                requests=[
                    request(beacon, "doubleclick", resource_type="image"),
                    request("https://cdn.example-presse.fr/a.js", None),
                ],
                set_cookie_headers=[
                    set_cookie("IDE", beacon, stored=False, domain=".doubleclick.net"),
                    set_cookie("IDE", beacon, stored=False, domain=".doubleclick.net"),
                    set_cookie("lb", "https://cdn.example-presse.fr/a.js", stored=True),
                ],
            ),
        ),
        {
            "present": [
                f(
                    "baseline-tracker-set-cookie-attempt",
                    "before",
                    "IDE",
                    ".doubleclick.net",
                    count=1,
                    severity="warning",
                )
            ],
            "absent": [
                f("baseline-tracker-set-cookie-attempt", name="lb"),
                f("baseline-tracker-set-cookie-attempt", "reject"),
            ],
        },
    )
    no_reject = ConsentAction(
        action="reject", clicked=False, reason="no reject control found", candidates=("Tout accepter", "Paramétrer")
    )
    c["baseline-reject-verified"] = (
        site(reject=phase("reject", consent=no_reject, cookies=[IDE])),
        {
            "present": [
                f("baseline-reject-verified", "reject", outcome="error"),
                # every reject-phase rule says it could not be evaluated, instead of passing
                f("baseline-third-party-tracker-cookie", "reject", outcome="error", count=1),
                f("cnil-no-tracker-cookie-without-consent", "reject", outcome="error"),
            ],
            "absent": [
                f("baseline-third-party-tracker-cookie", "reject", outcome="fail"),
                f("baseline-reject-verified", "before"),
            ],
        },
    )

    ignored = choice(
        "reject",
        "Tout refuser",
        effect="unconfirmed",
        effect_reason="the consent dialog is still shown after the click: the click was not taken into account",
        effect_evidence=ConsentEffectEvidence(dialog="div#bandeau", dialog_hidden=False, still_shown=("Tout refuser",)),
    )
    c["baseline-reject-verified/click-ignored"] = (
        site(reject=phase("reject", consent=ignored, cookies=[IDE, SESSION])),
        {
            "present": [
                f("baseline-reject-verified", "reject", outcome="error", count=1),
                # the evidence after an ignored click looks like a refusal: no reject-phase rule may pass it
                f("baseline-third-party-tracker-cookie", "reject", outcome="error", count=1),
                f("cnil-no-tracker-cookie-without-consent", "reject", outcome="error"),
                f("lqd-only-technical-cookies-after-refusal", "reject", outcome="error"),
            ],
            "absent": [
                f("baseline-reject-not-contradicted"),
                {"phase": "reject", "outcome": "fail"},
            ],
        },
    )
    old_run = ConsentAction(action="reject", clicked=True, label="Tout refuser", method="heuristic", steps=1)
    c["baseline-reject-verified/no-effect-recorded"] = (
        site(reject=phase("reject", consent=old_run, cookies=[SESSION])),
        {
            "present": [
                f("baseline-reject-verified", "reject", outcome="error", count=1),
                f("baseline-third-party-tracker-cookie", "reject", outcome="error", count=1),
            ],
            "absent": [{"phase": "reject", "outcome": "fail"}],
        },
    )
    accepted = StoredChoice(
        "cookie", "consent", "www.example-presse.fr", "added", "accept", granted=("accepted",), value="accepted"
    )
    contradicted = choice(
        "reject",
        "Tout refuser",
        effect="contradicted",
        effect_reason="the stored choice consent (cookie) says accept: accepted",
        effect_evidence=ConsentEffectEvidence(dialog="div#bandeau", dialog_hidden=True, stored=(accepted,)),
    )
    c["baseline-reject-not-contradicted"] = (
        site(reject=phase("reject", consent=contradicted, cookies=[SESSION])),
        {
            "present": [
                f("baseline-reject-not-contradicted", "reject", "Tout refuser", outcome="fail", count=1),
                f("baseline-reject-verified", "reject", outcome="error"),
                f("baseline-third-party-tracker-cookie", "reject", outcome="error"),
            ],
            "absent": [
                f("baseline-reject-not-contradicted", "accept"),
                f("baseline-reject-not-contradicted", "before"),
            ],
        },
    )
    c["baseline-reject-not-contradicted/confirmed"] = (
        site(),
        {"present": [], "absent": [f("baseline-reject-not-contradicted"), {"outcome": "error"}]},
    )
    accept_unconfirmed = choice(
        "accept",
        "Tout accepter",
        effect="unconfirmed",
        effect_reason="the dialog went away but no consent choice was stored",
    )
    c["baseline-reject-verified/accept-unconfirmed"] = (
        site(accept=phase("accept", consent=accept_unconfirmed, cookies=[GA])),
        {
            "present": [
                f("cnil-tracker-lifetime", "accept", outcome="error"),
                f("cnil-consent-choice-duration", "accept", outcome="error"),
            ],
            "absent": [{"phase": "accept", "outcome": "fail"}, {"phase": "reject", "outcome": "error"}],
        },
    )

    # cnil -----------------------------------------------------------------------------------------
    second_layer_reject = banner(
        [
            control("J'accepte", "accept"),
            control("Personnaliser", "settings"),
            control("Tout refuser", "reject", layer=2),
        ]
    )
    c["cnil-reject-on-first-layer"] = (
        site(before=phase("before", banner=second_layer_reject)),
        {
            "present": [f("cnil-reject-on-first-layer", "before", outcome="fail")],
            "absent": [f("cnil-reject-on-first-layer", outcome="error")],
        },
    )
    two_clicks = choice("reject", "Tout refuser", steps=2, method=None)
    c["cnil-reject-as-easy-as-accept"] = (
        site(before=phase("before", banner=second_layer_reject), reject=phase("reject", consent=two_clicks)),
        {"present": [f("cnil-reject-as-easy-as-accept", "before")], "absent": []},
    )
    c["cnil-reject-as-easy-as-accept/reject-failed"] = (
        site(reject=phase("reject", consent=no_reject)),
        {
            "present": [f("cnil-reject-as-easy-as-accept", "before", outcome="error")],
            "absent": [f("cnil-reject-as-easy-as-accept", outcome="fail")],
        },
    )
    c["cnil-no-tracker-cookie-without-consent"] = (
        site(
            before=phase("before", cookies=[GA, PCID, SESSION]),
            reject=phase("reject", cookies=[IDE, PCID, DIDOMI]),
            accept=phase("accept", cookies=[GA, IDE]),
        ),
        {
            "present": [
                f("cnil-no-tracker-cookie-without-consent", "before", "_ga"),
                f("cnil-no-tracker-cookie-without-consent", "reject", "IDE"),
            ],
            "absent": [
                f("cnil-no-tracker-cookie-without-consent", name="_pcid"),
                f("cnil-no-tracker-cookie-without-consent", name="PHPSESSID"),
                f("cnil-no-tracker-cookie-without-consent", name="didomi_token"),
                f("cnil-no-tracker-cookie-without-consent", "accept"),
            ],
        },
    )
    c["cnil-no-tracker-request-without-consent"] = (
        site(
            before=phase(
                "before",
                requests=[
                    request("https://www.google-analytics.com/g/collect?v=2", "ga", resource_type="ping"),
                    request("https://logs1412.xiti.com/event?s=640021", "piano", resource_type="xhr"),
                ],
            ),
        ),
        {
            "present": [f("cnil-no-tracker-request-without-consent", "before", domain="www.google-analytics.com")],
            "absent": [f("cnil-no-tracker-request-without-consent", domain="logs1412.xiti.com")],
        },
    )
    xiti_third = cookie("idrxvr", ".xiti.com", "piano", lifetime=390)
    c["cnil-audience-exempt-first-party"] = (
        site(before=phase("before", cookies=[xiti_third, PCID])),
        {
            "present": [f("cnil-audience-exempt-first-party", "before", "idrxvr", ".xiti.com")],
            "absent": [f("cnil-audience-exempt-first-party", name="_pcid")],
        },
    )
    long_pcid = cookie("_pcid", ".example-presse.fr", "piano", lifetime=730, set_by="script")
    ok_pctx = cookie("_pctx", ".example-presse.fr", "piano", lifetime=390, set_by="script")
    c["cnil-audience-exempt-lifetime"] = (
        site(before=phase("before", cookies=[long_pcid, ok_pctx])),
        {
            "present": [f("cnil-audience-exempt-lifetime", "before", "_pcid")],
            "absent": [f("cnil-audience-exempt-lifetime", name="_pctx")],
        },
    )
    long_ga = cookie("_ga", ".example-presse.fr", "ga", lifetime=730, set_by="script")
    c["cnil-tracker-lifetime"] = (
        site(
            accept=phase("accept", cookies=[long_ga, FBP, cookie("session", ".example-presse.fr", "ga", lifetime=None)])
        ),
        {
            "present": [f("cnil-tracker-lifetime", "accept", "_ga", severity="warning")],
            "absent": [f("cnil-tracker-lifetime", name="_fbp"), f("cnil-tracker-lifetime", name="session")],
        },
    )
    short_didomi = cookie("didomi_token", ".example-presse.fr", "didomi", lifetime=180)
    c["cnil-consent-choice-duration"] = (
        site(reject=phase("reject", cookies=[short_didomi]), accept=phase("accept", cookies=[DIDOMI])),
        {
            "present": [f("cnil-consent-choice-duration", "accept", "didomi_token", severity="info")],
            "absent": [f("cnil-consent-choice-duration", "reject")],
        },
    )

    # edpb-banner ------------------------------------------------------------------------------------
    c["edpb-reject-on-layer-with-accept"] = (
        site(before=phase("before", banner=second_layer_reject)),
        {"present": [f("edpb-reject-on-layer-with-accept", "before")], "absent": []},
    )
    c["edpb-reject-on-layer-with-accept/no-banner"] = (
        site(before=phase("before", banner=banner(found=False))),
        {
            "present": [
                f("edpb-reject-on-layer-with-accept", "before", outcome="error"),
                f("cnil-reject-on-first-layer", "before", outcome="error"),
            ],
            "absent": [f("edpb-reject-on-layer-with-accept", outcome="fail")],
        },
    )
    c["edpb-reject-on-layer-with-accept/no-banner-evidence"] = (
        site(before=phase("before", banner=None)),
        {
            "present": [f("edpb-reject-on-layer-with-accept", "before", outcome="error")],
            "absent": [f("edpb-reject-on-layer-with-accept", outcome="fail")],
        },
    )
    prechecked = [
        *FAIR_CONTROLS,
        control("Cookies strictement nécessaires", "other", "checkbox", 2, checked=True),
        control("Mesure d'audience", "other", "checkbox", 2, checked=True),
        control("Publicité personnalisée", "other", "checkbox", 2, checked=False),
    ]
    c["edpb-pre-ticked-boxes"] = (
        site(before=phase("before", banner=banner(prechecked))),
        {"present": [f("edpb-pre-ticked-boxes", "before")], "absent": []},
    )
    c["edpb-pre-ticked-boxes/only-necessary-ticked"] = (
        site(before=phase("before", banner=banner([c for c in prechecked if c.label != "Mesure d'audience"]))),
        {"present": [], "absent": [f("edpb-pre-ticked-boxes")]},
    )
    first_layer_only = [control("Tout accepter", "accept"), control("Tout refuser", "reject")]
    first_layer_only.append(control("Personnaliser", "settings"))
    c["edpb-pre-ticked-boxes/second-layer-not-inspected"] = (
        site(before=phase("before", banner=banner(first_layer_only, second_layer="not-inspected"))),
        {"present": [f("edpb-pre-ticked-boxes", "before", outcome="error", count=1)], "absent": []},
    )
    ticked_first = [*first_layer_only, control("Mesure d'audience", "other", "checkbox", 1, checked=True)]
    c["edpb-pre-ticked-boxes/ticked-on-the-first-layer"] = (
        site(before=phase("before", banner=banner(ticked_first, second_layer="not-inspected"))),
        {
            "present": [f("edpb-pre-ticked-boxes", "before", count=1)],
            "absent": [f("edpb-pre-ticked-boxes", outcome="error")],
        },
    )
    c["edpb-pre-ticked-boxes/older-results"] = (
        site(before=phase("before", banner=banner(first_layer_only, second_layer=None))),
        {"present": [f("edpb-pre-ticked-boxes", "before", outcome="error", count=1)], "absent": []},
    )
    locked = [
        control("Tout accepter", "accept"),
        control("Tout refuser", "reject"),
        control("Cookies de fonctionnement du site", "other", "checkbox", 2, checked=True, disabled=True),
        control("Publicité", "other", "checkbox", 2, checked=False),
    ]
    c["edpb-pre-ticked-boxes/locked-box-is-necessary"] = (
        site(before=phase("before", banner=banner(locked))),
        {"present": [], "absent": [f("edpb-pre-ticked-boxes")]},
    )
    link_reject = [
        control("Accepter et fermer", "accept"),
        control("Continuer sans accepter", "reject", "link", width=150.0, height=18.0, font_size=12.0),
    ]
    c["edpb-deceptive-link-design"] = (
        site(before=phase("before", banner=banner(link_reject))),
        {
            "present": [f("edpb-deceptive-link-design", "before"), f("edpb-reject-less-prominent", "before")],
            "absent": [f("cnil-reject-on-first-layer"), f("edpb-reject-on-layer-with-accept")],
        },
    )
    grey = [control("Tout accepter", "accept", contrast=8.0), control("Tout refuser", "reject", contrast=1.4)]
    c["edpb-deceptive-button-contrast"] = (
        site(before=phase("before", banner=banner(grey))),
        {"present": [f("edpb-deceptive-button-contrast", "before", severity="warning")], "absent": []},
    )
    c["edpb-deceptive-button-contrast/fair"] = (
        site(),
        {
            "present": [],
            "absent": [
                f("edpb-deceptive-button-contrast"),
                f("edpb-reject-less-prominent"),
                f("edpb-deceptive-link-design"),
                f("edpb-pre-ticked-boxes"),
                f("edpb-reject-on-layer-with-accept"),
                f("cnil-reject-on-first-layer"),
                f("cnil-reject-as-easy-as-accept"),
            ],
        },
    )
    small = [
        control("Tout accepter", "accept", width=260.0, height=52.0),
        control("refuser", "reject", width=70.0, height=24.0),
    ]
    c["edpb-reject-less-prominent"] = (
        site(before=phase("before", banner=banner(small))),
        {"present": [f("edpb-reject-less-prominent", "before", severity="warning")], "absent": []},
    )
    unsized = [control("Tout accepter", "accept", width=None, height=None), control("Tout refuser", "reject")]
    c["edpb-reject-less-prominent/sizes-not-recorded"] = (
        site(before=phase("before", banner=banner(unsized))),
        {
            "present": [f("edpb-reject-less-prominent", "before", outcome="error")],
            "absent": [f("edpb-reject-less-prominent", outcome="fail")],
        },
    )
    c["edpb-legitimate-interest-profiling"] = (
        site(
            reject=phase("reject", tcf=[tcf(purpose_legitimate_interests=(2, 3, 7), event_status="useractioncomplete")])
        ),
        {
            "present": [
                f("edpb-legitimate-interest-profiling", "reject", "__tcfapi"),
                f("edpb-legitimate-interest-after-refusal", "reject"),
            ],
            "absent": [f("edpb-legitimate-interest-profiling", "before"), f("tcf-consent-after-opt-out")],
        },
    )
    c["edpb-legitimate-interest-after-refusal"] = (
        site(reject=phase("reject", tcf=[tcf(purpose_legitimate_interests=(7,), vendor_legitimate_interests=(32,))])),
        {
            "present": [f("edpb-legitimate-interest-after-refusal", "reject", severity="warning")],
            "absent": [f("edpb-legitimate-interest-profiling")],
        },
    )

    # tcf ----------------------------------------------------------------------------------------------
    c["tcf-consent-before-choice"] = (
        site(before=phase("before", tcf=[tcf(source="cookie", purpose_consents=(1, 2, 3), vendor_consents=(755,))])),
        {
            "present": [f("tcf-consent-before-choice", "before", "euconsent-v2")],
            "absent": [f("tcf-preselected-purposes")],
        },
    )
    c["tcf-preselected-purposes"] = (
        site(before=phase("before", tcf=[tcf(event_status="cmpuishown", purpose_consents=(1, 7))])),
        {
            "present": [f("tcf-preselected-purposes", "before", "__tcfapi")],
            "absent": [f("tcf-consent-before-choice")],
        },
    )
    c["tcf-consent-after-opt-out"] = (
        site(
            before=phase("before", tcf=[tcf(event_status="cmpuishown")]),
            reject=phase("reject", tcf=[tcf(event_status="useractioncomplete", vendor_consents=(755, 32))]),
            accept=phase("accept", tcf=[tcf(event_status="useractioncomplete", purpose_consents=(1, 2, 3, 4))]),
        ),
        {
            "present": [f("tcf-consent-after-opt-out", "reject", count=1)],
            "absent": [f("tcf-consent-before-choice"), f("tcf-preselected-purposes"), f("tcf-invalid-tc-string")],
        },
    )
    c["tcf-invalid-tc-string"] = (
        site(accept=phase("accept", tcf=[tcf(source="cookie", valid=False, error="truncated core segment")])),
        {"present": [f("tcf-invalid-tc-string", "accept", "euconsent-v2", severity="warning")], "absent": []},
    )

    # the site policy (le-quotidien-demo) -------------------------------------------------------------
    lqd = "https://www.le-quotidien-demo.fr/"
    q_ide = cookie("IDE", ".doubleclick.net", "doubleclick", lifetime=390)
    q = ".le-quotidien-demo.fr"
    q_session = cookie("PHPSESSID", "www.le-quotidien-demo.fr", "necessary", lifetime=None, party="first")
    q_pcid = cookie("_pcid", q, "piano", lifetime=390, party="first", set_by="script")
    q_didomi = cookie("didomi_token", q, "didomi", lifetime=180, party="first")
    q_ga = cookie("_ga", q, "ga", lifetime=395, party="first", set_by="script")
    q_mystery = cookie("ab_test_bucket", q, None, lifetime=30, party="first", set_by="script")
    q_twitter = cookie("personalization_id", ".twitter.com", "twitter", lifetime=395)
    q_widget = request("https://platform.twitter.com/widgets.js", "twitter")
    q_visit = site(
        lqd,
        before=phase("before", url=lqd, cookies=[q_session, q_pcid, q_ide]),
        reject=phase(
            "reject", url=lqd, cookies=[q_session, q_pcid, q_didomi, q_ga, q_mystery, q_twitter], requests=[q_widget]
        ),
        accept=phase("accept", url=lqd, cookies=[q_session, q_pcid, q_didomi, q_ga, q_ide]),
    )
    c["lqd-only-technical-cookies-after-refusal"] = (
        q_visit,
        {
            "packs": ["sites/le-quotidien-demo"],
            "present": [
                f("lqd-only-technical-cookies-after-refusal", "reject", "_ga", count=1),
                # the deliberate pre-consent DoubleClick cookie, caught through `extends: [baseline, cnil]`
                f("baseline-third-party-tracker-cookie", "before", "IDE", ".doubleclick.net"),
                f("cnil-no-tracker-cookie-without-consent", "before", "IDE"),
            ],
            "absent": [
                f("lqd-only-technical-cookies-after-refusal", name=n)
                for n in ("PHPSESSID", "_pcid", "didomi_token", "personalization_id", "ab_test_bucket")
            ],
        },
    )
    c["lqd-unknown-cookie-after-refusal"] = (
        q_visit,
        {
            "packs": ["sites/le-quotidien-demo"],
            "present": [f("lqd-unknown-cookie-after-refusal", "reject", "ab_test_bucket", severity="warning", count=1)],
            "absent": [],
        },
    )
    c["lqd-no-social-cookie-after-refusal"] = (
        q_visit,
        {
            "packs": ["sites/le-quotidien-demo"],
            "present": [
                f("lqd-no-social-cookie-after-refusal", "reject", "personalization_id", ".twitter.com", count=1)
            ],
            "absent": [f("lqd-no-social-cookie-after-refusal", "before"), f("edpb-pre-ticked-boxes")],
        },
    )
    c["lqd-no-social-request-after-refusal"] = (
        q_visit,
        {
            "packs": ["sites/le-quotidien-demo"],
            "present": [f("lqd-no-social-request-after-refusal", "reject", domain="platform.twitter.com")],
            "absent": [],
        },
    )
    c.update(behaviour_cases())
    c.update(consent_mode_cases())
    c.update(extra_phase_cases())
    c.update(withdraw_cases())
    return c


# --- extra phases (--phases) and the remembered choice -----------------------------------------------


def extra_phase_cases() -> dict[str, tuple[SiteResult, dict[str, Any]]]:
    """The ``ignore`` phase judged like ``before``, only when requested; a choice not remembered."""
    c: dict[str, tuple[SiteResult, dict[str, Any]]] = {}
    scrolled = ("scrolled down 3 wheel turn(s) of 700 px", "opened a second page: https://www.example-presse.fr/a")
    c["baseline-third-party-tracker-cookie/ignore"] = (
        site(requested=["ignore"], ignore=phase("ignore", cookies=[IDE, SESSION], requests=[], steps=scrolled)),
        {
            "present": [f("baseline-third-party-tracker-cookie", "ignore", "IDE", ".doubleclick.net", count=1)],
            "absent": [f("baseline-third-party-tracker-cookie", "before"), f("baseline-reject-verified", "ignore")],
        },
    )
    c["baseline-third-party-tracker-cookie/ignore-not-requested"] = (
        site(ignore=phase("ignore", cookies=[IDE])),  # saved evidence of a phase nobody asked for: not judged
        {"absent": [{"phase": "ignore"}]},
    )
    c["baseline-third-party-tracker-cookie/ignore-failed"] = (
        site(requested=["ignore"], ignore=phase("ignore", status="error", error="browser failure: crashed")),
        {
            "present": [f("baseline-third-party-tracker-cookie", "ignore", outcome="error", count=1)],
            "absent": [f("baseline-third-party-tracker-cookie", "ignore", outcome="fail")],
        },
    )
    c["baseline-third-party-tracker-cookie/ignore-missing"] = (
        site(requested=["ignore"]),  # requested but not recorded: not evaluated, never passed
        {"present": [f("baseline-third-party-tracker-cookie", "ignore", outcome="error", count=1)]},
    )
    c["tcf-consent-before-choice/ignore"] = (
        site(
            requested=["ignore"],
            ignore=phase(
                "ignore", tcf=[tcf(event_status="tcloaded", purpose_consents=(1, 2, 3, 4), cmp_id=7)], steps=scrolled
            ),
        ),
        {"present": [f("tcf-consent-before-choice", "ignore")], "absent": [f("tcf-consent-before-choice", "before")]},
    )

    ad_request = request("https://securepubads.g.doubleclick.net/tag/js/gpt.js", "doubleclick")
    c["baseline-gpc-tracker-request"] = (
        site(requested=["gpc"], gpc=phase("gpc", requests=[ad_request], steps=("sent Sec-GPC: 1",))),
        {
            "present": [f("baseline-gpc-tracker-request", "gpc", count=1)],
            "absent": [f("baseline-gpc-tracker-request", "before"), f("baseline-tracker-request", "gpc")],
        },
    )
    c["baseline-gpc-tracker-request/not-requested"] = (
        site(),
        {"absent": [f("baseline-gpc-tracker-request")]},
    )

    def back(action: str, label: str, is_back: bool | None) -> ConsentAction:
        stored = StoredChoice("cookie", "didomi_token", ".example-presse.fr", "added", action, cmp="didomi")  # type: ignore[arg-type]
        evidence = ConsentEffectEvidence(
            dialog="div#didomi-notice", dialog_hidden=True, stored=(stored,), banner_back=is_back
        )
        if is_back:
            reason = "the consent banner came back on the second page view: the choice was not kept"
            return choice(action, label, effect="unconfirmed", effect_reason=reason, effect_evidence=evidence)
        return choice(action, label, effect_evidence=evidence)

    c["cnil-choice-remembered"] = (
        site(
            reject=phase("reject", consent=back("reject", "Tout refuser", True), cookies=[IDE]),
            accept=phase("accept", consent=back("accept", "Tout accepter", False)),
        ),
        {
            "present": [
                f("cnil-choice-remembered", "reject", count=1),
                # the forgotten refusal is not a confirmed one: the other reject rules are not evaluated
                f("baseline-third-party-tracker-cookie", "reject", outcome="error"),
            ],
            "absent": [
                f("cnil-choice-remembered", "accept"),
                f("baseline-third-party-tracker-cookie", "reject", outcome="fail"),
            ],
        },
    )
    c["cnil-choice-remembered/not-checked"] = (
        site(reject=phase("reject", consent=back("reject", "Tout refuser", None))),
        {
            "present": [f("cnil-choice-remembered", "reject", outcome="error", count=1)],
            "absent": [f("cnil-choice-remembered", "reject", outcome="fail")],
        },
    )
    c["cnil-choice-remembered/not-clicked"] = (
        site(reject=phase("reject", consent=ConsentAction(action="reject", clicked=False, reason="no reject control"))),
        {"present": [f("cnil-choice-remembered", "reject", outcome="error", count=1)]},
    )
    return c


def withdrawn(
    way_back: str | None = "control",
    *,
    accept: ConsentAction | None = None,
    jar: Sequence[CookieAfterWithdrawal] = (),
    refusal: ConsentAction | None = None,
    **kw: Any,
) -> PhaseResult:
    """A ``withdraw`` phase: a confirmed acceptance, the way back (``control`` « Gérer mes cookies » by default),
    a confirmed refusal; ``way_back`` ``none`` gives the failed phase of a page without a way back."""
    accepted = accept or choice("accept", "Tout accepter")
    if way_back is None:  # the acceptance was not confirmed: nothing searched, the phase failed
        evidence = WithdrawalEvidence(accept=accepted)
        reason = "the acceptance is not confirmed (unconfirmed: no choice stored), so withdrawal cannot be judged"
        return phase("withdraw", status="error", error=reason, withdrawal=evidence, **kw)
    if way_back == "none":
        reason = "no way back to the consent choices after acceptance (no persistent link, button or icon, no API)"
        evidence = WithdrawalEvidence(accept=accepted, way_back="none")
        nothing = ConsentAction(action="reject", clicked=False, reason=reason)
        return phase("withdraw", status="error", error=reason, consent=nothing, withdrawal=evidence, **kw)
    label = "Gérer mes cookies" if way_back == "control" else "api: Didomi.preferences.show()"
    refused = refusal or choice("reject", "Tout refuser")
    path = (label, *refused.step_labels) if refused.step_labels else (label, refused.label or "")
    evidence = WithdrawalEvidence(
        accept=accepted,
        way_back=way_back,  # type: ignore[arg-type]
        path=path,
        steps=len(path),
        confirmed=refused.effect == "confirmed",
        cookies=tuple(jar),
    )
    return phase("withdraw", consent=refused, withdrawal=evidence, **kw)


def withdraw_cases() -> dict[str, tuple[SiteResult, dict[str, Any]]]:
    """The ``withdraw`` phase (``--phases ...,withdraw``): trackers after withdrawal, no way back."""
    c: dict[str, tuple[SiteResult, dict[str, Any]]] = {}
    ad_request = request("https://securepubads.g.doubleclick.net/tag/js/gpt.js", "doubleclick")
    piano = request("https://logs1412.xiti.com/hit.xiti", "piano")
    c["baseline-withdraw-tracker-request"] = (
        site(requested=["withdraw"], withdraw=withdrawn(requests=[ad_request, piano])),
        {
            "present": [f("baseline-withdraw-tracker-request", "withdraw", count=1)],
            "absent": [f("edpb-no-way-to-withdraw"), f("baseline-tracker-request", "withdraw")],
        },
    )
    unconfirmed = choice("reject", "Tout refuser", effect="unconfirmed", effect_reason="nothing stored")
    c["baseline-withdraw-tracker-request/refusal-unconfirmed"] = (
        site(requested=["withdraw"], withdraw=withdrawn(refusal=unconfirmed, requests=[ad_request])),
        {
            "present": [f("baseline-withdraw-tracker-request", "withdraw", outcome="error", count=1)],
            "absent": [f("baseline-withdraw-tracker-request", outcome="fail"), f("edpb-no-way-to-withdraw")],
        },
    )
    c["baseline-withdraw-tracker-request/accept-unconfirmed"] = (
        site(requested=["withdraw"], withdraw=withdrawn(None)),
        {
            "present": [
                f("baseline-withdraw-tracker-request", "withdraw", outcome="error"),
                f("edpb-no-way-to-withdraw", "withdraw", outcome="error"),
            ],
            "absent": [f("edpb-no-way-to-withdraw", outcome="fail")],
        },
    )
    c["baseline-withdraw-tracker-request/not-requested"] = (
        site(),
        {"absent": [f("baseline-withdraw-tracker-request"), f("edpb-no-way-to-withdraw")]},
    )
    renewed = CookieAfterWithdrawal("_fbp", "example-presse.fr", "renewed")
    sent = CookieAfterWithdrawal("IDE", "doubleclick.net", "kept", sent=True)
    left = CookieAfterWithdrawal("_ga", "example-presse.fr", "kept")
    c["baseline-withdraw-tracker-cookie"] = (
        site(
            requested=["withdraw"],
            withdraw=withdrawn(jar=[renewed, sent, left], cookies=[FBP, IDE, GA, PCID]),
        ),
        {
            "present": [
                f("baseline-withdraw-tracker-cookie", "withdraw", "_fbp", count=1),
                f("baseline-withdraw-tracker-cookie", "withdraw", "IDE", count=1),
            ],
            # _ga left in the jar and never sent; _pcid exemptible (and new in the jar)
            "absent": [
                f("baseline-withdraw-tracker-cookie", "withdraw", "_ga"),
                f("baseline-withdraw-tracker-cookie", "withdraw", "_pcid"),
            ],
        },
    )
    c["edpb-no-way-to-withdraw"] = (
        site(requested=["withdraw"], withdraw=withdrawn("none")),
        {
            "present": [
                f("edpb-no-way-to-withdraw", "withdraw", count=1),
                f("baseline-withdraw-tracker-request", "withdraw", outcome="error"),
            ],
            "absent": [f("baseline-withdraw-tracker-request", outcome="fail")],
        },
    )
    c["edpb-no-way-to-withdraw/api-only"] = (
        site(requested=["withdraw"], withdraw=withdrawn("api")),
        {"present": [f("edpb-no-way-to-withdraw", "withdraw", count=1)]},
    )
    c["edpb-no-way-to-withdraw/link"] = (
        site(requested=["withdraw"], withdraw=withdrawn("control")),
        {"absent": [f("edpb-no-way-to-withdraw")]},
    )
    return c


# --- Google Consent Mode: gcs/gcd on Google tag requests, decoded as the pipeline does -------------------

GA4 = "https://www.google-analytics.com/g/collect?v=2&tid=G-DEMO&en=page_view"
ADS = "https://ad.doubleclick.net/pagead/viewthroughconversion/123"


def consent_ping(url: str, kb: str, gcs: str, gcd: str) -> Request:
    """A Google tag request carrying a Consent Mode state (``gcs``, ``gcd``), decoded into ``consent_mode``."""
    joiner = "&" if "?" in url else "?"
    return dataclasses.replace(request(f"{url}{joiner}gcs={gcs}&gcd={gcd}", kb), resource_type="ping")


def consent_mode_cases() -> dict[str, tuple[SiteResult, dict[str, Any]]]:
    """Consent Mode rules: granted before a choice, Google cookies while denied, cookieless pings."""
    c: dict[str, tuple[SiteResult, dict[str, Any]]] = {}
    denied = consent_ping(GA4, "ga", "G100", "13p3p3p3p5")
    refused = consent_ping(GA4, "ga", "G100", "13q3q3q3q5")
    accepted = consent_ping(GA4, "ga", "G111", "13r3r3r3r5")
    c["baseline-consent-mode-granted-before-choice"] = (
        annotate_site(
            site(
                before=phase(
                    "before",
                    requests=[
                        consent_ping(GA4, "ga", "G111", "13t3t3t3t5"),  # granted by default
                        consent_ping(ADS, "doubleclick", "G100", "13p3p3p3p5"),
                    ],
                ),
                reject=phase("reject", requests=[refused]),
                accept=phase("accept", requests=[denied, accepted]),
            )
        ),
        {
            "present": [
                f("baseline-consent-mode-granted-before-choice", "before", domain="www.google-analytics.com", count=1)
            ],
            "absent": [
                f("baseline-consent-mode-granted-before-choice", domain="ad.doubleclick.net"),
                f("baseline-consent-mode-granted-before-choice", "reject"),
                f("baseline-consent-mode-granted-before-choice", "accept"),
            ],
        },
    )
    c["baseline-google-cookie-while-consent-denied"] = (
        annotate_site(
            site(
                before=phase(
                    "before",
                    cookies=[GA, IDE],
                    requests=[consent_ping(GA4, "ga", "G110", "13t3p3t3t5")],  # ads granted, analytics denied
                ),
                reject=phase("reject", cookies=[GA, IDE, DIDOMI], requests=[refused]),
                accept=phase("accept", cookies=[GA, IDE], requests=[denied, accepted]),
            )
        ),
        {
            "present": [
                f("baseline-google-cookie-while-consent-denied", "before", "_ga", count=1),
                f("baseline-google-cookie-while-consent-denied", "reject", "_ga", count=1),
                f("baseline-google-cookie-while-consent-denied", "reject", "IDE", ".doubleclick.net", count=1),
            ],
            "absent": [
                f("baseline-google-cookie-while-consent-denied", "before", "IDE"),
                f("baseline-google-cookie-while-consent-denied", name="didomi_token"),
                f("baseline-google-cookie-while-consent-denied", "accept"),
            ],
        },
    )
    c["baseline-consent-mode-cookieless-ping"] = (
        annotate_site(
            site(
                before=phase(
                    "before",
                    requests=[denied, consent_ping(ADS, "doubleclick", "G101", "13p3t3p3p5")],  # analytics granted
                ),
                reject=phase("reject", requests=[refused, refused]),
                accept=phase("accept", requests=[denied, accepted]),
            )
        ),
        {
            "present": [
                f(
                    "baseline-consent-mode-cookieless-ping",
                    "before",
                    domain="www.google-analytics.com",
                    severity="warning",
                    count=1,
                ),
                f("baseline-consent-mode-cookieless-ping", "reject", domain="www.google-analytics.com", count=1),
            ],
            "absent": [
                f("baseline-consent-mode-cookieless-ping", domain="ad.doubleclick.net"),
                f("baseline-consent-mode-cookieless-ping", "accept"),
            ],
        },
    )
    return c


# --- storage and the behaviour layer: raw evidence, classified by the real knowledge base -----------

AD_NETWORK = ".adnexo-regie.net"
"""A small ad network no list knows (the fixture web's www.regie-inconnue.fr uses it too)."""
VID = "5f0c2e9a7b4d4c1e8a3f6b2d9e7c1a40"
"""Its identifier, a 32-character hex token."""


def raw_cookie(name: str, domain: str, value: str, *, lifetime: float | None = 390.0, same_site: str = "Lax") -> Cookie:
    """A cookie as collected (no classification yet), with its real value and SameSite."""
    return dataclasses.replace(cookie(name, domain, None, lifetime=lifetime), value=value, same_site=same_site)


def raw_request(url: str, *, status: int = 200, content_type: str | None = None, size: int | None = None) -> Request:
    """A request as collected, with what the response looked like."""
    return dataclasses.replace(request(url, None), status=status, content_type=content_type, body_size=size)


def storage(key: str, value: str, *, origin: str = "https://www.example-presse.fr", kind: str = "local") -> StorageItem:
    """A storage key as collected: only the value's shape is kept."""
    party = "first" if registrable_domain(host_of(origin)) == registrable_domain(host_of(SITE)) else "third"
    return StorageItem(
        origin=origin,
        kind=kind,  # type: ignore[arg-type]
        key=key,
        size=len(value),
        party=party,  # type: ignore[arg-type]
        shape=value_shape(value),
    )


def behaviour_cases() -> dict[str, tuple[SiteResult, dict[str, Any]]]:
    """Cases whose evidence is classified by :func:`auditor.knowledge.classify_site` (curated base + behaviour)."""
    c: dict[str, tuple[SiteResult, dict[str, Any]]] = {}
    unknown_ad = raw_cookie("vid", AD_NETWORK, VID, same_site="None")
    harmless = [
        raw_cookie("PHPSESSID", "www.example-presse.fr", "9k2j4h6g8f0d1s3a5p7o9i2u4y", lifetime=None),
        raw_cookie("csrftoken", "www.example-presse.fr", "Xk29fJ3mQ8vL1pZ7rT4wY6bN0cH5dG2s", lifetime=365),
        raw_cookie("AWSALB", ".example-presse.fr", "Qm9B1xK7vR3tY8wZ2pL5nC0dF4hJ6gS9", lifetime=7),
        raw_cookie("__cf_bm", ".cdnjs-demo.com", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY.1700000000-0-AbC", lifetime=0.02),
        raw_cookie("consent", ".example-presse.fr", "rejected", lifetime=180),
        raw_cookie("lang", ".widgets-inconnus.com", "fr", same_site="None"),
        raw_cookie("seen", ".widgets-inconnus.com", "1", same_site="None"),
        raw_cookie("optin", ".widgets-inconnus.com", "true", same_site="None"),
        raw_cookie("ts", ".widgets-inconnus.com", "1764601472", same_site="None"),
        raw_cookie("sess_route", ".example-presse.fr", "c7e1b0a9d8f7e6c5b4a3928170f6e5d4", lifetime=60),
    ]
    sync = raw_request(
        f"https://match.dsp-partenaire.io/sync?partner=adnexo&puid={VID}", content_type="image/gif", size=43
    )
    beacon = raw_request(
        "https://t.mesure-inconnue.io/b?e=pv&cid=8c1f0e7d-2b3a-4c5d-9e8f-7a6b5c4d3e2f", status=204, size=0
    )
    script = raw_request("https://cdn.widgets-inconnus.com/widget.js?v=3", content_type="text/javascript", size=48210)
    big = raw_request(
        "https://img.widgets-inconnus.com/photo.jpg?k=Zt4Hc8Wq2Lm6Xv0Bn3Jr7Kp1Fs5Dg9Ya",
        content_type="image/jpeg",
        size=80412,
    )
    visit = classify_site(
        site(
            before=phase("before", cookies=[unknown_ad, *harmless], requests=[sync, beacon, script, big]),
            reject=phase("reject", cookies=[unknown_ad, *harmless], requests=[script]),
            accept=phase("accept", cookies=[unknown_ad], requests=[sync]),
        )
    )
    quiet = [f("baseline-unclassified-identifier-cookie", name=k.name) for k in harmless]
    c["baseline-unclassified-identifier-cookie"] = (
        visit,
        {
            "present": [
                f("baseline-unclassified-identifier-cookie", "before", "vid", AD_NETWORK, severity="warning", count=1),
                f("baseline-unclassified-identifier-cookie", "reject", "vid", AD_NETWORK, count=1),
            ],
            "absent": [*quiet, f("baseline-unclassified-identifier-cookie", "accept")],
        },
    )
    c["baseline-unclassified-identifier-request"] = (
        visit,
        {
            "present": [
                f("baseline-unclassified-identifier-request", "before", domain="match.dsp-partenaire.io", count=1),
                f("baseline-unclassified-identifier-request", "before", domain="t.mesure-inconnue.io", count=1),
            ],
            "absent": [
                f("baseline-unclassified-identifier-request", domain="cdn.widgets-inconnus.com"),
                f("baseline-unclassified-identifier-request", domain="img.widgets-inconnus.com"),
                f("baseline-unclassified-identifier-request", "accept"),
            ],
        },
    )
    items = [
        storage("cto_bundle", "k7Gf_l9hZ2VxT3BrQ0ZrV0xPbUJtT2Rm"),
        storage("_hjSessionUser_3172651", '{"id":"8b1a9953c4611296","created":1764601472000,"existing":true}'),
        storage("ajs_anonymous_id", '"0c7a3b5e-1f2d-4e6a-9b8c-7d5e4f3a2b1c"'),
        storage("_pcid", '{"browserId":"m3x8q1z7k2v9w4"}'),
        storage("didomi_token", "eyJ1c2VyX2lkIjoiMThjYmE0ZTgtNzYxOC02ZGQ1LWE2ZjgtOGU0ZDM3ZmI2ZTZiIn0="),
        storage("device_uid", "4e9b2c7a-1d3f-4a8e-b6c5-0f9e8d7c6b5a"),
        storage("theme", "dark"),
        storage("csrf_token", "Xk29fJ3mQ8vL1pZ7rT4wY6bN0cH5dG2s"),
        storage("tab_id", "7f3e9a1c5b8d2e4f6a0c9b7d", kind="session"),
        storage("last_visit", "2026-12-01T15:04:32.000Z"),
        storage("slot_state", "a7c9e1b3d5f7091b3d5e7f9a", origin="https://ads.adnexo-regie.net", kind="session"),
    ]
    stored = classify_site(
        site(
            before=phase("before", storage=items),
            reject=phase("reject", storage=items[:3]),
            accept=phase("accept", storage=items),
        )
    )
    c["baseline-tracker-storage"] = (
        stored,
        {
            "present": [
                f("baseline-tracker-storage", "before", "cto_bundle", "www.example-presse.fr", count=1),
                f("baseline-tracker-storage", "reject", "cto_bundle", count=1),
            ],
            "absent": [
                f("baseline-tracker-storage", name="_hjSessionUser_3172651"),
                f("baseline-tracker-storage", name="didomi_token"),
                f("baseline-tracker-storage", "accept"),
            ],
        },
    )
    c["baseline-unclassified-identifier-storage"] = (
        stored,
        {
            "present": [
                f("baseline-unclassified-identifier-storage", "before", "device_uid", count=1),
                f("baseline-unclassified-identifier-storage", "before", "slot_state", "ads.adnexo-regie.net"),
            ],
            "absent": [
                *(
                    f("baseline-unclassified-identifier-storage", name=k)
                    for k in ("theme", "csrf_token", "tab_id", "last_visit", "cto_bundle", "didomi_token", "_pcid")
                ),
                f("baseline-unclassified-identifier-storage", "reject"),
            ],
        },
    )
    c["cnil-no-tracker-storage-without-consent"] = (
        stored,
        {
            "present": [
                f("cnil-no-tracker-storage-without-consent", "before", "_hjSessionUser_3172651", count=1),
                f("cnil-no-tracker-storage-without-consent", "reject", "ajs_anonymous_id", count=1),
                f("cnil-no-tracker-storage-without-consent", "before", "cto_bundle"),
            ],
            "absent": [
                f("cnil-no-tracker-storage-without-consent", name="_pcid"),
                f("cnil-no-tracker-storage-without-consent", name="didomi_token"),
                f("cnil-no-tracker-storage-without-consent", name="device_uid"),
                f("cnil-no-tracker-storage-without-consent", "accept"),
            ],
        },
    )
    return c


def write(case_dir: Path, visit: SiteResult, expected: Mapping[str, Any]) -> None:
    """Write one case folder."""
    case_dir.mkdir(parents=True, exist_ok=True)
    (case_dir / "visit.json").write_text(json.dumps(to_jsonable(visit), indent=1, ensure_ascii=False) + "\n", "utf-8")
    text = "# Written by tests/rules/build_cases.py: edit the case there and rerun it.\n"
    text += yaml.safe_dump(dict(expected), sort_keys=False, allow_unicode=True, width=120)
    (case_dir / "expected.yaml").write_text(text, "utf-8")


def main() -> None:
    """Rewrite every case folder."""
    if CASES.exists():
        shutil.rmtree(CASES)
    for name, (visit, expected) in cases().items():
        write(CASES / name, visit, expected)
    print(f"wrote {len(cases())} cases under {CASES}")


if __name__ == "__main__":
    main()
