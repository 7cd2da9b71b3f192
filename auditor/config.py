"""Site configuration (``sites.yaml``) and audit options, validated before any browser starts.

``sites.yaml``::

    defaults:                 # optional, applies to every site
      locale: fr-FR
      timezone: Europe/Paris
    sites:
      - https://www.example.fr/                 # a bare URL is enough
      - url: https://www.journal.fr/
        name: Le Journal
        first_party: [journal-cdn.net]          # registrable domains that are the publisher's own
        consent:                                # how to find the controls (else: CMP adapters, then labels)
          reject: {label: "Continuer sans accepter"}
          accept: {selector: "#didomi-notice-agree-button"}
          settings: {label: "Paramétrer"}       # opens the second layer when reject is not on the first
        rules: [rules/sites/journal.yaml]       # extra rule packs for this site
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from auditor.model import DEFAULT_PHASES, PHASES, PhaseName
from auditor.yamlutil import ConfigError, LoadedYaml, load_schema, load_validated

DEFAULT_PACKS: tuple[str, ...] = ("core",)
"""The packs an audit, ``check`` and ``rules list`` use when no ``--rules`` is given: the regulatory
core (``rules/core.yaml``: baseline, cnil, tcf and edpb-banner). The one place this default is set."""
DEFAULT_RESTART_AFTER = 200
"""Sites audited by one browser before it is replaced by a fresh one (Chromium grows as contexts come and go)."""
BROWSER_ENV = "CONSENT_AUDIT_BROWSER"
SANDBOX_ENV = "CONSENT_AUDIT_SANDBOX"
"""Set to ``1`` to run Chromium with its sandbox (the container image does): see :func:`sandbox_wanted`."""
"""Environment variable naming the Chromium executable to use."""


@dataclass(frozen=True)
class ControlSpec:
    """How to find one consent control on a site: a CSS selector and/or a visible label."""

    selector: str | None = None
    label: str | None = None
    frame: str | None = None
    """Substring of the URL of the frame holding the control (default: search every frame)."""


@dataclass(frozen=True)
class SiteConfig:
    """One site to audit."""

    url: str
    name: str | None = None
    first_party: tuple[str, ...] = ()
    """Extra registrable domains treated as first party (CDN or sister domains)."""
    reject: ControlSpec | None = None
    accept: ControlSpec | None = None
    settings: ControlSpec | None = None
    rules: tuple[str, ...] = ()
    """Extra rule packs (built-in names or paths) for this site."""
    locale: str | None = None
    timezone: str | None = None

    def control(self, role: str) -> ControlSpec | None:
        """The configured control for ``reject``, ``accept`` or ``settings``."""
        spec: ControlSpec | None = getattr(self, role, None)
        return spec


@dataclass(frozen=True)
class AuditOptions:
    """Options of an audit run (command-line flags), shared by every site."""

    browser: str | None = None
    """Chromium executable; ``None`` finds one (env var, system Chromium, Playwright's own)."""
    host_resolver_rules: str | None = None
    ignore_https_errors: bool = False
    extra_browser_args: tuple[str, ...] = ()
    locale: str = "fr-FR"
    timezone: str = "Europe/Paris"
    user_agent: str | None = None
    """``None``: the browser's own user agent with ``HeadlessChrome`` replaced by ``Chrome``."""
    timeout: float = 30.0
    """Seconds allowed for a page load (navigation) before it counts as failed."""
    banner_timeout: float = 5.0
    """Seconds to wait for a consent control to appear."""
    tcf_timeout: float = 5.0
    """Seconds to wait for a TCF CMP's settled state (``tcloaded`` / ``useractioncomplete``) at a snapshot."""
    quiet_ms: int = 500
    """The network counts as settled after this many milliseconds without a request in flight."""
    quiet_cap: float = 8.0
    """Never wait longer than this for the network to settle (long-polling pages)."""
    dwell: float = 2.5
    """Minimum seconds to stay on a page after a consent click, to catch delayed beacons."""
    settle: float = 1.0
    """Minimum seconds to stay on a page after a load before taking a snapshot."""
    concurrency: int = 4
    """Sites audited at the same time in one browser."""
    block_third_party_cookies: bool = False
    """Emulate a browser that blocks third-party cookies (off: an auditor must see them)."""
    screenshots: bool = True
    viewport: tuple[int, int] = (1280, 800)
    retries: int = 1
    """Extra attempts for a site that failed with a transient network error."""
    phases: tuple[PhaseName, ...] = DEFAULT_PHASES
    """The phases to audit (``--phases``), in report order; ``before`` and ``reject`` are always among them
    (:func:`parse_phases`)."""
    site_timeout: float | None = None
    """Seconds one site may cost, retries included; ``None``: three times ``timeout``, at least 90 s
    (``auditor.run.site.site_budget``)."""
    sandbox: bool | None = None
    """Run Chromium with its sandbox; ``None``: as ``$CONSENT_AUDIT_SANDBOX`` says (off when unset, as
    Playwright's default). The sandbox needs a non-root user and user namespaces (see docs/ci.md)."""
    keep_values: bool = False
    """Keep cookie values, identifiers in URLs and TC strings raw (``--keep-values``); off: redacted
    (:func:`auditor.redact.redact_site`) before anything is journaled, sent or written."""


def parse_phases(text: str) -> tuple[PhaseName, ...]:
    """The phases of a ``--phases`` value (comma-separated names), in report order.

    ``before`` is the reference every other phase is compared with, taken in the reject context, so
    ``before`` and ``reject`` are always audited (added when left out); an unknown name is a
    :class:`ConfigError`.
    """
    names = {n.strip() for n in text.split(",") if n.strip()}
    unknown = sorted(names - set(PHASES))
    if unknown:
        raise ConfigError(f"unknown phase(s) {', '.join(unknown)}: choose among {', '.join(PHASES)}")
    names |= {"before", "reject"}
    return tuple(p for p in PHASES if p in names)


_SITES_SCHEMA: dict[str, Any] | None = None
_BARE_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?(/\S*)?$")
"""``www.example.fr/path``: a URL without its scheme, taken as https."""


def _schema() -> dict[str, Any]:
    global _SITES_SCHEMA
    if _SITES_SCHEMA is None:
        _SITES_SCHEMA = load_schema("sites.schema.json")
    return _SITES_SCHEMA


def check_url(url: str, *, file: str | None = None, line: int | None = None) -> str:
    """Validate an audit URL (http or https with a host); return it normalised."""
    text = url.strip()
    if _BARE_HOST.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"invalid URL {url!r}: expected http(s)://host/...", file=file, line=line)
    if not parts.path:
        text += "/"
    return text


def _control(data: Mapping[str, Any] | None) -> ControlSpec | None:
    if not data:
        return None
    return ControlSpec(selector=data.get("selector"), label=data.get("label"), frame=data.get("frame"))


def load_sites(path: str | Path) -> list[SiteConfig]:
    """Load and validate ``sites.yaml``; errors name the file and line (:class:`ConfigError`).

    A URL listed twice is kept twice here: :func:`dedupe_sites` drops the repeats with a warning.
    """
    loaded: LoadedYaml = load_validated(path, _schema())
    data = loaded.data
    defaults = data.get("defaults") or {}
    sites: list[SiteConfig] = []
    for index, entry in enumerate(data["sites"]):
        line = loaded.line_of(("sites", index))
        item: dict[str, Any] = {"url": entry} if isinstance(entry, str) else dict(entry)
        url = check_url(item["url"], file=loaded.file, line=line)
        consent = item.get("consent") or {}
        sites.append(
            SiteConfig(
                url=url,
                name=item.get("name"),
                first_party=tuple(item.get("first_party", ())),
                reject=_control(consent.get("reject")),
                accept=_control(consent.get("accept")),
                settings=_control(consent.get("settings")),
                rules=tuple(item.get("rules", ())),
                locale=item.get("locale", defaults.get("locale")),
                timezone=item.get("timezone", defaults.get("timezone")),
            )
        )
    return sites


def sites_from_urls(urls: Sequence[str]) -> list[SiteConfig]:
    """Turn command-line URLs into site configs (invalid URLs raise :class:`ConfigError`)."""
    out: list[SiteConfig] = []
    for url in urls:
        out.append(SiteConfig(url=check_url(url)))
    return out


def url_key(url: str) -> str:
    """The identity of an audit URL: scheme and host lower-cased, default port and trailing slash dropped.

    ``https://WWW.Example.fr/`` and ``https://www.example.fr`` are the same site; the query is kept
    (``/?lang=en`` may be another page).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("https", 443), ("http", 80)) else f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{scheme}://{netloc}{path}{query}"


def dedupe_sites(sites: Sequence[SiteConfig]) -> tuple[list[SiteConfig], list[str]]:
    """Keep the first of the sites whose URLs are the same (:func:`url_key`); return them and one warning per repeat.

    The warnings are data for the caller (the CLI prints them): a URL given twice, on the command line
    and/or in ``sites.yaml``, is audited once.
    """
    kept: dict[str, SiteConfig] = {}
    counts: dict[str, int] = {}
    for site in sites:
        key = url_key(site.url)
        counts[key] = counts.get(key, 0) + 1
        kept.setdefault(key, site)
    warnings = [
        f"{kept[key].url} is given {count} times (command line and/or sites file): audited once"
        for key, count in counts.items()
        if count > 1
    ]
    return list(kept.values()), warnings


@dataclass(frozen=True)
class BrowserChoice:
    """The Chromium executable chosen, and why."""

    path: str | None
    """``None`` means Playwright's own downloaded browser."""
    origin: str = field(default="playwright")


def find_browser(explicit: str | None = None) -> BrowserChoice:
    """Find a Chromium: ``--browser``, then ``$CONSENT_AUDIT_BROWSER``, then the system's, then Playwright's own.

    Raises :class:`ConfigError` when an explicitly named executable does not exist, or none is found.
    """
    for origin, candidate in (("--browser", explicit), (BROWSER_ENV, os.environ.get(BROWSER_ENV))):
        if candidate:
            if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
                raise ConfigError(f"{origin}: browser executable {candidate!r} not found or not executable")
            return BrowserChoice(candidate, origin)
    # Debian's /usr/bin/chromium is a shell wrapper printing a warning; its real binary is quieter.
    for candidate in (
        "/usr/lib/chromium/chromium",
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
        "/usr/bin/google-chrome-stable",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    ):
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return BrowserChoice(candidate, "system")
    if _playwright_chromium_installed():
        return BrowserChoice(None, "playwright")
    raise ConfigError(
        "no Chromium found: install one (`playwright install chromium`, or `apt-get install chromium`), "
        f"or name it with --browser / ${BROWSER_ENV}"
    )


def sandbox_wanted(options: AuditOptions) -> bool:
    """Whether Chromium runs sandboxed: the option, else ``$CONSENT_AUDIT_SANDBOX`` (``1``/``true``/``yes``).

    Raises :class:`ConfigError` when the sandbox is asked for as root: Chromium refuses to sandbox there.
    """
    wanted = options.sandbox
    if wanted is None:
        wanted = os.environ.get(SANDBOX_ENV, "").strip().lower() in ("1", "true", "yes")
    if wanted and hasattr(os, "geteuid") and os.geteuid() == 0:
        raise ConfigError(
            f"Chromium's sandbox cannot run as root: run the audit as a regular user, or unset {SANDBOX_ENV}"
        )
    return wanted


def _playwright_chromium_installed() -> bool:
    """Whether ``playwright install chromium`` has put a browser in Playwright's cache."""
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or os.path.expanduser("~/.cache/ms-playwright")
    base = Path(root)
    if not base.is_dir():
        return False
    for child in base.glob("chromium-*"):
        for exe in ("chrome-linux64/chrome", "chrome-linux/chrome", "chrome-mac/Chromium.app", "chrome-win/chrome.exe"):
            if (child / exe).exists():
                return True
    return False
