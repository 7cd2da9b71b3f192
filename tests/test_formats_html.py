"""The HTML evidence report: escaping of hostile page strings, hidden values, embedded screenshots, failures."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from auditor.formats import Format, render
from auditor.formats.html import build_report
from auditor.formats.interface import RenderOptions
from auditor.formats.templating import read_image, safe_href
from auditor.model import PhaseResult, RunResult, WithdrawalEvidence
from auditor.results import read_results

DATA = Path(__file__).parent / "data" / "results"
RUN1 = DATA / "run1" / "results.json"


class Tags(HTMLParser):
    """Collect every start tag with its attributes, and the text of <style> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@pytest.fixture(scope="module")
def run1() -> RunResult:
    return read_results(RUN1)


@pytest.fixture(scope="module")
def html(run1: RunResult) -> str:
    return render(run1, Format.HTML, results_path=RUN1)


def parse(text: str) -> Tags:
    parser = Tags()
    parser.feed(text)
    return parser


def test_hostile_strings_are_escaped(html: str) -> None:
    assert "<script" not in html
    assert "<img src=x" not in html and "<svg onload" not in html
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html  # cookie name, rule id, labels
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;svg onload=alert(5)&gt;" in html  # storage key


def test_markup_is_only_ours(html: str) -> None:
    doc = parse(html)
    for tag, attrs in doc.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed", "base", "form"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name == "src":
                assert tag == "img" and (value or "").startswith("data:image/"), value
            if name == "href":
                assert (value or "").startswith(("#", "https://", "http://")), value
    assert not any("javascript:" in (a.get("href") or "") for _, a in doc.tags)
    styles = "".join(doc.styles)
    assert "url(" not in styles and "@import" not in styles
    csp = next(a["content"] for t, a in doc.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp and "script-src" not in csp


def test_cookie_values_hidden_unless_asked(run1: RunResult, html: str) -> None:
    assert "VALUE-SECRET-1234" not in html and "VALUE-SECRET-HOSTILE" not in html
    assert "--show-values" in html
    shown = render(run1, Format.HTML, results_path=RUN1, show_values=True)
    assert "VALUE-SECRET-1234" in shown
    assert "&lt;b&gt;VALUE-SECRET-HOSTILE&lt;/b&gt;" in shown and "<b>VALUE-SECRET" not in shown


def test_screenshots_are_embedded_and_confined_to_the_results_folder(html: str) -> None:
    images = re.findall(r'<img src="(data:image/png;base64,[A-Za-z0-9+/=]+)"', html)
    assert len(images) == 2  # two banners (the after-refusal capture of one is the same file: shown once)
    assert "path outside the results folder: not embedded" in html
    assert "file not found" in html
    assert "root:" not in html


def test_read_image_rejects_non_images(tmp_path: Path) -> None:
    (tmp_path / "fake.png").write_text("not an image", encoding="utf-8")
    assert read_image("fake.png", tmp_path) == (None, "not a PNG, JPEG or WebP image")
    assert read_image("../x.png", tmp_path)[1] == "path outside the results folder: not embedded"
    assert read_image("x.png", None)[1] == "results folder unknown (rendered from memory)"
    assert safe_href("javascript:alert(1)") is None and safe_href("https://a.example/") == "https://a.example/"


def test_verdicts_phases_and_failures_are_reported(html: str) -> None:
    assert "After &#34;Continuer sans accepter&#34;, 4 trackers (3 advertising, 1 analytics) still set cookies" in html
    assert "Could not be audited: net::ERR_NAME_NOT_RESOLVED" in html
    assert "Phase missing: no evidence recorded." in html
    assert "<li>the accept phase is missing</li>" in html  # in the list of what was not evaluated
    assert "Could not reject</strong>: no control matching the refusal labels" in html
    assert "Trackers still active after refusing" in html and "Only after accepting" in html
    assert "Site policy" in html or 'class="policy"' in html
    assert "Accepted by the baseline: Accepted by the DPO" in html
    assert "not evaluated" in html
    assert "Store and/or access information on a device" in html  # decoded TCF purposes
    assert "Invalid TC string: truncated TC string (44 bits)" in html
    assert "tuuid" in html  # a Set-Cookie the browser refused is evidence too


def test_sites_are_ordered_worst_first_and_findings_worst_first(run1: RunResult) -> None:
    view = build_report(run1, RenderOptions(results_path=RUN1))
    ranks = [s.summary.verdict.rank for s in view.sites]
    assert ranks == sorted(ranks)
    bad = next(s for s in view.sites if s.summary.label == "Le Journal")
    groups = [(f.finding.baseline is not None, f.finding.outcome != "fail") for f in bad.findings]
    assert groups == sorted(groups)
    assert bad.findings[0].finding.severity == "error"
    cookies = [c.name for c in bad.cookies]
    assert cookies[:4] == ["IDE", "_ga", "uid", "_fbp"]  # trackers seen before/after refusal first


def test_provenance_hash_is_of_the_results_file(html: str, run1: RunResult) -> None:
    assert hashlib.sha256(RUN1.read_bytes()).hexdigest() in html
    for expected in ("Chromium 156.0.7390.54", "Mozilla/5.0 (X11; Linux x86_64)", "2025-05-01T09:00:32Z", "--rules"):
        assert expected in html
    from_memory = render(run1, Format.HTML)
    assert "rendered from memory" in from_memory


def test_rendering_is_deterministic(run1: RunResult, html: str) -> None:
    assert render(run1, Format.HTML, results_path=RUN1) == html


def test_nothing_that_could_not_be_evaluated_is_green(run1: RunResult) -> None:
    import dataclasses

    ok = next(s for s in run1.sites if "news-ok" in s.url)
    reject = dataclasses.replace(ok.phases["reject"], status="error", error="the reject click failed", cookies=())
    failed = dataclasses.replace(ok, phases={**ok.phases, "reject": reject}, findings=())
    html = render(dataclasses.replace(run1, sites=(failed,)), Format.HTML)
    box = html.split("<h4>Trackers still active after refusing</h4>", 1)
    assert len(box) == 2
    opening = box[0].rsplit("<div", 1)[1]
    assert "tone-unknown" in opening and "tone-good" not in opening
    assert "Not confirmed: the reject phase failed: the reject click failed" in box[1].split("</div>", 1)[0]
    assert "badge v-pass" not in html and "badge v-incomplete" in html
    assert "not everything could be evaluated" in html


def test_each_click_shows_its_effect_and_the_withdrawal_its_path(run1: RunResult) -> None:
    site = next(s for s in run1.sites if (p := s.phases.get("reject")) and p.consent and p.consent.clicked)
    reject = site.phases["reject"]
    assert reject.consent is not None
    contradicted = dataclasses.replace(
        reject.consent, effect="contradicted", effect_reason="the stored choice euconsent says accept: 1, 2"
    )
    withdrawal = WithdrawalEvidence(
        way_back="control", path=("Gérer mes cookies", "Tout refuser"), steps=2, confirmed=False
    )
    phases = {
        **site.phases,
        "reject": dataclasses.replace(reject, consent=contradicted),
        "withdraw": PhaseResult(name="withdraw", status="ok", withdrawal=withdrawal),
    }
    changed = dataclasses.replace(site, phases=phases, phases_requested=(*site.requested, "withdraw"))
    run = dataclasses.replace(run1, sites=(changed,))
    html = render(run, Format.HTML)
    assert "Choice contradicted</strong>: the stored choice euconsent says accept: 1, 2" in html
    assert (
        "Withdrawal: way back found on the page · 2 steps: “Gérer mes cookies” → “Tout refuser” · refusal not confirmed"
        in html
    )
