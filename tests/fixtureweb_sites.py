"""What the tests add to the fixture web: their sites folder, their dynamic routes, their catalogue.

The package (:mod:`auditor.fixtureweb`) ships the machinery, the demo and the trackers it loads; the test-only
hosts live here and in ``tests/fixtures/sites/`` (one folder per host, documented in its ``README.md``)::

    with make_web() as web:  # the package's sites and routes plus the tests' ones
        page.goto(web.url("www.journal-conforme.fr"))

:data:`ROUTES` answers what files cannot (statuses, endless responses, the rate limit, the consent wall,
the trackers only test sites load) and the hostile pages of :mod:`fixtureweb_hostile`; :data:`CATALOGUE`
lists every site served, the package's first.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from fixtureweb_hostile import HOSTILE_ROUTES, HOSTILE_SITES

from auditor.fixtureweb import FixtureWeb, SiteInfo, catalogue
from auditor.fixtureweb.dynamic import MONTHS_13, Route, common_static, cors, kept, pixel, third_party_cookie
from auditor.fixtureweb.server import Request, Response
from auditor.fixtureweb.static import error_page, not_found

SITES_DIR = Path(__file__).resolve().parent / "fixtures" / "sites"
"""The tests' ``<hostname>/`` folders (``FixtureWeb(sites_dirs=[SITES_DIR])``)."""

# --- routes ----------------------------------------------------------------------------------------------


def criteo_sync(request: Request) -> Response:
    """``gum.criteo.com/sync``: a GIF setting Criteo's ``uid`` on ``.criteo.com`` (13 months)."""
    value = kept(request, "uid", lambda: str(uuid.uuid4()))
    return pixel(request, third_party_cookie("uid", value, ".criteo.com", MONTHS_13))


def unknown_ad_pixel(request: Request) -> Response:
    """``px.adnexo-regie.net/px``: an ad network on no list. Sets ``vid`` (13 months, ``SameSite=None``) and
    redirects to its partner DSP with the id in the URL (ID syncing)."""
    value = kept(request, "vid", lambda: uuid.uuid4().hex)
    headers = [
        ("Set-Cookie", third_party_cookie("vid", value, ".adnexo-regie.net", MONTHS_13)),
        ("Location", f"https://match.dsp-partenaire.io/sync?partner=adnexo&puid={value}"),
        *cors(request),
    ]
    return Response(302, b"", None, headers)


def partner_sync(request: Request) -> Response:
    """``match.dsp-partenaire.io/sync``: the partner's matching pixel, a GIF setting its own ``pdid`` (13 months)."""
    value = kept(request, "pdid", lambda: secrets.token_urlsafe(18))
    return pixel(request, third_party_cookie("pdid", value, ".dsp-partenaire.io", MONTHS_13))


# --- faults --------------------------------------------------------------------------------------


def server_error(request: Request) -> Response:
    """Every page of ``www.erreur-serveur.fr``: an HTTP 500."""
    return error_page(
        request, 500, "Erreur interne du serveur", "Le serveur a rencontré une erreur. Réessayez plus tard."
    )


def page_missing(request: Request) -> Response:
    """Every page of ``www.page-absente.fr``: an HTTP 404."""
    return not_found(request)


def endless_script(request: Request) -> Response:
    """``www.chargement-infini.fr/slow.js``: headers and a first chunk, then nothing until the server stops."""
    return Response(200, b"/* loading", "text/javascript; charset=utf-8", hold=True)


@dataclass
class RateLimit:
    """Answers ``429`` to page views beyond ``limit`` within a rolling ``window`` of seconds (all clients).

    The auditor's reject context views the page twice (first load, second view); the accept context's
    first load, right after, is the third: it fails while the rest of the audit succeeds."""

    page: Path
    """The HTML served while under the limit."""
    limit: int = 2
    window: float = 60.0
    _views: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Request) -> Response:
        """Serve the page, or ``429 Too Many Requests`` with ``Retry-After``."""
        now = time.monotonic()
        with self._lock:
            self._views = [t for t in self._views if now - t < self.window]
            limited = len(self._views) >= self.limit
            if not limited:
                self._views.append(now)
        if limited:
            response = error_page(request, 429, "Trop de requêtes", "Réessayez dans une minute.")
            response.headers.append(("Retry-After", str(int(self.window))))
            return response
        return Response(200, self.page.read_bytes(), "text/html; charset=utf-8")


CONSENT_WALL = "https://consent.plateforme-consentement.com/"
"""Where ``www.mur-consentement.fr`` sends a visitor who has not chosen yet."""


def consent_wall_redirect(request: Request) -> Response:
    """``www.mur-consentement.fr/``: a ``302`` to the consent platform's wall, unless a choice is stored."""
    if "consent" in request.cookies:
        page = SITES_DIR / "www.mur-consentement.fr" / "index.html"
        return Response(200, page.read_bytes(), "text/html; charset=utf-8")
    target = f"{CONSENT_WALL}?continue={quote(f'https://{request.host}{request.target}', safe='')}"
    return Response(302, b"", None, [("Location", target)])


ROUTES: tuple[Route, ...] = (
    Route("gum.criteo.com", "/sync", criteo_sync),
    Route("px.adnexo-regie.net", "/px", unknown_ad_pixel),
    Route("match.dsp-partenaire.io", "/sync", partner_sync),
    Route("www.erreur-serveur.fr", "*", server_error),
    Route("www.page-absente.fr", "*", page_missing),
    Route("www.chargement-infini.fr", "/slow.js", endless_script),
    Route("www.mur-consentement.fr", "/", consent_wall_redirect),
    Route("www.acces-limite.fr", "/", RateLimit(SITES_DIR / "www.acces-limite.fr" / "index.html")),
    # The hostile pages have no folder: their /static/* (the fixture banner) are the shared files.
    *(Route(host, "/static/*", common_static) for host in dict.fromkeys(r.host for r in HOSTILE_ROUTES)),
    *HOSTILE_ROUTES,
)
"""The tests' dynamic routes, tried before the package's (:data:`auditor.fixtureweb.dynamic.ROUTES`)."""


def make_web(sites_dir: str | os.PathLike[str] | None = None) -> FixtureWeb:
    """A (not started) fixture web serving the package's sites and the tests' ones; ``sites_dir`` wins over both."""
    return FixtureWeb(sites_dir, sites_dirs=[SITES_DIR], routes=ROUTES)


# --- catalogue -------------------------------------------------------------------------------------------

TEST_SITES: tuple[SiteInfo, ...] = (
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
        "www.retrait-ignore.fr",
        "violation",
        "A footer link reopens the banner and the refusal is stored, but the site's own loader keeps loading the "
        "Meta pixel and DoubleClick on every page once the visitor has accepted: withdrawal stops nothing.",
    ),
    SiteInfo(
        "www.sans-retour.fr",
        "violation",
        "Trackers gated properly, but no way back to the choices once made (no link, icon nor API).",
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
)
"""The tests' sites, in the order of ``tests/fixtures/sites/README.md``."""

ASSET_HOSTS: tuple[str, ...] = (
    "cdn.example-news-static.com",
    "consent.plateforme-consentement.com",
    "securepubads.g.doubleclick.net",
    "static.criteo.net",
    "static.example-news.co.uk",
    "www.google-analytics.com",
)
"""Folders of ``tests/fixtures/sites`` that are not sites of their own: tracker scripts and the sites' other hosts."""

CATALOGUE: tuple[SiteInfo, ...] = (*catalogue.SITES, *TEST_SITES, *HOSTILE_SITES)
"""Every site :func:`make_web` serves: the package's, the tests' and the hostile pages."""
