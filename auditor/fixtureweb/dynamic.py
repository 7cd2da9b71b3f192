"""Dynamic handlers: what static files cannot express (statuses, Set-Cookie on beacons, endless responses).

Tracker endpoints are fakes that answer like the real ones: collection beacons answer ``204`` or a
1x1 GIF, and third-party identifiers are set by ``Set-Cookie`` on the tracker's own domain with
``Secure; SameSite=None`` (and the real names and lifetimes, so the auditor's knowledge base recognises
them). A returning browser keeps its identifier: the handler echoes the cookie it was sent.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from urllib.parse import quote

from auditor.fixtureweb.hostile import HOSTILE_ROUTES
from auditor.fixtureweb.server import Request, Response
from auditor.fixtureweb.static import BUILTIN_SITES, COMMON, content_type, error_page, find_file, not_found

Handler = Callable[[Request], Response]
"""A dynamic handler: takes the request, returns the response."""

GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
"""A transparent 1x1 GIF, the body of every tracking pixel."""

MONTHS_13 = 33696000
"""390 days in seconds: the lifetime of DoubleClick's ``IDE`` and Criteo's ``uid``."""


@dataclass(frozen=True)
class Route:
    """A host pattern and path pattern (shell-style) with the handler answering them."""

    host: str
    path: str
    handler: Handler


def third_party_cookie(name: str, value: str, domain: str, max_age: int) -> str:
    """A ``Set-Cookie`` value as trackers send it: domain cookie, ``Secure; HttpOnly; SameSite=None``."""
    return f"{name}={value}; Domain={domain}; Path=/; Max-Age={max_age}; Secure; HttpOnly; SameSite=None"


def _cors(request: Request) -> list[tuple[str, str]]:
    origin = request.headers.get("origin")
    if not origin:
        return []
    return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true")]


def pixel(request: Request, *set_cookies: str) -> Response:
    """A 1x1 GIF answer carrying ``set_cookies``."""
    headers = [("Set-Cookie", value) for value in set_cookies] + _cors(request)
    return Response(200, GIF, "image/gif", headers)


def no_content(request: Request) -> Response:
    """A ``204`` beacon answer."""
    return Response(204, b"", "text/plain; charset=utf-8", _cors(request))


def _kept(request: Request, name: str, make: Callable[[], str]) -> str:
    return request.cookies.get(name) or make()


# --- trackers ----------------------------------------------------------------------------------


def google_analytics_collect(request: Request) -> Response:
    """GA4 ``/g/collect`` and Universal Analytics ``/collect``: 204, no cookie (GA's cookies are first party)."""
    return no_content(request)


def facebook_pixel(request: Request) -> Response:
    """``www.facebook.com/tr``: a GIF setting Meta's ``fr`` cookie on ``.facebook.com`` for 90 days."""

    def make() -> str:
        return f"0{secrets.token_urlsafe(15)}..B{secrets.token_urlsafe(6)}.AAA.0.0.B{secrets.token_urlsafe(6)}.AWX"

    return pixel(request, third_party_cookie("fr", _kept(request, "fr", make), ".facebook.com", 7776000))


def doubleclick_pixel(request: Request) -> Response:
    """DoubleClick activity and stats pixels: a GIF setting ``IDE`` on ``.doubleclick.net`` (13 months)."""

    def make() -> str:
        return "AHWqTU" + secrets.token_urlsafe(48)

    return pixel(request, third_party_cookie("IDE", _kept(request, "IDE", make), ".doubleclick.net", MONTHS_13))


def criteo_sync(request: Request) -> Response:
    """``gum.criteo.com/sync``: a GIF setting Criteo's ``uid`` on ``.criteo.com`` (13 months)."""
    value = _kept(request, "uid", lambda: str(uuid.uuid4()))
    return pixel(request, third_party_cookie("uid", value, ".criteo.com", MONTHS_13))


def twitter_syndication(request: Request) -> Response:
    """``syndication.twitter.com``: a GIF setting ``guest_id`` on ``.twitter.com`` (396 days)."""

    def make() -> str:
        return f"v1%3A{int(time.time() * 1000)}{secrets.randbelow(10**6):06d}"

    return pixel(request, third_party_cookie("guest_id", _kept(request, "guest_id", make), ".twitter.com", 34214400))


def unknown_ad_pixel(request: Request) -> Response:
    """``px.adnexo-regie.net/px``: an ad network on no list. Sets ``vid`` (13 months, ``SameSite=None``) and
    redirects to its partner DSP with the id in the URL (ID syncing)."""
    value = _kept(request, "vid", lambda: uuid.uuid4().hex)
    headers = [
        ("Set-Cookie", third_party_cookie("vid", value, ".adnexo-regie.net", MONTHS_13)),
        ("Location", f"https://match.dsp-partenaire.io/sync?partner=adnexo&puid={value}"),
        *_cors(request),
    ]
    return Response(302, b"", None, headers)


def partner_sync(request: Request) -> Response:
    """``match.dsp-partenaire.io/sync``: the partner's matching pixel, a GIF setting its own ``pdid`` (13 months)."""
    value = _kept(request, "pdid", lambda: secrets.token_urlsafe(18))
    return pixel(request, third_party_cookie("pdid", value, ".dsp-partenaire.io", MONTHS_13))


def piano_hit(request: Request) -> Response:
    """AT Internet / Piano Analytics collection (``hit.xiti``): 204, no third-party cookie (exempt setup)."""
    return no_content(request)


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
        page = BUILTIN_SITES / "www.mur-consentement.fr" / "index.html"
        return Response(200, page.read_bytes(), "text/html; charset=utf-8")
    target = f"{CONSENT_WALL}?continue={quote(f'https://{request.host}{request.target}', safe='')}"
    return Response(302, b"", None, [("Location", target)])


def connectivity_check(request: Request) -> Response:
    """Chromium's captive-portal probe (``generate_204``): 204, so a certificate error is not taken for a portal."""
    return Response(204, b"", None)


def common_static(request: Request) -> Response:
    """``/static/*`` of a host that has no folder (the hostile pages): the shared files, the banner among them."""
    found = find_file(BUILTIN_SITES / COMMON, request.path)
    if found is None:
        return not_found(request)
    return Response(200, found.read_bytes(), content_type(found))


ROUTES: tuple[Route, ...] = (
    Route("connectivitycheck.gstatic.com", "/generate_204", connectivity_check),
    Route("www.gstatic.com", "/generate_204", connectivity_check),
    Route("clients?.google.com", "/generate_204", connectivity_check),
    Route("*.google-analytics.com", "/g/collect", google_analytics_collect),
    Route("*.google-analytics.com", "/collect", google_analytics_collect),
    Route("*.google-analytics.com", "/j/collect", google_analytics_collect),
    Route("www.facebook.com", "/tr", facebook_pixel),
    Route("www.facebook.com", "/tr/", facebook_pixel),
    Route("ad.doubleclick.net", "/ddm/activity/*", doubleclick_pixel),
    Route("stats.g.doubleclick.net", "/*", doubleclick_pixel),
    Route("gum.criteo.com", "/sync", criteo_sync),
    Route("syndication.twitter.com", "/*", twitter_syndication),
    Route("logs1412.xiti.com", "/hit.xiti", piano_hit),
    Route("px.adnexo-regie.net", "/px", unknown_ad_pixel),
    Route("match.dsp-partenaire.io", "/sync", partner_sync),
    Route("www.erreur-serveur.fr", "*", server_error),
    Route("www.page-absente.fr", "*", page_missing),
    Route("www.chargement-infini.fr", "/slow.js", endless_script),
    Route("www.mur-consentement.fr", "/", consent_wall_redirect),
    Route("www.acces-limite.fr", "/", RateLimit(BUILTIN_SITES / "www.acces-limite.fr" / "index.html")),
    *(Route(host, "/static/*", common_static) for host in dict.fromkeys(host for host, _, _ in HOSTILE_ROUTES)),
    *(Route(host, path, handler) for host, path, handler in HOSTILE_ROUTES),
)
"""Dynamic routes, first match wins; they take precedence over static files."""


def find_route(host: str, path: str) -> Route | None:
    """The first route matching ``host`` and ``path``, or ``None``."""
    for route in ROUTES:
        if fnmatchcase(host, route.host) and fnmatchcase(path, route.path):
            return route
    return None
