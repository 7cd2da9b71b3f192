"""Reading consent stores, deciding a click's effect and telling the consent dialog apart (no browser).

The store values are written the way each consent manager writes them (the real npm CMPs' formats,
checked in ``tests/fixtures/cmp/node_modules``, and the look-alikes'); the effect table follows the
rule of :mod:`auditor.browser.confirm`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest

from auditor.browser.confirm import decide
from auditor.browser.consent.dialog import choose_dialog
from auditor.browser.consent.stores import StoreState, changes, read_value, store_owner
from auditor.browser.vocabulary import read_dialog
from auditor.model import StoredChoice, TcfState


def b64json(data: object) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


VALUES: list[tuple[str, str, str, str]] = [
    # (CMP, key, value, says)
    ("didomi", "didomi_token", b64json({"user_id": "u", "purposes": {"enabled": [], "disabled": ["ads"]}}), "reject"),
    ("didomi", "didomi_token", b64json({"user_id": "u", "purposes": {"enabled": ["ads"], "disabled": []}}), "accept"),
    (
        "onetrust",
        "OptanonConsent",
        quote("isGpcEnabled=0&datestamp=Tue Dec 01&version=202409.1.0&interactionCount=1&groups=C0001:1,C0002:0"),
        "reject",
    ),
    ("onetrust", "OptanonAlertBoxClosed", "2026-12-01T15:00:00.000Z", "unknown"),
    (
        "cookiebot",
        "CookieConsent",
        quote("{stamp:'x',necessary:true,statistics:false,marketing:false,ver:1}"),
        "reject",
    ),
    ("cookiebot", "CookieConsent", quote("{stamp:'x',necessary:true,statistics:true,marketing:true,ver:1}"), "accept"),
    ("axeptio", "axeptio_cookies", quote(json.dumps({"$$token": "t", "$$completed": True, "ga": False})), "reject"),
    ("tarteaucitron", "tarteaucitron", "!gtag=false!facebookpixel=false", "reject"),
    ("tarteaucitron", "tarteaucitron", "!gtag=true!facebookpixel=false", "mixed"),
    ("vanilla-cookieconsent", "cc_cookie", quote(json.dumps({"categories": ["necessary"], "revision": 0})), "reject"),
    ("vanilla-cookieconsent", "cc_cookie", quote(json.dumps({"categories": ["necessary", "analytics"]})), "accept"),
    ("klaro", "klaro", quote(json.dumps({"google-analytics": False, "meta-pixel": False})), "reject"),
    ("orejime", "orejime", json.dumps({"audience": True, "publicite": True}), "accept"),
    ("osano", "cookieconsent_status", "deny", "reject"),
    ("osano", "cookieconsent_status", "allow", "accept"),
    ("usercentrics", "uc_settings", json.dumps({"services": [{"name": "GA", "status": False}]}), "reject"),
    ("sourcepoint", "_sp_user_consent_1842", json.dumps({"accepted": True, "uuid": "u"}), "accept"),
    ("cookies-eu-banner", "hasConsent", "false", "reject"),
    ("porsche-cookie-consent-banner", "cookies_accepted_categories", "technically_required", "reject"),
    ("porsche-cookie-consent-banner", "cookies_accepted_categories", quote("technically_required,analytics"), "accept"),
    (
        "mozilla-consent-banner",
        "moz-consent-pref",
        quote(json.dumps({"analytics": False, "preference": False})),
        "reject",
    ),
    ("hb-cookie-law-banner", "cookielaw", "yes", "accept"),
    ("cookie-consent-js", "cookie-consent-tracking-allowed", "false", "reject"),
    ("dp-consent", "dp-cookie-consent", "true", "accept"),
    ("own banner", "accepted_categories", "", "reject"),
    ("own banner", "consent", "rejected", "reject"),
    ("own banner", "consentement", "oui", "accept"),
    ("own banner", "qc_fixture_consent", "disagree", "reject"),
    ("own banner", "consent_id", "10000000-1000-4000-8000-100000000000", "unknown"),
    ("tcf", "euconsent-v2", "not-a-tc-string", "unknown"),
]


@pytest.mark.parametrize(("cmp", "key", "value", "says"), VALUES, ids=[f"{v[0]}:{v[3]}" for v in VALUES])
def test_store_values_are_read_whatever_the_format(cmp: str, key: str, value: str, says: str) -> None:
    assert read_value(value, key).says == says


def test_necessary_and_bookkeeping_entries_are_no_choice() -> None:
    reading = read_value(quote("{stamp:'x',necessary:true,preferences:false,ver:1,utc:1700000000000}"))
    assert (reading.says, reading.granted, reading.refused) == ("reject", (), ("preferences",))


def test_only_a_key_naming_the_accepted_categories_holds_their_list() -> None:
    assert read_value("analytics,marketing", "consent").says == "unknown"
    reading = read_value("necessary|analytics", "consent_categories")
    assert (reading.says, reading.granted) == ("accept", ("analytics",))
    assert read_value("1", "accepted_categories").says == "unknown"  # a number is no category name


def test_store_keys_are_attributed_to_the_recognised_cmp() -> None:
    assert store_owner("cookielaw") == (True, "hb-cookie-law-banner")
    assert store_owner("cookie_law") == (True, None)
    assert store_owner("hasConsent") == (True, "cookies-eu-banner")
    assert store_owner("didomi_token") == (True, "didomi")
    assert store_owner("_sp_user_consent_1842") == (True, "sourcepoint")
    assert store_owner("euconsent-v2") == (True, "tcf")
    assert store_owner("euconsent-v2", "quantcast") == (True, "quantcast")
    assert store_owner("choix_cookies") == (True, None)
    assert store_owner("cookies_ok") == (True, None)
    assert store_owner("PHPSESSID") == (False, None)
    assert store_owner("_ga") == (False, None)


def test_changes_list_only_consent_stores_that_changed() -> None:
    before = StoreState({("PHPSESSID", "www.site.fr"): "a", ("tarteaucitron", "www.site.fr"): "!gtag=wait"})
    after = StoreState(
        {
            ("PHPSESSID", "www.site.fr"): "b",
            ("tarteaucitron", "www.site.fr"): "!gtag=false",
            ("_ga", ".site.fr"): "GA1.1",
        },
        {("local", "https://www.site.fr", "uc_settings"): json.dumps({"services": [{"status": False}]})},
    )
    found = changes(before, after, "tarteaucitron")
    assert [(s.store, s.key, s.change, s.says, s.cmp) for s in found] == [
        ("cookie", "tarteaucitron", "changed", "reject", "tarteaucitron"),
        ("local", "uc_settings", "added", "reject", "usercentrics"),
    ]


def stored(says: str, change: str = "added", key: str = "consent") -> StoredChoice:
    return StoredChoice("cookie", key, "www.site.fr", change, says)  # type: ignore[arg-type]


def tcf_state(*purposes: int, status: str = "useractioncomplete") -> TcfState:
    return TcfState(source="api", tc_string="CQ", valid=True, purpose_consents=purposes, event_status=status)


EFFECTS: list[tuple[str, bool, list[StoredChoice], TcfState | None, str]] = [
    ("reject", True, [stored("reject")], None, "confirmed"),
    ("reject", True, [stored("unknown")], None, "confirmed"),
    ("reject", True, [], tcf_state(), "confirmed"),
    ("reject", False, [stored("reject")], None, "unconfirmed"),  # banner still there
    ("reject", True, [], None, "unconfirmed"),  # nothing stored
    ("reject", True, [], tcf_state(status="tcloaded"), "unconfirmed"),
    ("reject", True, [stored("reject", "removed")], None, "unconfirmed"),
    ("reject", True, [stored("mixed")], None, "unconfirmed"),
    ("reject", True, [stored("accept")], None, "contradicted"),
    ("reject", False, [stored("accept")], None, "contradicted"),
    ("reject", True, [stored("reject")], tcf_state(1, 2), "contradicted"),
    ("accept", True, [stored("accept")], None, "confirmed"),
    ("accept", True, [stored("mixed")], None, "confirmed"),
    ("accept", True, [], tcf_state(1), "confirmed"),
    ("accept", True, [stored("reject")], None, "contradicted"),
    ("accept", True, [], None, "unconfirmed"),
]


@pytest.mark.parametrize(("action", "gone", "found", "tcf", "effect"), EFFECTS)
def test_the_effect_rule(action: str, gone: bool, found: list[StoredChoice], tcf: TcfState | None, effect: str) -> None:
    got, reason = decide(action, gone, found, tcf)  # type: ignore[arg-type]
    assert got == effect, reason
    assert reason


# --- the consent dialog -------------------------------------------------------------------------


@dataclass(frozen=True)
class FakeControl:
    token: str
    data: Mapping[str, Any] = field(default_factory=dict)
    cmp: str | None = None
    cmp_root: str | None = None


BOXES = {
    "b0": {
        "text": "Nous et nos partenaires utilisons des cookies pour mesurer l'audience.",
        "id": "bandeau",
        "tag": "div",
    },
    "b1": {
        "text": "Inscrivez-vous à notre newsletter : l'essentiel chaque matin dans votre boîte e-mail.",
        "id": "pop",
        "tag": "div",
        "role": "dialog",
    },
}


def test_the_dialog_choice_reads_the_shared_vocabulary() -> None:
    assert read_dialog(BOXES["b0"]["text"], "bandeau").kind == "consent"
    assert read_dialog("Abonnez-vous pour lire la suite", "paywall").kind == "paywall"
    assert read_dialog(BOXES["b1"]["text"]).kind == "newsletter"
    assert read_dialog("Connectez-vous : identifiez-vous avec votre mot de passe").kind == "login"
    assert read_dialog("Téléchargez l'app sur l'App Store").kind == "app"


def test_the_consent_banner_is_chosen_and_the_newsletter_set_aside() -> None:
    banner = FakeControl("t0", {"box": "b0"})
    newsletter = FakeControl("t1", {"box": "b1"})
    footer = FakeControl("t2", {})
    choice = choose_dialog(
        [(banner, "https://s/"), (newsletter, "https://s/"), (footer, "https://s/")], BOXES, {}, "https://s/"
    )
    assert choice.chosen is not None and choice.chosen.key == ("https://s/", "b0")
    assert choice.allows(banner, "https://s/") and not choice.allows(newsletter, "https://s/")
    assert not choice.allows(footer, "https://s/")
    assert choice.describe_others() == ("div#pop [role=dialog]: newsletter prompt (consent score 0), set aside",)


def test_a_cmp_dialog_wins_and_without_any_consent_dialog_only_prompts_are_excluded() -> None:
    cmp_control = FakeControl("t0", {"box": "b2"}, cmp_root="didomi")
    boxes = {**BOXES, "b2": {"text": "Continuer", "id": "didomi-notice", "tag": "div"}}
    choice = choose_dialog([(cmp_control, "u"), (FakeControl("t1", {"box": "b0"}), "u")], boxes, {}, "u")
    assert choice.chosen is not None and choice.chosen.cmp == "didomi"
    none = choose_dialog([(FakeControl("t1", {"box": "b1"}), "u"), (FakeControl("t2", {}), "u")], BOXES, {}, "u")
    assert none.chosen is None
    assert none.allows(FakeControl("t2", {}), "u") and not none.allows(FakeControl("t1", {"box": "b1"}), "u")
