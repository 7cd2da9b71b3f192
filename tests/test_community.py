"""The community layer: filter lists through adblock-rust and the Open Cookie Database, with their precedence."""

from __future__ import annotations

import hashlib
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.knowledge import UNKNOWN, KnowledgeBase, classify_phase
from auditor.knowledge.community import CommunityData, load_community, shipped_community
from auditor.knowledge.datacache import DataSource, update
from auditor.knowledge.filterlists import FilterList, FilterMatcher, network_filters, request_type
from auditor.knowledge.ocd import CATEGORY_MAP, OCD_FILE, entries_of, read_rows, shipped_database
from auditor.model import Cookie, PhaseResult, Request, StorageItem

LISTS = Path(__file__).parent / "data" / "filterlists"
PAGE = "https://www.regie-inconnue.fr/"
UUID = "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f8a9b0c"


def _lists() -> list[FilterList]:
    return [
        FilterList("fixture", (LISTS / "fixture-web.txt").read_text(encoding="utf-8"), "advertising", "https://l/1"),
        FilterList("second", (LISTS / "second-list.txt").read_text(encoding="utf-8"), "analytics", "https://l/2"),
    ]


@pytest.fixture(scope="module")
def matcher() -> FilterMatcher:
    return FilterMatcher(_lists())


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data cache holding the test list, downloaded from a loopback server like a real one."""
    from test_datacache import serve

    directory = Path(tmp_path_factory.mktemp("cache"))
    with serve(LISTS) as url:
        _, errors = update([DataSource("fixture", f"{url}/fixture-web.txt", licence="test")], directory)
    assert errors == ()
    return directory


@pytest.fixture(scope="module")
def kb(cache: Path) -> KnowledgeBase:
    return KnowledgeBase.load([], load_community(cache))


def _request(url: str, host: str, party: str = "third", resource_type: str = "image") -> Request:
    return Request(
        url=url,
        host=host,
        resource_type=resource_type,
        method="GET",
        party=party,  # type: ignore[arg-type]
        registrable_domain=host.split(".", host.count(".") - 1)[-1],
        initiator=PAGE,
        status=200,
    )


def _cookie(name: str, domain: str, value: str = "1", party: str = "first", days: float | None = 400) -> Cookie:
    return Cookie(
        name=name,
        value=value,
        domain=domain,
        path="/",
        expires=None if days is None else 2e9,
        lifetime_days=days,
        secure=True,
        http_only=False,
        same_site="Lax",
        party=party,  # type: ignore[arg-type]
        registrable_domain=domain.lstrip("."),
        set_by="script",
    )


# --- the matcher -------------------------------------------------------------------------------------


def test_network_filters_drop_comments_and_cosmetics() -> None:
    filters = network_filters((LISTS / "fixture-web.txt").read_text(encoding="utf-8"))
    assert "||px.adnexo-regie.net^$third-party" in filters
    assert not any("##" in f or f.startswith(("!", "[")) for f in filters)
    assert len(filters) == 5


def test_blocked_request_names_list_and_filter(matcher: FilterMatcher) -> None:
    found = matcher.classify("https://px.adnexo-regie.net/px?vid=1", PAGE, "image")
    assert found is not None
    assert (found.layer, found.tracker, found.category) == ("community", True, "advertising")
    assert found.matched == "fixture filter ||px.adnexo-regie.net^$third-party"
    assert found.reasons == ("fixture filter ||px.adnexo-regie.net^$third-party",)
    assert found.source == "https://l/1"


def test_options_third_party_and_type(matcher: FilterMatcher) -> None:
    # $third-party: the network's own page loading its pixel is first party.
    assert matcher.classify("https://px.adnexo-regie.net/px", "https://px.adnexo-regie.net/", "image") is None
    # $image: a script from the same host is not blocked.
    assert matcher.classify("https://pixel.liste-test.example/p.gif", PAGE, "image") is not None
    assert matcher.classify("https://pixel.liste-test.example/p.js", PAGE, "script") is None


def test_exceptions_apply_across_lists(matcher: FilterMatcher) -> None:
    verdict = matcher.match("https://pixel.liste-test.example/allowed/p.gif", PAGE, "image")
    assert verdict is not None
    assert not verdict.blocked
    assert verdict.filter == "||pixel.liste-test.example^$image"
    assert verdict.exception == "@@||pixel.liste-test.example/allowed/$image"
    assert verdict.list_name == "second"  # the exception of the second list allows the first list's filter
    assert matcher.classify("https://pixel.liste-test.example/allowed/p.gif", PAGE, "image") is None
    excepted = matcher.match("https://match.dsp-partenaire.io/sync?partner=whitelisted", PAGE, "image")
    assert excepted is not None and not excepted.blocked
    second = matcher.classify("https://cdn.liste-deux.example/x.js", PAGE, "script")
    assert second is not None and second.category == "analytics" and second.matched is not None
    assert second.matched.startswith("second filter ")


def test_request_types() -> None:
    assert request_type("document", PAGE, PAGE) == "document"
    assert request_type("document", "https://frame.example/", PAGE) == "sub_frame"
    assert request_type("fetch", "https://x.example/", PAGE) == "xmlhttprequest"
    assert request_type("weird", "https://x.example/", PAGE) == "other"


# --- classification through the layers -----------------------------------------------------------------


def test_classify_phase_uses_the_lists_after_the_curated_base(kb: KnowledgeBase) -> None:
    phase = PhaseResult(
        name="before",
        status="ok",
        url=PAGE,
        requests=(
            _request("https://px.adnexo-regie.net/px", "px.adnexo-regie.net"),
            _request(
                "https://www.google-analytics.com/g/collect?v=2", "www.google-analytics.com", resource_type="ping"
            ),
            _request("https://match.dsp-partenaire.io/sync?partner=whitelisted", "match.dsp-partenaire.io"),
        ),
    )
    pixel, ga, excepted = classify_phase(phase, kb).requests
    assert pixel.classification is not None and pixel.classification.layer == "community"
    assert pixel.classification.matched == "fixture filter ||px.adnexo-regie.net^$third-party"
    # The list also blocks www.google-analytics.com, but our curated entry is stronger and more precise.
    assert ga.classification is not None and ga.classification.layer == "curated"
    assert ga.classification.vendor == "Google Analytics"
    # Allowed by the list's exception: left to the behaviour layer, then reported as unknown.
    assert excepted.classification == UNKNOWN


def test_without_cache_the_lists_are_not_used() -> None:
    phase = PhaseResult(
        name="before",
        status="ok",
        url=PAGE,
        requests=(_request("https://px.adnexo-regie.net/px", "px.adnexo-regie.net"),),
    )
    (request,) = classify_phase(phase, KnowledgeBase.builtin()).requests
    assert request.classification == UNKNOWN


def test_provenance_of_a_cache(kb: KnowledgeBase, cache: Path) -> None:
    ocd, fixture = kb.community.provenance()
    assert (ocd.name, ocd.kind, ocd.licence) == ("open-cookie-database", "cookie-database", "Apache-2.0")
    assert ocd.sha256 == hashlib.sha256(OCD_FILE.read_bytes()).hexdigest()
    assert ocd.entries == len(shipped_database().entries)
    assert (fixture.name, fixture.kind, fixture.licence, fixture.entries) == ("fixture", "filterlist", "test", 6)
    assert fixture.sha256 == hashlib.sha256((cache / "fixture.txt").read_bytes()).hexdigest()


def test_community_pickles_as_its_directory(kb: KnowledgeBase, cache: Path) -> None:
    copy = pickle.loads(pickle.dumps(kb))
    assert isinstance(copy.community, CommunityData) and copy.community.directory == cache
    assert copy.community.classify_request("https://px.adnexo-regie.net/px", PAGE, "image") is not None
    assert pickle.loads(pickle.dumps(KnowledgeBase.builtin())) is KnowledgeBase.builtin()
    assert pickle.loads(pickle.dumps(shipped_community())) is shipped_community()


# --- the Open Cookie Database ------------------------------------------------------------------------


def test_ocd_categories_are_mapped_never_functional_to_necessary() -> None:
    assert CATEGORY_MAP["Functional"] == ("functional", False)
    assert CATEGORY_MAP["Marketing"] == ("advertising", True)
    assert CATEGORY_MAP["Analytics"] == ("analytics", True)
    rows = read_rows()
    assert {r.category for r in rows} <= set(CATEGORY_MAP)
    entries = entries_of(rows)
    assert all(not e.tracker for e in entries if e.category in ("functional", "necessary"))
    assert all(not e.exempt_possible for e in entries)


def test_ocd_generic_names_need_a_domain() -> None:
    db = shipped_database()
    assert db.match("uid", "example.fr") is None  # Adform's "uid" only on adform.net
    found = db.match("uid", "track.adform.net")
    assert found is not None and found[0].vendor == "Adform" and found[0].domains == ("adform.net",)
    assert all(e.domains for e in db.entries if len(e.name) <= 3)
    assert db.match("lang", "www.example.fr") is None  # LinkedIn's "lang" only on linkedin.com


def test_ocd_wildcards_are_prefixes_and_keys_are_names() -> None:
    db = shipped_database()
    found = db.match("AMP_1a2b3c", "www.example.fr")
    assert found is not None and found[0].match == "prefix" and found[1].category == "analytics"
    assert found[1].layer == "community" and found[1].matched is not None
    assert "open-cookie-database" in found[1].matched


def test_ocd_fills_what_the_curated_base_lacks_and_yields_to_it() -> None:
    kb = KnowledgeBase.builtin()
    assert kb.classify_cookie("AMP_1a2b3c", ".example.fr") is None  # not in the curated base
    phase = PhaseResult(
        name="before",
        status="ok",
        cookies=(_cookie("AMP_1a2b3c", ".example.fr", UUID), _cookie("_ga", ".example.fr", "GA1.1.123.456")),
        storage=(StorageItem("https://www.example.fr", "local", "_gali", 40, "first"),),
    )
    classified = classify_phase(phase, kb)
    amp, ga = classified.cookies
    assert amp.classification is not None and amp.classification.layer == "community"
    assert (amp.classification.vendor, amp.classification.tracker) == ("Amplitude", True)
    assert ga.classification is not None and ga.classification.layer == "curated"
    (key,) = classified.storage
    assert kb.classify_storage("_gali", "www.example.fr") is None
    assert key.classification is not None and key.classification.layer == "community"
    assert key.classification.vendor == "Google Analytics"


def test_a_functional_listing_does_not_silence_the_behaviour_layer() -> None:
    kb = KnowledgeBase.builtin()
    assert kb.classify_cookie("cookiePreferences", ".example.fr") is None  # not in the curated base
    listed = kb.community.classify_name("cookiePreferences", "example.fr")
    assert listed is not None and (listed.category, listed.tracker) == ("functional", False)
    phase = PhaseResult(
        name="before",
        status="ok",
        cookies=(
            _cookie("cookiePreferences", ".example.fr", UUID, days=400),  # a persistent identifier
            _cookie("cookiePreferences", ".example.org", "analytics:0", days=400),  # a preference
        ),
    )
    judged, preference = classify_phase(phase, kb).cookies
    assert judged.classification is not None and judged.classification.layer == "behaviour"
    assert judged.classification.category == "unclassified-identifier"
    assert any("does not make it strictly necessary" in r for r in judged.classification.reasons)
    assert preference.classification == listed


def test_ocd_loads_lazily() -> None:
    code = (
        "import auditor.cli\n"
        "from auditor.knowledge import KnowledgeBase\n"
        "from auditor.knowledge.ocd import shipped_database\n"
        "KnowledgeBase.builtin()\n"
        "assert shipped_database.cache_info().currsize == 0\n"
        "KnowledgeBase.builtin().community.classify_name('AMP_x', 'example.fr')\n"
        "assert shipped_database.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_host_wide_filters_classify_third_party_cookies(matcher: FilterMatcher, tmp_path: Path) -> None:
    wide = matcher.classify_domain(".cdn.liste-deux.example")
    assert wide is not None and wide.matched == "second filter ||cdn.liste-deux.example^ (host-wide)"
    assert matcher.classify_domain("pixel.liste-test.example") is None  # an $image filter says nothing of cookies
    assert matcher.classify_domain("match.dsp-partenaire.io") is None  # a path filter neither
    body = (LISTS / "second-list.txt").read_bytes()
    update([DataSource("second", "test://second")], tmp_path, fetch=lambda _url, _timeout: body)
    kb = KnowledgeBase.load([], load_community(tmp_path))
    phase = PhaseResult(
        name="before",
        status="ok",
        cookies=(
            _cookie("xid", ".cdn.liste-deux.example", UUID, party="third"),
            _cookie("xid", ".www.example.fr", UUID, party="first"),  # first party: not judged by the lists
        ),
    )
    third, first = classify_phase(phase, kb).cookies
    assert third.classification is not None and third.classification.layer == "community"
    assert third.classification.tracker
    assert first.classification is not None and first.classification.layer == "behaviour"
