"""Regenerate the saved results fixtures in ``tests/data/results/`` (``python tests/data/make_results.py``).

The fixtures are built with the model classes and :func:`auditor.results.write_results`, so they
always follow the results contract. Two runs of the same sites, a week apart:

``run1/results.json``
    - ``news-ok.example``: honours refusal (only necessary and exempt audience-measurement cookies
      after "Tout refuser"), trackers after "Tout accepter", a TCF string in both choice phases.
    - ``news-bad.example``: trackers before any choice and after refusal, a reject *link* instead of
      a button, a positive TCF consent after refusal, a refused ``Set-Cookie``, a finding whose rule
      could not be evaluated (``outcome=error``), a baselined finding and a site-policy quote.
    - ``shop-down.example``: could not be audited at all (``status=error``).
    - ``blog-partial.example``: the reject click failed and the accept phase is missing.
    - ``hostile.example``: hostile strings from a web page everywhere (cookie names, URLs, labels,
      storage keys, finding messages, rule sources, a screenshot path escaping the results folder).

``run2/results.json``
    The same sites a week later: ``news-ok`` regressed (a new tracker after refusal, a new error
    finding), ``news-bad`` fixed its TCF problem and dropped a tracker, ``blog-partial`` is gone and
    ``new-site.example`` appeared.

Both runs record ``options.keep_values``: they hold raw cookie values (as an ``audit --keep-values``
would), so the HTML ``--show-values`` has values to show.

The PNG screenshots beside each ``results.json`` are committed as they are (small Chromium captures
of two mock banners); this script only writes the JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.model import (
    Banner,
    BannerControl,
    BrowserInfo,
    Classification,
    ConsentAction,
    Cookie,
    Finding,
    PhaseResult,
    Request,
    RunResult,
    Screenshot,
    SetCookieHeader,
    SiteResult,
    StorageItem,
    Subject,
    TcfState,
    ToolInfo,
)
from auditor.results import write_results

HERE = Path(__file__).resolve().parent / "results"
OBSERVED = 1746090000.0  # 2025-05-01T09:00:00Z

HOSTILE_SCRIPT = "<script>alert('xss')</script>"
HOSTILE_IMG = '"><img src=x onerror=alert(1)>'

# --- knowledge-base style classifications -------------------------------------------------------

GA = Classification(
    entity="Google",
    category="analytics",
    tracker=True,
    vendor="Google Analytics",
    purpose="Distinguishes visitors to measure audience",
    source="kb:google-analytics (https://policies.google.com/technologies/cookies)",
)
DOUBLECLICK = Classification(
    entity="Google",
    category="advertising",
    tracker=True,
    vendor="Google Ad Manager (DoubleClick)",
    purpose="Targets and measures advertising across sites",
    source="kb:doubleclick",
)
FACEBOOK = Classification(
    entity="Meta",
    category="advertising",
    tracker=True,
    vendor="Meta Pixel",
    purpose="Advertising and conversion tracking",
    source="kb:facebook-pixel",
)
CRITEO = Classification(
    entity="Criteo",
    category="advertising",
    tracker=True,
    vendor="Criteo",
    purpose="Retargeting advertising",
    source="kb:criteo",
)
HOTJAR = Classification(
    entity="Hotjar",
    category="analytics",
    tracker=True,
    vendor="Hotjar",
    purpose="Session recording and heatmaps",
    source="kb:hotjar",
)
MATOMO_EXEMPT = Classification(
    entity=None,
    category="analytics",
    tracker=True,
    vendor="Matomo",
    purpose="Audience measurement (CNIL exemption possible)",
    exempt_possible=True,
    source="kb:matomo",
)
DIDOMI = Classification(
    entity="Didomi",
    category="consent",
    tracker=False,
    vendor="Didomi",
    purpose="Stores the visitor's consent choices",
    source="kb:didomi",
)
SESSION = Classification(
    entity=None, category="necessary", tracker=False, purpose="Keeps the visitor's session (strictly necessary)"
)
TCF_COOKIE = Classification(
    entity="IAB Europe", category="consent", tracker=False, vendor="IAB TCF", purpose="TCF consent string"
)


def registrable_domain(host: str) -> str:
    """Last two labels: ``.example`` is no public suffix, so the PSL would keep the whole host."""
    return ".".join(host.strip(".").split(".")[-2:])


def cookie(
    name: str,
    domain: str,
    site: str,
    *,
    days: float | None = 395,
    set_by: str = "script",
    classification: Classification | None = None,
    value: str = "v",
    http_only: bool = False,
) -> Cookie:
    """A cookie observed at ``OBSERVED``; party computed against the site's registrable domain."""
    reg = registrable_domain(domain)
    party = "first" if reg == registrable_domain(site) else "third"
    return Cookie(
        name=name,
        value=value,
        domain=domain,
        path="/",
        expires=None if days is None else OBSERVED + days * 86400,
        lifetime_days=days,
        secure=True,
        http_only=http_only,
        same_site="None" if party == "third" else "Lax",
        party=party,
        registrable_domain=reg,
        set_by=set_by,  # type: ignore[arg-type]
        classification=classification,
    )


def request(
    url: str, site: str, *, kind: str = "script", classification: Classification | None = None, status: int = 200
) -> Request:
    """A request from the page; host and party derived from the URL."""
    host = url.split("/")[2]
    reg = registrable_domain(host)
    return Request(
        url=url,
        host=host,
        resource_type=kind,
        method="GET",
        party="first" if reg == registrable_domain(site) else "third",
        registrable_domain=reg,
        initiator=f"https://{site}/",
        status=status,
        classification=classification,
    )


def storage(origin: str, key: str, *, kind: str = "local", size: int = 24, party: str = "first") -> StorageItem:
    """A storage key (values are never kept)."""
    return StorageItem(origin=origin, kind=kind, key=key, size=size, party=party)  # type: ignore[arg-type]


CNIL_SOURCE: dict[str, Any] = {
    "document": "CNIL, lignes directrices n° 2020-091",
    "article": "Art. 2 (consentement)",
    "url": "https://www.cnil.fr/fr/questions-reponses-lignes-directrices-modificatives-et-recommandation-cookies-traceurs",
    "note": "Trackers that need consent may only be used once the visitor has consented; refusing is as easy.",
    "also": [
        {
            "document": "CNIL, recommandation n° 2020-092",
            "article": "Art. 2 (information, consentement et refus)",
            "url": "https://www.legifrance.gouv.fr/jorf/article_jo/JORFARTI000042388205",
        }
    ],
}
EDPB_SOURCE: dict[str, Any] = {
    "document": "EDPB, Report of the work undertaken by the Cookie Banner Taskforce (17 January 2023)",
    "article": "§ 3.2 Deceptive link design",
    "url": "https://www.edpb.europa.eu/our-work-tools/our-documents/other/report-work-undertaken-cookie-banner-taskforce_en",
}
TCF_SOURCE: dict[str, Any] = {
    "document": "IAB Europe, TCF v2.2 Policies",
    "article": "Chapter II, Policies for CMPs",
    "url": "https://iabeurope.eu/iab-europe-transparency-consent-framework-policies/",
}


def finding(
    rule: str,
    severity: str,
    phase: str | None,
    subject: Subject,
    message: str,
    *,
    evidence: dict[str, Any] | None = None,
    outcome: str = "fail",
    source: dict[str, Any] | None = None,
    pack: str = "cnil",
    baseline: str | None = None,
) -> Finding:
    """Shorthand for a finding."""
    return Finding(
        rule=rule,
        severity=severity,  # type: ignore[arg-type]
        phase=phase,  # type: ignore[arg-type]
        subject=subject,
        message=message,
        evidence=evidence or {},
        outcome=outcome,  # type: ignore[arg-type]
        source=source if source is not None else CNIL_SOURCE,
        pack=pack,
        baseline=baseline,
    )


def tcf(purposes: tuple[int, ...], vendors: tuple[int, ...], *, valid: bool = True) -> TcfState:
    """A decoded TCF state read from the CMP API."""
    return TcfState(
        source="api",
        tc_string="CQQ9qAAQQ9qAAAHABBENBpFgAAAAAAAAAAAA" + ("AAAAAAAA" if purposes else ""),
        valid=valid,
        cmp_id=7,
        cmp_version=2,
        version=2,
        created="2025-05-01T09:00:00Z",
        last_updated="2025-05-01T09:00:03Z",
        purpose_consents=purposes,
        purpose_legitimate_interests=(2, 7, 9, 10) if purposes else (),
        vendor_consents=vendors,
        publisher_cc="FR",
        gdpr_applies=True,
        event_status="useractioncomplete",
        cmp_status="loaded",
    )


# --- sites ---------------------------------------------------------------------------------------


def news_ok(*, regressed: bool = False, shots: str = "screenshots") -> SiteResult:
    """A site that honours refusal (``regressed``: a week later, Hotjar fires after refusal)."""
    s = "www.news-ok.example"
    banner = Banner(
        found=True,
        cmp="didomi",
        text="Vos choix en matière de cookies. Nous et nos 842 partenaires utilisons des cookies ...",
        controls=(
            BannerControl(label="Tout refuser", role="reject", kind="button", layer=1, contrast=12.6, font_size=12),
            BannerControl(label="Paramétrer", role="settings", kind="link", layer=1, contrast=7.0, font_size=12),
            BannerControl(label="Tout accepter", role="accept", kind="button", layer=1, contrast=5.9, font_size=12),
        ),
        screenshot=f"{shots}/news-ok-banner.png",
    )
    necessary = cookie("PHPSESSID", "www.news-ok.example", s, days=None, set_by="header", classification=SESSION)
    didomi = cookie("didomi_token", ".news-ok.example", s, days=180, classification=DIDOMI)
    euconsent = cookie("euconsent-v2", ".news-ok.example", s, days=180, classification=TCF_COOKIE)
    matomo = cookie("_pk_id.1.4f2e", "www.news-ok.example", s, days=390, classification=MATOMO_EXEMPT)
    before = PhaseResult(
        name="before",
        status="ok",
        url=f"https://{s}/",
        http_status=200,
        cookies=(necessary,),
        requests=(
            request(f"https://{s}/", s, kind="document"),
            request(f"https://{s}/static/app.js", s),
            request("https://sdk.privacy-center.org/loader.js", s, classification=DIDOMI),
        ),
        storage=(storage(f"https://{s}", "didomi_config_cache"),),
        banner=banner,
    )
    reject_cookies: tuple[Cookie, ...] = (necessary, didomi, euconsent, matomo)
    reject_requests = [
        request(f"https://{s}/", s, kind="document"),
        request("https://sdk.privacy-center.org/loader.js", s, classification=DIDOMI),
        request(f"https://{s}/matomo.php?idsite=1&rec=1", s, kind="ping", classification=MATOMO_EXEMPT),
    ]
    if regressed:
        reject_cookies += (cookie("_hjid", ".news-ok.example", s, days=365, classification=HOTJAR),)
        reject_requests.append(request("https://static.hotjar.com/c/hotjar-3107.js", s, classification=HOTJAR))
    reject = PhaseResult(
        name="reject",
        status="ok",
        url=f"https://{s}/",
        http_status=200,
        cookies=reject_cookies,
        requests=tuple(reject_requests),
        storage=(storage(f"https://{s}", "didomi_config_cache"), storage(f"https://{s}", "didomi_token")),
        consent=ConsentAction(
            action="reject", clicked=True, label="Tout refuser", method="cmp:didomi", steps=1, effect="confirmed"
        ),
        banner=banner,
        tcf=(tcf((), ()),),
    )
    accept = PhaseResult(
        name="accept",
        status="ok",
        url=f"https://{s}/",
        http_status=200,
        cookies=(
            necessary,
            didomi,
            euconsent,
            matomo,
            cookie("_ga", ".news-ok.example", s, days=395, classification=GA),
            cookie("_ga_Q1W2E3", ".news-ok.example", s, days=395, classification=GA),
            cookie("IDE", ".doubleclick.net", s, days=390, set_by="header", classification=DOUBLECLICK, http_only=True),
            cookie("_fbp", ".news-ok.example", s, days=90, classification=FACEBOOK),
        ),
        requests=(
            request(f"https://{s}/", s, kind="document"),
            request("https://www.googletagmanager.com/gtag/js?id=G-Q1W2E3", s, classification=GA),
            request("https://region1.google-analytics.com/g/collect?v=2", s, kind="ping", classification=GA),
            request("https://securepubads.g.doubleclick.net/tag/js/gpt.js", s, classification=DOUBLECLICK),
            request("https://ad.doubleclick.net/ddm/activity/src=1", s, kind="image", classification=DOUBLECLICK),
            request("https://connect.facebook.net/fr_FR/fbevents.js", s, classification=FACEBOOK),
            request("https://www.facebook.com/tr/?id=1&ev=PageView", s, kind="image", classification=FACEBOOK),
        ),
        storage=(storage(f"https://{s}", "didomi_token"), storage(f"https://{s}", "_gcl_ls")),
        consent=ConsentAction(
            action="accept", clicked=True, label="Tout accepter", method="cmp:didomi", steps=1, effect="confirmed"
        ),
        banner=banner,
        tcf=(tcf((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), (1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 16, 21, 23, 24, 25, 28)),),
    )
    findings: tuple[Finding, ...] = (
        finding(
            "cnil-audience-exempt-first-party",
            "info",
            "reject",
            Subject(kind="cookie", name="_pk_id.1.4f2e", domain="www.news-ok.example"),
            "Matomo audience measurement after refusal relies on the CNIL exemption; check its configuration.",
            evidence={"cookie": "_pk_id.1.4f2e", "lifetime_days": 390, "vendor": "Matomo"},
        ),
    )
    if regressed:
        findings += (
            finding(
                "cnil-no-tracker-cookie-without-consent",
                "error",
                "reject",
                Subject(kind="cookie", name="_hjid", domain=".news-ok.example"),
                'The analytics tracker Hotjar sets the cookie "_hjid" after "Tout refuser".',
                evidence={"cookie": "_hjid", "domain": ".news-ok.example", "category": "analytics", "set_by": "script"},
            ),
        )
    return SiteResult(
        url="https://www.news-ok.example/",
        final_url=f"https://{s}/",
        status="ok",
        name="Le Quotidien",
        first_party=("news-ok.example",),
        phases={"before": before, "reject": reject, "accept": accept},
        findings=findings,
        started="2025-05-01T09:00:01Z",
        finished="2025-05-01T09:00:19Z",
    )


def news_bad(*, fixed_tcf: bool = False, shots: str = "screenshots") -> SiteResult:
    """A site that tracks before consent and after refusal (``fixed_tcf``: a week later)."""
    s = "www.news-bad.example"
    banner = Banner(
        found=True,
        cmp="custom",
        text="Ce site utilise des cookies. En poursuivant votre navigation, vous acceptez l'utilisation "
        "de cookies publicitaires. Continuer sans accepter. J'accepte",
        controls=(
            BannerControl(label="J'accepte", role="accept", kind="button", layer=1, contrast=4.6, font_size=13),
            BannerControl(
                label="Continuer sans accepter", role="reject", kind="link", layer=1, contrast=2.1, font_size=10
            ),
        ),
        screenshot=f"{shots}/news-bad-banner.png",
    )
    sess = cookie(
        "session", "www.news-bad.example", s, days=None, set_by="header", classification=SESSION, http_only=True
    )
    ga = cookie("_ga", ".news-bad.example", s, days=730, classification=GA, value="GA1.1.VALUE-SECRET-1234.1746090000")
    ide = cookie(
        "IDE", ".doubleclick.net", s, days=790, set_by="header", classification=DOUBLECLICK, value="AHWqTUk-secret"
    )
    fbp = cookie("_fbp", ".news-bad.example", s, days=90, classification=FACEBOOK)
    uid = cookie("uid", ".criteo.com", s, days=395, set_by="header", classification=CRITEO)
    unknown = cookie("xtvrn", ".news-bad.example", s, days=30, classification=None)
    gtm = request("https://www.googletagmanager.com/gtm.js?id=GTM-ABCD", s, classification=GA)
    collect = request("https://region1.google-analytics.com/g/collect?v=2&tid=G-1", s, kind="ping", classification=GA)
    gpt = request("https://securepubads.g.doubleclick.net/tag/js/gpt.js", s, classification=DOUBLECLICK)
    pixel = request("https://www.facebook.com/tr/?id=99&ev=PageView", s, kind="image", classification=FACEBOOK)
    criteo = request("https://static.criteo.net/js/ld/publishertag.js", s, classification=CRITEO)
    criteo_sync = request("https://gum.criteo.com/sync?c=1", s, kind="image", classification=CRITEO)
    blocked = SetCookieHeader(
        name="tuuid",
        domain=".ads.adtracker.example",
        url="https://ads.adtracker.example/sync?p=1",
        host="ads.adtracker.example",
        party="third",
        stored=False,
        attributes={"max-age": "31536000", "samesite": "none", "secure": ""},
    )
    before = PhaseResult(
        name="before",
        status="ok",
        url=f"https://{s}/",
        http_status=200,
        cookies=(sess, ga, ide, unknown),
        set_cookie_headers=(
            SetCookieHeader(
                name="IDE",
                domain=".doubleclick.net",
                url="https://securepubads.g.doubleclick.net/gampad/ads?x=1",
                host="securepubads.g.doubleclick.net",
                party="third",
                stored=True,
                attributes={"max-age": "68256000", "samesite": "none", "secure": "", "httponly": ""},
            ),
        ),
        requests=(request(f"https://{s}/", s, kind="document"), gtm, collect, gpt),
        storage=(storage(f"https://{s}", "_gcl_ls"),),
        banner=banner,
        tcf=(),
        warnings=("The load event did not fire within 30 s; evidence was collected at the time-out.",),
    )
    reject_tcf = (
        tcf((), (), valid=True) if fixed_tcf else tcf((1, 3, 4), (755, 91, 32)),
        TcfState(source="cookie", tc_string="CQQ9qAAQQ9qAAAH", valid=False, error="truncated TC string (44 bits)"),
    )
    reject_cookies = (sess, ga, ide, fbp, unknown) if fixed_tcf else (sess, ga, ide, fbp, uid, unknown)
    reject = PhaseResult(
        name="reject",
        status="ok",
        url=f"https://{s}/",
        http_status=200,
        cookies=reject_cookies,
        set_cookie_headers=(blocked,),
        requests=(request(f"https://{s}/", s, kind="document"), gtm, collect, gpt, pixel, criteo, criteo_sync),
        storage=(storage(f"https://{s}", "_gcl_ls"), storage(f"https://{s}", "consent", kind="session")),
        consent=ConsentAction(
            action="reject",
            clicked=True,
            label="Continuer sans accepter",
            method="heuristic",
            steps=1,
            effect="confirmed",
        ),
        banner=banner,
        tcf=reject_tcf,
        screenshots=(Screenshot(label="after refusal", path=f"{shots}/news-bad-banner.png"),),
    )
    accept = PhaseResult(
        name="accept",
        status="ok",
        url=f"https://{s}/",
        http_status=200,
        cookies=(sess, ga, ide, fbp, uid, unknown, cookie("_pin_unauth", ".news-bad.example", s, days=365)),
        requests=(
            request(f"https://{s}/", s, kind="document"),
            gtm,
            collect,
            gpt,
            pixel,
            criteo,
            criteo_sync,
            request("https://ct.pinterest.com/v3/?tid=1", s, kind="image"),
        ),
        storage=(storage(f"https://{s}", "_gcl_ls"), storage(f"https://{s}", "consent", kind="session")),
        consent=ConsentAction(
            action="accept", clicked=True, label="J'accepte", method="heuristic", steps=1, effect="confirmed"
        ),
        banner=banner,
        tcf=(tcf((1, 2, 3, 4, 7, 9, 10), (755, 91, 32, 21)),),
    )
    policy_source = {
        "document": "Le Journal — Politique cookies",
        "policy_url": "https://www.news-bad.example/cookies",
        "quote": "Si vous cliquez sur « Continuer sans accepter », seuls les cookies strictement nécessaires "
        "au fonctionnement du site seront déposés, et aucun cookie publicitaire.",
    }
    findings: list[Finding] = [
        finding(
            "cnil-no-tracker-cookie-without-consent",
            "error",
            "before",
            Subject(kind="cookie", name="_ga", domain=".news-bad.example"),
            'Google Analytics sets the cookie "_ga" before any choice.',
            evidence={"cookie": "_ga", "domain": ".news-bad.example", "category": "analytics", "set_by": "script"},
        ),
        finding(
            "cnil-no-tracker-cookie-without-consent",
            "error",
            "before",
            Subject(kind="cookie", name="IDE", domain=".doubleclick.net"),
            'Google Ad Manager sets the advertising cookie "IDE" before any choice.',
            evidence={"cookie": "IDE", "domain": ".doubleclick.net", "set_by": "header", "category": "advertising"},
        ),
        finding(
            "cnil-no-tracker-cookie-without-consent",
            "error",
            "reject",
            Subject(kind="cookie", name="IDE", domain=".doubleclick.net"),
            'Google Ad Manager sets the advertising cookie "IDE" after "Continuer sans accepter".',
            evidence={"cookie": "IDE", "domain": ".doubleclick.net", "set_by": "header", "category": "advertising"},
        ),
        finding(
            "cnil-no-tracker-cookie-without-consent",
            "error",
            "reject",
            Subject(kind="cookie", name="_fbp", domain=".news-bad.example"),
            'Meta Pixel sets the advertising cookie "_fbp" after "Continuer sans accepter".',
            evidence={"cookie": "_fbp", "domain": ".news-bad.example", "set_by": "script", "category": "advertising"},
        ),
        finding(
            "edpb-deceptive-link-design",
            "error",
            "before",
            Subject(kind="banner", name="Continuer sans accepter"),
            "Refusing is harder than accepting: the first layer offers a small link, not a button.",
            evidence={
                "accept": {"label": "J'accepte", "kind": "button", "contrast": 4.6, "font_size": 13},
                "reject": {"label": "Continuer sans accepter", "kind": "link", "contrast": 2.1, "font_size": 10},
            },
            source=EDPB_SOURCE,
            pack="edpb-banner",
        ),
        finding(
            "cnil-tracker-lifetime",
            "warning",
            "accept",
            Subject(kind="cookie", name="IDE", domain=".doubleclick.net"),
            'The cookie "IDE" lives 790 days; trackers must expire within 13 months (395 days).',
            evidence={"cookie": "IDE", "lifetime_days": 790, "limit_days": 395},
        ),
        finding(
            "cnil-tracker-lifetime",
            "warning",
            "accept",
            Subject(kind="cookie", name="_ga", domain=".news-bad.example"),
            'The cookie "_ga" lives 730 days; trackers must expire within 13 months (395 days).',
            evidence={"cookie": "_ga", "lifetime_days": 730, "limit_days": 395},
            baseline="Accepted by the DPO on 2025-03-02 until the analytics migration (ticket LEGAL-41).",
        ),
        finding(
            "journal-only-technical-cookies-after-refusal",
            "error",
            "reject",
            Subject(kind="cookie", name="_fbp", domain=".news-bad.example"),
            'The site\'s own policy promises no advertising cookie after refusal, yet "_fbp" is set.',
            evidence={"cookie": "_fbp", "category": "advertising"},
            source=policy_source,
            pack="site:le-journal",
        ),
        finding(
            "cnil-audience-exempt-first-party",
            "warning",
            "reject",
            Subject(kind="cookie", name="xtvrn", domain=".news-bad.example"),
            'Cannot tell whether "xtvrn" is exempt audience measurement: the cookie is not in the knowledge base.',
            evidence={"cookie": "xtvrn", "classification": None},
            outcome="error",
        ),
    ]
    if not fixed_tcf:
        findings.insert(
            4,
            finding(
                "cnil-no-tracker-cookie-without-consent",
                "error",
                "reject",
                Subject(kind="cookie", name="uid", domain=".criteo.com"),
                'Criteo sets the advertising cookie "uid" after "Continuer sans accepter".',
                evidence={"cookie": "uid", "domain": ".criteo.com", "set_by": "header", "category": "advertising"},
            ),
        )
        findings.append(
            finding(
                "tcf-consent-after-opt-out",
                "error",
                "reject",
                Subject(kind="tcf", name="purpose_consents"),
                "After refusal the TCF string still grants consent to purposes 1, 3 and 4 for 3 vendors.",
                evidence={"purpose_consents": [1, 3, 4], "vendor_consents": [755, 91, 32], "source": "api"},
                source=TCF_SOURCE,
                pack="tcf",
            )
        )
    return SiteResult(
        url="https://www.news-bad.example/",
        final_url=f"https://{s}/",
        status="ok",
        name="Le Journal",
        first_party=("news-bad.example",),
        phases={"before": before, "reject": reject, "accept": accept},
        findings=tuple(findings),
        started="2025-05-01T09:00:01Z",
        finished="2025-05-01T09:00:27Z",
        attempts=2,
    )


def shop_down() -> SiteResult:
    """A site that could not be audited."""
    return SiteResult(
        url="https://shop-down.example/",
        status="error",
        error="net::ERR_NAME_NOT_RESOLVED at https://shop-down.example/ (3 attempts)",
        name="Shop (down)",
        started="2025-05-01T09:00:01Z",
        finished="2025-05-01T09:00:31Z",
        attempts=3,
    )


def blog_partial() -> SiteResult:
    """The reject control was not found; the accept phase is missing."""
    s = "blog-partial.example"
    before = PhaseResult(
        name="before",
        status="ok",
        url=f"https://{s}/",
        http_status=200,
        cookies=(cookie("wp-settings", s, s, days=365, classification=None),),
        requests=(request(f"https://{s}/", s, kind="document"), request("https://fonts.gstatic.com/s/inter.woff2", s)),
        banner=Banner(
            found=True,
            cmp=None,
            text="Nous utilisons des cookies. OK En savoir plus",
            controls=(
                BannerControl(label="OK", role="accept", kind="button", layer=1),
                BannerControl(label="En savoir plus", role="settings", kind="link", layer=1),
            ),
        ),
    )
    reject = PhaseResult(
        name="reject",
        status="error",
        error="Reject control not found: no button or link matches the refusal labels",
        url=f"https://{s}/",
        http_status=200,
        cookies=before.cookies,
        requests=before.requests,
        consent=ConsentAction(
            action="reject",
            clicked=False,
            reason="no control matching the refusal labels on any layer",
            candidates=("OK", "En savoir plus"),
        ),
    )
    return SiteResult(
        url=f"https://{s}/",
        final_url=f"https://{s}/",
        status="ok",
        name=None,
        first_party=("blog-partial.example",),
        phases={"before": before, "reject": reject},
        findings=(
            finding(
                "cnil-reject-on-first-layer",
                "error",
                "before",
                Subject(kind="banner"),
                "No refusal control found on the first layer (controls seen: OK, En savoir plus).",
                evidence={"candidates": ["OK", "En savoir plus"]},
                source=EDPB_SOURCE,
                pack="edpb-banner",
            ),
            finding(
                "cnil-no-tracker-cookie-without-consent",
                "error",
                "reject",
                Subject(kind="site", url=f"https://{s}/"),
                "Cannot evaluate: the reject phase did not complete.",
                evidence={"phase_error": "Reject control not found"},
                outcome="error",
            ),
        ),
        started="2025-05-01T09:00:02Z",
        finished="2025-05-01T09:00:14Z",
    )


def hostile() -> SiteResult:
    """Every string a web page controls is hostile here."""
    s = "hostile.example"
    evil_url = f"https://evil.example/{HOSTILE_IMG}?q={HOSTILE_SCRIPT}"
    c1 = cookie(HOSTILE_SCRIPT, ".hostile.example", s, days=800, classification=DOUBLECLICK, value=HOSTILE_IMG)
    c2 = cookie(HOSTILE_IMG, ".evil.example", s, days=10, set_by="header", value="<b>VALUE-SECRET-HOSTILE</b>")
    c3 = cookie("[bold red]rich-markup[/] | **md** `tick`", ".hostile.example", s, days=None)
    before = PhaseResult(
        name="before",
        status="ok",
        url=f"https://{s}/?q={HOSTILE_SCRIPT}",
        cookies=(c1, c2, c3),
        requests=(
            request(f"https://{s}/", s, kind="document"),
            request(evil_url, s, classification=DOUBLECLICK),
            Request(
                url="javascript:alert(document.cookie)",
                host="evil.example",
                resource_type="other",
                method="GET",
                party="third",
                registrable_domain="evil.example",
                classification=Classification(
                    entity=HOSTILE_SCRIPT, category=HOSTILE_IMG, tracker=True, vendor=HOSTILE_IMG
                ),
            ),
        ),
        storage=(storage(f"https://{s}", "<svg onload=alert(5)>"),),
        banner=Banner(
            found=True,
            cmp=HOSTILE_SCRIPT,
            text=f"Cookies? {HOSTILE_SCRIPT}",
            controls=(BannerControl(label=HOSTILE_IMG, role="reject", kind="button", layer=1),),
            screenshot="../../../../../etc/passwd",
        ),
    )
    reject = PhaseResult(
        name="reject",
        status="ok",
        url=f"https://{s}/",
        cookies=(c1, c2, c3),
        requests=(request(evil_url, s, classification=DOUBLECLICK),),
        consent=ConsentAction(
            action="reject", clicked=True, label=HOSTILE_IMG, method="heuristic", steps=1, effect="confirmed"
        ),
        tcf=(TcfState(source="cookie", tc_string=HOSTILE_SCRIPT, valid=False, error=HOSTILE_IMG),),
        screenshots=(Screenshot(label=HOSTILE_SCRIPT, path="screenshots/does-not-exist.png"),),
    )
    accept = PhaseResult(name="accept", status="ok", url=f"https://{s}/", cookies=(c1, c2, c3))
    return SiteResult(
        url=f"https://{s}/?q={HOSTILE_SCRIPT}",
        final_url=f"javascript:alert('final')//{HOSTILE_IMG}",
        status="ok",
        name=f"Hostile {HOSTILE_IMG}",
        first_party=("hostile.example",),
        phases={"before": before, "reject": reject, "accept": accept},
        findings=(
            finding(
                HOSTILE_SCRIPT,
                "error",
                "reject",
                Subject(kind="cookie", name=HOSTILE_SCRIPT, domain=HOSTILE_IMG, url=evil_url),
                f"Message with {HOSTILE_IMG} and a newline\n::warning::injected and %0A and [link](javascript:x)",
                evidence={"cookie": HOSTILE_SCRIPT, "html": HOSTILE_IMG},
                source={
                    "url": "javascript:alert(4)",
                    "quote": HOSTILE_SCRIPT,
                    "document": HOSTILE_IMG,
                    "also": [{"document": HOSTILE_SCRIPT, "policy_url": f"javascript:alert(7)//{HOSTILE_IMG}"}],
                },
                pack=HOSTILE_IMG,
            ),
        ),
    )


def new_site() -> SiteResult:
    """A site first audited in the second run: nothing to report."""
    s = "www.new-site.example"
    phase = {
        name: PhaseResult(
            name=name,  # type: ignore[arg-type]
            status="ok",
            url=f"https://{s}/",
            cookies=(cookie("sid", s, s, days=None, set_by="header", classification=SESSION),),
            requests=(request(f"https://{s}/", s, kind="document"),),
            consent=None
            if name == "before"
            else ConsentAction(action=name, clicked=True, label=name.title(), effect="confirmed"),  # type: ignore[arg-type]
        )
        for name in ("before", "reject", "accept")
    }
    return SiteResult(
        url=f"https://{s}/", final_url=f"https://{s}/", status="ok", name="New site", phases=phase, findings=()
    )


def run(started: str, finished: str, sites: tuple[SiteResult, ...], out: str) -> RunResult:
    """A run with full provenance."""
    return RunResult(
        tool=ToolInfo(name="consent-auditor", version="0.1.0"),
        browser=BrowserInfo(
            version="Chromium 156.0.7390.54",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/156.0.0.0 Safari/537.36",
            executable="/usr/lib/chromium/chromium",
        ),
        started=started,
        finished=finished,
        arguments=("consent-audit", "audit", "--sites", "sites.yaml", "--rules", "cnil", "--out", out),
        sites=sites,
        options={"locale": "fr-FR", "timezone": "Europe/Paris", "third_party_cookies": "allowed", "keep_values": True},
        rule_packs=("cnil", "edpb-banner", "tcf", "site:le-journal"),
    )


def main() -> None:
    """Write ``run1/results.json`` and ``run2/results.json``."""
    run1 = run(
        "2025-05-01T09:00:00Z",
        "2025-05-01T09:00:32Z",
        (news_ok(), news_bad(), shop_down(), blog_partial(), hostile()),
        "out/run1",
    )
    run2 = run(
        "2025-05-08T09:00:00Z",
        "2025-05-08T09:00:29Z",
        (news_ok(regressed=True), news_bad(fixed_tcf=True), shop_down(), new_site()),
        "out/run2",
    )
    print(write_results(run1, HERE / "run1" / "results.json"))
    print(write_results(run2, HERE / "run2" / "results.json"))


if __name__ == "__main__":
    main()
