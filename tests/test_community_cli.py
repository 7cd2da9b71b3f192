"""``data update``, ``data show``, ``knowledge lookup`` and the data provenance ``check`` records."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_datacache import serve

from auditor.results import read_results

LISTS = Path(__file__).parent / "data" / "filterlists"
SAVED = Path(__file__).parent / "data" / "results" / "run1"


def cli(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, "NO_COLOR": "1", "CONSENT_AUDIT_DATA": str(cache)},
    )


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(LISTS) as url:
        yield url


@pytest.fixture(scope="module")
def cache(base_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = Path(tmp_path_factory.mktemp("cli-cache"))
    done = cli(["data", "update", "--no-defaults", "--list", f"easyprivacy={base_url}/fixture-web.txt"], directory)
    assert done.returncode == 0, done.stderr
    assert "easyprivacy: 6 entries" in done.stdout
    assert "GPL-3.0-or-later OR CC-BY-SA-3.0" in done.stdout  # a default's name keeps its licence
    return directory


def test_update_reports_a_failed_download(base_url: str, tmp_path: Path) -> None:
    done = cli(["data", "update", "--no-defaults", "--list", f"mine={base_url}/missing.txt"], tmp_path)
    assert done.returncode == 1
    assert "mine:" in done.stderr and "404" in done.stderr


def test_update_rejects_a_bad_list_option(tmp_path: Path) -> None:
    done = cli(["data", "update", "--list", "no-url"], tmp_path)
    assert done.returncode == 2
    assert "NAME=URL" in done.stderr


def test_show_lists_the_cache(cache: Path, tmp_path: Path) -> None:
    shown = cli(["data", "show"], cache)
    assert shown.returncode == 0 and shown.stdout.startswith("easyprivacy: 6 entries")
    empty = cli(["data", "show"], tmp_path)
    assert empty.returncode == 0 and "no data" in empty.stderr


def test_lookup_a_url_blocked_by_a_list(cache: Path) -> None:
    done = cli(["knowledge", "lookup", "https://px.adnexo-regie.net/px?vid=1", "--type", "image"], cache)
    assert done.returncode == 0, done.stderr
    assert "layer:   community" in done.stdout
    assert "entry:   easyprivacy filter ||px.adnexo-regie.net^$third-party" in done.stdout
    assert "data:    easyprivacy (GPL-3.0-or-later OR CC-BY-SA-3.0)" in done.stdout


def test_lookup_a_url_of_the_curated_base_notes_the_list(cache: Path) -> None:
    done = cli(["knowledge", "lookup", "https://www.google-analytics.com/g/collect?v=2&gcs=G100&gcd=13p3p3r3p5"], cache)
    assert "layer:   curated" in done.stdout
    assert "also blocked by easyprivacy filter ||www.google-analytics.com^" in done.stdout
    assert (
        "Google Consent Mode signal: ad_storage=denied, analytics_storage=denied, ad_user_data=granted,"
        " ad_personalization=denied" in done.stdout
    )


def test_lookup_an_excepted_and_an_unknown_url(cache: Path) -> None:
    done = cli(["knowledge", "lookup", "https://match.dsp-partenaire.io/sync?partner=whitelisted"], cache)
    assert "not classified by any list" in done.stdout
    assert "allows it by the exception @@||match.dsp-partenaire.io/sync?partner=whitelisted^" in done.stdout
    assert "behaviour layer" in done.stdout


def test_lookup_a_name(cache: Path) -> None:
    done = cli(["knowledge", "lookup", "_gali"], cache)
    assert done.returncode == 0, done.stderr
    assert "cookie _gali" in done.stdout and "storage _gali" in done.stdout
    assert "layer:   community" in done.stdout
    assert "data:    open-cookie-database (Apache-2.0), 2026-01-21" in done.stdout
    curated = cli(["knowledge", "lookup", "IDE", "--domain", ".doubleclick.net"], cache)
    assert "layer:   curated" in curated.stdout and "(community layer, weaker)" in curated.stdout


def test_check_records_the_data_used(cache: Path, tmp_path: Path) -> None:
    out = tmp_path / "checked.json"
    done = cli(["check", str(SAVED), "--rules", "cnil", "-o", str(out)], cache)
    assert done.returncode == 3, done.stderr  # the saved run has sites that could not be audited
    data = {d.name: d for d in read_results(out).data}
    assert set(data) == {"open-cookie-database", "easyprivacy"}
    assert data["easyprivacy"].entries == 6 and data["easyprivacy"].kind == "filterlist"
    assert data["open-cookie-database"].licence == "Apache-2.0"
