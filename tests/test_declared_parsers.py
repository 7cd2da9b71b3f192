"""The readers of a site's declarations on saved text (no browser): durations, categories, cookie tables in
French, English and German, banner promises, consent-manager readings, the draft and the pack it writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.declared import DraftInputs, PolicyPage, draft_policy, pack_data, pack_yaml
from auditor.declared.cmpconfig import parse_cmp_config
from auditor.declared.promises import find_promises
from auditor.declared.tables import cookie_names, policy_links, read_tables
from auditor.declared.words import category_of, parse_duration
from auditor.policy import load_rules
from auditor.policy.schema import rulepack_schema
from auditor.yamlutil import LoadedYaml, validate

SITES = Path(__file__).parent / "fixtures" / "sites"


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("13 mois", 395.72),
        ("1 an et 1 mois", 395.69),
        ("2 years", 730.5),
        ("24 heures", 1.0),
        ("Session", 0.0),
        ("Fin de la session", 0.0),
        ("6 Monate", 182.64),
        ("90 Tage", 90.0),
        ("1 Jahr", 365.25),
        ("un an", 365.25),
        ("n/a", None),
    ],
)
def test_durations(text: str, days: float | None) -> None:
    assert parse_duration(text) == days


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Strictement nécessaire", "necessary"),
        ("Technisch notwendig", "necessary"),
        ("Mesure d'audience", "analytics"),
        ("Statistiken", "analytics"),
        ("Piano Analytics, exemptée de consentement", "analytics"),
        ("Publicité ciblée", "advertising"),
        ("Marketing", "advertising"),
        ("Réseaux sociaux", "social"),
        ("Mémorise votre choix", "consent"),
        ("Préférences", "functional"),
        ("Google", None),
    ],
)
def test_categories(text: str, category: str | None) -> None:
    assert category_of(text) == category


def test_cookie_names_in_a_cell() -> None:
    assert cookie_names("_ga, _ga_<ID>") == ["_ga", "_ga_*"]
    assert cookie_names("_ga_XXXXXXX") == ["_ga_*"]
    assert cookie_names("IDE (DoubleClick)") == ["IDE"]
    assert cookie_names("_pk_id.* / _pk_ses.*") == ["_pk_id.*", "_pk_ses.*"]


def test_the_fixture_policy_tables() -> None:
    html = (SITES / "www.politique-fidele.fr" / "politique-cookies.html").read_text(encoding="utf-8")
    reading = read_tables(html, "https://www.politique-fidele.fr/politique-cookies")
    rows = {r.name: r for r in reading.rows}
    assert list(rows) == ["PHPSESSID", "consent", "_pcid", "_ga", "_ga_*", "_fbp", "fr"]
    assert (rows["PHPSESSID"].category, rows["PHPSESSID"].lifetime_days) == ("necessary", 0.0)
    assert (rows["consent"].category, rows["consent"].lifetime_days) == ("consent", 182.64)
    # the purpose says nothing of the category: the heading the table sits under does
    assert (rows["_fbp"].category, rows["_fbp"].lifetime_days, rows["fr"].domain) == (
        "advertising",
        91.32,
        "facebook.com",
    )
    assert rows["_ga_*"].row == "_ga, _ga_<ID> | politique-fidele.fr | Google Analytics, avec votre accord | 13 mois"
    assert reading.problems == ()


ENGLISH = """<html><body><h2>Cookies we use</h2><table>
<thead><tr><th>Cookie name</th><th>Provider</th><th>Purpose</th><th>Expiry</th></tr></thead>
<tbody><tr><td>_gcl_au</td><td>Google Ads</td><td>Advertising conversion</td><td>3 months</td></tr>
<tr><td>csrftoken</td><td>example.com</td><td>Security (strictly necessary)</td><td>1 year</td></tr></tbody>
</table></body></html>"""

GERMAN = """<html><body><h3>Statistik-Cookies</h3><table>
<tr><th>Name</th><th>Anbieter</th><th>Zweck</th><th>Speicherdauer</th></tr>
<tr><td>_pk_id.*</td><td>Matomo</td><td>Speichert eine Besucher-ID</td><td>13 Monate</td></tr>
</table></body></html>"""


def test_english_and_german_tables() -> None:
    en = read_tables(ENGLISH, "https://example.com/cookies").rows
    assert [(r.name, r.category, r.lifetime_days, r.vendor) for r in en] == [
        ("_gcl_au", "advertising", 91.32, "Google Ads"),
        ("csrftoken", "necessary", 365.25, "example.com"),
    ]
    de = read_tables(GERMAN, "https://beispiel.de/datenschutz").rows
    assert [(r.name, r.category, r.lifetime_days) for r in de] == [("_pk_id.*", "analytics", 395.72)]


def test_a_cookie_table_without_a_name_column_is_a_problem_not_an_empty_list() -> None:
    html = "<h2>Cookies</h2><table><tr><th>Finalité</th><th>Durée</th></tr>"
    html += "<tr><td>Mesure</td><td>13 mois</td></tr></table>"
    reading = read_tables(html, "https://x.fr/cookies")
    assert reading.rows == ()
    assert reading.problems == (
        "table 1 of https://x.fr/cookies: no cookie-name column among its headers (Finalité | Durée)",
    )


def test_policy_links_best_first() -> None:
    html = '<a href="/mentions">Mentions légales</a><a href="/politique-cookies">Politique cookies</a>'
    html += '<a href="javascript:void(0)">Cookies</a><a href="/datenschutz">Datenschutz</a>'
    assert policy_links(html, "https://x.fr/a/") == ["https://x.fr/politique-cookies", "https://x.fr/datenschutz"]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        (
            "Si vous cliquez sur « Tout refuser », seuls les cookies techniques (strictement nécessaires ou de mesure "
            "d'audience) seront déposés, et les traceurs des réseaux sociaux seront désactivés.",
            {"only-technical-after-refusal", "no-social-after-refusal"},
        ),
        ("Les réseaux sociaux ne suivront plus votre navigation.", {"no-social-after-refusal"}),
        ("If you reject, we will only use strictly necessary cookies.", {"only-technical-after-refusal"}),
        (
            "Social media will no longer track you. No advertising cookies are set.",
            {"no-social-after-refusal", "no-ads-after-refusal"},
        ),
        ("Wenn Sie ablehnen, werden nur technisch notwendige Cookies gesetzt.", {"only-technical-after-refusal"}),
        ("Nous utilisons uniquement des cookies de mesure d'audience.", {"audience-measurement-only"}),
        ("Avec votre accord, nous et nos partenaires utilisons des cookies.", set()),
    ],
)
def test_promises(text: str, kinds: set[str]) -> None:
    assert {p.kind for p in find_promises(text, "https://x.fr/")} == kinds


def test_a_promise_quotes_its_sentence_and_knows_audience_measurement_is_allowed() -> None:
    text = "Avec votre accord, nous mesurons l'audience. Si vous refusez, seuls les traceurs techniques (strictement "
    text += "limités au fonctionnement du site ou à la mesure d'audience) seront déposés. Merci."
    (promise,) = find_promises(text, "https://x.fr/")
    assert promise.quote.startswith("Si vous refusez") and promise.quote.endswith("seront déposés.")
    assert promise.audience_allowed


def test_a_cmp_reading_from_saved_data() -> None:
    data = {
        "cmp": "klaro",
        "services": [
            {
                "name": "ga",
                "title": "Google Analytics",
                "purpose": "analytics",
                "cookies": [{"name": "^_ga", "regex": True}],
            },
            {"name": "bad"},  # no cookies: still a declared service
            "garbage",
        ],
        "tcf_vendors": None,
        "errors": [],
    }
    r = parse_cmp_config(data, "https://x.fr/")
    assert [(s.name, s.category, s.cookies) for s in r.services] == [
        ("ga", "analytics", ("re:^_ga",)),
        ("bad", None, ()),
    ]
    assert parse_cmp_config("not a mapping", "https://x.fr/").problems


def test_draft_and_pack_from_saved_pages(tmp_path: Path) -> None:
    html = (SITES / "www.politique-trompeuse.fr" / "politique-cookies.html").read_text(encoding="utf-8")
    inputs = DraftInputs(
        url="https://www.politique-trompeuse.fr/",
        banner_found=True,
        banner_text="Si vous refusez, seuls les cookies techniques seront déposés.",
        cmp_config={"cmp": None, "services": [], "tcf_vendors": None, "errors": []},
        pages=(PolicyPage("https://www.politique-trompeuse.fr/politique-cookies", html),),
    )
    policy = draft_policy(inputs)
    assert [p.where for p in policy.promises] == ["banner"]  # the policy page says it too: one rule, not two
    data = pack_data(policy)
    validate(LoadedYaml(data, None, "drafted"), rulepack_schema())
    assert data["pack"]["extends"] == ["core"]
    names = [c["name"] for c in data["declarations"]["cookies"]]
    assert names == ["PHPSESSID", "consent", "_pcid", "IDE", "_ga", "_ga_*"]
    path = tmp_path / "drafted.yaml"
    path.write_text(pack_yaml(policy), encoding="utf-8")
    rules = load_rules([path])
    assert "politique-trompeuse.fr-only-technical-after-refusal" in rules.ids
    assert "politique-trompeuse.fr-tracker-vendor-declared" not in rules.ids  # no vendor list, no vendor rule
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == data


def test_nothing_found_is_said_and_every_declaration_rule_is_not_evaluable(tmp_path: Path) -> None:
    policy = draft_policy(DraftInputs(url="https://www.vide.fr/", cmp_config=None))
    assert not policy.found_anything
    assert policy.unreadable["cookies"].startswith("no declared cookie was found")
    assert "no consent banner was found on https://www.vide.fr/: no banner promise could be read" in policy.warnings
    text = pack_yaml(policy)
    assert "NOTHING DECLARED WAS FOUND" in text
    path = tmp_path / "vide.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_rules([path]).pack("declared-www.vide.fr").title == "www.vide.fr — what the site itself declares"


def test_a_policy_page_promise_is_read_across_line_breaks() -> None:
    html = (SITES / "www.politique-fidele.fr" / "politique-cookies.html").read_text(encoding="utf-8")
    url = "https://www.politique-fidele.fr/politique-cookies"
    policy = draft_policy(DraftInputs(url="https://www.politique-fidele.fr/", pages=(PolicyPage(url, html),)))
    (promise,) = policy.promises
    assert (promise.kind, promise.where, promise.url) == ("only-technical-after-refusal", "policy", url)
    assert promise.quote == (
        "Si vous refusez, seuls les traceurs techniques (strictement limités au fonctionnement du site ou à la"
        " mesure d'audience) seront déposés."
    )


COOKIEBOT_SHAPED = """<div id="CookieDeclaration"><div class="CookieDeclarationType">
<div class="CookieDeclarationTypeHeader">Marketing (2)</div>
<table class="CookieDeclarationTable"><colgroup><col><col><col><col><col></colgroup>
<tr><th>Name</th><th>Provider</th><th>Purpose</th><th>Expiry</th><th>Type</th></tr>
<tr><td>_fbp</td><td>meta.com</td><td>Used by Facebook to deliver ads</td><td>3 months</td><td>HTTP Cookie</td></tr>
<tr><td>IDE</td><td>doubleclick.net</td><td>Used by Google DoubleClick</td><td>1 year</td><td>HTTP Cookie</td></tr>
</table></div></div>"""


def test_a_declaration_table_shaped_like_cookiebots() -> None:
    # Cookiebot renders its declaration as such tables, under a type header (a div, not a heading element)
    rows = read_tables(COOKIEBOT_SHAPED, "https://x.fr/cookies").rows
    assert [(r.name, r.vendor, r.lifetime_days, r.category) for r in rows] == [
        ("_fbp", "meta.com", 91.32, "advertising"),
        ("IDE", "doubleclick.net", 365.25, "advertising"),
    ]
