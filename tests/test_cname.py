"""CNAME cloaking: chains resolved against a DNS server on loopback, matched against a CNAME tracker list."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dns.message
import dns.rdatatype
import dns.rrset
import pytest

from auditor.knowledge import KnowledgeBase, classify_phase
from auditor.knowledge.cname import CnameResolver, CnameTrackers
from auditor.knowledge.community import load_community
from auditor.knowledge.datacache import update
from auditor.model import PhaseResult, Request, SiteResult

LISTS = Path(__file__).parent / "data" / "filterlists"
RECORDS: Mapping[str, str] = {
    "metrics.presse-demo.fr.": "presse-demo.fr.eulerian.net.",
    "presse-demo.fr.eulerian.net.": "et5.eulerian.net.",
    "stats.presse-demo.fr.": "cdn.presse-demo.fr.",  # a CNAME to the site's own CDN: not a tracker
    "mesure.presse-demo.fr.": "presse-demo.at-o.net.",  # AT Internet: on the list, not in the curated base
    "tags.presse-demo.fr.": "presse-demo.tagcommander.com.",  # curated as a tag manager, listed as a tracker
    "loop-a.presse-demo.fr.": "loop-b.presse-demo.fr.",
    "loop-b.presse-demo.fr.": "loop-a.presse-demo.fr.",
}
SILENT = "silent-dns.fr."
"""Its queries get no answer: the resolver must time out, once for the whole domain."""


class DnsResponder:
    """A tiny UDP DNS server (dnspython's message API) answering CNAME queries from :data:`RECORDS`."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.queries: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._stop = False

    def _serve(self) -> None:
        while not self._stop:
            try:
                wire, client = self.sock.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(wire)
            name = query.question[0].name.to_text()
            self.queries.append(name)
            if name.endswith(SILENT):
                continue
            response = dns.message.make_response(query)
            target = RECORDS.get(name)
            if target is not None and query.question[0].rdtype == dns.rdatatype.CNAME:
                response.answer.append(dns.rrset.from_text(name, 60, "IN", "CNAME", target))
            self.sock.sendto(response.to_wire(), client)

    def __enter__(self) -> DnsResponder:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self.sock.close()
        self._thread.join(timeout=5)


@pytest.fixture
def responder() -> Iterator[DnsResponder]:
    with DnsResponder() as server:
        yield server


def _request(host: str, party: str = "first") -> Request:
    return Request(
        url=f"https://{host}/collect?p=1",
        host=host,
        resource_type="image",
        method="GET",
        party=party,  # type: ignore[arg-type]
        registrable_domain="presse-demo.fr",
    )


def test_chains_are_followed_cached_and_bounded(responder: DnsResponder) -> None:
    resolver = CnameResolver(f"127.0.0.1:{responder.port}", timeout=0.5)

    async def run() -> tuple[tuple[str, ...], ...]:
        return (
            await resolver.chain("metrics.presse-demo.fr"),
            await resolver.chain("metrics.presse-demo.fr"),
            await resolver.chain("www.presse-demo.fr"),
            await resolver.chain("loop-a.presse-demo.fr"),
        )

    chain, again, none, loop = asyncio.run(run())
    assert chain == ("presse-demo.fr.eulerian.net", "et5.eulerian.net")
    assert again == chain
    assert responder.queries.count("metrics.presse-demo.fr.") == 1  # cached per host
    assert none == ()
    assert loop == ("loop-b.presse-demo.fr",)  # a loop stops where it comes back


def test_a_silent_domain_costs_one_timeout(responder: DnsResponder) -> None:
    resolver = CnameResolver(f"127.0.0.1:{responder.port}", timeout=0.3)

    async def run() -> list[tuple[str, ...]]:
        return [await resolver.chain(f"h{i}.silent-dns.fr") for i in range(3)]

    assert asyncio.run(run()) == [(), (), ()]
    assert sum(q.endswith(SILENT) for q in responder.queries) == 1  # the domain is then skipped


def test_annotate_site_and_classify_a_cloaked_tracker(
    responder: DnsResponder, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from test_datacache import serve

    from auditor.knowledge.datacache import DataSource

    with serve(LISTS) as url:
        _, errors = update(
            [DataSource("cname-test", f"{url}/cname-trackers.txt", kind="cname", licence="test")], tmp_path
        )
    assert errors == ()
    kb = KnowledgeBase.load([], load_community(tmp_path))
    phase = PhaseResult(
        name="before",
        status="ok",
        url="https://www.presse-demo.fr/",
        requests=(
            _request("metrics.presse-demo.fr"),
            _request("stats.presse-demo.fr"),
            _request("www.presse-demo.fr"),
            _request("px.unknown-network.example", party="third"),
            _request("mesure.presse-demo.fr"),
            _request("tags.presse-demo.fr"),
        ),
    )
    site = SiteResult(url="https://www.presse-demo.fr/", status="ok", phases={"before": phase})
    resolver = CnameResolver(f"127.0.0.1:{responder.port}", timeout=0.5)
    annotated = asyncio.run(resolver.annotate_site(site))
    metrics, stats, www, third, mesure, tags = annotated.phases["before"].requests
    assert mesure.cname == ("presse-demo.at-o.net",) and tags.cname == ("presse-demo.tagcommander.com",)
    assert metrics.cname == ("presse-demo.fr.eulerian.net", "et5.eulerian.net")
    assert stats.cname == ("cdn.presse-demo.fr",)
    assert www.cname == () and third.cname == ()
    assert "px.unknown-network.example." not in responder.queries  # third parties are not resolved
    eulerian, own_cdn, _, _, at_internet, tag_manager = classify_phase(annotated.phases["before"], kb).requests
    # A target the curated base knows as a tracker: its entry, exemption flag included, with the chain.
    cls = eulerian.classification
    assert cls is not None and (cls.layer, cls.vendor, cls.tracker) == ("curated", "Eulerian", True)
    assert cls.exempt_possible
    assert "CNAME chain metrics.presse-demo.fr → presse-demo.fr.eulerian.net → et5.eulerian.net" in cls.reasons
    # A target only the CNAME list knows: a tracker of the community layer.
    cls = at_internet.classification
    assert cls is not None and (cls.layer, cls.tracker) == ("community", True)
    assert cls.matched == "cname-test cname at-o.net (via presse-demo.at-o.net)"
    # Curated as a tag manager (no tracker) but listed as a CNAME tracker: the list wins.
    cls = tag_manager.classification
    assert cls is not None and (cls.layer, cls.tracker) == ("community", True)
    assert own_cdn.classification is None
    assert [d.name for d in kb.community.provenance()] == ["open-cookie-database", "cname-test"]


def test_list_formats() -> None:
    trackers = CnameTrackers.parse((LISTS / "cname-trackers.txt").read_text(encoding="utf-8"), "t")
    assert trackers.domains == {"eulerian.net", "at-o.net", "tagcommander.com", "omtrdc.net"}
    assert trackers.match(("x.presse-demo.fr", "presse-demo.sc.omtrdc.net")) == (
        "presse-demo.sc.omtrdc.net",
        "omtrdc.net",
    )
    assert trackers.match(("noteulerian.net",)) is None


# --- the run-side hook: resolution between collection and post-processing ------------------------------


def _collect_with_first_party_request(session: object, site: object, out: Path) -> Any:
    async def collect() -> SiteResult:
        phase = PhaseResult(name="before", status="ok", requests=(_request("metrics.presse-demo.fr"),))
        return SiteResult(url="https://www.presse-demo.fr/", status="ok", phases={"before": phase})

    return collect()


def test_runner_resolves_before_postprocessing(responder: DnsResponder, tmp_path: Path) -> None:
    from test_runner import plan_for, run_site

    seen: list[tuple[str, ...]] = []

    def postprocess(site: SiteResult) -> SiteResult:
        seen.append(site.phases["before"].requests[0].cname)
        return site

    resolver = CnameResolver(f"127.0.0.1:{responder.port}", timeout=0.5)
    plan = plan_for(tmp_path, n=1, enrich=resolver.annotate_site, postprocess=postprocess)
    run_site(plan, _collect_with_first_party_request)
    assert seen == [("presse-demo.fr.eulerian.net", "et5.eulerian.net")]


def test_a_failing_resolution_is_a_warning_not_a_silent_pass(tmp_path: Path) -> None:
    from test_runner import plan_for, run_site

    async def broken(site: SiteResult) -> SiteResult:
        raise OSError("no route to the DNS server")

    result = run_site(plan_for(tmp_path, n=1, enrich=broken), _collect_with_first_party_request)
    (warning,) = result.phases["before"].warnings
    assert warning.startswith("CNAME resolution failed (OSError: no route to the DNS server)")
