"""Redaction by default (issue 16, item 3): no value leaves the audit raw, and judging from shape and hash is the same.

No browser: sites are built with the model classes. The browser test (audit, then ``check`` the saved
results) is in ``tests/test_redact_browser.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

import auditor.cli.rules  # noqa: F401  (registers the commands)
from auditor.cli.app import app
from auditor.config import AuditOptions, SiteConfig
from auditor.formats import Format, render
from auditor.knowledge import classify_site
from auditor.knowledge.shape import placeholder_identifier, value_shape
from auditor.model import (
    Banner,
    BannerControl,
    BrowserInfo,
    ConsentAction,
    ConsentEffectEvidence,
    Cookie,
    Finding,
    PhaseResult,
    Request,
    RunResult,
    SetCookieHeader,
    SiteResult,
    StoredChoice,
    Subject,
    TcfState,
    ToolInfo,
    to_jsonable,
)
from auditor.party import registrable_domain
from auditor.pipeline import build_pipeline
from auditor.redact import is_redacted, redact_site, redact_url, value_hash
from auditor.resources import schema_path
from auditor.results import JOURNAL_FILE, Journal, iter_journal, read_results, write_results
from auditor.run import AuditPlan
from auditor.run.journal import RunBook

VID = "5f0c2e9a7b4d4c1e8a3f6b2d9e7c1a40"
"""The unknown ad network's identifier (32 hex), synced to a partner in a request URL."""
GA = "GA1.1.1234567890.1700000000"
CID = "1234567890.1700000000"
FBP = "fb.1.1700000000123.987654321"
GCLID = "Cj0KCQiA4NWrBhD-ARIsAFCKwWt7_lbDPMxv3G"
TC = "CPzHq4APzHq4AAHABBENC8CsAP_AAH_AAAAAI4tdQAAAAAAA"
RAW = (VID, GA, CID, FBP, GCLID, TC)
SITE = "https://www.regie-inconnue.fr/"


def _cookie(
    name: str, domain: str, value: str, party: str, days: float | None = 390.0, same_site: str = "None"
) -> Cookie:
    return Cookie(
        name=name,
        value=value,
        domain=domain,
        path="/",
        expires=None if days is None else 1_900_000_000.0,
        lifetime_days=days,
        secure=True,
        http_only=False,
        same_site=same_site,
        party=party,  # type: ignore[arg-type]
        registrable_domain=registrable_domain(domain.lstrip(".")),
        set_by="header",
    )


def _request(url: str, party: str = "third", **kw: object) -> Request:
    host = url.split("/")[2]
    return Request(
        url=url,
        host=host,
        resource_type="image",
        method="GET",
        party=party,  # type: ignore[arg-type]
        registrable_domain=registrable_domain(host),
        **kw,  # type: ignore[arg-type]
    )


def _phase(name: str) -> PhaseResult:
    return PhaseResult(
        name=name,  # type: ignore[arg-type]
        status="ok",
        url=f"{SITE}?gclid={GCLID}",
        cookies=(
            _cookie("vid", ".adnexo-regie.net", VID, "third"),
            _cookie("_ga", ".regie-inconnue.fr", GA, "first", same_site="Lax"),
            _cookie("_fbp", ".regie-inconnue.fr", FBP, "first", days=90, same_site="Lax"),
            _cookie("lang", "www.regie-inconnue.fr", "fr", "first", days=None, same_site="Lax"),
            _cookie("euconsent-v2", ".regie-inconnue.fr", TC, "first", same_site="Lax"),
        ),
        requests=(
            _request(SITE, "first", status=200, content_type="text/html"),
            _request(f"https://px.adnexo-regie.net/px?site=regie&r={VID}", status=302),
            _request(
                f"https://match.dsp-partenaire.io/sync?partner=adnexo&puid={VID}",
                status=200,
                content_type="image/gif",
                body_size=43,
            ),
            _request(f"https://cdn.pixel-partner.example/u/{VID}/p.gif", status=200),
            _request(
                f"https://www.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid={CID}&_gid=42",
                status=204,
            ),
            _request(f"https://www.facebook.com/tr/?id=123&ev=PageView&fbp={FBP}", status=200),
            _request("https://beacon.inconnu.example/b?e=view&k=3f9a8c7d6e5b4a3f2e1d0c9b", status=204),
        ),
        set_cookie_headers=(
            SetCookieHeader(
                name="vid",
                domain=".adnexo-regie.net",
                url=f"https://px.adnexo-regie.net/px?site=regie&r={VID}",
                host="px.adnexo-regie.net",
                party="third",
                stored=True,
            ),
        ),
        tcf=(TcfState(source="cookie", tc_string=TC, valid=True, cmp_id=7, purpose_consents=(1, 2, 3)),),
        warnings=(f"the load event never fired (https://px.adnexo-regie.net/px?r={VID}), evidence kept",),
        banner=Banner(
            found=True,
            frame_url=f"https://cmp.example/frame?uid={VID}",
            controls=(BannerControl("Refuser", "reject", "button", 1, frame_url=f"https://cmp.example/f?fbc={FBP}"),),
        ),
        consent=ConsentAction(action="reject", clicked=True, frame_url=f"https://cmp.example/f?gclid={GCLID}"),
    )


def raw_site() -> SiteResult:
    """A site whose evidence holds every kind of value redaction must hide."""
    return SiteResult(
        url=SITE,
        status="ok",
        final_url=f"{SITE}?gclid={GCLID}",
        phases={"before": _phase("before"), "reject": _phase("reject")},
    )


def _text(obj: object) -> str:
    return json.dumps(to_jsonable(obj), ensure_ascii=False)


@pytest.mark.parametrize(
    ("url", "kept", "gone"),
    [
        (
            f"https://www.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid={CID}&_gid=42&dl=x",
            ["https://www.google-analytics.com/g/collect?", "v=2", "tid=G-ABC123", "dl=x"],
            [CID, "_gid=42"],
        ),
        (f"https://www.facebook.com/tr/?id=1&fbp={FBP}&fbc=fb.1.2.IwAR", ["/tr/?id=1"], [FBP, "IwAR"]),
        (f"https://shop.example/landing?gclid={GCLID}&utm_source=x", ["utm_source=x"], [GCLID]),
        (f"https://gum.criteo.example/sync?uid=42&x={VID}", ["/sync?"], ["uid=42", VID]),
        (f"https://cdn.pixel.example/u/{VID}/p.gif#t={VID}", ["https://cdn.pixel.example/u/", "/p.gif#t="], [VID]),
        ("https://www.example.fr/static/app.js?v=3", ["https://www.example.fr/static/app.js?v=3"], []),
    ],
)
def test_redact_url_hides_identifiers_and_keeps_the_rest(url: str, kept: list[str], gone: list[str]) -> None:
    out = redact_url(url)
    for part in kept:
        assert part in out, out
    for part in gone:
        assert part not in out, out
    assert out.split("/")[2] == url.split("/")[2]  # the host stays: parties and hosts classify as before
    assert redact_url(out) == out  # idempotent


def test_redact_url_records_the_keyed_hashes_of_what_it_removed() -> None:
    hashes: list[str] = []
    redact_url(f"https://match.dsp-partenaire.io/sync?partner=adnexo&puid={VID}", hashes)
    assert hashes == [value_hash(VID)]
    assert value_hash(VID) == value_hash(VID) != value_hash(VID.upper())  # deterministic within a run
    import hashlib

    assert value_hash(VID) not in hashlib.sha256(VID.encode()).hexdigest()  # keyed, not a plain digest


def test_redacted_site_holds_no_raw_value_and_is_schema_valid() -> None:
    site = redact_site(raw_site())
    text = _text(site)
    for value in RAW:
        assert value not in text, value
    before = site.phases["before"]
    vid = before.cookies[0]
    assert vid.value == "<redacted: 32 chars, identifier>"
    assert vid.shape == value_shape(VID) and vid.value_hash == value_hash(VID)
    lang = before.cookies[3]
    assert lang.value == "<redacted: 2 chars>" and lang.shape is not None and lang.value_hash is None
    assert before.tcf[0].tc_string is not None and placeholder_identifier(before.tcf[0].tc_string) is not None
    assert (before.tcf[0].valid, before.tcf[0].cmp_id, before.tcf[0].purpose_consents) == (True, 7, (1, 2, 3))
    sync = before.requests[2]
    assert sync.url == "https://match.dsp-partenaire.io/sync?partner=adnexo&puid=<redacted: 32 chars, identifier>"
    assert sync.token_hashes == (value_hash(VID),)
    assert before.set_cookie_headers[0].url == before.requests[1].url  # the same URL redacts the same way
    assert site.final_url == f"{SITE}?gclid=<redacted: {len(GCLID)} chars, identifier>"
    run = RunResult(ToolInfo("t", "0"), BrowserInfo(), "2026-01-01T00:00:00Z", None, (), (site,))
    schema = json.loads(schema_path("results.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(to_jsonable(run), schema)
    assert is_redacted(site) and not is_redacted(raw_site())
    assert redact_site(site) is site  # idempotent, and a no-op on a redacted site


def test_the_behaviour_layer_judges_redacted_evidence_as_the_raw_one() -> None:
    raw = classify_site(raw_site())
    redacted = classify_site(redact_site(raw_site()))
    for name in ("before", "reject"):
        a, b = raw.phases[name], redacted.phases[name]
        assert [c.classification for c in a.cookies] == [c.classification for c in b.cookies]
        assert [r.classification for r in a.requests] == [r.classification for r in b.requests]
    cookies = {c.name: c.classification for c in redacted.phases["before"].cookies}
    vid = cookies["vid"]
    assert vid is not None and vid.category == "unclassified-identifier"
    assert any("ID syncing" in r and "match.dsp-partenaire.io" in r for r in vid.reasons), vid.reasons
    sync = redacted.phases["before"].requests[2].classification
    assert sync is not None and any("carries the value of cookie vid" in r for r in sync.reasons)
    beacon = redacted.phases["before"].requests[6].classification
    assert beacon is not None and any("beacon (204 No Content)" in r and "'k'" in r for r in beacon.reasons)


def test_findings_from_redacted_evidence_are_those_of_the_raw_evidence() -> None:
    keep = build_pipeline(None, keep_values=True).postprocess(raw_site())
    redacted = build_pipeline(None).postprocess(raw_site())

    def key(f: Finding) -> tuple[object, ...]:
        return (f.rule, f.phase, f.severity, f.outcome, f.subject.kind, f.subject.name, f.subject.domain)

    assert keep.findings and sorted(map(key, keep.findings)) == sorted(map(key, redacted.findings))
    judged = [f for f in redacted.findings if f.rule == "baseline-unclassified-identifier-cookie"]
    assert any(f.subject.name == "vid" for f in judged)
    text = _text(redacted)
    for value in RAW:
        assert value not in text, value
    assert VID in _text(keep)  # --keep-values keeps them


def test_findings_made_on_raw_evidence_lose_the_values_too() -> None:
    leaky = Finding(
        rule="r",
        severity="error",
        phase="before",
        subject=Subject(kind="request", domain="match.dsp-partenaire.io", url=f"https://m.example/s?puid={VID}"),
        message=f"sent {VID} to a partner",
        evidence={"urls": [f"https://m.example/s?puid={VID}"], "tc": TC},
    )
    site = redact_site(SiteResult(url=SITE, status="error", phases=raw_site().phases, findings=(leaky,)))
    text = _text(site.findings)
    assert VID not in text and TC not in text
    assert "sent <redacted: 32 chars, identifier> to a partner" in text


def test_the_journal_and_results_hold_no_raw_value_unless_kept(tmp_path: Path) -> None:
    for keep in (False, True):
        out = tmp_path / str(keep)
        plan = AuditPlan(sites=(SiteConfig(url=SITE),), options=AuditOptions(keep_values=keep), out_dir=out)
        with RunBook(plan) as book:
            book.record(raw_site())  # even a site nothing post-processed (e.g. its classification failed)
        journal = (out / JOURNAL_FILE).read_text("utf-8")
        results = (out / "results.json").read_text("utf-8")
        for value in RAW:
            assert (value in journal) is keep and (value in results) is keep, (keep, value)
        assert read_results(out).options["keep_values"] is keep  # recorded with the run's options
        assert [is_redacted(s) for s in iter_journal(out / JOURNAL_FILE)] == [not keep]


def test_check_of_redacted_results_gives_the_findings_of_the_live_run(tmp_path: Path) -> None:
    live = build_pipeline(None).postprocess(raw_site())
    run = RunResult(ToolInfo("t", "0"), BrowserInfo(), "2026-01-01T00:00:00Z", None, (), (live,))
    path = write_results(run, tmp_path / "results.json")
    result = CliRunner().invoke(app, ["check", str(path), "-o", "-"])
    checked = json.loads(result.stdout)["sites"][0]
    assert checked["findings"] == to_jsonable(live.findings)
    assert checked["phases"] == to_jsonable(live.phases)  # same classifications, nothing raw came back


def test_check_redacts_an_older_run_with_raw_values(tmp_path: Path) -> None:
    run = RunResult(ToolInfo("t", "0"), BrowserInfo(), "2026-01-01T00:00:00Z", None, (), (raw_site(),))
    path = write_results(run, tmp_path / "results.json")
    result = CliRunner().invoke(app, ["check", str(path), "-o", "-"])
    for value in RAW:
        assert value not in result.stdout, value
    kept = RunResult(**{**run.__dict__, "options": {"keep_values": True}})
    path = write_results(kept, tmp_path / "kept.json")
    assert VID in CliRunner().invoke(app, ["check", str(path), "-o", "-"]).stdout


def test_errors_warnings_and_frames_lose_their_identifiers_too() -> None:
    failed = SiteResult(url=SITE, status="error", error=f"net::ERR_ABORTED at https://x.example/r?cid={CID}")
    assert CID not in (redact_site(failed).error or "") and "https://x.example/r?cid=<redacted" in (
        redact_site(failed).error or ""
    )
    before = redact_site(raw_site()).phases["before"]
    assert before.banner is not None
    assert before.banner.frame_url == "https://cmp.example/frame?uid=<redacted: 32 chars, identifier>"
    assert before.warnings[0].endswith("px?r=<redacted: 32 chars, identifier>), evidence kept")


def test_a_dask_worker_sends_nothing_raw(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The worker's hook: even when its post-processing fails (raw evidence kept), the RemoteResult is redacted."""
    pytest.importorskip("distributed")
    from auditor.run import dask as remote

    class Pool:
        info = BrowserInfo(version="fake")

        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

    async def collected(pool: object, site: SiteConfig, plan: AuditPlan) -> SiteResult:
        return raw_site()

    def broken(site: SiteResult) -> SiteResult:
        raise RuntimeError("rules crashed")

    monkeypatch.setattr(remote, "BrowserPool", Pool)
    monkeypatch.setattr(remote, "audit_site", collected)
    runtime = remote.WorkerRuntime()
    try:
        for keep in (False, True):
            token = f"run-{keep}"
            runtime.add_job(remote.WorkerJob(token=token, options=AuditOptions(keep_values=keep), postprocess=broken))
            sent = runtime.audit(token, SiteConfig(url=SITE))
            assert sent.site.status == "error" and "post-processing failed" in (sent.site.error or "")
            assert is_redacted(sent.site) is not keep
            assert (VID in _text(sent.site)) is keep
    finally:
        runtime.loop.call_soon_threadsafe(runtime.loop.stop)


def test_resume_redacts_the_raw_sites_of_an_older_journal(tmp_path: Path) -> None:
    failed = SiteResult(url="https://crashed.example/", status="error", error="crashed", phases=raw_site().phases)
    with Journal(tmp_path / JOURNAL_FILE) as journal:  # written by a version that kept values
        journal.append(raw_site())
        journal.append(failed)  # kept as it is by --resume, not evaluated again
        journal.append(raw_site())  # a site logged twice: the last line wins
    pipeline = build_pipeline(None)
    plan = AuditPlan(
        sites=(SiteConfig(url=SITE), SiteConfig(url=failed.url)),
        options=AuditOptions(),
        out_dir=tmp_path,
        postprocess=pipeline.postprocess,
        resume=True,
    )
    with RunBook(plan) as book:
        assert not book.todo  # nothing to audit: the journal's evidence is judged again
    latest = list(iter_journal(tmp_path / JOURNAL_FILE))  # rewritten: one redacted line per site
    assert [s.url for s in latest] == [SITE, failed.url] and all(is_redacted(s) for s in latest)
    assert latest[0].findings and latest[1].status == "error"
    for name in (JOURNAL_FILE, "results.json"):
        text = (tmp_path / name).read_text("utf-8")
        assert not any(value in text for value in RAW), name


@pytest.mark.parametrize("fmt", [Format.JSON, Format.HTML, Format.JUNIT, Format.SARIF, Format.MARKDOWN, Format.CONSOLE])
def test_outputs_of_an_older_raw_run_are_redacted_unless_values_were_kept(fmt: Format) -> None:
    evaluated = build_pipeline(None, keep_values=True).postprocess(raw_site())  # findings quote raw URLs
    older = RunResult(ToolInfo("t", "0"), BrowserInfo(), "2026-01-01T00:00:00Z", None, (), (evaluated,))
    text = render(older, fmt, show_values=True)
    assert not any(value in text for value in RAW), fmt
    kept = RunResult(**{**older.__dict__, "options": {"keep_values": True}})
    if fmt in (Format.JSON, Format.HTML):  # the evidence file, and the report's cookie table when asked
        assert VID in render(kept, fmt, show_values=True)


def test_the_stored_consent_value_is_redacted_and_what_it_says_is_kept() -> None:
    stored = StoredChoice(
        store="cookie", key="euconsent-v2", where=".regie-inconnue.fr", change="added", says="reject", value=TC
    )
    action = ConsentAction(
        action="reject",
        clicked=True,
        effect="confirmed",
        effect_evidence=ConsentEffectEvidence(dialog="div#cmp", dialog_hidden=True, stored=(stored,)),
    )
    site = SiteResult(url=SITE, status="ok", phases={"reject": PhaseResult(name="reject", status="ok", consent=action)})
    redacted = redact_site(site)
    consent = redacted.phases["reject"].consent
    assert consent is not None and consent.effect_evidence is not None
    (kept,) = consent.effect_evidence.stored
    assert kept.value is not None and TC not in kept.value and placeholder_identifier(kept.value) is not None
    assert (kept.key, kept.says, consent.effect) == ("euconsent-v2", "reject", "confirmed")
    assert TC not in json.dumps(to_jsonable(redacted))
