"""The pure parts of the ``withdraw`` phase (issue 15): jar comparison, way-back labels, adapters, rules."""

from __future__ import annotations

from typing import Any

import pytest
from test_phases import run_of, site

from auditor.browser.cmp.interface import CmpAdapter, InvalidAdapterError, Signature
from auditor.browser.cmp.registry import ADAPTERS
from auditor.browser.phases import UNITS, units_for
from auditor.browser.phases.withdraw import WithdrawUnit, compare_jars
from auditor.browser.vocabulary import is_way_back
from auditor.config import parse_phases
from auditor.diffing import diff_sites
from auditor.formats import Format, render
from auditor.formats.compare import build_comparison
from auditor.model import (
    CHOICE_PHASES,
    DEFAULT_PHASES,
    EXTRA_PHASES,
    ConsentAction,
    CookieAfterWithdrawal,
    PhaseResult,
    SiteResult,
    WithdrawalEvidence,
    from_jsonable,
    to_jsonable,
)
from auditor.policy import evaluate, load_builtin_rules
from auditor.verdict import gaps


def jar_cookie(name: str, domain: str, value: str = "v1", expires: float = 1_900_000_000.0) -> dict[str, Any]:
    return {"name": name, "domain": domain, "value": value, "expires": expires, "path": "/"}


# --- the jar after acceptance against the jar after withdrawal ---------------------------------------


def test_compare_jars_tells_renewed_kept_removed_and_added() -> None:
    accepted = [
        jar_cookie("_fbp", ".example.fr"),
        jar_cookie("_ga", ".example.fr"),
        jar_cookie("fr", ".facebook.com"),
        jar_cookie("IDE", ".doubleclick.net"),
        jar_cookie("sid", "www.example.fr", expires=-1),
    ]
    after = [
        jar_cookie("_fbp", ".example.fr", expires=1_900_000_900.0),  # same value, later expiry: set again
        jar_cookie("_ga", ".example.fr"),  # untouched
        jar_cookie("fr", ".facebook.com", value="v2"),  # new value
        jar_cookie("sid", "www.example.fr", expires=-1),  # session cookie, same value
        jar_cookie("_gcl_au", ".example.fr"),
    ]
    got = {(c.name, c.domain): c for c in compare_jars(accepted, after, ["www.facebook.com", "cdn.example.net"])}
    assert got[("_fbp", "example.fr")].change == "renewed"
    assert got[("_ga", "example.fr")].change == "kept"
    assert got[("fr", "facebook.com")] == CookieAfterWithdrawal("fr", "facebook.com", "renewed", sent=True)
    assert got[("IDE", "doubleclick.net")] == CookieAfterWithdrawal("IDE", "doubleclick.net", "removed")
    assert got[("sid", "www.example.fr")].change == "kept"
    assert got[("_gcl_au", "example.fr")].change == "added"
    assert not got[("_fbp", "example.fr")].sent  # no third-party host of example.fr was requested


def test_compare_jars_ignores_an_expiry_that_barely_moves() -> None:
    got = compare_jars([jar_cookie("a", "x.fr")], [jar_cookie("a", "x.fr", expires=1_900_000_000.5)], [])
    assert [c.change for c in got] == ["kept"]


# --- the way back, by label -------------------------------------------------------------------------

WAY_BACK = [
    "Gérer mes cookies",
    "Paramètres des cookies",
    "Gestion des cookies",
    "Cookie settings",
    "Manage cookies",
    "Privacy settings",
    "Cookie-Einstellungen",
    "Datenschutzeinstellungen",
    "Withdraw consent",
    "Configuración de cookies",
    "Impostazioni cookie",
    "Cookie-instellingen",
    "Wycofaj zgodę",
]
NOT_WAY_BACK = ["Paramètres", "Settings", "Mon compte", "Tout accepter", "Accept cookies", "Tout refuser", ""]
NOT_WAY_BACK += ["Cookies", "Vie privée", "Politique de cookies"]  # most often links to the policy page


@pytest.mark.parametrize("label", WAY_BACK)
def test_labels_of_a_way_back(label: str) -> None:
    assert is_way_back(label)


@pytest.mark.parametrize("label", NOT_WAY_BACK)
def test_labels_that_are_no_way_back(label: str) -> None:
    assert not is_way_back(label)


def test_a_sentence_mentioning_cookie_settings_is_no_way_back() -> None:
    assert not is_way_back("You can change your cookie settings at any time from the link at the bottom of this page")


# --- adapters ----------------------------------------------------------------------------------------


def test_adapters_name_the_apis_of_the_brief() -> None:
    reopen = {a.id: a.reopen for a in ADAPTERS.values() if a.reopen}
    assert reopen["tarteaucitron"] == ("tarteaucitron.userInterface.openPanel",)
    assert reopen["klaro"] == ("klaro.show",)
    assert reopen["orejime"][0] == "orejime.prompt"
    assert reopen["vanilla-cookieconsent"] == ("CookieConsent.showPreferences",)
    assert reopen["onetrust"] == ("OneTrust.ToggleInfoDisplay",)
    assert reopen["didomi"] == ("Didomi.preferences.show",)
    assert reopen["cookiebot"] == ("Cookiebot.renew",)


def test_a_reopen_api_is_a_dotted_function_path_not_code() -> None:
    with pytest.raises(InvalidAdapterError, match="dotted function paths"):
        CmpAdapter(id="x", name="X", signature=Signature(globals=("x",)), reopen=("x.show(); alert(1)",))


# --- the phase: requested only ----------------------------------------------------------------------


def test_withdraw_runs_only_when_requested() -> None:
    assert "withdraw" in EXTRA_PHASES and "withdraw" not in DEFAULT_PHASES
    assert not any(isinstance(u, WithdrawUnit) for u in units_for(DEFAULT_PHASES))
    assert isinstance(units_for(parse_phases("accept,withdraw"))[-1], WithdrawUnit)
    assert isinstance(UNITS[-1], WithdrawUnit)
    assert CHOICE_PHASES["withdraw"] == "reject"  # its rules need a confirmed refusal


def test_withdrawal_evidence_round_trips_through_the_results_contract() -> None:
    evidence = WithdrawalEvidence(
        accept=ConsentAction(action="accept", clicked=True, effect="confirmed"),
        way_back="api",
        path=("api: klaro.show()", "Tout refuser"),
        steps=2,
        confirmed=True,
        cookies=(CookieAfterWithdrawal("_ga", "example.fr", "kept"),),
    )
    phase = PhaseResult(name="withdraw", status="ok", withdrawal=evidence)
    assert from_jsonable(PhaseResult, to_jsonable(phase)) == phase


# --- rules and gaps ---------------------------------------------------------------------------------


def withdraw_site(phase: PhaseResult) -> SiteResult:
    ok = {p: PhaseResult(name=p, status="ok") for p in ("before", "reject", "accept")}  # type: ignore[misc]
    return SiteResult(
        url="https://www.example.fr/",
        status="ok",
        phases={**ok, "withdraw": phase},
        phases_requested=("before", "reject", "accept", "withdraw"),
    )


def no_way_back() -> PhaseResult:
    reason = "no way back to the consent choices after acceptance"
    return PhaseResult(
        name="withdraw",
        status="error",
        error=reason,
        consent=ConsentAction(action="reject", clicked=False, reason=reason),
        withdrawal=WithdrawalEvidence(accept=ConsentAction(action="accept", clicked=True), way_back="none"),
    )


def test_no_way_back_is_a_finding_and_the_rules_needing_a_refusal_are_gaps() -> None:
    site = withdraw_site(no_way_back())
    findings = [f for f in evaluate(site, load_builtin_rules()) if f.phase == "withdraw"]
    outcome = {f.rule: f.outcome for f in findings}
    assert outcome["edpb-no-way-to-withdraw"] == "fail"
    assert outcome["baseline-withdraw-tracker-request"] == "error"
    assert outcome["baseline-withdraw-tracker-cookie"] == "error"
    kinds = {(g.kind, g.phase) for g in gaps(site)}
    assert ("consent", "withdraw") in kinds  # the refusal was never made: a gap, not a pass


def test_an_unconfirmed_acceptance_judges_nothing() -> None:
    phase = PhaseResult(
        name="withdraw",
        status="error",
        error="the acceptance is not confirmed",
        withdrawal=WithdrawalEvidence(accept=ConsentAction(action="accept", clicked=True, effect="unconfirmed")),
    )
    findings = [f for f in evaluate(withdraw_site(phase), load_builtin_rules()) if f.phase == "withdraw"]
    assert findings and all(f.outcome == "error" for f in findings)
    assert {f.rule for f in findings} >= {"edpb-no-way-to-withdraw", "baseline-withdraw-tracker-request"}


# --- reports, compare, diff -------------------------------------------------------------------------

WITH_WITHDRAW = ("before", "reject", "accept", "withdraw")


def confirmed_withdraw_site() -> SiteResult:
    refusal = ConsentAction(action="reject", clicked=True, label="Tout refuser", effect="confirmed")
    evidence = WithdrawalEvidence(way_back="control", path=("Gérer mes cookies", "Tout refuser"), steps=2)
    phase = PhaseResult(name="withdraw", status="ok", consent=refusal, withdrawal=evidence)
    return withdraw_site(phase)


def test_reports_have_a_withdraw_column_only_when_it_was_requested() -> None:
    html = render(run_of(confirmed_withdraw_site()), Format.HTML)
    assert ">withdrawn</th>" in html and "After withdrawing consent" in html
    default = render(run_of(site(DEFAULT_PHASES)), Format.HTML)
    assert ">withdrawn</th>" not in default
    assert "before / reject / accept / withdraw" in render(run_of(confirmed_withdraw_site()), Format.MARKDOWN)


def test_compare_and_diff_know_the_withdraw_phase() -> None:
    comparison = build_comparison([("old", run_of(site(DEFAULT_PHASES))), ("new", run_of(confirmed_withdraw_site()))])
    assert comparison.phases == WITH_WITHDRAW
    assert "tracker_cookies_withdraw" in comparison.to_csv().splitlines()[0].split(",")
    old, new = confirmed_withdraw_site(), site(DEFAULT_PHASES, WITH_WITHDRAW)  # the withdraw phase went missing
    d = diff_sites(old, new)
    assert [(g.kind, g.phase) for g in d.gaps_added] == [("phase-missing", "withdraw")]
    assert "withdraw" in [p.phase for p in d.phases]
