"""What the fixture web serves: its sites, what each plants, and its network-fault hosts.

``auditor/fixtureweb/README.md`` tells the same in prose, with what a correct auditor must report. The
package ships the demo and the trackers it loads; the tests' sites have their own catalogue
(``tests/fixtureweb_sites.py``, documented in ``tests/fixtures/sites/README.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
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
        "www.le-quotidien-demo.fr",
        "demo",
        "French news front page; DoubleClick pixel on every page regardless of choice (a deliberate pre-consent "
        "tracker), exempt Piano measurement, GA / Meta / Twitter properly gated.",
    ),
)
"""The sites the package serves (the demo); the tests add theirs (``tests/fixtureweb_sites.py``)."""

ASSET_HOSTS: tuple[str, ...] = (
    "connect.facebook.net",
    "platform.twitter.com",
    "tag.aticdn.net",
    "www.googletagmanager.com",
)
"""Hosts the package serves from folders that are not sites of their own: the trackers' scripts the demo and
the synthetic sites load (their beacons are dynamic routes, :data:`auditor.fixtureweb.dynamic.ROUTES`)."""


def site(host: str, sites: Iterable[SiteInfo] = SITES) -> SiteInfo:
    """The :class:`SiteInfo` of ``host`` among ``sites``; :class:`KeyError` names the unknown host."""
    known = tuple(sites)
    for info in known:
        if info.host == host:
            return info
    raise KeyError(f"no fixture site {host!r}; known: {', '.join(s.host for s in known)}")
