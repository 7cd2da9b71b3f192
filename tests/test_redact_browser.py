"""Redaction with a real Chromium (issue 16, item 3): audit the unknown ad network, then ``check`` the saved results.

``www.regie-inconnue.fr`` plants an identifier cookie (``vid``, 32 hex) and syncs it to a partner in
a request URL (``match.dsp-partenaire.io/sync?puid=<vid>``): the live run judges both from the redacted
evidence, and ``check`` on ``results.json`` (no value in it) must find exactly the same.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import auditor.cli.rules  # noqa: F401  (registers the commands)
from auditor.cli.app import app
from auditor.config import AuditOptions, SiteConfig
from auditor.fixtureweb import FixtureWeb
from auditor.model import to_jsonable
from auditor.pipeline import build_pipeline
from auditor.redact import is_redacted
from auditor.results import JOURNAL_FILE, read_results
from auditor.run import AuditPlan, run

pytestmark = pytest.mark.browser

UNKNOWN_AD = "www.regie-inconnue.fr"
HEX32 = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def _audit(web: FixtureWeb, out: Path, keep_values: bool) -> None:
    pipeline = build_pipeline(None, keep_values=keep_values)
    options = AuditOptions(extra_browser_args=tuple(web.chromium_args), screenshots=False, keep_values=keep_values)
    plan = AuditPlan(
        sites=(SiteConfig(url=web.url(UNKNOWN_AD, "/")),),
        options=options,
        out_dir=out,
        arguments=("pytest",),
        postprocess=pipeline.postprocess,
        rule_packs=pipeline.pack_names,
        rule_ids=pipeline.rule_ids,
    )
    run(plan)


def test_check_of_redacted_results_finds_what_the_live_run_found(fixture_web: FixtureWeb, tmp_path: Path) -> None:
    _audit(fixture_web, tmp_path, keep_values=False)
    saved = (tmp_path / "results.json").read_text("utf-8")
    journal = (tmp_path / JOURNAL_FILE).read_text("utf-8")
    live = read_results(tmp_path).sites[0]
    assert live.status == "ok" and is_redacted(live)
    hashes = {c.value_hash for p in live.phases.values() for c in p.cookies if c.value_hash}
    hashes |= {h for p in live.phases.values() for r in p.requests for h in r.token_hashes}
    for text in (saved, journal):  # no 32-hex string but the keyed hashes: the vid identifier was never written
        assert set(HEX32.findall(text)) <= hashes
    before = live.phases["before"]
    vid = next(c for c in before.cookies if c.name == "vid")
    assert vid.value == "<redacted: 32 chars, identifier>" and vid.value_hash and vid.shape and vid.shape.identifier
    sync = next(r for r in before.requests if r.host == "match.dsp-partenaire.io")
    assert "puid=<redacted: 32 chars, identifier>" in sync.url and vid.value_hash in sync.token_hashes
    judged = {(f.rule, f.phase, f.subject.name, (f.subject.domain or "").lstrip(".")) for f in live.findings}
    assert ("baseline-unclassified-identifier-cookie", "before", "vid", "adnexo-regie.net") in judged
    reasons = next(c.classification.reasons for c in before.cookies if c.name == "vid" and c.classification is not None)
    assert "value sent to match.dsp-partenaire.io (ID syncing)" in reasons

    result = CliRunner().invoke(app, ["check", str(tmp_path / "results.json"), "-o", "-"])
    checked = json.loads(result.stdout)["sites"][0]
    assert checked["findings"] == to_jsonable(live.findings)
    assert checked["phases"] == to_jsonable(live.phases)  # the same classifications, reasons included


def test_keep_values_keeps_them_for_the_html_report(fixture_web: FixtureWeb, tmp_path: Path) -> None:
    from auditor.formats import Format, render

    _audit(fixture_web, tmp_path, keep_values=True)
    kept = read_results(tmp_path)
    assert kept.options["keep_values"] is True
    vid = next(c for c in kept.sites[0].phases["before"].cookies if c.name == "vid")
    assert HEX32.fullmatch(vid.value) and vid.shape is None
    shown, hidden = render(kept, Format.HTML, show_values=True), render(kept, Format.HTML)
    assert shown.count(vid.value) > hidden.count(vid.value)  # the cookie table shows it only when asked
