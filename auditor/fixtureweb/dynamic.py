"""Dynamic handlers: what static files cannot express (statuses, Set-Cookie on beacons, endless responses).

:data:`ROUTES` holds the fake trackers the shipped sites (the demo, the synthetic sites) reach and
Chromium's connectivity probe; more routes come through ``FixtureWeb(routes=...)`` (the tests' fault
sites and hostile pages live in ``tests/fixtureweb_sites.py`` and ``tests/fixtureweb_hostile.py``), built from
the helpers here.

Tracker endpoints are fakes that answer like the real ones: collection beacons answer ``204`` or a
1x1 GIF, and third-party identifiers are set by ``Set-Cookie`` on the tracker's own domain with
``Secure; SameSite=None`` (and the real names and lifetimes, so the auditor's knowledge base recognises
them). A returning browser keeps its identifier: the handler echoes the cookie it was sent.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from auditor.fixtureweb.server import Request, Response
from auditor.fixtureweb.static import BUILTIN_SITES, COMMON, content_type, find_file, not_found

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


def cors(request: Request) -> list[tuple[str, str]]:
    """The CORS headers letting the requesting origin read the answer with credentials (none without ``Origin``)."""
    origin = request.headers.get("origin")
    if not origin:
        return []
    return [("Access-Control-Allow-Origin", origin), ("Access-Control-Allow-Credentials", "true")]


def pixel(request: Request, *set_cookies: str) -> Response:
    """A 1x1 GIF answer carrying ``set_cookies``."""
    headers = [("Set-Cookie", value) for value in set_cookies] + cors(request)
    return Response(200, GIF, "image/gif", headers)


def no_content(request: Request) -> Response:
    """A ``204`` beacon answer."""
    return Response(204, b"", "text/plain; charset=utf-8", cors(request))


def kept(request: Request, name: str, make: Callable[[], str]) -> str:
    """The value of cookie ``name`` the browser sent back, else a new one from ``make`` (identifiers persist)."""
    return request.cookies.get(name) or make()


# --- trackers ----------------------------------------------------------------------------------


def google_analytics_collect(request: Request) -> Response:
    """GA4 ``/g/collect`` and Universal Analytics ``/collect``: 204, no cookie (GA's cookies are first party)."""
    return no_content(request)


def facebook_pixel(request: Request) -> Response:
    """``www.facebook.com/tr``: a GIF setting Meta's ``fr`` cookie on ``.facebook.com`` for 90 days."""

    def make() -> str:
        return f"0{secrets.token_urlsafe(15)}..B{secrets.token_urlsafe(6)}.AAA.0.0.B{secrets.token_urlsafe(6)}.AWX"

    return pixel(request, third_party_cookie("fr", kept(request, "fr", make), ".facebook.com", 7776000))


def doubleclick_pixel(request: Request) -> Response:
    """DoubleClick activity and stats pixels: a GIF setting ``IDE`` on ``.doubleclick.net`` (13 months)."""

    def make() -> str:
        return "AHWqTU" + secrets.token_urlsafe(48)

    return pixel(request, third_party_cookie("IDE", kept(request, "IDE", make), ".doubleclick.net", MONTHS_13))


def twitter_syndication(request: Request) -> Response:
    """``syndication.twitter.com``: a GIF setting ``guest_id`` on ``.twitter.com`` (396 days)."""

    def make() -> str:
        return f"v1%3A{int(time.time() * 1000)}{secrets.randbelow(10**6):06d}"

    return pixel(request, third_party_cookie("guest_id", kept(request, "guest_id", make), ".twitter.com", 34214400))


def piano_hit(request: Request) -> Response:
    """AT Internet / Piano Analytics collection (``hit.xiti``): 204, no third-party cookie (exempt setup)."""
    return no_content(request)


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
    Route("syndication.twitter.com", "/*", twitter_syndication),
    Route("logs1412.xiti.com", "/hit.xiti", piano_hit),
)
"""The built-in dynamic routes, first match wins; they take precedence over static files."""


def find_route(routes: Iterable[Route], host: str, path: str) -> Route | None:
    """The first of ``routes`` matching ``host`` and ``path``, or ``None``."""
    for route in routes:
        if fnmatchcase(host, route.host) and fnmatchcase(path, route.path):
            return route
    return None
