"""The hostile web: pages that fight the browser (issue 17), each a dynamic handler of the tests' fixture web.

Every page but the bot walls and the redirect loop carries the fixture banner (``/static/banner.js``),
so an auditor that survives the hostility can still audit it. What a correct auditor reports for each
is in ``tests/fixtures/sites/README.md`` ("Hostile pages"); :data:`HOSTILE_ROUTES` joins the tests' routes
(:data:`fixtureweb_sites.ROUTES`) and :data:`HOSTILE_SITES` their catalogue. Test-only: not in the wheel
(``benchmarks/soak.py`` takes them from the repository).
"""

from __future__ import annotations

from auditor.fixtureweb import SiteInfo
from auditor.fixtureweb.dynamic import Route
from auditor.fixtureweb.server import Request, Response
from auditor.fixtureweb.websocket import ServerSocket

BANNER = '<script src="/static/banner.js" defer></script>'
"""The fixture consent banner ('Tout refuser' / 'Tout accepter', choice kept in the ``consent`` cookie)."""

BUSY_LOOP_HOST = "www.boucle-active.fr"
META_REFRESH_HOST = "www.rechargement-meta.fr"
JS_RELOAD_HOST = "www.rechargement-script.fr"
REDIRECT_LOOP_HOST = "www.redirection-infinie.fr"
DIALOGS_HOST = "www.dialogues-bloquants.fr"
POPUPS_HOST = "www.fenetres-surgissantes.fr"
DOWNLOAD_HOST = "www.telechargement-force.fr"
MEMORY_HOST = "www.memoire-infinie.fr"
COOKIE_FLOOD_HOST = "www.cinq-mille-cookies.fr"
HUGE_PAGE_HOST = "www.page-geante.fr"
SELF_CLOSING_HOST = "www.fenetre-fermee.fr"
OFFSITE_CLICK_HOST = "www.clic-ailleurs.fr"
BOT_WALL_HOST = "www.mur-robots.fr"
CAPTCHA_HOST = "www.captcha-robots.fr"
ODD_COOKIES_HOST = "www.cookies-etranges.fr"
FLICKERING_HOST = "www.banniere-instable.fr"
WEBSOCKET_FLOOD_HOST = "www.deluge-websocket.fr"

HUGE_PAGE_BYTES = 20 * 1024 * 1024
"""Size of the page of :data:`HUGE_PAGE_HOST`."""
COOKIE_FLOOD = 5000
"""Cookies :data:`COOKIE_FLOOD_HOST` tries to set (Chromium keeps about 180 per domain)."""
OFFSITE_TARGET = "https://www.ailleurs-destination.fr/"
"""Where the reject control of :data:`OFFSITE_CLICK_HOST` takes the visitor."""
FLOOD_SOCKETS = 20
"""WebSockets :data:`WEBSOCKET_FLOOD_HOST` opens on every page view."""
FLOOD_MESSAGES = 500
"""Messages the server pushes down each of them, as fast as it can, before it holds the socket open silently."""
MEMORY_HOG_TICKS = 24
"""Rounds of allocation of the memory hog (64 arrays of 2**20 small integers each, 4 MiB apiece with V8's
pointer compression): at most 6 GiB, beyond the renderer's V8 heap limit (about 4 GiB), which kills it first."""


def page(title: str, head: str = "", body: str = "", *, banner: bool = True) -> bytes:
    """A small French HTML page with ``head`` and ``body`` markup (and the fixture banner)."""
    html = (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>{head}'
        f"{BANNER if banner else ''}</head><body><h1>{title}</h1>{body}</body></html>"
    )
    return html.encode()


def _html(body: bytes, *headers: tuple[str, str]) -> Response:
    return Response(200, body, "text/html; charset=utf-8", list(headers))


def busy_loop(request: Request) -> Response:
    """The script enters an endless loop 300 ms after ``load``: the renderer never answers again."""
    script = "<script>addEventListener('load', () => setTimeout(() => { for (;;) {} }, 300));</script>"
    return _html(page("Boucle active", script))


def meta_refresh(request: Request) -> Response:
    """``<meta http-equiv=refresh content=0>``: the page reloads itself as soon as it is parsed, forever."""
    return _html(page("Rechargement", '<meta http-equiv="refresh" content="0">'))


def script_reload(request: Request) -> Response:
    """``location.replace`` to itself 200 ms after load, forever."""
    script = (
        "<script>addEventListener('load', () => setTimeout(() => "
        "location.replace('/?n=' + (Number(new URLSearchParams(location.search).get('n') || 0) + 1)), 200));"
        "</script>"
    )
    return _html(page("Rechargement par script", script))


def redirect_loop(request: Request) -> Response:
    """Every path answers ``302`` to the next one: Chromium gives up (``ERR_TOO_MANY_REDIRECTS``)."""
    step = int(request.query.removeprefix("n=") or 0) if request.query.startswith("n=") else 0
    return Response(302, b"", None, [("Location", f"/?n={step + 1}")])


def dialogs(request: Request) -> Response:
    """``alert``, ``confirm`` and ``prompt`` on load, and a ``beforeunload`` prompt once the page is used."""
    script = (
        "<script>alert('Bienvenue !'); confirm('Continuer ?'); prompt('Votre nom ?');"
        "addEventListener('beforeunload', (e) => { e.preventDefault(); e.returnValue = ''; });</script>"
    )
    return _html(page("Dialogues", script))


def popups(request: Request) -> Response:
    """Two ``window.open`` pop-ups on load and one more on every click."""
    script = (
        "<script>addEventListener('load', () => { window.open('/pub-1', '_blank'); window.open('/pub-2', '_blank'); });"
        "document.addEventListener('click', () => window.open('/pub-clic', '_blank'), true);</script>"
    )
    if request.path != "/":
        return _html(page("Publicité", banner=False))
    return _html(page("Fenêtres surgissantes", script))


def download(request: Request) -> Response:
    """The page starts a download of ``/rapport.bin`` (``Content-Disposition: attachment``) on load."""
    if request.path == "/rapport.bin":
        return Response(200, b"\0" * 4096, "application/octet-stream", [("Content-Disposition", "attachment")])
    script = "<script>addEventListener('load', () => { location.href = '/rapport.bin'; });</script>"
    return _html(page("Téléchargement", script))


def memory_hog(request: Request) -> Response:
    """The script allocates memory after load until its renderer dies (out of memory).

    Bounded all the same (:data:`MEMORY_HOG_TICKS`): V8's heap limit kills the renderer long before
    the machine runs short. Measured with Debian's Chromium on a 24 GiB machine: without a cap the
    renderer dies at about 4 GiB after ~40 s of garbage collection; with ``--js-flags=--max-old-space-size=256``
    at ~380 MB within ~4 s."""
    script = (
        "<script>addEventListener('load', () => { const hoard = []; let rounds = 0; "
        f"(function grow() {{ if (rounds++ >= {MEMORY_HOG_TICKS}) return; "
        "for (let i = 0; i < 64; i++) hoard.push(new Array(1 << 20).fill(i)); "
        "setTimeout(grow, 0); })(); });</script>"
    )
    return _html(page("Mémoire infinie", script))


def cookie_flood(request: Request) -> Response:
    """:data:`COOKIE_FLOOD` first-party cookies written by script before any choice."""
    script = (
        f"<script>for (let i = 0; i < {COOKIE_FLOOD}; i++) "
        "document.cookie = 'flot' + i + '=' + i + '; path=/; max-age=86400';</script>"
    )
    return _html(page("Cinq mille cookies", script))


def huge_page(request: Request) -> Response:
    """A page of :data:`HUGE_PAGE_BYTES` (paragraphs of filler after the banner)."""
    head = page("Page géante").removesuffix(b"</body></html>")
    filler = b"<p>" + b"texte de remplissage " * 48 + b"</p>\n"
    count = (HUGE_PAGE_BYTES - len(head)) // len(filler)
    return _html(head + filler * count + b"</body></html>")


def self_closing(request: Request) -> Response:
    """``window.close()`` 500 ms after load (it works where the page was opened by script, as a second view is)."""
    script = "<script>addEventListener('load', () => setTimeout(() => window.close(), 500));</script>"
    return _html(page("Fenêtre fermée", script))


def offsite_click(request: Request) -> Response:
    """Any click (the reject control's included) sends the visitor to another domain, :data:`OFFSITE_TARGET`."""
    script = (
        "<script>document.addEventListener('click', () => "
        f"setTimeout(() => {{ location.href = '{OFFSITE_TARGET}'; }}, 50), true);</script>"
    )
    return _html(page("Clic ailleurs", script))


def offsite_target(request: Request) -> Response:
    """The other domain's page: no banner, a cookie of its own."""
    return _html(page("Destination", banner=False), ("Set-Cookie", "arrivee=1; Path=/; Max-Age=86400"))


def bot_wall(request: Request) -> Response:
    """``403`` to every visitor: what a bot wall that recognises the auditor answers it."""
    return Response(403, b"Access denied: automated browsing", "text/plain; charset=utf-8")


def captcha_wall(request: Request) -> Response:
    """A captcha page (``200``, no banner) to every visitor: a bot wall that recognises the auditor."""
    body = '<form><p>Prouvez que vous êtes humain</p><div class="g-recaptcha"></div></form>'
    return _html(page("Vérification", body=body, banner=False))


def odd_cookies(request: Request) -> Response:
    """Cookies with tabs and control characters in names and values, and 4 KB values, before any choice."""
    script = (
        "<script>const big = 'x'.repeat(4000);"
        "document.cookie = 'tab\\tname=v; path=/'; document.cookie = 'ctl=a\\u0001b; path=/';"
        "document.cookie = 'big=' + big + '; path=/'; document.cookie = 'bigger=' + big + big + '; path=/';"
        "document.cookie = '\\u00e9t\\u00e9=\\u00e9; path=/'; document.cookie = '=sans-nom; path=/';</script>"
    )
    return _html(
        page("Cookies étranges", script),
        ("Set-Cookie", "entete=" + "y" * 4000 + "; Path=/"),
        ("Set-Cookie", 'quote="a b"; Path=/'),
    )


def flickering_banner(request: Request) -> Response:
    """A banner of its own that is rebuilt (new elements) every 100 ms until a choice is stored."""
    script = """<script>
(function () {
  if (document.cookie.includes('consent=')) return;
  function build() {
    const old = document.getElementById('instable'); if (old) old.remove();
    const box = document.createElement('div'); box.id = 'instable'; box.setAttribute('role', 'dialog');
    box.innerHTML = '<p>Nous utilisons des cookies.</p>';
    for (const [label, value] of [['Tout refuser', 'rejected'], ['Tout accepter', 'accepted']]) {
      const b = document.createElement('button'); b.textContent = label;
      b.onclick = () => { document.cookie = 'consent=' + value + '; path=/; max-age=86400';
                          clearInterval(timer); box.remove(); };
      box.appendChild(b);
    }
    document.body.appendChild(box);
  }
  const timer = setInterval(build, 100);
  addEventListener('DOMContentLoaded', build);
})();
</script>"""
    return _html(page("Bannière instable", script, banner=False))


def websocket_flood(request: Request) -> Response:
    """:data:`FLOOD_SOCKETS` WebSockets to ``/flux`` on every view, each pushed :data:`FLOOD_MESSAGES` messages.

    The page counts what it receives (``window.flotRecu``) and shows the count: a DOM update per message.
    """
    if request.path == "/flux":
        return Response(websocket=flood_socket)
    script = (
        "<script>window.flotRecu = 0; window.flotOuverts = 0;"
        f"for (let i = 0; i < {FLOOD_SOCKETS}; i++) {{"
        "  const ws = new WebSocket('wss://' + location.host + '/flux?n=' + i);"
        "  ws.onopen = () => { window.flotOuverts++; };"
        "  ws.onmessage = () => { window.flotRecu++;"
        "    const out = document.getElementById('recu'); if (out) out.textContent = String(window.flotRecu); };"
        "}</script>"
    )
    return _html(page("Déluge WebSocket", script, '<p>Messages reçus : <span id="recu">0</span></p>'))


def flood_socket(socket: ServerSocket) -> None:
    """Push :data:`FLOOD_MESSAGES` messages as fast as the connection takes them, then hold it open."""
    for index in range(FLOOD_MESSAGES):
        if not socket.send_text(f'{{"n": {index}, "donnees": "{"x" * 200}"}}'):
            return
    socket.hold()


HOSTILE_ROUTES: tuple[Route, ...] = (
    Route(BUSY_LOOP_HOST, "/", busy_loop),
    Route(META_REFRESH_HOST, "/", meta_refresh),
    Route(JS_RELOAD_HOST, "/", script_reload),
    Route(REDIRECT_LOOP_HOST, "*", redirect_loop),
    Route(DIALOGS_HOST, "/", dialogs),
    Route(POPUPS_HOST, "/*", popups),
    Route(DOWNLOAD_HOST, "/*", download),
    Route(MEMORY_HOST, "/", memory_hog),
    Route(COOKIE_FLOOD_HOST, "/", cookie_flood),
    Route(HUGE_PAGE_HOST, "/", huge_page),
    Route(SELF_CLOSING_HOST, "/", self_closing),
    Route(OFFSITE_CLICK_HOST, "/", offsite_click),
    Route("www.ailleurs-destination.fr", "/", offsite_target),
    Route(BOT_WALL_HOST, "/", bot_wall),
    Route(CAPTCHA_HOST, "/", captcha_wall),
    Route(ODD_COOKIES_HOST, "/", odd_cookies),
    Route(FLICKERING_HOST, "/", flickering_banner),
    Route(WEBSOCKET_FLOOD_HOST, "/", websocket_flood),
    Route(WEBSOCKET_FLOOD_HOST, "/flux", websocket_flood),
)
"""Every hostile page as a route (host, path pattern, handler), first match first."""

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
    SiteInfo("www.memoire-infinie.fr", "fault", "Allocates memory after load until its renderer dies (V8 heap limit)."),
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
    SiteInfo(
        "www.deluge-websocket.fr",
        "fault",
        "Opens 20 WebSockets on every view; the server floods each with 500 messages, then keeps it open.",
    ),
)
"""The hostile pages (catalogue): each must cost its site a bounded time and say why."""
