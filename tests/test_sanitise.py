"""Page strings in human outputs (issue 16, item 2): no ANSI escape, control, bidi override or CI command survives."""

from __future__ import annotations

import json
import re

import pytest

from auditor.browser.consent import ProbeReport
from auditor.cli.probe import render as render_probe
from auditor.formats import Format, github_annotations, render
from auditor.formats.text import md, one_line, printable, xml_safe
from auditor.model import (
    Banner,
    BannerControl,
    BrowserInfo,
    ConsentAction,
    Cookie,
    PhaseResult,
    Request,
    RunResult,
    SiteResult,
    ToolInfo,
)
from auditor.pipeline import build_pipeline

HOSTILE = "\x1b[31mIDE\x1b[0m\u202egpj.exe\r\n::error::pwned\x00##[error]legacy\x9b2J\x1b]0;title\x07"
"""A cookie name (and label, URL part, message) a hostile page could choose."""
FORBIDDEN = ("\x1b", "\u202e", "\x00", "\r", "\x9b", "\x07")


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b[2J\x1b[1;1Hwiped", "wiped"),
        ("\x1b]0;fake title\x07after", "after"),
        ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("a\x00b\x08c\x7fd", "abcd"),
        ("\u202eexe.txt", "exe.txt"),
        ("\u2066iso\u2069 \u200bzw\ufeff", "iso zw"),
        ("a\rb\r\nc\u2028d", "a\nb\nc\nd"),
        ("ok ##[error]x", "ok # #[error]x"),
        ("first\n::error::x", "first\n: :error::x"),
        ("Tout refuser – ça marche", "Tout refuser – ça marche"),
    ],
)
def test_printable(text: str, clean: str) -> None:
    assert printable(text) == clean
    assert printable(clean) == clean


def test_one_line_md_and_xml_sanitise_too() -> None:
    for out in (one_line(HOSTILE), md(HOSTILE), xml_safe(HOSTILE)):
        assert not any(c in out for c in FORBIDDEN), repr(out)
        assert "\n" not in one_line(HOSTILE) and "::error::pwned" not in one_line(HOSTILE).split(" ", 1)[0]


def _hostile_run() -> RunResult:
    cookie = Cookie(
        name=HOSTILE,
        value="x",
        domain=".doubleclick.net",
        path="/",
        expires=1_900_000_000.0,
        lifetime_days=390.0,
        secure=True,
        http_only=True,
        same_site="None",
        party="third",
        registrable_domain="doubleclick.net",
        set_by="header",
    )
    request = Request(
        url=f"https://ad.doubleclick.net/ddm/{HOSTILE}",
        host="ad.doubleclick.net",
        resource_type="image",
        method="GET",
        party="third",
        registrable_domain="doubleclick.net",
    )
    label = "Tout\naccepter\x1b[8m\u202e"
    banner = Banner(
        found=True,
        text=f"Nous utilisons des cookies {HOSTILE}",
        controls=(BannerControl(label=label, role="accept", kind="button", layer=1),),
    )
    phases = {
        name: PhaseResult(
            name=name,
            status="ok",
            url="https://www.hostile.example/",
            cookies=(cookie,),
            requests=(request,),
            banner=banner,
            consent=None if name == "before" else ConsentAction(action=name, clicked=False, reason=HOSTILE),
        )
        for name in ("before", "reject", "accept")
    }
    site = SiteResult(url="https://www.hostile.example/", status="ok", name=f"Hostile {HOSTILE}", phases=phases)
    down = SiteResult(url="https://down.example/", status="error", error=f"net::ERR {HOSTILE}")
    sites = (build_pipeline(None).postprocess(site), down)
    assert sites[0].findings  # the hostile names reach finding messages
    return RunResult(ToolInfo("t", "0"), BrowserInfo(), "2026-01-01T00:00:00Z", None, ("audit",), sites)


@pytest.mark.parametrize("fmt", [Format.CONSOLE, Format.MARKDOWN, Format.HTML, Format.JUNIT, Format.SARIF])
def test_no_format_carries_a_control_escape_or_bidi_character(fmt: Format) -> None:
    out = render(_hostile_run(), fmt)
    assert "IDE" in out and "pwned" in out  # the text is shown, only its controls dropped
    for c in FORBIDDEN:
        assert c not in out, (fmt, repr(c))
    assert "##[" not in out
    if fmt is Format.SARIF:  # JSON escapes controls (``\u001b``): what a viewer decodes must be clean too
        (sarif_run,) = json.loads(out)["runs"]
        texts = [r["message"]["text"] for r in sarif_run["results"]]
        texts += [n["message"]["text"] for n in sarif_run["invocations"][0]["toolExecutionNotifications"]]
        texts += [loc["name"] for r in sarif_run["results"] for loc in r["locations"][0]["logicalLocations"]]
        assert any("pwned" in t for t in texts)
        for text in texts:
            assert not any(c in text for c in FORBIDDEN) and "##[" not in text, repr(text)


def test_github_annotations_cannot_be_injected() -> None:
    text = github_annotations(_hostile_run())
    lines = text.splitlines()
    assert len(lines) > 2
    for line in lines:
        assert re.match(r"::(error|warning|notice) title=[^:]*::", line), line
        assert not any(c in line for c in FORBIDDEN), repr(line)
        assert "##[" not in line
    assert any("pwned" in line for line in lines)
    assert not any(line.startswith("::error::pwned") for line in lines)


def test_probe_text_is_sanitised() -> None:
    report = ProbeReport(
        url="https://www.hostile.example/",
        final_url=f"https://www.hostile.example/{HOSTILE}",
        banner=Banner(found=True, text=HOSTILE, controls=(BannerControl(HOSTILE, "reject", "button", 1),)),
        notes=(HOSTILE,),
    )
    out = render_probe(report)
    assert "IDE" in out and not any(c in out for c in FORBIDDEN), repr(out)
    assert not any(line.lstrip().startswith("::") for line in out.splitlines())
