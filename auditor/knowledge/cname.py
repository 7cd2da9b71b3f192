"""CNAME cloaking: a first-party subdomain whose DNS name points at a tracker is a tracker in disguise.

``metrics.example.fr CNAME example.fr.eulerian.net`` makes Eulerian's collection look first party
to the browser (its cookies are first-party cookies). Two parts:

* :class:`CnameResolver` (I/O, run side): resolves the CNAME chains of the first-party hosts a
  site's requests went to, with dnspython — bounded timeout per query, bounded concurrency, a
  cache per host and a negative cache per registrable domain whose DNS fails (one dead domain
  costs one timeout, not one per host) — and records each chain on the requests
  (:attr:`~auditor.model.Request.cname`);
* :class:`CnameTrackers` (pure): a list of tracker domains that disguised hosts point to (AdGuard's
  cname-trackers, MIT, downloaded by ``data update``), matched by suffix against each chain.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from auditor.knowledge.entries import normalise_host, suffixes
from auditor.model import Classification, SiteResult
from auditor.party import registrable_domain

DEFAULT_TIMEOUT = 2.0
"""Seconds allowed for one DNS query."""
DEFAULT_CONCURRENCY = 8
"""DNS queries in flight at once."""
MAX_CHAIN = 8
"""CNAME hops followed at most (a loop or a very long chain stops there)."""


@dataclass(frozen=True)
class CnameTrackers:
    """Tracker domains that disguised first-party hosts point to, from one list."""

    name: str
    """The list's name in the data cache (``adguard-cname-trackers``)."""
    domains: frozenset[str]
    date: str | None = None
    """When the list was downloaded."""
    source: str | None = None
    """Where it came from (URL)."""
    category: str = "analytics"

    @classmethod
    def parse(
        cls,
        text: str,
        name: str,
        *,
        date: str | None = None,
        source: str | None = None,
        category: str = "analytics",
    ) -> CnameTrackers:
        """Read a list: a domain per line (``domain``, ``||domain^`` or ``0.0.0.0 domain``); ``#``, ``!`` comments."""
        domains: set[str] = set()
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line or line.startswith(("!", "[")):
                continue
            line = line.split()[-1]
            if line.startswith("||"):
                line = line[2:]
            line = line.split("^", 1)[0].split("$", 1)[0]
            host = normalise_host(line)
            if "." in host and "/" not in host and "*" not in host:
                domains.add(host)
        return cls(name=name, domains=frozenset(domains), date=date, source=source, category=category)

    def match(self, chain: Sequence[str]) -> tuple[str, str] | None:
        """``(CNAME target, listed tracker domain)`` for the first target of ``chain`` the list knows."""
        for target in chain:
            for suffix in suffixes(normalise_host(target)):
                if suffix in self.domains:
                    return target, suffix
        return None

    def classify(self, host: str, chain: Sequence[str]) -> Classification | None:
        """The classification of a request to ``host`` whose CNAME ``chain`` points at a listed tracker."""
        found = self.match(chain)
        if found is None:
            return None
        target, listed = found
        dated = f"{self.name} (downloaded {self.date})" if self.date else self.name
        path = " → ".join((host, *chain))
        return Classification(
            entity=None,
            category=self.category,
            tracker=True,
            purpose=f"CNAME-cloaked tracker: {path}; {listed} is a tracker domain in {dated}.",
            source=self.source,
            layer="community",
            reasons=(f"CNAME chain {path}", f"{dated} lists {listed}"),
            matched=f"{self.name} cname {listed} (via {target})",
        )


def via_cname(lookup: Callable[[str], Classification | None], host: str, chain: Sequence[str]) -> Classification | None:
    """The classification of the first CNAME target ``lookup`` (a knowledge-base host lookup) knows, noting the chain.

    A cloaked Eulerian or AT Internet host then gets our curated entry of the vendor (with its
    ``exempt_possible``), not only "a tracker on some list".
    """
    for target in chain:
        found = lookup(target)
        if found is not None:
            path = " → ".join((host, *chain))
            return replace(
                found,
                purpose=f"CNAME-cloaked: {path}. {found.purpose or ''}".strip(),
                reasons=(*found.reasons, f"CNAME chain {path}"),
                matched=f"{found.matched} via CNAME {host}",
            )
    return None


class CnameResolver:
    """Resolves CNAME chains with dnspython: bounded timeouts and concurrency, cached per host."""

    def __init__(
        self,
        nameserver: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        """Use ``nameserver`` (``IP`` or ``IP:PORT``; default: the system's resolvers)."""
        import dns.asyncresolver

        if nameserver is None:
            self._resolver = dns.asyncresolver.Resolver()
        else:
            self._resolver = dns.asyncresolver.Resolver(configure=False)
            address, _, port = nameserver.rpartition(":") if nameserver.count(":") == 1 else (nameserver, "", "")
            self._resolver.nameservers = [address]
            if port:
                self._resolver.port = int(port)
        self._resolver.timeout = timeout
        self._resolver.lifetime = timeout
        self._limit = asyncio.Semaphore(max(1, concurrency))
        self._chains: dict[str, tuple[str, ...]] = {}
        self._dead: set[str] = set()
        """Registrable domains whose DNS timed out or failed: not asked again."""

    async def _cname(self, name: str) -> str | None:
        import dns.resolver

        async with self._limit:
            try:
                answer = await self._resolver.resolve(name, "CNAME", raise_on_no_answer=False)
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                return None
        if answer.rrset is None:
            return None
        return normalise_host(str(answer.rrset[0].target))

    async def chain(self, host: str) -> tuple[str, ...]:
        """The CNAME targets of ``host``, in order (empty: none, or DNS failed for its domain)."""
        import dns.exception

        host = normalise_host(host)
        cached = self._chains.get(host)
        if cached is not None:
            return cached
        domain = registrable_domain(host)
        if domain in self._dead:
            return ()
        hops: list[str] = []
        name = host
        try:
            while len(hops) < MAX_CHAIN:
                target = await self._cname(name)
                if target is None or target in hops or target == host:
                    break
                hops.append(target)
                name = target
        except dns.exception.DNSException:
            if not hops:
                self._dead.add(domain)
        self._chains[host] = tuple(hops)
        return self._chains[host]

    async def annotate_site(self, site: SiteResult) -> SiteResult:
        """``site`` with :attr:`~auditor.model.Request.cname` on requests to first-party hosts that have a chain."""
        hosts = first_party_hosts(site)
        if not hosts:
            return site
        chains = dict(zip(hosts, await asyncio.gather(*(self.chain(h) for h in hosts)), strict=True))
        phases = {}
        for name, phase in site.phases.items():
            requests = tuple(
                replace(r, cname=chains[r.host]) if r.party == "first" and chains.get(r.host) else r
                for r in phase.requests
            )
            phases[name] = phase if requests == phase.requests else replace(phase, requests=requests)
        return replace(site, phases=phases)


def first_party_hosts(site: SiteResult) -> list[str]:
    """The first-party hosts a site's requests went to (the ones worth resolving)."""
    return sorted({r.host for phase in site.phases.values() for r in phase.requests if r.party == "first"})
