"""The local fixture web: servers, host mapping, fault hosts, fake trackers and sites.

Protocol-level tests talk to the servers with ``http.client``; browser tests drive Chromium with the
exact ``chromium_args`` the auditor uses (SPKI pin, no ``ignore_https_errors``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import logging
import re
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from fixtureweb_hostile import HOSTILE_ROUTES, HOSTILE_SITES, OFFSITE_TARGET
from fixtureweb_sites import ASSET_HOSTS, CATALOGUE, SITES_DIR, TEST_SITES, make_web
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from support import unavailable

from auditor import fixtureweb
from auditor.config import find_browser
from auditor.fixtureweb import (
    DNS_FAILURE_HOST,
    REFUSED_HOST,
    SITES,
    TLS_ERROR_HOST,
    FixtureWeb,
    Hit,
    Route,
    catalogue,
    site,
    tls,
)
from auditor.fixtureweb.server import Request, Response
from auditor.fixtureweb.static import parse_headers_file
from auditor.yamlutil import ConfigError

CONFORME = "www.journal-conforme.fr"
PISTEURS = "www.gazette-pisteurs.fr"
IGNORE = "www.quotidien-ignore.fr"
UK = "www.example-news.co.uk"
ENDLESS = "www.chargement-infini.fr"
BLOCKED = "www.bouton-bloque.fr"
DELAYED = "www.beacon-differe.fr"
DEMO = "www.le-quotidien-demo.fr"
README = Path(fixtureweb.__file__).resolve().parent / "README.md"
TESTS_README = SITES_DIR / "README.md"


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureWeb]:
    with make_web() as running:
        yield running


Reply = tuple[int, http.client.HTTPMessage, bytes]


def client_context() -> ssl.SSLContext:
    """A client context trusting exactly the fixture web's certificate (its name is not checked: SPKI pinning)."""
    context = ssl.create_default_context(cadata=tls.identity("main").cert_pem.decode())
    context.check_hostname = False
    return context


def connect(web: FixtureWeb, scheme: str = "https") -> http.client.HTTPConnection:
    if scheme == "https":
        return http.client.HTTPSConnection("127.0.0.1", web.https_port, timeout=10, context=client_context())
    return http.client.HTTPConnection("127.0.0.1", web.http_port, timeout=10)


def fetch(
    web: FixtureWeb, host: str, path: str = "/", *, method: str = "GET", scheme: str = "https", **headers: str
) -> Reply:
    conn = connect(web, scheme)
    try:
        conn.request(method, path, headers={"Host": host, **{k.replace("_", "-"): v for k, v in headers.items()}})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def set_cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {value.split("=", 1)[0]: value for value in headers.get_all("Set-Cookie") or []}


# --- servers and mapping -------------------------------------------------------------------------------


def test_host_resolver_rules_map_fault_hosts_before_the_wildcards(web: FixtureWeb) -> None:
    rules = web.host_resolver_rules.split(", ")
    assert rules == [
        "MAP *.googleapis.com ~NOTFOUND",
        "MAP *.gvt1.com ~NOTFOUND",
        f"MAP {DNS_FAILURE_HOST} ~NOTFOUND",
        f"MAP {REFUSED_HOST} 127.0.0.1:{web.refused_port}",
        f"MAP {TLS_ERROR_HOST} 127.0.0.1:{web.tls_error_port}",
        f"MAP *:443 127.0.0.1:{web.https_port}",
        f"MAP *:80 127.0.0.1:{web.http_port}",
        "MAP * ~NOTFOUND",
    ]
    assert web.chromium_args == [
        f"--host-resolver-rules={web.host_resolver_rules}",
        f"--ignore-certificate-errors-spki-list={web.spki_hash}",
    ]
    assert len({web.https_port, web.http_port, web.tls_error_port, web.refused_port}) == 4
    assert web.url(CONFORME, "/") == "https://www.journal-conforme.fr/"
    assert web.url(CONFORME, "article", scheme="http") == "http://www.journal-conforme.fr/article"


def test_spki_hash_pins_the_main_certificate_and_not_the_untrusted_one(web: FixtureWeb) -> None:
    def served_pin(port: int) -> str:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
            context.wrap_socket(raw, server_hostname=CONFORME) as conn,
        ):
            der = conn.getpeercert(binary_form=True)
        assert der is not None
        return tls.spki_sha256(x509.load_der_x509_certificate(der))

    assert served_pin(web.https_port) == web.spki_hash
    assert served_pin(web.tls_error_port) != web.spki_hash
    spki = x509.load_pem_x509_certificate(tls.identity("main").cert_pem).public_key()
    der_spki = spki.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert web.spki_hash == base64.b64encode(hashlib.sha256(der_spki).digest()).decode()


def test_certificates_are_generated_once_per_process() -> None:
    assert tls.identity("main") is tls.identity("main")
    assert tls.identity("main").spki_hash != tls.identity("untrusted").spki_hash


def test_health_on_every_host_over_https_and_http(web: FixtureWeb) -> None:
    for host in [CONFORME, "www.google-analytics.com", "www.erreur-serveur.fr", "unknown.example"]:
        for scheme in ("https", "http"):
            status, headers, body = fetch(web, host, "/__health", scheme=scheme)
            assert (status, body) == (200, b"ok"), (host, scheme)
            assert headers["Content-Type"].startswith("text/plain")


def test_keep_alive_with_correct_content_length(web: FixtureWeb) -> None:
    conn = connect(web)
    try:
        for path in ["/", "/static/banner.js", "/__health"]:
            conn.request("GET", path, headers={"Host": CONFORME})
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200
            assert int(response.headers["Content-Length"]) == len(body)
            assert not response.will_close
        conn.request("HEAD", "/", headers={"Host": CONFORME})
        head = conn.getresponse()
        assert head.read() == b"" and int(head.headers["Content-Length"]) > 0
        conn.request("GET", "/__health", headers={"Host": CONFORME})
        assert conn.getresponse().read() == b"ok"  # the connection survived the HEAD
    finally:
        conn.close()


def test_host_header_port_is_ignored_and_unknown_hosts_get_404(web: FixtureWeb) -> None:
    assert fetch(web, f"{CONFORME}:443")[0] == 200
    status, _, body = fetch(web, "nowhere.invalid")
    assert status == 404 and b"unknown host" in body


def test_refused_port_refuses_connections(web: FixtureWeb) -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", web.refused_port), timeout=5).close()


def test_client_errors_are_swallowed_quietly(
    web: FixtureWeb, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with socket.create_connection(("127.0.0.1", web.https_port), timeout=5) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # plain HTTP on the TLS port: handshake fails
        with contextlib.suppress(ConnectionResetError):
            raw.recv(100)
    with socket.create_connection(("127.0.0.1", web.https_port), timeout=5):
        pass  # connect and hang up before the handshake
    context = client_context()
    with socket.create_connection(("127.0.0.1", web.https_port), timeout=5) as raw:
        conn = context.wrap_socket(raw, server_hostname=CONFORME)
        conn.sendall(b"GET /__health HTTP/1.1\r\nHost: www.journal-conforme.fr\r\n")
        conn.close()  # half a request, then reset
    assert fetch(web, CONFORME, "/__health")[0] == 200  # still serving
    assert capfd.readouterr().err == ""
    assert not [r for r in caplog.records if r.name.startswith("auditor.fixtureweb") and r.levelno >= logging.WARNING]


def test_stop_is_prompt_with_a_held_response_and_idempotent() -> None:
    web = make_web().start()
    port = web.https_port
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn = client_context().wrap_socket(raw, server_hostname=ENDLESS)
    try:
        conn.sendall(b"GET /slow.js HTTP/1.1\r\nHost: www.chargement-infini.fr\r\n\r\n")
        head = conn.recv(4096)
        assert head.startswith(b"HTTP/1.1 200")
        assert web.wait_for_hit(ENDLESS, "/slow.js") is not None
        stopper = threading.Thread(target=web.stop)
        stopper.start()
        stopper.join(timeout=10)
        assert not stopper.is_alive(), "stop() hung on a held connection"
    finally:
        conn.close()
    assert not web.running
    web.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    with pytest.raises(RuntimeError, match="not running"):
        _ = web.https_port


def test_sites_dir_overrides_and_extends_the_built_in_sites(tmp_path: Path) -> None:
    (tmp_path / DEMO).mkdir()
    (tmp_path / DEMO / "index.html").write_text("<p>override</p>", encoding="utf-8")
    (tmp_path / "cmp.test").mkdir()
    (tmp_path / "cmp.test" / "index.html").write_text("<p>mine</p>", encoding="utf-8")
    (tmp_path / "cmp.test" / "_headers").write_text("/\n  X-Fixture: {hex8}\n", encoding="utf-8")
    with FixtureWeb(sites_dir=tmp_path) as web:
        assert fetch(web, DEMO)[2] == b"<p>override</p>"
        assert fetch(web, DEMO, "/politique-cookies")[0] == 200  # the rest of the built-in site still serves
        status, headers, body = fetch(web, "cmp.test")
        assert (status, body) == (200, b"<p>mine</p>") and re.fullmatch(r"[0-9a-f]{8}", headers["X-Fixture"])
        assert fetch(web, "cmp.test", "/static/banner.js")[0] == 200  # shared files too
        assert "cmp.test" in web.sites and DEMO in web.sites
    with pytest.raises(NotADirectoryError):
        FixtureWeb(sites_dir=tmp_path / "missing")
    with pytest.raises(NotADirectoryError):
        FixtureWeb(sites_dirs=[SITES_DIR, tmp_path / "missing"])


def test_sites_dirs_and_routes_extend_the_package_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for root, text in ((first, "first"), (second, "second")):
        (root / "shared.test").mkdir(parents=True)
        (root / "shared.test" / "index.html").write_text(text, encoding="utf-8")
    (second / "shared.test" / "only-second.html").write_text("deeper", encoding="utf-8")

    def teapot(request: Request) -> Response:
        return Response(418, f"route for {request.path}".encode())

    routes = [Route("shared.test", "/dynamic", teapot), Route("www.facebook.com", "/tr", teapot)]
    with FixtureWeb(sites_dir=first, sites_dirs=[second], routes=routes) as web:
        assert fetch(web, "shared.test")[2] == b"first"  # sites_dir, then sites_dirs, then the package
        assert fetch(web, "shared.test", "/only-second")[2] == b"deeper"
        assert fetch(web, "shared.test", "/dynamic")[:3:2] == (418, b"route for /dynamic")
        assert fetch(web, "www.facebook.com", "/tr")[0] == 418  # given routes come before the package's
        assert fetch(web, DEMO)[0] == 200


def test_the_package_serves_the_demo_and_its_trackers_only() -> None:
    package_hosts = {info.host for info in SITES} | set(catalogue.ASSET_HOSTS)
    assert set(FixtureWeb().sites) == package_hosts
    test_folders = {p.name for p in SITES_DIR.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert test_folders <= {info.host for info in TEST_SITES} | set(ASSET_HOSTS)
    assert set(ASSET_HOSTS) <= test_folders
    assert set(make_web().sites) == package_hosts | test_folders
    with FixtureWeb() as web:  # without the tests' routes and folders, their hosts are unknown
        assert fetch(web, "www.erreur-serveur.fr")[0] == 404
        assert fetch(web, CONFORME)[0] == 404
        assert fetch(web, DEMO)[0] == 200


def test_hits_log_and_wait(web: FixtureWeb) -> None:
    fetch(web, "www.facebook.com", "/tr?id=1&ev=PageView")
    fetch(web, CONFORME, "/__health", method="POST")
    assert Hit("www.facebook.com", "/tr", "GET") in web.hits
    assert ("www.journal-conforme.fr", "/__health", "POST") in web.hits_for(CONFORME)
    assert all(hit.host == CONFORME for hit in web.hits_for(CONFORME))
    assert web.wait_for_hit("www.facebook.com", "/tr", timeout=1) == ("www.facebook.com", "/tr", "GET")
    web.clear_hits()
    assert web.hits_for("www.facebook.com") == []
    assert web.wait_for_hit("www.facebook.com", timeout=0.01) is None


# --- static files --------------------------------------------------------------------------------------


def test_static_files_resolution_and_confinement(web: FixtureWeb) -> None:
    assert fetch(web, CONFORME, "/article")[2] == fetch(web, CONFORME, "/article.html")[2]
    assert fetch(web, DEMO, "/articles/pistes-cyclables")[0] == 200
    for path in ["/_headers", "/../www.gazette-pisteurs.fr/index.html", "/%2e%2e/_common/favicon.ico", "/nope"]:
        status, headers, body = fetch(web, CONFORME, path)
        assert status == 404, path
        assert len(body) > 512  # Chromium swaps smaller error bodies for its own page
    status, headers, _ = fetch(web, CONFORME, "/favicon.ico")
    assert status == 200 and headers["Content-Type"] == "image/x-icon"
    assert fetch(web, CONFORME)[1]["Cache-Control"] == "no-store"


def test_headers_file_sets_a_session_cookie_once(web: FixtureWeb) -> None:
    _, headers, _ = fetch(web, CONFORME)
    session = set_cookies(headers)["PHPSESSID"]
    assert re.fullmatch(r"PHPSESSID=[0-9a-f]{26}; Path=/; Secure; HttpOnly; SameSite=Lax", session)
    _, again, _ = fetch(web, CONFORME, Cookie="PHPSESSID=abc")
    assert "PHPSESSID" not in set_cookies(again)
    assert "PHPSESSID" not in set_cookies(fetch(web, CONFORME, "/static/banner.js")[1])


def test_headers_file_rejects_malformed_lines() -> None:
    assert parse_headers_file("# c\n/a\n  X-A: 1\n/b\n")[0].headers == (("X-A", "1"),)
    with pytest.raises(ValueError, match="line 1"):
        parse_headers_file("  X-A: 1\n")
    with pytest.raises(ValueError, match="line 2"):
        parse_headers_file("/a\n  no colon\n")


# --- trackers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "path", "content_type"),
    [
        ("www.googletagmanager.com", "/gtag/js?id=G-TEST", "application/javascript"),
        ("www.google-analytics.com", "/analytics.js", "text/javascript"),
        ("connect.facebook.net", "/fr_FR/fbevents.js", "text/javascript"),
        ("securepubads.g.doubleclick.net", "/tag/js/gpt.js", "text/javascript"),
        ("static.criteo.net", "/js/ld/publishertag.js", "text/javascript"),
        ("platform.twitter.com", "/widgets.js", "text/javascript"),
        ("tag.aticdn.net", "/piano-analytics.js", "text/javascript"),
        ("static.example-news.co.uk", "/app.js", "text/javascript"),
        ("cdn.example-news-static.com", "/logo.png", "image/png"),
    ],
)
def test_tracker_scripts_have_proper_content_types(web: FixtureWeb, host: str, path: str, content_type: str) -> None:
    status, headers, body = fetch(web, host, path)
    assert status == 200 and body
    assert headers["Content-Type"].startswith(content_type)


@pytest.mark.parametrize(
    ("host", "path", "cookie", "domain", "max_age"),
    [
        ("www.facebook.com", "/tr?id=1&ev=PageView", "fr", ".facebook.com", 7776000),
        ("ad.doubleclick.net", "/ddm/activity/src=1;type=a;cat=b;ord=1?", "IDE", ".doubleclick.net", 33696000),
        ("stats.g.doubleclick.net", "/g/collect?v=2", "IDE", ".doubleclick.net", 33696000),
        ("gum.criteo.com", "/sync?c=2", "uid", ".criteo.com", 33696000),
        ("syndication.twitter.com", "/i/jot?l=x", "guest_id", ".twitter.com", 34214400),
    ],
)
def test_tracking_pixels_set_third_party_cookies(
    web: FixtureWeb, host: str, path: str, cookie: str, domain: str, max_age: int
) -> None:
    status, headers, body = fetch(web, host, path, Origin="https://www.journal-conforme.fr")
    assert status == 200 and headers["Content-Type"] == "image/gif" and body.startswith(b"GIF89a")
    value = set_cookies(headers)[cookie]
    assert f"; Domain={domain}; Path=/; Max-Age={max_age}; Secure; HttpOnly; SameSite=None" in value
    _, again, _ = fetch(web, host, path, Cookie=f"{cookie}=kept")
    assert set_cookies(again)[cookie].startswith(f"{cookie}=kept;")  # a returning browser keeps its id


@pytest.mark.parametrize(
    ("host", "path"), [("www.google-analytics.com", "/g/collect?v=2"), ("logs1412.xiti.com", "/hit.xiti?s=1")]
)
def test_beacons_answer_204_without_cookies(web: FixtureWeb, host: str, path: str) -> None:
    status, headers, body = fetch(web, host, path, method="POST")
    assert (status, body) == (204, b"")
    assert headers.get_all("Set-Cookie") is None


def test_fault_sites_statuses(web: FixtureWeb) -> None:
    assert fetch(web, "www.erreur-serveur.fr")[0] == 500
    assert fetch(web, "www.erreur-serveur.fr", "/any/page")[0] == 500
    assert fetch(web, "www.page-absente.fr")[0] == 404


def test_the_hostile_catalogue_lists_every_hostile_page() -> None:
    landing = urlsplit(OFFSITE_TARGET).hostname  # where the off-site click lands: not a page of its own
    hosts = dict.fromkeys(r.host for r in HOSTILE_ROUTES if r.host != landing)  # a page may have several routes
    assert [info.host for info in HOSTILE_SITES] == list(hosts)


def test_every_catalogued_site_serves_and_is_documented(web: FixtureWeb) -> None:
    readmes = {info.host: README for info in SITES} | {info.host: TESTS_README for info in CATALOGUE[len(SITES) :]}
    texts = {path: path.read_text(encoding="utf-8") for path in (README, TESTS_README)}
    expected = {"www.erreur-serveur.fr": {500}, "www.page-absente.fr": {404}, "www.mur-consentement.fr": {302}}
    # Its rate limit is shared by the whole test process: views made by other tests in the last minute count.
    expected["www.acces-limite.fr"] = {200, 429}
    for info in CATALOGUE:
        assert f"`{info.host}`" in texts[readmes[info.host]], info.host
    for info in (*SITES, *TEST_SITES):  # the hostile pages have their own tests (tests/test_hostile.py)
        status, headers, body = fetch(web, info.host)
        assert status in expected.get(info.host, {200}), info.host
        if status == 200:
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            assert (b"/static/banner.js" in body) == info.banner, info.host
    wall = fetch(web, "www.mur-consentement.fr")[1]["Location"]
    assert wall.startswith("https://consent.plateforme-consentement.com/?continue=")
    assert fetch(web, "www.mur-consentement.fr", Cookie="consent=accepted")[0] == 200
    assert site(UK, CATALOGUE).aliases == ("example-news-static.com",)
    assert site(DEMO).kind == "demo"
    with pytest.raises(KeyError, match="no fixture site"):
        site(UK)  # not a site of the package


# --- in Chromium -----------------------------------------------------------------------------------------


def chromium_path() -> str | None:
    """The Chromium the auditor itself would use (``None``: Playwright's own)."""
    try:
        return find_browser().path
    except ConfigError as exc:
        unavailable(str(exc))


@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def fw_browser(
    web: FixtureWeb, playwright_instance: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Browser]:
    """One Chromium whose profile allows third-party cookies (Debian's default blocks them)."""
    executable = chromium_path()
    profile = tmp_path_factory.mktemp("chromium-profile")
    (profile / "Default").mkdir()
    (profile / "Default" / "Preferences").write_text(json.dumps({"profile": {"cookie_controls_mode": 0}}))
    persistent = playwright_instance.chromium.launch_persistent_context(
        profile, executable_path=executable, args=web.chromium_args
    )
    assert persistent.browser is not None
    yield persistent.browser
    persistent.close()


@pytest.fixture
def fw_context(fw_browser: Browser) -> Iterator[BrowserContext]:
    ctx = fw_browser.new_context()
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def fw_page(fw_context: BrowserContext) -> Page:
    return fw_context.new_page()


def cookie_names(context: BrowserContext) -> set[str]:
    return {c["name"] for c in context.cookies()}


@pytest.mark.browser
def test_browser_https_http_and_tracker_hosts(web: FixtureWeb, fw_page: Page) -> None:
    response = fw_page.goto(web.url(CONFORME))
    assert response is not None and response.status == 200
    assert response.url == "https://www.journal-conforme.fr/"
    assert fw_page.title().startswith("Le Journal Conforme")
    tracker = fw_page.goto(web.url("www.facebook.com", "/tr?id=1&ev=PageView"))
    assert tracker is not None and tracker.status == 200 and tracker.headers["content-type"] == "image/gif"
    plain = fw_page.goto(web.url(CONFORME, "/article", scheme="http"))
    assert plain is not None and plain.status == 200 and plain.url.startswith("http://")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("host", "error"),
    [
        (DNS_FAILURE_HOST, "net::ERR_NAME_NOT_RESOLVED"),
        (REFUSED_HOST, "net::ERR_CONNECTION_REFUSED"),
        (TLS_ERROR_HOST, "net::ERR_CERT_"),
    ],
)
def test_browser_fault_hosts_fail_below_http(web: FixtureWeb, fw_page: Page, host: str, error: str) -> None:
    with pytest.raises(PlaywrightError) as caught:
        fw_page.goto(web.url(host))
    assert error in str(caught.value)


@pytest.mark.browser
def test_browser_sees_404_and_500(web: FixtureWeb, fw_context: BrowserContext) -> None:
    for host, status in [("www.page-absente.fr", 404), ("www.erreur-serveur.fr", 500)]:
        response = fw_context.new_page().goto(web.url(host))
        assert response is not None and response.status == status


@pytest.mark.browser
def test_browser_endless_page_reaches_domcontentloaded_but_not_load(web: FixtureWeb, fw_page: Page) -> None:
    response = fw_page.goto(web.url(ENDLESS), wait_until="domcontentloaded")
    assert response is not None and response.status == 200
    fw_page.locator("#consent-banner").wait_for(state="visible")
    assert web.wait_for_hit(ENDLESS, "/slow.js") is not None
    with pytest.raises(PlaywrightTimeout):
        fw_page.wait_for_load_state("load", timeout=1_000)


@pytest.mark.browser
def test_browser_stop_is_prompt_while_chromium_holds_a_connection(playwright_instance: Playwright) -> None:
    executable = chromium_path()
    own = make_web().start()
    chromium = playwright_instance.chromium.launch(executable_path=executable, args=own.chromium_args)
    try:
        page = chromium.new_page()
        page.goto(own.url(ENDLESS), wait_until="domcontentloaded")
        assert own.wait_for_hit(ENDLESS, "/slow.js") is not None
        stopper = threading.Thread(target=own.stop)
        stopper.start()
        stopper.join(timeout=10)
        assert not stopper.is_alive(), "stop() hung while Chromium held /slow.js"
    finally:
        chromium.close()
        own.stop()


@pytest.mark.browser
def test_browser_third_party_cookie_before_consent(web: FixtureWeb, fw_page: Page) -> None:
    with fw_page.expect_response(lambda r: r.url.startswith("https://ad.doubleclick.net/ddm/activity/")) as pixel:
        fw_page.goto(web.url(PISTEURS))
    pixel.value.finished()
    cookies = {(c["name"], c.get("domain")): c for c in fw_page.context.cookies()}
    ide = cookies[("IDE", ".doubleclick.net")]
    assert ide.get("secure") and ide.get("httpOnly") and ide.get("sameSite") == "None"
    assert fw_page.locator("#consent-banner").is_visible()


@pytest.mark.browser
def test_browser_compliant_site_reject_then_accept(web: FixtureWeb, fw_browser: Browser) -> None:
    rejecting = fw_browser.new_context()
    page = rejecting.new_page()
    with page.expect_request(lambda r: "logs1412.xiti.com/hit.xiti" in r.url):  # exempt measurement before consent
        page.goto(web.url(CONFORME))
    banner = page.get_by_role("dialog")
    for label in ("Tout accepter", "Tout refuser", "Paramétrer vos choix"):
        box = banner.get_by_role("button", name=label).bounding_box()
        assert box is not None and box["width"] >= 80 and box["height"] >= 32
    banner.get_by_role("button", name="Tout refuser").click()
    banner.wait_for(state="detached")
    page.reload(wait_until="load")
    assert cookie_names(rejecting) == {"PHPSESSID", "_pcid", "consent"}
    assert page.locator("#consent-banner").count() == 0
    assert page.locator('script[type="text/plain"][data-category]').count() == 4  # still inert
    rejecting.close()

    accepting = fw_browser.new_context()
    page = accepting.new_page()
    page.goto(web.url(CONFORME))
    with (
        page.expect_response(lambda r: "www.facebook.com/tr" in r.url) as fb,
        page.expect_response(lambda r: "ad.doubleclick.net/ddm/activity" in r.url) as ad,
        page.expect_request(lambda r: "www.google-analytics.com/g/collect" in r.url),
    ):
        page.get_by_role("button", name="Tout accepter").click()
    fb.value.finished()
    ad.value.finished()
    cookies = {c["name"]: c for c in accepting.cookies()}
    assert {"consent", "_ga", "_ga_JC2024FR", "_fbp", "fr", "IDE"} <= set(cookies)
    assert cookies["_ga"].get("domain") == ".journal-conforme.fr"
    assert re.fullmatch(r"GA1\.1\.\d+\.\d+", cookies["_ga"]["value"])
    assert cookies["consent"]["value"] == "accepted"
    accepting.close()


@pytest.mark.browser
def test_browser_refusal_ignored_site_loads_partners_after_reject(web: FixtureWeb, fw_page: Page) -> None:
    fw_page.goto(web.url(IGNORE))
    with fw_page.expect_response(lambda r: "gum.criteo.com/sync" in r.url) as criteo:
        fw_page.get_by_role("button", name="Tout refuser").click()
    criteo.value.finished()
    with fw_page.expect_request(lambda r: "syndication.twitter.com" in r.url):
        fw_page.reload()
    assert {"uid", "cto_bundle", "consent"} <= cookie_names(fw_page.context)


@pytest.mark.browser
def test_browser_blocked_reject_button_is_intercepted(web: FixtureWeb, fw_page: Page) -> None:
    fw_page.goto(web.url(BLOCKED))
    reject = fw_page.get_by_role("button", name="Tout refuser")
    reject.wait_for(state="visible")
    with pytest.raises(PlaywrightTimeout):
        reject.click(trial=True, timeout=1_000)
    fw_page.get_by_role("button", name="Tout accepter").click()
    assert {c["name"]: c["value"] for c in fw_page.context.cookies()}["consent"] == "accepted"


@pytest.mark.browser
def test_browser_delayed_beacon_fires_after_accept(web: FixtureWeb, fw_page: Page) -> None:
    fw_page.goto(web.url(DELAYED))
    with fw_page.expect_response(lambda r: "www.facebook.com/tr" in r.url, timeout=10_000) as beacon:
        fw_page.get_by_role("button", name="Tout accepter").click()
    beacon.value.finished()
    assert "fr" in cookie_names(fw_page.context)


@pytest.mark.browser
def test_browser_english_banner_and_first_party_subdomain_cookie(web: FixtureWeb, fw_page: Page) -> None:
    hosts: list[str] = []
    fw_page.on("request", lambda r: hosts.append(r.url.split("/")[2]))
    fw_page.goto(web.url(UK), wait_until="load")
    for label in ("Accept all", "Reject all", "Manage preferences"):
        assert fw_page.get_by_role("button", name=label).is_visible()
    cookies = {c["name"]: c for c in fw_page.context.cookies()}
    assert cookies["ukid"].get("domain") == ".example-news.co.uk"
    assert {"static.example-news.co.uk", "cdn.example-news-static.com"} <= set(hosts)
    assert "www.googletagmanager.com" not in hosts


@pytest.mark.browser
def test_browser_demo_site(web: FixtureWeb, fw_page: Page) -> None:
    with fw_page.expect_response(lambda r: "ad.doubleclick.net" in r.url) as pixel:
        fw_page.goto(web.url(DEMO))
    pixel.value.finished()
    banner = fw_page.locator("#consent-banner")
    assert "seuls les cookies techniques (strictement nécessaires ou de mesure d'audience)" in banner.inner_text()
    for label in ("Tout Accepter", "Tout refuser", "Paramétrer vos choix"):
        assert banner.get_by_role("button", name=label, exact=True).is_visible()
    banner.get_by_role("button", name="Paramétrer vos choix").click()
    boxes = banner.get_by_role("checkbox")
    assert boxes.count() == 3 and not any(box.is_checked() for box in boxes.all())
    names = cookie_names(fw_page.context)
    assert {"IDE", "PHPSESSID", "_pcid"} <= names and not {"_ga", "_fbp", "guest_id"} & names
    policy = fw_page.goto(web.url(DEMO, "/politique-cookies"))
    assert policy is not None and policy.status == 200
    assert "les traceurs des réseaux sociaux seront désactivés" in fw_page.content()
