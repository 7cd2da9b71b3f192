"""Verdicts end to end: the fixture web audited through the CLI with every built-in rule pack (issue 3).

A compliant site gets no error finding; each planted violation is found by the right rule, in the
right phase, about the right subject; the site policy pack of the demo catches its pre-consent
tracker; the exit code says "findings" (1).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_faults import Outcome, browser_args, consent_audit

from auditor.fixtureweb import FixtureWeb
from auditor.model import Finding, RunResult, SiteResult
from auditor.results import RESULTS_FILE, read_results

pytestmark = pytest.mark.browser

COMPLIANT = "www.journal-conforme.fr"
PRE_CONSENT = "www.gazette-pisteurs.fr"
IGNORES_REFUSAL = "www.quotidien-ignore.fr"
NO_BANNER = "www.sans-banniere.fr"
DEMO = "www.le-quotidien-demo.fr"
PACKS = ["--rules", "baseline", "--rules", "cnil", "--rules", "edpb-banner", "--rules", "tcf"]


@pytest.fixture(scope="module")
def audit(fixture_web: FixtureWeb, tmp_path_factory: pytest.TempPathFactory) -> tuple[Outcome, RunResult]:
    work = Path(tmp_path_factory.mktemp("verdicts"))
    sites = work / "sites.yaml"
    sites.write_text(
        "sites:\n"
        + "".join(f"  - {fixture_web.url(h)}\n" for h in (COMPLIANT, PRE_CONSENT, IGNORES_REFUSAL, NO_BANNER))
        + f"  - url: {fixture_web.url(DEMO)}\n    rules: [sites/le-quotidien-demo]\n",
        encoding="utf-8",
    )
    outcome = consent_audit(
        [
            "audit",
            "--sites",
            str(sites),
            "--out",
            str(work / "out"),
            *PACKS,
            "--no-screenshots",
            *browser_args(fixture_web),
        ]
    )
    return outcome, read_results(work / "out" / RESULTS_FILE)


def site(run: RunResult, host: str) -> SiteResult:
    return next(s for s in run.sites if f"//{host}/" in s.url)


def found(s: SiteResult, rule: str, phase: str, name: str | None = None, domain: str | None = None) -> list[Finding]:
    return [
        f
        for f in s.findings
        if f.rule == rule
        and f.phase == phase
        and f.outcome == "fail"
        and (name is None or f.subject.name == name)
        and (domain is None or (f.subject.domain or "").lstrip(".").endswith(domain))
    ]


def test_exit_code_says_findings(audit: tuple[Outcome, RunResult]) -> None:
    outcome, run = audit
    assert outcome.code == 1, outcome.stderr
    assert all(s.status == "ok" for s in run.sites)
    assert {"baseline", "cnil", "edpb-banner", "tcf"} <= set(run.rule_packs)
    assert "cnil-tracker-lifetime" in run.rules


def test_compliant_site_has_no_error_finding(audit: tuple[Outcome, RunResult]) -> None:
    s = site(audit[1], COMPLIANT)
    errors = [f"{f.rule} {f.phase} {f.subject.name}: {f.message}" for f in s.findings if f.severity == "error"]
    assert errors == []


def test_third_party_cookie_before_consent_is_found(audit: tuple[Outcome, RunResult]) -> None:
    s = site(audit[1], PRE_CONSENT)
    ide = found(s, "baseline-third-party-tracker-cookie", "before", "IDE", "doubleclick.net")
    assert ide and ide[0].severity == "error"
    assert ide[0].evidence and ide[0].source
    assert found(s, "cnil-no-tracker-cookie-without-consent", "before", "IDE", "doubleclick.net")
    assert found(s, "baseline-tracker-request", "before", domain="facebook.com")


def test_trackers_after_refusal_are_found(audit: tuple[Outcome, RunResult]) -> None:
    s = site(audit[1], IGNORES_REFUSAL)
    assert not found(s, "baseline-tracker-request", "before")
    assert found(s, "baseline-tracker-request", "reject", domain="criteo.com") or found(
        s, "baseline-tracker-request", "reject", domain="criteo.net"
    )
    assert found(s, "baseline-third-party-tracker-cookie", "reject", domain="twitter.com")


def test_missing_banner_is_an_error_not_a_pass(audit: tuple[Outcome, RunResult]) -> None:
    s = site(audit[1], NO_BANNER)
    assert found(s, "cnil-no-tracker-cookie-without-consent", "before", "_ga")
    not_verified = [f for f in s.findings if f.rule == "baseline-reject-verified"]
    assert not_verified and not_verified[0].severity == "error"
    unevaluated = [f for f in s.findings if f.phase == "reject" and f.outcome == "error"]
    assert unevaluated, "reject-phase rules must say they could not be evaluated"


def test_site_policy_pack_catches_the_demo_tracker(audit: tuple[Outcome, RunResult]) -> None:
    s = site(audit[1], DEMO)
    policy = found(s, "lqd-only-technical-cookies-after-refusal", "reject", "IDE", "doubleclick.net")
    assert policy and policy[0].source.get("policy_url", "").endswith("/politique-cookies")
    assert "Tout refuser" in str(policy[0].source.get("quote"))
    assert not found(s, "lqd-no-social-cookie-after-refusal", "reject")


UNKNOWN_AD = "www.regie-inconnue.fr"


def test_default_pack_judges_an_unknown_ad_network_by_behaviour(audit_fixture_sites) -> None:  # type: ignore[no-untyped-def]
    from auditor.fixtureweb.dynamic import GIF
    from auditor.pipeline import DEFAULT_PACKS, build_pipeline

    run = audit_fixture_sites([UNKNOWN_AD], screenshots=False)
    pipeline = build_pipeline(None)  # what `consent-audit audit URL` does without --rules
    assert pipeline.pack_names == DEFAULT_PACKS
    s = pipeline.postprocess(run.sites[0])
    before = s.phases["before"]

    # The collector kept what the behaviour layer needs: the value's shape (not the value), the answer's type and size.
    uid = next(i for i in before.storage if i.key == "adnx_uid")
    assert uid.shape is not None and uid.shape.identifier and uid.shape.reasons == ("uuid",)
    sync = next(r for r in before.requests if r.host == "match.dsp-partenaire.io")
    assert (sync.content_type, sync.body_size) == ("image/gif", len(GIF))

    for phase in ("before", "reject"):
        vid = found(s, "baseline-unclassified-identifier-cookie", phase, "vid", "adnexo-regie.net")
        assert len(vid) == 1, s.findings
        assert vid[0].severity == "warning"
        reasons = vid[0].evidence["classification"]["reasons"]
        assert "value sent to match.dsp-partenaire.io (ID syncing)" in reasons
        assert found(s, "baseline-unclassified-identifier-cookie", phase, "pdid", "dsp-partenaire.io")
        assert found(s, "baseline-unclassified-identifier-storage", phase, "adnx_uid")
    synced = found(s, "baseline-unclassified-identifier-request", "before", domain="match.dsp-partenaire.io")
    assert synced and synced[0].evidence["count"] >= 1
    assert not [f for f in s.findings if f.phase == "accept" and "unclassified" in f.rule]
