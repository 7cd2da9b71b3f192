"""The console summary in CI logs (issue 16, item 1): no rule id, site name or URL is ever cut across lines."""

from __future__ import annotations

import io

import pytest

from auditor.formats import Format, print_console_summary, render
from auditor.model import BrowserInfo, Finding, RunResult, SiteResult, Subject, ToolInfo

RULES = (
    "baseline-third-party-tracker-cookie",
    "site-policy-an-extraordinarily-long-rule-identifier-from-a-site-pack-that-no-column-fits-whole",
    "cnil-no-tracker-cookie-without-consent",
)
URL = "https://www.un-site-au-nom-particulierement-long-pour-un-journal-regional.example.fr/accueil/index.html"


def _run() -> RunResult:
    findings = tuple(
        Finding(
            rule=rule,
            severity="error",
            phase="before",
            subject=Subject(kind="cookie", name=f"cookie_{i}", domain=".doubleclick.net"),
            message=f"A tracker sets cookie_{i} before any choice, in a message long enough to need wrapping " * 2,
        )
        for i, rule in enumerate(RULES)
    )
    sites = (
        SiteResult(url=URL, status="ok", findings=findings, rules=RULES),
        SiteResult(url="https://down.example/", status="error", error="net::ERR_NAME_NOT_RESOLVED"),
    )
    return RunResult(ToolInfo("t", "0"), BrowserInfo(), "2026-01-01T00:00:00Z", None, (), sites)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _assert_whole(text: str) -> None:
    lines = text.splitlines()
    for word in (*RULES, URL):
        assert any(word in line for line in lines), (word, text)
    assert "Verdict: " in text


@pytest.mark.parametrize("columns", ["40", "80", "140", None])
def test_piped_summary_keeps_every_id_and_url_on_one_line(columns: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    buffer = io.StringIO()  # not a terminal: a pipe or a CI log
    print_console_summary(_run(), file=buffer)
    text = buffer.getvalue()
    _assert_whole(text)
    assert "\x1b[" not in text  # no colour codes into a log
    finding_lines = [line for line in text.splitlines() if line.startswith("error")]
    assert len(finding_lines) == 3  # one line per finding group


@pytest.mark.parametrize("columns", ["60", "100", "300"])
def test_a_terminal_gets_tables_only_when_ids_fit(columns: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = _Terminal()
    print_console_summary(_run(), file=terminal)
    text = terminal.getvalue()
    for rule in RULES:  # on a table row or on a line: always whole
        assert any(rule in line for line in text.splitlines()), (columns, rule, text)
    assert ("┃" in text or "│" in text) == (columns == "300")


def test_format_console_is_the_line_layout() -> None:
    text = render(_run(), Format.CONSOLE)
    _assert_whole(text)
    assert "Worst findings by subject (top 3):" in text and text.endswith("\n")
