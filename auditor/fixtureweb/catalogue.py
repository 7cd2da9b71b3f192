"""What the fixture web serves: its sites, what each plants, and its network-fault hosts.

``auditor/fixtureweb/README.md`` tells the same in prose, with what a correct auditor must report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DNS_FAILURE_HOST = "www.dns-introuvable.fr"
"""Resolves to nothing: name-resolution error (``net::ERR_NAME_NOT_RESOLVED``)."""
REFUSED_HOST = "www.injoignable.fr"
"""Maps to a closed port on 127.0.0.1: connection refused (``net::ERR_CONNECTION_REFUSED``)."""
TLS_ERROR_HOST = "www.certificat-invalide.fr"
"""Served by an HTTPS server whose key is not pinned: certificate error (``net::ERR_CERT_...``)."""

FAULT_HOSTS = (DNS_FAILURE_HOST, REFUSED_HOST, TLS_ERROR_HOST)
"""Hosts that fail below HTTP, in the order their rules appear in ``host_resolver_rules``."""

Kind = Literal["compliant", "violation", "fault", "demo"]


@dataclass(frozen=True)
class SiteInfo:
    """One fixture site: its host name and what it is for."""

    host: str
    kind: Kind
    summary: str
    """What the site plants, in one sentence."""
    language: str = "fr"
    """Language of its banner (``fr`` or ``en``)."""
    aliases: tuple[str, ...] = ()
    """Other registrable domains the site declares as its own (first party), as a sites.yaml would."""
    banner: bool = True
    """Whether a consent banner appears on the first visit."""


SITES: tuple[SiteInfo, ...] = (
    SiteInfo(
        "www.journal-conforme.fr",
        "compliant",
        "Session cookie by header and exempt Piano audience measurement before consent; GA, Meta pixel and "
        "DoubleClick only after 'Tout accepter'.",
    ),
    SiteInfo(
        "www.gazette-pisteurs.fr",
        "violation",
        "DoubleClick pixel (IDE on .doubleclick.net) and Meta pixel (_fbp, fr) on first load, before any choice.",
    ),
    SiteInfo(
        "www.quotidien-ignore.fr",
        "violation",
        "Criteo and Twitter load once any choice is made, 'Tout refuser' included (and on every later page).",
    ),
    SiteInfo("www.sans-banniere.fr", "violation", "No banner at all; Google Analytics on every page.", banner=False),
    SiteInfo(
        "www.example-news.co.uk",
        "compliant",
        "English banner; first-party subdomain cookie ukid set by static.example-news.co.uk, logo from the "
        "declared alias cdn.example-news-static.com; GA only after 'Accept all'.",
        language="en",
        aliases=("example-news-static.com",),
    ),
    SiteInfo("www.erreur-serveur.fr", "fault", "Every page answers HTTP 500.", banner=False),
    SiteInfo("www.page-absente.fr", "fault", "Every page answers HTTP 404.", banner=False),
    SiteInfo(
        "www.chargement-infini.fr",
        "fault",
        "HTML and banner arrive, but /slow.js never completes: 'load' never fires.",
    ),
    SiteInfo(
        "www.bouton-bloque.fr",
        "fault",
        "'Tout refuser' is covered by a transparent full-page overlay (a real click is intercepted); accept works.",
    ),
    SiteInfo(
        "www.acces-limite.fr",
        "fault",
        "Rate-limited: a third view of / within 60 s answers HTTP 429 (the accept context's first load).",
    ),
    SiteInfo(
        "www.mur-consentement.fr",
        "violation",
        "A visitor without a stored choice is redirected (302) to a consent wall on another domain, "
        "consent.plateforme-consentement.com, which is not the publisher's first party.",
        banner=False,
    ),
    SiteInfo(
        "www.traces-discretes.fr",
        "violation",
        "A DoubleClick pixel while the banner is still to come (it shows at 3 s); a WebSocket and a service worker "
        "hit; after accept, beacons when the page is left and the choice kept in sessionStorage; window.open blocked.",
    ),
    SiteInfo(
        "www.beacon-differe.fr",
        "compliant",
        "After 'Tout accepter', a Meta pixel beacon (fr cookie) fires 2 seconds later.",
    ),
    SiteInfo(
        "www.regie-inconnue.fr",
        "violation",
        "A small ad network on no tracker list, before any choice: its pixel sets a third-party identifier (vid on "
        ".adnexo-regie.net) and syncs it to match.dsp-partenaire.io; its tag keeps adnx_uid in localStorage.",
    ),
    SiteInfo(
        "www.defilement-accord.fr",
        "violation",
        "'Scrolling means consent': scrolling the page or opening a second one without answering stores "
        "consent=accepted and loads DoubleClick (IDE) and the Meta pixel; 'Tout refuser' is respected. Answers GPC "
        "(__uspapi 1YYN, /.well-known/gpc.json).",
    ),
    SiteInfo(
        "www.politique-fidele.fr",
        "compliant",
        "Declarations that match (issue 14): the banner promises only technical cookies after refusal and no "
        "social tracking; the cookie table of /politique-cookies lists every cookie planted, with its lifetime.",
    ),
    SiteInfo(
        "www.politique-trompeuse.fr",
        "violation",
        "Declarations that lie (issue 14): GA loads before any choice despite the 'only technical cookies' "
        "promise; the cookie table says _ga lives 1 month (13), omits the Meta pixel's _fbp and fr, and calls "
        "DoubleClick's IDE (a pixel on every page) strictly necessary.",
    ),
    SiteInfo(
        "www.le-quotidien-demo.fr",
        "demo",
        "French news front page; DoubleClick pixel on every page regardless of choice (a deliberate pre-consent "
        "tracker), exempt Piano measurement, GA / Meta / Twitter properly gated.",
    ),
)
"""The built-in sites, in the order of the README."""

HOSTILE_SITES: tuple[SiteInfo, ...] = (
    SiteInfo(
        "www.boucle-active.fr",
        "fault",
        "Its script enters an endless loop 300 ms after load: the renderer never answers again.",
    ),
    SiteInfo("www.rechargement-meta.fr", "fault", "A meta refresh of 0 s: the page reloads itself forever."),
    SiteInfo("www.rechargement-script.fr", "fault", "location.replace to itself 200 ms after every load, forever."),
    SiteInfo(
        "www.redirection-infinie.fr",
        "fault",
        "Every path answers 302 to the next one (ERR_TOO_MANY_REDIRECTS).",
        banner=False,
    ),
    SiteInfo("www.dialogues-bloquants.fr", "fault", "alert, confirm and prompt on load, and a beforeunload prompt."),
    SiteInfo("www.fenetres-surgissantes.fr", "fault", "Two window.open pop-ups on load and one on every click."),
    SiteInfo("www.telechargement-force.fr", "fault", "Starts a download (Content-Disposition: attachment) on load."),
    SiteInfo("www.memoire-infinie.fr", "fault", "Allocates memory without end after load, until its renderer dies."),
    SiteInfo("www.cinq-mille-cookies.fr", "fault", "Writes 5,000 first-party cookies by script before any choice."),
    SiteInfo("www.page-geante.fr", "fault", "A 20 MB HTML page."),
    SiteInfo(
        "www.fenetre-fermee.fr", "fault", "window.close() 500 ms after load (works in a window opened by script)."
    ),
    SiteInfo(
        "www.clic-ailleurs.fr",
        "fault",
        "Any click, the reject control's included, navigates to www.ailleurs-destination.fr.",
    ),
    SiteInfo(
        "www.mur-robots.fr",
        "fault",
        "Answers 403 to every visitor, as a bot wall that recognises the auditor does.",
        banner=False,
    ),
    SiteInfo(
        "www.captcha-robots.fr",
        "fault",
        "Answers a captcha page (200, no banner) to every visitor, as a bot wall that recognises the auditor does.",
        banner=False,
    ),
    SiteInfo(
        "www.cookies-etranges.fr",
        "fault",
        "Cookies with tabs and control characters in names and values, and 4 KB values, before any choice.",
    ),
    SiteInfo("www.banniere-instable.fr", "fault", "A banner of its own rebuilt every 100 ms until a choice is stored."),
)
"""The hostile pages (:mod:`auditor.fixtureweb.hostile`): each must cost its site a bounded time and say why."""


def site(host: str) -> SiteInfo:
    """The :class:`SiteInfo` of ``host``; :class:`KeyError` names the unknown host."""
    for info in (*SITES, *HOSTILE_SITES):
        if info.host == host:
            return info
    raise KeyError(f"no fixture site {host!r}; known: {', '.join(s.host for s in SITES)}")
