"""First/third party by registrable domain (eTLD+1, PSL private section included, as browsers do), offline.

tldextract ships a snapshot of the PSL; we never let it fetch a newer one at run time
(``suffix_list_urls=()``, ``cache_dir=None``), so audits are reproducible and work offline.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from auditor.model import Party

if TYPE_CHECKING:
    import tldextract


@cache
def _extractor() -> tldextract.TLDExtract:
    """The offline PSL matcher, built on first use (importing tldextract costs a noticeable part of start-up)."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """Return the registrable domain of ``host`` (``www.bbc.co.uk`` → ``bbc.co.uk``).

    A leading dot (cookie domains) is ignored. Hosts without a public suffix (IP addresses,
    ``localhost``) are their own registrable domain.
    """
    host = host.strip().lstrip(".").rstrip(".").lower()
    if not host:
        return ""
    parts = _extractor()(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return host


def host_of(url: str | None) -> str:
    """Return the lower-cased host name of a URL (empty for ``None`` and URLs without one, e.g. ``data:``)."""
    if not url:
        return ""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class PartyResolver:
    """Decides first or third party against a site's own registrable domains.

    The site's domain plus declared aliases (e.g. its CDN) are first party; everything else is third.
    """

    def __init__(self, site_url: str, aliases: Iterable[str] = ()) -> None:
        own = {registrable_domain(host_of(site_url))}
        own.update(registrable_domain(a) for a in aliases)
        own.discard("")
        self.first_party: frozenset[str] = frozenset(own)

    def add(self, url: str) -> None:
        """Also treat the registrable domain of ``url`` as first party (e.g. after a redirect)."""
        domain = registrable_domain(host_of(url))
        if domain:
            self.first_party = self.first_party | {domain}

    def of_host(self, host: str) -> Party:
        """Party of a host or cookie domain."""
        return "first" if registrable_domain(host) in self.first_party else "third"
