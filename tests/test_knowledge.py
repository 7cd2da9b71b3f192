"""The knowledge base: data quality, lookups, user extensions, validation errors, classify_site."""

from __future__ import annotations

import pickle
import re
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from auditor.knowledge import (
    CATEGORIES,
    DATA_DIR,
    UNCLASSIFIED_IDENTIFIER,
    UNKNOWN,
    CookieEntry,
    KnowledgeBase,
    TrackerEntry,
    classify_phase,
    classify_site,
    judge_cookie,
    judge_request,
    judge_storage,
    lifetime_days,
    value_shape,
)
from auditor.knowledge.entries import builtin_layer, load_layer
from auditor.model import Cookie, PhaseResult, Request, SiteResult, StorageItem
from auditor.party import registrable_domain
from auditor.yamlutil import ConfigError, load_schema, load_yaml

KB = KnowledgeBase.builtin()
URL = re.compile(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$")


# --- data quality -------------------------------------------------------------------------------


def test_counts() -> None:
    assert len({t.domain for t in KB.trackers}) >= 150
    assert len(KB.cookies) >= 150


def test_every_entry_cites_a_source_url() -> None:
    for t in KB.trackers:
        assert URL.match(t.source), t
    for c in KB.cookies:
        assert URL.match(c.source), c


def test_categories_are_in_the_closed_set() -> None:
    assert set(CATEGORIES) == {"advertising", "analytics", "social", "content", "consent", "functional", "necessary"}
    assert load_schema("knowledge.schema.json")["$defs"]["category"]["enum"] == list(CATEGORIES)
    for t in KB.trackers:
        assert t.category in CATEGORIES, t
    for c in KB.cookies:
        assert c.category in CATEGORIES, c


def test_consistency_of_flags() -> None:
    entries: list[TrackerEntry | CookieEntry] = [*KB.trackers, *KB.cookies]
    for entry in entries:
        if entry.category in ("consent", "necessary"):
            assert not entry.tracker, entry
        if entry.category == "advertising" and entry.tracker:
            assert not entry.exempt_possible, entry
    # The CNIL exemption never applies to Google Analytics.
    assert not any(c.exempt_possible for c in KB.cookies if c.vendor.startswith("Google"))
    assert not any(t.exempt_possible for t in KB.trackers if t.entity == "Google")


def test_the_builtin_files_are_valid_against_the_knowledge_schema() -> None:
    """The shipped files are loaded without the schema check at run time (``trusted``): it is done here."""
    paths = sorted(DATA_DIR.glob("*.yaml"))
    assert {p.name for p in paths} >= {"cookies.yaml", "storage.yaml", "trackers.yaml"}
    strict = load_layer(paths, "strict", short_labels=True)  # validated against the schema, or raises
    assert strict.trackers == builtin_layer().trackers
    assert strict.cookies == builtin_layer().cookies


def test_a_schema_error_in_a_user_knowledge_file_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "mine.yaml"
    bad.write_text("trackers:\n  - domains: [x.example]\n    entity: X\n    categroy: advertising\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_layer([bad], str(bad), short_labels=False)
    assert caught.value.file == str(bad) and caught.value.line == 4
    assert "categroy" in caught.value.message


def test_no_duplicate_keys_in_the_builtin_files() -> None:
    trackers: Counter[tuple[str, str | None]] = Counter()
    cookies: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    for path in sorted(DATA_DIR.glob("*.yaml")):
        data = load_yaml(path).data
        for item in data.get("trackers") or ():
            for domain in item["domains"]:
                for p in item.get("paths") or [None]:
                    trackers[(domain, p)] += 1
        for item in data.get("cookies") or ():
            cookies[(item["name"], item.get("match", "exact"), tuple(sorted(item.get("domains") or ())))] += 1
    assert [k for k, n in trackers.items() if n > 1] == []
    assert [k for k, n in cookies.items() if n > 1] == []
    assert len(KB.trackers) == sum(trackers.values())
    assert len(KB.cookies) == sum(cookies.values())


def test_generic_cookie_names_are_domain_restricted() -> None:
    for name in ("uid", "fr", "mc", "pid", "i", "C", "sess", "lang", "optout", "audit", "uuid", "IDE", "NID"):
        entries = [c for c in KB.cookies if c.name == name and c.match == "exact"]
        assert entries and all(c.domains for c in entries), name


def test_lifetimes_parse() -> None:
    assert lifetime_days("13 months") == pytest.approx(395.7, abs=0.1)
    assert lifetime_days("session") is None
    assert lifetime_days(None) is None
    assert lifetime_days("1 minute") == pytest.approx(1 / 1440)
    for c in KB.cookies:
        if c.lifetime and c.lifetime != "session":
            assert c.lifetime_days and c.lifetime_days > 0


# --- lookups ------------------------------------------------------------------------------------

HOSTS = [
    # host, entity, vendor (None: any), category, tracker
    ("stats.g.doubleclick.net", "Google", None, "advertising", True),
    ("securepubads.g.doubleclick.net", "Google", None, "advertising", True),
    ("www.google-analytics.com", "Google", "Google Analytics", "analytics", True),
    ("region1.analytics.google.com", "Google", "Google Analytics", "analytics", True),
    ("www.googletagmanager.com", "Google", "Google Tag Manager", "functional", False),
    ("pagead2.googlesyndication.com", "Google", None, "advertising", True),
    ("fonts.gstatic.com", "Google", None, "functional", False),
    ("fonts.googleapis.com", "Google", None, "functional", False),
    ("imasdk.googleapis.com", "Google", "Google IMA SDK", "advertising", True),
    ("connect.facebook.net", "Meta", None, "social", True),
    ("static.xx.fbcdn.net", "Meta", None, "content", False),
    ("snap.licdn.com", "Microsoft", "LinkedIn Insight Tag", "advertising", True),
    ("px.ads.linkedin.com", "Microsoft", "LinkedIn Insight Tag", "advertising", True),
    ("static.licdn.com", "Microsoft", "LinkedIn", "content", False),
    ("bat.bing.com", "Microsoft", "Microsoft Advertising UET", "advertising", True),
    ("ib.adnxs.com", "Microsoft", "Xandr (AppNexus)", "advertising", True),
    ("gum.criteo.com", "Criteo", "Criteo", "advertising", True),
    ("logs1412.xiti.com", "Piano", None, "analytics", True),
    ("sdk.privacy-center.org", "Didomi", None, "consent", False),
    ("cdn.cookielaw.org", "OneTrust", None, "consent", False),
    ("sb.scorecardresearch.com", "Comscore", None, "analytics", True),
    ("WWW.GOOGLE-ANALYTICS.COM.", "Google", "Google Analytics", "analytics", True),
]


@pytest.mark.parametrize(("host", "entity", "vendor", "category", "tracker"), HOSTS)
def test_classify_host(host: str, entity: str, vendor: str | None, category: str, tracker: bool) -> None:
    found = KB.classify_host(host)
    assert found is not None
    assert (found.entity, found.category, found.tracker) == (entity, category, tracker)
    if vendor is not None:
        assert found.vendor == vendor
    assert found.source and found.source.startswith("https://")


def test_piano_hosts_may_be_exempt_but_not_google_analytics() -> None:
    piano = KB.classify_host("tag.aticdn.net")
    assert piano is not None and piano.exempt_possible
    ga = KB.classify_host("www.google-analytics.com")
    assert ga is not None and not ga.exempt_possible


def test_unknown_hosts() -> None:
    assert KB.classify_host("www.example.fr") is None
    assert KB.classify_host("") is None
    assert KB.classify_host("127.0.0.1") is None
    # Suffix matching is label-wise: a look-alike domain does not match.
    assert KB.classify_host("notdoubleclick.net") is None
    assert KB.classify_host("doubleclick.net.evil.example") is None


URLS = [
    ("https://www.google.com/recaptcha/api.js", "reCAPTCHA", "functional", False),
    ("https://www.google.com/pagead/1p-user-list/123/?random=1", "Google Ads", "advertising", True),
    ("https://www.google.fr/ads/ga-audiences?v=1", "Google Ads", "advertising", True),
    ("https://www.google.com/maps/embed?pb=x", "Google", "content", True),
    ("https://www.facebook.com/tr?id=1&ev=PageView", "Meta Pixel", "advertising", True),
    ("https://www.facebook.com/plugins/like.php", "Facebook", "social", True),
    ("https://connect.facebook.net/signals/config/123", "Meta Pixel", "advertising", True),
    ("https://www.redditstatic.com/ads/pixel.js", "Reddit Pixel", "advertising", True),
]


@pytest.mark.parametrize(("url", "vendor", "category", "tracker"), URLS)
def test_classify_url_uses_paths(url: str, vendor: str, category: str, tracker: bool) -> None:
    found = KB.classify_url(url)
    assert found is not None
    assert (found.vendor, found.category, found.tracker) == (vendor, category, tracker)


def test_classify_url_ignores_unparsable_urls() -> None:
    assert KB.classify_url("data:text/plain,hello") is None
    assert KB.classify_url("http://[::1") is None


COOKIES = [
    # name, domain, entity, vendor (None: any), category, tracker, exempt_possible
    ("_ga", ".lemonde.fr", "Google", "Google Analytics", "analytics", True, False),
    ("_ga_ABC123", ".lemonde.fr", "Google", "Google Analytics", "analytics", True, False),
    ("_gid", ".lemonde.fr", "Google", "Google Analytics", "analytics", True, False),
    ("_gat_UA-1234-1", ".lemonde.fr", "Google", "Google Analytics", "analytics", True, False),
    ("_gcl_au", ".lemonde.fr", "Google", "Google Ads", "advertising", True, False),
    ("__gads", ".lemonde.fr", "Google", None, "advertising", True, False),
    ("IDE", ".doubleclick.net", "Google", "Google Marketing Platform", "advertising", True, False),
    ("test_cookie", ".doubleclick.net", "Google", None, "advertising", False, False),
    ("uid", ".criteo.com", "Criteo", "Criteo", "advertising", True, False),
    ("cto_bundle", ".lemonde.fr", "Criteo", "Criteo", "advertising", True, False),
    ("_fbp", ".lemonde.fr", "Meta", "Meta Pixel", "advertising", True, False),
    ("fr", ".facebook.com", "Meta", "Facebook", "advertising", True, False),
    ("_pcid", ".lemonde.fr", "Piano", "Piano Analytics", "analytics", True, True),
    ("_pctx", ".lemonde.fr", "Piano", "Piano Analytics", "analytics", True, True),
    ("atuserid", ".lefigaro.fr", "Piano", None, "analytics", True, True),
    ("_pk_id.1.a1b2", "www.example.fr", "Matomo", None, "analytics", True, True),
    ("_pk_ses.1.a1b2", "www.example.fr", "Matomo", None, "analytics", True, True),
    ("_hjSessionUser_123456", ".example.fr", "Contentsquare", "Hotjar", "analytics", True, False),
    ("AMCV_ABC123%40AdobeOrg", ".example.fr", "Adobe", None, "analytics", True, False),
    ("MUID", ".bing.com", "Microsoft", None, "advertising", True, False),
    ("euconsent-v2", ".lemonde.fr", "IAB Europe", None, "consent", False, False),
    ("didomi_token", ".lemonde.fr", "Didomi", None, "consent", False, False),
    ("OptanonConsent", ".example.com", "OneTrust", None, "consent", False, False),
    ("axeptio_cookies", ".example.fr", "Axeptio", None, "consent", False, False),
    ("PHPSESSID", "www.example.fr", "PHP", None, "necessary", False, False),
    ("JSESSIONID", "www.example.fr", "Jakarta EE", None, "necessary", False, False),
    ("__cf_bm", ".example.fr", "Cloudflare", None, "necessary", False, False),
    ("AWSALBCORS", "www.example.fr", "Amazon", None, "necessary", False, False),
    ("SSESS0123456789abcdef0123456789abcdef", ".example.fr", "Drupal", None, "necessary", False, False),
    ("__Secure-3PSID", ".google.com", "Google", None, "advertising", True, False),
    ("SID", ".google.com", "Google", "Google Account", "functional", False, False),
]


@pytest.mark.parametrize(("name", "domain", "entity", "vendor", "category", "tracker", "exempt"), COOKIES)
def test_classify_cookie(
    name: str, domain: str, entity: str, vendor: str | None, category: str, tracker: bool, exempt: bool
) -> None:
    found = KB.classify_cookie(name, domain)
    assert found is not None, name
    assert (found.entity, found.category, found.tracker, found.exempt_possible) == (entity, category, tracker, exempt)
    if vendor is not None:
        assert found.vendor == vendor
    assert found.purpose and found.source


def test_domain_restrictions_are_respected() -> None:
    assert KB.classify_cookie("uid", ".example.fr") is None
    assert KB.classify_cookie("fr", "www.example.fr") is None
    assert KB.classify_cookie("IDE", ".example.fr") is None
    adform = KB.classify_cookie("uid", ".adform.net")
    assert adform is not None and adform.entity == "Adform"
    # Subdomains of a restricted domain match; look-alikes do not.
    sub = KB.classify_cookie("uid", "gum.criteo.com")
    assert sub is not None and sub.entity == "Criteo"
    assert KB.classify_cookie("uid", "notcriteo.com") is None


def test_unlisted_cookie_falls_back_to_its_domain() -> None:
    found = KB.classify_cookie("some_new_cookie", ".doubleclick.net")
    assert found is not None
    assert (found.entity, found.category, found.tracker) == ("Google", "advertising", True)
    assert found.purpose and "not listed" in found.purpose
    assert KB.classify_cookie("some_new_cookie", "www.example.fr") is None


def test_lookup_cookie_explains_the_match() -> None:
    entry = KB.lookup_cookie("_ga_XYZ", ".example.fr")
    assert entry is not None and (entry.name, entry.match) == ("_ga_*", "glob")
    assert entry.origin.startswith("cookies.yaml:")
    # Most specific pattern first: _hjSessionUser_* beats the generic _hj prefix.
    hj = KB.lookup_cookie("_hjSessionUser_1", ".example.fr")
    assert hj is not None and hj.name == "_hjSessionUser_*"
    generic = KB.lookup_cookie("_hjSomethingNew", ".example.fr")
    assert generic is not None and (generic.name, generic.match) == ("_hj", "prefix")
    assert KB.lookup_cookie("no_such_cookie", ".example.fr") is None


def test_builtin_is_cached() -> None:
    assert KnowledgeBase.builtin() is KB
    assert KnowledgeBase.load() is KB


def test_pickles_for_distributed_workers(tmp_path: Path) -> None:
    assert pickle.loads(pickle.dumps(KB)) is KB  # the receiver uses its own cached built-in base
    extra = write(
        tmp_path,
        "p.yaml",
        f"""\
        trackers:
          - {{domains: [a.example], entity: A, category: functional, tracker: false, description: d, source: "{SRC}"}}
        """,
    )
    kb = pickle.loads(pickle.dumps(KnowledgeBase.load([extra])))
    found = kb.classify_host("cdn.a.example")
    assert found is not None and found.entity == "A"
    assert kb.classify_cookie("_ga", ".x.fr") == KB.classify_cookie("_ga", ".x.fr")


# --- user extensions ----------------------------------------------------------------------------

SRC = "https://example.org/docs"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_user_file_overrides_and_adds(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        "mine.yaml",
        f"""\
        version: 1
        trackers:
          - domains: [cdn.mysite-assets.fr]
            entity: My Site
            category: functional
            tracker: false
            description: Our own CDN on another domain.
            source: {SRC}
          - domains: [chartbeat.com, chartbeat.net]
            entity: Chartbeat
            vendor: Chartbeat (cookieless setup)
            category: analytics
            tracker: false
            description: We run Chartbeat with noCookies.
            source: {SRC}
        cookies:
          - name: _ga
            entity: Google
            vendor: Google Analytics
            category: analytics
            tracker: true
            purpose: Overridden purpose.
            lifetime: 13 months
            source: {SRC}
          - name: mysite_pref_
            match: prefix
            entity: My Site
            category: functional
            tracker: false
            purpose: Display preferences.
            source: {SRC}
        """,
    )
    kb = KnowledgeBase.load([extra])
    assert kb is not KB and kb.sources == ("builtin", str(extra))
    added = kb.classify_host("img.cdn.mysite-assets.fr")
    assert added is not None and (added.entity, added.category) == ("My Site", "functional")
    overridden = kb.classify_host("static.chartbeat.com")
    assert overridden is not None and overridden.vendor == "Chartbeat (cookieless setup)" and not overridden.tracker
    ga = kb.classify_cookie("_ga", ".example.fr")
    assert ga is not None and ga.purpose == "Overridden purpose." and ga.source == SRC
    entry = kb.lookup_cookie("_ga", ".example.fr")
    assert entry is not None and entry.origin.startswith(str(extra) + ":") and entry.lifetime == "13 months"
    pref = kb.classify_cookie("mysite_pref_theme", "www.mysite.fr")
    assert pref is not None and pref.category == "functional"
    # Everything else is still there; the built-in base is untouched.
    assert len(kb.cookies) == len(KB.cookies) + 1
    assert len(kb.trackers) == len(KB.trackers) + 1
    builtin_ga = KB.classify_cookie("_ga", ".example.fr")
    assert builtin_ga is not None and builtin_ga.purpose != "Overridden purpose."


def test_later_user_files_win(tmp_path: Path) -> None:
    def body(who: str) -> str:
        return f"""\
        cookies:
          - {{name: my_id, entity: {who}, category: analytics, tracker: true, purpose: x, source: "{SRC}"}}
        """

    a = write(tmp_path, "a.yaml", body("First"))
    b = write(tmp_path, "b.yaml", body("Second"))
    found = KnowledgeBase.load([a, b]).classify_cookie("my_id", "x.fr")
    assert found is not None and found.entity == "Second"


def test_user_regex_and_glob(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        "re.yaml",
        f"""\
        cookies:
          - name: 'sess_[0-9]{{4}}'
            match: regex
            entity: My Site
            category: necessary
            tracker: false
            purpose: Session.
            source: {SRC}
          - name: 'ab_?_test'
            match: glob
            domains: [mysite.fr]
            entity: My Site
            category: analytics
            tracker: true
            purpose: A/B bucket.
            source: {SRC}
        """,
    )
    kb = KnowledgeBase.load([extra])
    sess = kb.classify_cookie("sess_1234", "www.mysite.fr")
    assert sess is not None and sess.category == "necessary"
    assert kb.classify_cookie("sess_12345", "www.mysite.fr") is None  # full match only
    ab = kb.classify_cookie("ab_x_test", "www.mysite.fr")
    assert ab is not None and ab.category == "analytics"
    assert kb.classify_cookie("ab_x_test", "www.other.fr") is None


BROKEN = [
    (
        "unknown key",
        """\
        trackers:
          - domains: [x.example]
            entity: X
            category: advertising
            tracker: true
            descripton: typo
            description: ok
            source: https://example.org/
        """,
        6,
        "unknown key 'descripton'",
    ),
    (
        "bad category",
        """\
        cookies:
          - name: a
            entity: X
            category: marketing
            tracker: true
            purpose: p
            source: https://example.org/
        """,
        4,
        '"marketing" is not one of',
    ),
    (
        "bad regex",
        """\
        cookies:
          - name: ok
            entity: X
            category: analytics
            tracker: true
            purpose: p
            source: https://example.org/
          - name: '([a-z'
            match: regex
            entity: X
            category: analytics
            tracker: true
            purpose: p
            source: https://example.org/
        """,
        8,
        "invalid regex",
    ),
    (
        "wildcard in an exact name",
        """\
        cookies:
          - name: _foo_*
            entity: X
            category: analytics
            tracker: true
            purpose: p
            source: https://example.org/
        """,
        2,
        "use match: glob",
    ),
    (
        "missing source",
        """\
        trackers:
          - domains: [x.example]
            entity: X
            category: advertising
            tracker: true
            description: d
        """,
        2,
        "'source' is a required property",
    ),
    (
        "source not https",
        """\
        trackers:
          - domains: [x.example]
            entity: X
            category: advertising
            tracker: true
            description: d
            source: see the vendor site
        """,
        7,
        "does not match",
    ),
    (
        "upper-case domain",
        """\
        trackers:
          - domains: [X.Example]
            entity: X
            category: advertising
            tracker: true
            description: d
            source: https://example.org/
        """,
        2,
        "does not match",
    ),
    (
        "duplicate in one file",
        """\
        trackers:
          - domains: [x.example]
            entity: X
            category: advertising
            tracker: true
            description: d
            source: https://example.org/
          - domains: [y.example, x.example]
            entity: X
            category: advertising
            tracker: true
            description: d
            source: https://example.org/
        """,
        8,
        "already defined",
    ),
    (
        "duplicate mapping key",
        """\
        cookies:
          - name: a
            name: b
        """,
        3,
        "duplicate key 'name'",
    ),
    (
        "bad lifetime",
        """\
        cookies:
          - name: a
            entity: X
            category: analytics
            tracker: true
            purpose: p
            lifetime: forever
            source: https://example.org/
        """,
        7,
        "does not match",
    ),
]


@pytest.mark.parametrize(("text", "line", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_user_file_names_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = write(tmp_path, "broken.yaml", text)
    with pytest.raises(ConfigError) as info:
        KnowledgeBase.load([path])
    err = info.value
    assert err.file == str(path)
    assert err.line == line, str(err)
    assert message in err.message, str(err)
    assert str(err).startswith(f"{path}:{line}: ")


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        KnowledgeBase.load([tmp_path / "nope.yaml"])


# --- classify_site ------------------------------------------------------------------------------


def cookie(name: str, domain: str, party: str) -> Cookie:
    return Cookie(
        name=name,
        value="v",
        domain=domain,
        path="/",
        expires=None,
        lifetime_days=None,
        secure=True,
        http_only=False,
        same_site="Lax",
        party=party,  # type: ignore[arg-type]
        registrable_domain=domain.lstrip(".").split(".", 1)[-1] if domain.count(".") > 1 else domain.lstrip("."),
        set_by="script",
    )


def request(url: str, host: str, party: str) -> Request:
    return Request(
        url=url,
        host=host,
        resource_type="script",
        method="GET",
        party=party,  # type: ignore[arg-type]
        registrable_domain=host,
    )


def test_classify_site() -> None:
    before = PhaseResult(
        name="before",
        status="ok",
        cookies=(
            cookie("_ga", ".lemonde.fr", "first"),
            cookie("_pcid", ".lemonde.fr", "first"),
            cookie("my_own_pref", "www.lemonde.fr", "first"),
            cookie("IDE", ".doubleclick.net", "third"),
            cookie("mystery", ".unknown-tracker.example", "third"),
        ),
        requests=(
            request("https://www.lemonde.fr/", "www.lemonde.fr", "first"),
            request("https://www.google-analytics.com/g/collect?v=2", "www.google-analytics.com", "third"),
            request("https://www.google.com/recaptcha/api.js", "www.google.com", "third"),
            request("https://cdn.unknown-tracker.example/t.js", "cdn.unknown-tracker.example", "third"),
        ),
    )
    reject = PhaseResult(name="reject", status="error", error="no banner")
    site = SiteResult(url="https://www.lemonde.fr/", status="ok", phases={"before": before, "reject": reject})

    out = classify_site(site)

    assert out is not site and site.phases["before"].cookies[0].classification is None  # input untouched
    cookies = {c.name: c.classification for c in out.phases["before"].cookies}
    assert cookies["_ga"] is not None and cookies["_ga"].vendor == "Google Analytics"
    assert cookies["_pcid"] is not None and cookies["_pcid"].exempt_possible
    assert cookies["my_own_pref"] is None  # first-party unknown: may stay None
    assert cookies["IDE"] is not None and cookies["IDE"].category == "advertising"
    assert cookies["mystery"] == UNKNOWN  # third-party unknown: reported, never dropped
    assert UNKNOWN.category == "unknown" and UNKNOWN.entity is None and not UNKNOWN.tracker
    requests = [r.classification for r in out.phases["before"].requests]
    assert requests[0] is None
    assert requests[1] is not None and requests[1].category == "analytics"
    assert requests[2] is not None and requests[2].vendor == "reCAPTCHA"
    assert requests[3] == UNKNOWN
    assert len(out.phases["before"].cookies) == 5 and len(out.phases["before"].requests) == 4
    # Phases without evidence are kept as they are; classifying twice changes nothing.
    assert out.phases["reject"] is reject
    assert classify_site(out) is out


def test_classify_site_with_a_custom_knowledge_base(tmp_path: Path) -> None:
    extra = write(
        tmp_path,
        "k.yaml",
        f"""\
        trackers:
          - domains: [unknown-tracker.example]
            entity: Acme
            category: advertising
            tracker: true
            description: Acme ads.
            source: {SRC}
        """,
    )
    phase = PhaseResult(
        name="accept",
        status="ok",
        requests=(request("https://cdn.unknown-tracker.example/t.js", "cdn.unknown-tracker.example", "third"),),
    )
    site = SiteResult(url="https://www.example.fr/", status="ok", phases={"accept": phase})
    out = classify_site(site, KnowledgeBase.load([extra]))
    found = out.phases["accept"].requests[0].classification
    assert found is not None and found.entity == "Acme"


def test_classify_site_classifies_set_cookie_headers_by_cookie_name() -> None:
    from auditor.model import PhaseResult, SetCookieHeader, SiteResult

    header = SetCookieHeader(
        name="_ga",
        domain="lemonde.fr",
        url="https://www.lemonde.fr/",
        host="www.lemonde.fr",
        party="first",
        stored=True,
    )
    site = SiteResult(
        url="https://www.lemonde.fr/",
        status="ok",
        phases={"before": PhaseResult(name="before", status="ok", set_cookie_headers=(header,))},
    )
    classified = classify_site(site).phases["before"].set_cookie_headers[0].classification
    assert classified is not None and classified.vendor == "Google Analytics" and classified.tracker


# --- storage keys, layers and precedence ----------------------------------------------------------


def test_storage_entries_cite_sources_and_keep_consent_apart() -> None:
    assert len(KB.storage) >= 15
    for entry in KB.storage:
        assert URL.match(entry.source), entry
        assert entry.category in CATEGORIES, entry
        if entry.category in ("consent", "necessary"):
            assert not entry.tracker, entry


@pytest.mark.parametrize(
    ("key", "host", "vendor", "category", "tracker"),
    [
        ("_hjSessionUser_3172651", "www.example.fr", "Hotjar", "analytics", True),
        ("AMP_4a5b6c7d8e", "www.example.fr", "Amplitude Analytics", "analytics", True),
        ("mp_0123abcd_mixpanel", "www.example.fr", "Mixpanel", "analytics", True),
        ("ajs_anonymous_id", "www.example.fr", "Segment", "analytics", True),
        ("tt_sessionId", "www.example.fr", "TikTok Pixel", "advertising", True),
        ("cto_bundle", "www.example.fr", "Criteo", "advertising", True),
        ("permutive-id", "www.example.fr", "Permutive", "advertising", True),
        ("didomi_token", "www.example.fr", "Didomi CMP", "consent", False),
        ("yt-remote-device-id", "www.youtube.com", None, None, None),  # unlisted key: the host decides
    ],
)
def test_storage_keys_are_classified(
    key: str, host: str, vendor: str | None, category: str | None, tracker: bool | None
) -> None:
    found = KB.classify_storage(key, host)
    assert found is not None
    if vendor is None:
        assert found == KB.classify_storage("anything-else", host)
        assert found.entity == KB.classify_host(host).entity  # type: ignore[union-attr]
        return
    assert (found.vendor, found.category, found.tracker, found.layer) == (vendor, category, tracker, "curated")
    assert found.matched is not None and "storage.yaml" in found.matched
    assert KB.classify_storage("theme", "www.example.fr") is None


def test_a_tracker_domain_beats_a_generic_name() -> None:
    generic = KB.classify_cookie("consent", ".example.fr")
    assert generic is not None and generic.category == "consent"
    on_adtech = KB.classify_cookie("consent", ".doubleclick.net")
    assert on_adtech is not None
    assert (on_adtech.entity, on_adtech.category, on_adtech.tracker) == ("Google", "advertising", True)
    assert "generic name" in (on_adtech.purpose or "")
    session = KB.classify_cookie("sessionid", ".criteo.com")
    assert session is not None and (session.entity, session.category) == ("Criteo", "advertising")
    unlisted = KB.classify_cookie("id", ".doubleclick.net")
    assert unlisted is not None and unlisted.entity == "Google" and unlisted.tracker
    # A name restricted to the domain, or of the same company, keeps its own entry.
    ide = KB.classify_cookie("IDE", ".doubleclick.net")
    assert ide is not None and ide.matched is not None and ide.matched.startswith("IDE (exact")


def test_a_user_file_outranks_the_tracker_domain(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "cookies:\n"
        "  - {name: consent, entity: Publisher, category: consent, tracker: false, purpose: Our banner's choice.,"
        ' source: "https://www.example.fr/cookies"}\n',
        encoding="utf-8",
    )
    kb = KnowledgeBase.load([mine])
    found = kb.classify_cookie("consent", ".doubleclick.net")
    assert found is not None and (found.category, found.layer) == ("consent", "user")
    assert KB.classify_cookie("consent", ".doubleclick.net").layer == "curated"  # type: ignore[union-attr]


# --- the behaviour layer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "5f0c2e9a7b4d4c1e8a3f6b2d9e7c1a40",
        "8c1f0e7d-2b3a-4c5d-9e8f-7a6b5c4d3e2f",
        "AHWqTUm3Kd8Lm2pQ7rT1vW4yZ0bC3eF6hJ",
        "GA1.1.1234567890.1764601472",
        "48291057361928",
        '{"id":"8b1a9953c4611296a7","created":1764601472000}',
        "%224e9b2c7a-1d3f-4a8e-b6c5-0f9e8d7c6b5a%22",
    ],
)
def test_identifier_like_values(value: str) -> None:
    shape = value_shape(value)
    assert shape.identifier, shape
    assert shape.length == len(value)


@pytest.mark.parametrize(
    "value",
    ["1", "0", "true", "yes", "rejected", "fr", "fr-FR", "en_GB", "1764601472", "1764601472123",
     "2026-12-01T15:04:32.000Z", "dark", '{"theme":"dark","fontSize":14}', "ThisIsMyPreferenceValue",
     "aaaaaaaaaaaaaaaa1111", "", "12345"],
)  # fmt: skip
def test_flags_locales_timestamps_and_words_are_not_identifiers(value: str) -> None:
    assert not value_shape(value).identifier, value_shape(value)


def _cookie(
    name: str, domain: str, value: str, *, party: str, days: float | None = 390.0, same_site: str = "None"
) -> Cookie:
    return Cookie(
        name=name,
        value=value,
        domain=domain,
        path="/",
        expires=None if days is None else 1_900_000_000.0,
        lifetime_days=days,
        secure=True,
        http_only=True,
        same_site=same_site,
        party=party,  # type: ignore[arg-type]
        registrable_domain=registrable_domain(domain.lstrip(".")),
        set_by="header",
    )


ID = "5f0c2e9a7b4d4c1e8a3f6b2d9e7c1a40"


def test_judge_cookie_flags_an_unknown_ad_networks_identifier() -> None:
    found = judge_cookie(_cookie("vid", ".adnexo-regie.net", ID, party="third"), ["match.dsp-partenaire.io"])
    assert found is not None
    assert (found.category, found.layer, found.entity, found.tracker) == (
        UNCLASSIFIED_IDENTIFIER,
        "behaviour",
        None,
        False,
    )
    assert "persistent (390 days)" in found.reasons
    assert "SameSite=None (sent in cross-site requests)" in found.reasons
    assert "value sent to match.dsp-partenaire.io (ID syncing)" in found.reasons
    first = judge_cookie(_cookie("visitor", ".example.fr", ID, party="first", days=395, same_site="Lax"))
    assert first is not None and first.category == UNCLASSIFIED_IDENTIFIER


@pytest.mark.parametrize(
    ("name", "value", "party", "days", "same_site"),
    [
        ("PHPSESSID", "9k2j4h6g8f0d1s3a5p7o9i2u4y", "first", None, "Lax"),
        ("csrftoken", "Xk29fJ3mQ8vL1pZ7rT4wY6bN0cH5dG2s", "first", 365.0, "Lax"),
        ("AWSALB", "Qm9B1xK7vR3tY8wZ2pL5nC0dF4hJ6gS9", "first", 7.0, "None"),
        ("app_session", ID, "first", 30.0, "Lax"),
        ("consent", "rejected", "first", 180.0, "Lax"),
        ("lang", "fr", "third", 390.0, "None"),
        ("seen", "1", "third", 390.0, "None"),
        ("optin", "true", "third", 390.0, "None"),
        ("cart_id", ID, "first", 90.0, "Lax"),
        ("tab", ID, "first", 7.0, "Lax"),  # a first-party identifier kept a week: a visit, not tracking
        ("lb_route", ID, "third", None, "Lax"),  # a third-party session cookie, not sent cross-site
    ],
)
def test_judge_cookie_leaves_technical_and_flag_cookies_alone(
    name: str, value: str, party: str, days: float | None, same_site: str
) -> None:
    domain = ".example.fr" if party == "first" else ".widgets-inconnus.com"
    assert judge_cookie(_cookie(name, domain, value, party=party, days=days, same_site=same_site)) is None


def _request(url: str, *, status: int = 200, content_type: str | None = None, size: int | None = None) -> Request:
    host = url.split("/")[2]
    return Request(url, host, "image", "GET", "third", host.split(".", 1)[1], status=status,
                   content_type=content_type, body_size=size)  # fmt: skip


def test_judge_request_spots_beacons_with_identifiers_only() -> None:
    beacon = judge_request(_request(f"https://t.unknown.io/b?e=pv&cid={ID}", status=204, size=0))
    assert beacon is not None and "query parameter 'cid'" in beacon.reasons[0]
    pixel = judge_request(_request(f"https://t.unknown.io/p.gif?u={ID}", content_type="image/gif", size=42))
    assert pixel is not None
    assert judge_request(_request("https://t.unknown.io/b?e=pv&v=3", status=204, size=0)) is None
    assert (
        judge_request(_request(f"https://img.unknown.io/a.jpg?k={ID}", content_type="image/jpeg", size=80412)) is None
    )
    synced = judge_request(_request("https://x.unknown.io/page"), ("vid", "adnexo-regie.net"))
    assert synced is not None and "ID syncing" in synced.reasons[0]


def _item(key: str, value: str, *, kind: str = "local", party: str = "first") -> StorageItem:
    origin = "https://www.example.fr" if party == "first" else "https://ads.adnexo-regie.net"
    return StorageItem(origin, kind, key, len(value), party, shape=value_shape(value))  # type: ignore[arg-type]


def test_judge_storage() -> None:
    assert judge_storage(_item("device_uid", "4e9b2c7a-1d3f-4a8e-b6c5-0f9e8d7c6b5a")) is not None
    assert judge_storage(_item("slot", ID, kind="session", party="third")) is not None
    assert judge_storage(_item("theme", "dark")) is None
    assert judge_storage(_item("csrf_token", ID)) is None
    assert judge_storage(_item("tab_id", ID, kind="session")) is None
    assert judge_storage(StorageItem("https://www.example.fr", "local", "old", 32, "first")) is None  # no shape


def test_classify_phase_links_a_synced_cookie_and_its_request() -> None:
    phase = PhaseResult(
        name="before",
        status="ok",
        cookies=(_cookie("vid", ".adnexo-regie.net", ID, party="third", same_site="Lax", days=None),),
        requests=(_request(f"https://match.dsp-partenaire.io/sync?puid={ID}", content_type="text/html", size=900),),
    )
    out = classify_phase(phase, KB)
    cookie, request = out.cookies[0].classification, out.requests[0].classification
    assert cookie is not None and "value sent to match.dsp-partenaire.io (ID syncing)" in cookie.reasons
    assert request is not None and request.category == UNCLASSIFIED_IDENTIFIER
    assert classify_phase(out, KB) is out  # classifying again changes nothing


def test_an_unknown_host_receiving_a_known_trackers_identifier_is_id_syncing() -> None:
    uid = "0c7a3b5e-1f2d-4e6a-9b8c-7d5e4f3a2b1c"
    phase = PhaseResult(
        name="before",
        status="ok",
        cookies=(_cookie("uid", ".criteo.com", uid, party="third"),),
        requests=(_request(f"https://sync.dsp-inconnu.io/m?c={uid}", content_type="text/html", size=900),),
    )
    out = classify_phase(phase, KB)
    assert out.cookies[0].classification is not None and out.cookies[0].classification.entity == "Criteo"
    request = out.requests[0].classification
    assert request is not None and request.category == UNCLASSIFIED_IDENTIFIER
    assert request.reasons == ("carries the value of cookie uid of criteo.com (ID syncing)",)
