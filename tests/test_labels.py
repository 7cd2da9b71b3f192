"""Consent-control labels read by meaning, dialogs told apart by vocabulary, necessary categories.

Table-driven: the labels (``tests/data/labels.yaml``), prompts (``tests/data/dialogs.yaml``) and
category names (``tests/data/categories.yaml``) are real-world wordings, most from the translation
files of the npm CMPs pinned under ``tests/fixtures/cmp`` (each entry names its source).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.browser import labels as labels_module
from auditor.browser import vocabulary as vocabulary_module
from auditor.browser.labels import LABELS, classify, is_necessary_category, normalize, read_label, score
from auditor.browser.vocabulary import KINDS, consent_score, prompt_kind, read_dialog, role_in_dialog

DATA = Path(__file__).parent / "data"
LANGUAGES = ("fr", "en", "de", "es", "it", "nl", "pt", "pl")


def _load(name: str, key: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))[key]
    return rows


def _check_cited_files(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows citing a file of the npm CMPs; each cited file holds its label (when the CMPs are installed)."""
    npm = [r for r in rows if r["source"].split("/")[0] in ("klaro", "tarteaucitronjs", "orejime", "cookieconsent")]
    for row in npm:
        path = Path(__file__).parent / "fixtures" / "cmp" / "node_modules" / row["source"].split()[0]
        if path.exists():
            text = path.read_text(encoding="utf-8")
            assert row["label"] in text or row["label"].replace("'", "\\'") in text, row
    return npm


LABEL_ROWS = _load("labels.yaml", "labels")
DIALOG_ROWS = _load("dialogs.yaml", "dialogs")
CATEGORY_ROWS = _load("categories.yaml", "categories")


@pytest.mark.parametrize("row", LABEL_ROWS, ids=[f"{r['lang']}:{r['label']}" for r in LABEL_ROWS])
def test_label_table(row: dict[str, Any]) -> None:
    reading = read_label(row["label"])
    assert (reading.role, reading.needs_context, reading.pay) == (
        row["role"],
        row.get("context", False),
        row.get("pay", False),
    ), reading.reasons
    assert classify(row["label"]) == row["role"]
    assert reading.reasons, "every decision says why"


def test_label_table_covers_the_languages_roles_and_sources() -> None:
    assert len(LABEL_ROWS) >= 150
    for lang in LANGUAGES:
        roles = {r["role"] for r in LABEL_ROWS if r["lang"] == lang}
        assert {"reject", "accept", "settings", "save"} <= roles, lang
    assert all(r["source"] for r in LABEL_ROWS)
    assert len(_check_cited_files(LABEL_ROWS)) >= 100
    by_label: dict[str, Any] = {}
    for row in LABEL_ROWS:
        assert by_label.setdefault(row["label"], row["role"]) == row["role"], f"contradictory rows for {row['label']}"


def test_the_issue_s_misreadings_are_fixed() -> None:
    for label in ("Ne pas accepter", "Nicht akzeptieren", "Don't accept", "I do not agree", "Accept only necessary"):
        assert classify(label) == "reject", label
    assert classify("Accepter uniquement les cookies nécessaires") == "reject"
    assert read_label("Non merci").needs_context


@pytest.mark.parametrize(
    "label",
    [r["label"] for r in LABEL_ROWS if r["role"] == "reject" and not r.get("context")],
)
def test_a_refusal_with_a_subscription_is_never_a_reject(label: str) -> None:
    for tail in ("et s'abonner", "und abonnieren", "and subscribe", "e abbonati"):
        reading = read_label(f"{label} {tail}")
        assert reading.role != "reject" and reading.pay, (label, tail)


def test_reference_labels_read_as_their_role_and_score_three() -> None:
    for role, by_language in LABELS.items():
        assert set(by_language) == set(LANGUAGES)
        for labels in by_language.values():
            for label in labels:
                assert classify(label) == role, (label, read_label(label).reasons)
                assert score(label, role) == 3


def test_score() -> None:
    assert score("Tout refuser", "reject") == 3
    assert score("Refuser tous les traceurs", "reject") == 2
    assert score("Refuser tous les cookies et traceurs publicitaires", "reject") == 1
    assert score("Tout refuser", "accept") == 0
    assert score("Ne pas accepter", "accept") == 0
    assert score("", "reject") == 0
    assert score("Weg damit", "reject") == 0
    assert score("Weg damit", "reject", extra=["weg damit"]) == 3


def test_a_sentence_is_not_a_label() -> None:
    sentence = "En cliquant sur accepter, vous acceptez le dépôt de cookies sur votre appareil"
    reading = read_label(sentence)
    assert reading.role is None and "sentence" in reading.reasons[0]
    assert classify("Accepter les cookies") == "accept"


def test_reasons_name_the_words_and_rules() -> None:
    assert read_label("Je n'accepte pas").reasons == ("'accepte' negated by 'n'",)
    assert read_label("Refuser et payer").reasons == ("pay or subscribe word 'payer'",)
    assert "unclear" in read_label("Accepter ou refuser").reasons[-1]
    assert "necessary" in read_label("Nur notwendige").reasons[-1]


def test_normalize() -> None:
    assert normalize("  J’ACCEPTE\u00a0!  ") == "j accepte"
    assert normalize("Continuer sans accepter →") == "continuer sans accepter"
    assert normalize("Schließen") == "schliessen"


def test_the_lexicon_is_written_normalised() -> None:
    words = [*labels_module._EXACT, *(s for _, stems in labels_module._STEMS for s in stems)]
    words += [w for phrase in labels_module._PHRASES for w in phrase] + list(labels_module._SEPARABLE)
    assert [w for w in words if normalize(w) != w] == []
    assert len(set(labels_module._EXACT)) == len(labels_module._EXACT)


def test_the_vocabulary_is_written_normalised() -> None:
    for strong, weak in vocabulary_module._TERMS.values():
        for term in f"{strong}, {weak}".split(","):
            assert normalize(term.replace("*", "")) == term.strip().replace("*", ""), term


def test_no_vocabulary_term_is_counted_twice() -> None:
    for kind, tiers in vocabulary_module._TIERS.items():
        stems = [s for tier in tiers for s in tier.stems]
        words = [w for tier in tiers for w in tier.words]
        assert [w for w in words if w.startswith(tuple(stems))] == [], kind
        assert [s for s in stems if any(s != o and s.startswith(o) for o in stems)] == [], kind
        assert len(words) == len(set(words)), kind


@pytest.mark.parametrize("row", DIALOG_ROWS, ids=[f"{r['kind']}:{r['lang']}:{r['text'][:40]}" for r in DIALOG_ROWS])
def test_dialog_table(row: dict[str, Any]) -> None:
    reading = read_dialog(row["text"], row.get("attrs", ""))
    assert reading.kind == row["kind"], (reading.scores, reading.matched)
    assert prompt_kind(row["text"], row.get("attrs", "")) == row["kind"]
    if row["kind"] == "other":
        return
    assert any(kind == row["kind"] for kind, _ in reading.matched), "the decision shows its words"


def test_dialog_table_covers_kinds_and_languages() -> None:
    assert {r["kind"] for r in DIALOG_ROWS} == {*KINDS, "other"}
    assert {r["lang"] for r in DIALOG_ROWS if r["kind"] == "consent"} == set(LANGUAGES)
    assert len({r["lang"] for r in DIALOG_ROWS if r["kind"] == "newsletter"}) >= 4


def test_consent_score() -> None:
    didomi = next(r["text"] for r in DIALOG_ROWS if r["source"].startswith("vendor: Didomi"))
    newsletter = next(r["text"] for r in DIALOG_ROWS if r["kind"] == "newsletter")
    assert consent_score(didomi) > consent_score(newsletter) >= 0
    assert consent_score("") == 0
    assert consent_score("Accepter", attrs='didomi-popup class="didomi-popup-container"') == 3
    assert read_dialog("cookie cookies Cookies").consent == 3, "one stem counts once"


def test_attributes_are_matched_as_words() -> None:
    assert read_dialog("", attrs="page-wrapper author-box").kind == "other"  # neither "app" nor "auth"
    assert read_dialog("", attrs="qc-cmp2-container").kind == "consent"
    assert read_dialog("", attrs="app-banner").kind == "app"
    assert read_dialog("", attrs="CybotCookiebotDialog").kind == "consent"
    assert read_dialog("", attrs="CybotCookiebotDialog").matched == (("consent", "attr:cookie"),)


def test_a_pay_or_accept_wall_is_a_consent_dialog_a_paywall_is_not() -> None:
    walls = [r for r in DIALOG_ROWS if "pay-or-accept" in r["source"] or "Pur-Abo" in r["source"]]
    assert walls and all(prompt_kind(r["text"]) == "consent" for r in walls)
    assert all(prompt_kind(r["text"]) == "paywall" for r in DIALOG_ROWS if r["kind"] == "paywall")


def test_role_in_dialog() -> None:
    newsletter = next(r["text"] for r in DIALOG_ROWS if r["kind"] == "newsletter" and r["lang"] == "fr")
    banner = next(r["text"] for r in DIALOG_ROWS if r["source"].startswith("vendor: Didomi"))
    notifications = next(r["text"] for r in DIALOG_ROWS if r["kind"] == "notifications" and r["lang"] == "fr")
    assert role_in_dialog("Non merci", newsletter) is None
    assert role_in_dialog("Non merci", banner) == "reject"
    assert role_in_dialog("Non merci", "Le Quotidien") is None, "a polite refusal needs a consent dialog"
    assert role_in_dialog("Tout refuser", "Le Quotidien") == "reject"
    assert role_in_dialog("Autoriser", notifications) is None
    assert role_in_dialog("Autoriser", banner) == "accept"
    assert role_in_dialog("En savoir plus", banner) is None
    assert role_in_dialog("Non merci", "Ne manquez rien", attrs="axeptio_overlay") == "reject"
    assert role_in_dialog("Non merci", "Ne manquez rien", attrs="newsletter-popup") is None


@pytest.mark.parametrize("row", CATEGORY_ROWS, ids=[f"{r['lang']}:{r['label']}" for r in CATEGORY_ROWS])
def test_necessary_category_table(row: dict[str, Any]) -> None:
    assert is_necessary_category(row["label"]) is row["necessary"]


def test_necessary_category_table_covers_the_languages() -> None:
    for lang in LANGUAGES:
        assert any(r["necessary"] for r in CATEGORY_ROWS if r["lang"] == lang), lang
    assert sum(not r["necessary"] for r in CATEGORY_ROWS) >= 15
    assert len(_check_cited_files(CATEGORY_ROWS)) >= 30
    assert not is_necessary_category("")
    assert not is_necessary_category(
        "Ces cookies sont nécessaires au fonctionnement du site et ne peuvent être désactivés"
    )
