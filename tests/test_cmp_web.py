"""The CMP fixture web: real consent managers from npm and look-alikes of commercial ones (issue 4).

``tests/fixtures/cmp-sites/`` holds the static sites (one folder per host name); ``tests/fixtures/cmp/``
pins the npm packages (``npm ci`` there, run by ``make npm-fixtures``; node_modules is never committed).
:func:`build_sites_dir` assembles a ``FixtureWeb(sites_dir=...)`` folder: the sites, the shared
``/assets/gate.js`` copied into each host, and every pinned package mounted the way jsDelivr serves
it (``https://cdn.jsdelivr.net/npm/<name>@<version>/<file>``). The CMP test modules import these
helpers; the tests below check the assembly itself (no browser).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from fixtureweb_sites import make_web
from support import unavailable

from auditor.config import AuditOptions, SiteConfig
from auditor.fixtureweb import FixtureWeb
from auditor.fixtureweb.static import BUILTIN_SITES
from auditor.model import PhaseResult, RunResult, SiteResult
from auditor.results import RESULTS_FILE, read_results
from auditor.run import AuditPlan, run

CMP_NODE_DIR = Path(__file__).parent / "fixtures" / "cmp"
CMP_SITES_DIR = Path(__file__).parent / "fixtures" / "cmp-sites"
CDN_HOST = "cdn.jsdelivr.net"

REAL_SITES: dict[str, str] = {
    "www.tarteaucitron-presse.fr": "tarteaucitron",
    "www.vanilla-presse.fr": "vanilla-cookieconsent",
    "www.klaro-presse.fr": "klaro",
    "www.orejime-presse.fr": "orejime",
    "www.osano-presse.fr": "osano",
    "www.tcf-presse.fr": "tcf",
    # issue 12: six more
    "www.eubanner-presse.fr": "cookies-eu-banner",
    "www.porsche-presse.fr": "porsche-cookie-consent-banner",
    "www.mozilla-presse.fr": "mozilla-consent-banner",
    "www.htmlbricks-presse.fr": "hb-cookie-law-banner",
    "www.cookieconsentjs-presse.fr": "cookie-consent-js",
    "www.dpconsent-nachrichten.de": "dp-consent",
}
"""Sites running a real consent manager from npm → the CMP the auditor must recognise."""

LOOKALIKE_SITES: dict[str, str | None] = {
    "www.didomi-presse.fr": "didomi",
    "www.sourcepoint-presse.fr": "sourcepoint",
    "www.onetrust-presse.fr": "onetrust",
    "www.usercentrics-presse.fr": "usercentrics",
    "www.quantcast-presse.fr": "quantcast",
    "www.cookiebot-presse.fr": "cookiebot",
    "www.axeptio-presse.fr": "axeptio",
    "www.second-niveau-presse.fr": None,
    "www.lien-refus-presse.fr": None,
}
"""Look-alikes of commercial CMPs (and the sites' own banners, no CMP) → the CMP to recognise."""

NO_REJECT_SITE = "www.sans-refus-presse.fr"
"""A banner with no way to refuse: reject must be reported as not found, with the controls seen."""

CONFIRM_SITES: dict[str, str] = {
    "www.clic-ignore-presse.fr": "the « Tout refuser » handler throws: banner stays, nothing stored",
    "www.newsletter-presse.fr": "a newsletter pop-up (« Non merci ») beside the cookie banner",
    "www.bandeau-revient-presse.fr": "the refusal is stored where pages never read it: the banner comes back",
    "www.bandeau-tardif-presse.fr": "the banner appears 3 s after the load event",
    "www.faux-refus-presse.fr": "« Tout refuser » stores a consent",
    "www.precoche-presse.fr": "pre-ticked purposes on the second layer, a locked necessary one",
}
"""Own banners built to catch a consent click that is not what it seems (tests/test_cmp_confirm.py)."""
AUTOCONSENT_SITES: dict[str, str] = {
    "www.cookiejs-zpravy.cz": "cookie.js markup, Czech labels: only autoconsent's rule cookiejs-banner knows it",
    "www.samotest-zpravy.cz": "the same, but the refusal skips what the rule's self-test reads: self-test fails",
    "www.skryti-zpravy.cz": "CookieCuttr markup with accept only: autoconsent's opt-out merely hides the banner",
}
"""Banners no adapter nor label of the auditor recognises, for the autoconsent engine (tests/test_autoconsent.py)."""

STORED_KEYS: dict[str, str] = {
    "www.didomi-presse.fr": "didomi_token",
    "www.sourcepoint-presse.fr": "_sp_user_consent_",
    "www.onetrust-presse.fr": "OptanonConsent",
    "www.usercentrics-presse.fr": "uc_settings",
    "www.quantcast-presse.fr": "qc_fixture_consent",
    "www.cookiebot-presse.fr": "CookieConsent",
    "www.axeptio-presse.fr": "axeptio_cookies",
    "www.second-niveau-presse.fr": "choix_cookies",
    "www.lien-refus-presse.fr": "consentement",
    "www.tarteaucitron-presse.fr": "tarteaucitron",
    "www.vanilla-presse.fr": "cc_cookie",
    "www.klaro-presse.fr": "klaro",
    "www.orejime-presse.fr": "orejime",
    "www.osano-presse.fr": "cookieconsent_status",
    "www.tcf-presse.fr": "euconsent-v2",
    "www.eubanner-presse.fr": "hasConsent",
    "www.porsche-presse.fr": "cookies_accepted_categories",
    "www.mozilla-presse.fr": "moz-consent-pref",
    "www.htmlbricks-presse.fr": "cookielaw",
    "www.cookieconsentjs-presse.fr": "cookie-consent-tracking-allowed",
    "www.dpconsent-nachrichten.de": "dp-cookie-consent",
    NO_REJECT_SITE: "cookies_ok",
}
"""The consent store (cookie or storage key, or its prefix) where each fixture keeps the visitor's choice."""

GATED_COOKIES = frozenset({"_fbp"})
"""Cookies every fixture sets only once advertising is allowed (plus ``_ga`` / ``_ga_<ID>`` for analytics)."""
GATED_HOSTS = frozenset(
    {"www.googletagmanager.com", "www.google-analytics.com", "connect.facebook.net", "www.facebook.com"}
)
"""Tracker hosts every fixture contacts only after consent."""


def pinned_packages() -> dict[str, str]:
    """The npm packages pinned in ``tests/fixtures/cmp/package.json``: name → exact version."""
    data = json.loads((CMP_NODE_DIR / "package.json").read_text(encoding="utf-8"))
    return dict(data["devDependencies"])


def require_node_modules() -> None:
    """Skip when the pinned npm consent managers are not installed; under ``CI=true``, fail instead."""
    reason = missing_node_modules()
    if reason is not None:
        unavailable(reason)


def assert_choice_confirmed(site: SiteResult, role: str, key: str) -> None:
    """The phase's click is ``confirmed`` and the consent store ``key`` (a prefix) was stored saying ``role``."""
    phase = site.phases[role]
    action = phase.consent
    assert action is not None and action.clicked, action
    assert action.effect == "confirmed", (action.effect, action.effect_reason)
    evidence = action.effect_evidence
    assert evidence is not None and evidence.still_shown == () and evidence.banner_back is False, evidence
    stored = {s.key: s for s in evidence.stored if s.key.startswith(key)}
    assert stored, f"{key} not among the stored choices {[s.key for s in evidence.stored]}"
    assert {s.says for s in stored.values()} == {role}, stored


def missing_node_modules() -> str | None:
    """Why the real consent managers cannot be served (``None`` when ``npm ci`` was run)."""
    for name, version in pinned_packages().items():
        manifest = CMP_NODE_DIR / "node_modules" / name / "package.json"
        if not manifest.is_file():
            return f"{name} is not installed: run `npm ci` in {CMP_NODE_DIR} (or `make npm-fixtures`)"
        installed = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        if installed != version:
            return f"{name} {installed} is installed but {version} is pinned: run `npm ci` in {CMP_NODE_DIR}"
    return None


def _link_or_copy(src: str, dst: str) -> object:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
    return dst


def build_sites_dir(dest: Path, *, npm: bool = True) -> Path:
    """Assemble a ``sites_dir`` for :class:`FixtureWeb` in ``dest`` (created) and return it.

    Files are hard-linked (or copied): the fixture web refuses symbolic links leaving a host folder.
    """
    dest.mkdir(parents=True, exist_ok=True)
    shared = sorted((CMP_SITES_DIR / "_shared").iterdir())
    for host_dir in sorted(CMP_SITES_DIR.iterdir()):
        if not host_dir.is_dir() or host_dir.name.startswith("_"):
            continue
        target = dest / host_dir.name
        shutil.copytree(host_dir, target, copy_function=_link_or_copy, dirs_exist_ok=True)
        (target / "assets").mkdir(exist_ok=True)
        for item in shared:
            _link_or_copy(str(item), str(target / "assets" / item.name))
    # tarteaucitron's facebookpixel service loads the en_US build of the (fake) pixel.
    fb = dest / "connect.facebook.net" / "en_US"
    fb.mkdir(parents=True, exist_ok=True)
    _link_or_copy(str(BUILTIN_SITES / "connect.facebook.net" / "fr_FR" / "fbevents.js"), str(fb / "fbevents.js"))
    if npm:
        reason = missing_node_modules()
        if reason:
            raise FileNotFoundError(reason)
        cdn = dest / CDN_HOST
        cdn.mkdir(exist_ok=True)
        # Like jsDelivr: cross-origin ES modules (the TCF libraries) need CORS.
        (cdn / "_headers").write_text("/*\n  Access-Control-Allow-Origin: *\n", encoding="utf-8")
        for name, version in pinned_packages().items():
            shutil.copytree(
                CMP_NODE_DIR / "node_modules" / name,
                dest / CDN_HOST / "npm" / f"{name}@{version}",
                copy_function=_link_or_copy,
                # A package's own node_modules is not what jsDelivr serves; sources stay (some ship no build).
                ignore=shutil.ignore_patterns("node_modules", "*.map", "*.ts"),
                dirs_exist_ok=True,
            )
    return dest


@contextmanager
def cmp_web(dest: Path, *, npm: bool) -> Iterator[FixtureWeb]:
    """A running fixture web serving the CMP sites (and the other test sites, trackers and routes)."""
    with make_web(build_sites_dir(dest, npm=npm)) as web:
        yield web


def audit_sites(web: FixtureWeb, hosts: Sequence[str], out: Path, **options: object) -> RunResult:
    """Audit ``hosts`` of ``web`` in one run (one browser, sites concurrently), writing into ``out``."""
    configs = tuple(SiteConfig(url=web.url(h, "/")) for h in hosts)
    opts = AuditOptions(extra_browser_args=tuple(web.chromium_args), **options)  # type: ignore[arg-type]
    run(AuditPlan(sites=configs, options=opts, out_dir=out, arguments=("pytest",)))
    return read_results(out / RESULTS_FILE)


def site_of(result: RunResult, host: str) -> SiteResult:
    """The result of the site served as ``host``."""
    return next(s for s in result.sites if f"//{host}/" in s.url)


def gated_evidence(phase: PhaseResult) -> set[str]:
    """The gated trackers present in a phase: tracker cookie names and tracker hosts contacted."""
    cookies = {c.name for c in phase.cookies if c.name in GATED_COOKIES or c.name.startswith("_ga")}
    hosts = {r.host for r in phase.requests if r.host in GATED_HOSTS}
    return cookies | hosts


def consent_row(site: SiteResult) -> dict[str, object]:
    """One line of the fixture × reject × accept × steps table."""
    row: dict[str, object] = {"cmp": None}
    before = site.phases.get("before")
    if before is not None and before.banner is not None:
        row["cmp"] = before.banner.cmp
    for role in ("reject", "accept"):
        phase = site.phases.get(role)
        action = phase.consent if phase is not None else None
        row[role] = bool(action and action.clicked)
        row[f"{role}_steps"] = action.steps if action else 0
        row[f"{role}_labels"] = " → ".join(action.step_labels) if action and action.step_labels else "—"
        row[f"{role}_method"] = action.method if action else None
    return row


# --- checks of the assembly (no browser) ------------------------------------------------------------


def test_every_site_folder_is_listed() -> None:
    sites = {p.name for p in CMP_SITES_DIR.iterdir() if p.is_dir() and p.name.startswith("www.")}
    listed = set(REAL_SITES) | set(LOOKALIKE_SITES) | {NO_REJECT_SITE} | set(CONFIRM_SITES) | set(AUTOCONSENT_SITES)
    assert sites == listed


def test_lookalike_sites_build_without_node_modules(tmp_path: Path) -> None:
    built = build_sites_dir(tmp_path, npm=False)
    for host in [*LOOKALIKE_SITES, NO_REJECT_SITE, *CONFIRM_SITES, *AUTOCONSENT_SITES]:
        assert (built / host / "index.html").is_file()
        assert (built / host / "assets" / "gate.js").is_file()
    assert not (built / CDN_HOST).exists()


def test_every_cmp_fixture_names_its_consent_store() -> None:
    assert set(STORED_KEYS) == set(REAL_SITES) | set(LOOKALIKE_SITES) | {NO_REJECT_SITE}


def test_missing_npm_fixtures_fail_under_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys.modules[__name__], "CMP_NODE_DIR", tmp_path)
    (tmp_path / "package.json").write_text('{"devDependencies": {"klaro": "0.7.22"}}', encoding="utf-8")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="klaro is not installed"):
        require_node_modules()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="klaro is not installed"):
        require_node_modules()


def test_installed_packages_match_the_pins() -> None:
    require_node_modules()
    lock = json.loads((CMP_NODE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in pinned_packages().items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly, not {version!r}"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_every_pinned_package_and_its_licence_is_listed_in_the_fixture_readme() -> None:
    rows = re.findall(
        r"^\| `([^`]+)` \| ([\d.]+) \| ([\w.-]+) \|", (CMP_NODE_DIR / "README.md").read_text("utf-8"), re.M
    )
    listed = {name: (version, licence) for name, version, licence in rows}
    lock = json.loads((CMP_NODE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    assert set(listed) == set(pinned_packages())
    for name, version in pinned_packages().items():
        entry = lock["packages"][f"node_modules/{name}"]
        assert listed[name][0] == version == entry["version"], name
        declared = entry.get("license")
        if declared is None:  # the older `licenses` array of package.json, which the lock does not record
            require_node_modules()
            manifest = json.loads((CMP_NODE_DIR / "node_modules" / name / "package.json").read_text("utf-8"))
            declared = manifest["licenses"][0]["type"]
        assert listed[name][1] == declared, f"{name}: its package declares {declared}"


def test_every_cdn_url_of_the_fixtures_is_served(tmp_path: Path) -> None:
    require_node_modules()
    built = build_sites_dir(tmp_path)
    urls: set[str] = set()
    for page in CMP_SITES_DIR.glob("www.*/index.html"):
        urls.update(re.findall(rf"https://{re.escape(CDN_HOST)}/(npm/[^\"'\s]+)", page.read_text(encoding="utf-8")))
    assert urls, "the real-CMP fixtures load their consent managers from the CDN host"
    for path in sorted(urls):
        served = built / CDN_HOST / path
        # A folder URL is a base the library appends to (cookie-consent-js's contentUrl + "/fr.json").
        assert served.is_file() or any(served.glob("*.json")), f"https://{CDN_HOST}/{path} is not served"


def markdown_table(result: RunResult, hosts: Sequence[str]) -> str:
    """The fixture × reject clicked × accept clicked × steps table (Markdown), for the docs."""
    lines = [
        "| fixture | CMP recognised | reject clicked | reject steps (found by) "
        "| accept clicked | accept steps (found by) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for host in hosts:
        row = consent_row(site_of(result, host))
        cells = [f"`{host}`", str(row["cmp"] or "—")]
        for role in ("reject", "accept"):
            cells.append("yes" if row[role] else "**no**")
            method = f" ({row[f'{role}_method']})" if row[f"{role}_method"] else ""
            cells.append(f"{row[f'{role}_steps']}: {row[f'{role}_labels']}{method}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
