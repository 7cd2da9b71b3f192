"""sites.yaml validation, URL checks and browser discovery: errors name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import ExitCode, app
from auditor.config import SiteConfig, check_url, dedupe_sites, find_browser, load_sites, sites_from_urls, url_key
from auditor.yamlutil import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_full_sites_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
defaults: {locale: de-DE}
sites:
  - www.example.fr
  - url: https://www.journal.fr/une
    name: Le Journal
    first_party: [journal-cdn.net]
    consent:
      reject: {label: Continuer sans accepter}
      accept: {selector: "#agree", frame: consent.journal.fr}
    rules: [cnil]
""",
    )
    first, second = load_sites(path)
    assert first.url == "https://www.example.fr/"
    assert first.locale == "de-DE"
    assert second.name == "Le Journal"
    assert second.first_party == ("journal-cdn.net",)
    assert second.reject is not None and second.reject.label == "Continuer sans accepter"
    assert second.accept is not None and second.accept.selector == "#agree"
    assert second.accept.frame == "consent.journal.fr"
    assert second.rules == ("cnil",)


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("sites:\n  - url: https://a.fr/\n    consent:\n      reject: {selecter: '#x'}\n", 4, "unknown key 'selecter'"),
        ("sites:\n  - url: https://a.fr/\n    colour: red\n", 3, "unknown key 'colour'"),
        ("sites:\n  - url: https://a.fr/\n  - url: ftp://b.fr/\n", 3, "invalid URL"),
        ("sites: [\n", 2, "invalid YAML"),
        ("sites:\n  - url: https://a.fr/\n    url: https://b.fr/\n", 3, "duplicate key"),
        ("sites: []\n", 1, "should be non-empty"),
        ("site:\n  - https://a.fr/\n", 1, "unknown key 'site'"),
        ("sites:\n  - name: x\n", 2, "'url' is a required property"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_sites(path)
    assert info.value.file == str(path)
    assert info.value.line == line, str(info.value)
    assert needle in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_sites(tmp_path / "nope.yaml")


@pytest.mark.parametrize("url", ["not a url", "ftp://x.fr/", "https://", "http:///path", "javascript:alert(1)"])
def test_invalid_urls(url: str) -> None:
    with pytest.raises(ConfigError, match="invalid URL"):
        sites_from_urls([url])


def test_url_normalisation() -> None:
    assert check_url("www.lemonde.fr") == "https://www.lemonde.fr/"
    assert check_url("http://a.fr/x?y=1") == "http://a.fr/x?y=1"


def test_browser_explicit_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found or not executable"):
        find_browser(str(tmp_path / "chrome"))


def test_browser_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "chrome"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("CONSENT_AUDIT_BROWSER", str(exe))
    choice = find_browser()
    assert choice.path == str(exe)
    assert choice.origin == "CONSENT_AUDIT_BROWSER"


def test_browser_command_names_the_browser_the_audit_would_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = tmp_path / "chrome"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("CONSENT_AUDIT_BROWSER", str(exe))
    result = CliRunner().invoke(app, ["browser"])
    assert result.exit_code == ExitCode.OK
    assert result.stdout.strip() == f"{exe} (from CONSENT_AUDIT_BROWSER)"
    missing = CliRunner().invoke(app, ["browser", "--browser", str(tmp_path / "none")])
    assert missing.exit_code == ExitCode.USAGE
    assert "not found or not executable" in missing.stderr


def test_a_url_given_twice_is_kept_once_with_a_warning_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, "sites:\n  - https://WWW.A.fr\n  - url: https://b.fr/x/\n  - https://www.a.fr:443/\n")
    listed = [*load_sites(path), *sites_from_urls(["https://b.fr/x", "https://c.fr/?lang=en", "https://c.fr/"])]
    kept, warnings = dedupe_sites(listed)
    assert [s.url for s in kept] == ["https://WWW.A.fr/", "https://b.fr/x/", "https://c.fr/?lang=en", "https://c.fr/"]
    assert warnings == [
        "https://WWW.A.fr/ is given 2 times (command line and/or sites file): audited once",
        "https://b.fr/x/ is given 2 times (command line and/or sites file): audited once",
    ]
    assert url_key("HTTP://Example.FR:80/") == url_key("http://example.fr") == "http://example.fr"
    assert url_key("https://example.fr:8443/a/") == "https://example.fr:8443/a"
    assert dedupe_sites([SiteConfig(url="https://a.fr/")]) == ([SiteConfig(url="https://a.fr/")], [])
