"""``data update``: filter lists downloaded from a server on loopback into the data cache, with a manifest."""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from auditor.knowledge.community import load_community, shipped_community
from auditor.knowledge.datacache import (
    DATA_ENV,
    DEFAULT_SOURCES,
    EASYLIST_LICENCE,
    MANIFEST_FILE,
    DataError,
    DataSource,
    count_entries,
    data_dir,
    list_header,
    parse_source,
    read_manifest,
    update,
)

LISTS = Path(__file__).parent / "data" / "filterlists"
FIXTURE_LIST = LISTS / "fixture-web.txt"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on an ephemeral loopback port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(LISTS) as url:
        yield url


def test_update_downloads_and_records_manifest(base_url: str, tmp_path: Path) -> None:
    sources = [DataSource("fixture", f"{base_url}/fixture-web.txt", category="advertising")]
    cached, errors = update(sources, tmp_path)
    assert errors == ()
    (entry,) = cached
    body = FIXTURE_LIST.read_bytes()
    assert (tmp_path / entry.file).read_bytes() == body
    assert entry.sha256 == hashlib.sha256(body).hexdigest()
    assert entry.entries == 6  # five network filters and one cosmetic filter; comments and header excluded
    assert entry.version == "202612010000"
    assert entry.licence == "Apache-2.0 (written for the consent-audit tests)"
    assert entry.url == f"{base_url}/fixture-web.txt"
    assert entry.downloaded.endswith("Z")
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert [d["name"] for d in manifest["data"]] == ["fixture"]
    assert read_manifest(tmp_path) == cached


def test_failed_download_keeps_the_previous_copy(base_url: str, tmp_path: Path) -> None:
    update([DataSource("fixture", f"{base_url}/fixture-web.txt")], tmp_path)
    before = read_manifest(tmp_path)
    cached, errors = update([DataSource("fixture", f"{base_url}/gone.txt")], tmp_path)
    assert len(errors) == 1 and "fixture" in errors[0] and "404" in errors[0]
    assert cached == before
    assert (tmp_path / "fixture.txt").read_bytes() == FIXTURE_LIST.read_bytes()


def test_a_file_with_no_entry_is_refused(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    empty = Path(tmp_path_factory.mktemp("empty-list"))
    (empty / "empty.txt").write_text("! Title: nothing\n\n", encoding="utf-8")
    with serve(empty) as url:
        cached, errors = update([DataSource("empty", f"{url}/empty.txt")], tmp_path)
    assert cached == ()
    assert "no entries" in errors[0]


def test_several_lists_and_known_licence(base_url: str, tmp_path: Path) -> None:
    sources = [
        DataSource("easyprivacy", f"{base_url}/fixture-web.txt", licence=EASYLIST_LICENCE, category="analytics"),
        DataSource("second", f"{base_url}/second-list.txt"),
    ]
    cached, errors = update(sources, tmp_path)
    assert errors == ()
    assert [(c.name, c.licence, c.category, c.entries) for c in cached] == [
        ("easyprivacy", EASYLIST_LICENCE, "analytics", 6),
        ("second", "not stated", "advertising", 2),
    ]
    community = load_community(tmp_path)
    provenance = community.provenance()
    assert [d.name for d in provenance] == ["open-cookie-database", "easyprivacy", "second"]
    assert provenance[1].sha256 == hashlib.sha256(FIXTURE_LIST.read_bytes()).hexdigest()
    assert provenance[1].date == cached[0].downloaded


def test_a_changed_file_is_not_used_silently(base_url: str, tmp_path: Path) -> None:
    update([DataSource("fixture", f"{base_url}/fixture-web.txt")], tmp_path)
    (tmp_path / "fixture.txt").write_text("||everything.example^\n", encoding="utf-8")
    community = load_community(tmp_path)
    with pytest.raises(DataError, match="SHA-256"):
        community.classify_request("https://px.adnexo-regie.net/px", "https://www.regie-inconnue.fr/", "image")


def test_no_cache_means_shipped_data_only(tmp_path: Path) -> None:
    assert read_manifest(tmp_path / "missing") == ()
    assert load_community(tmp_path / "missing") is shipped_community()
    assert [d.name for d in shipped_community().provenance()] == ["open-cookie-database"]


def test_broken_manifest_is_an_error(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="manifest"):
        read_manifest(tmp_path)


def test_data_dir_resolution(tmp_path: Path) -> None:
    assert data_dir({DATA_ENV: str(tmp_path)}) == tmp_path
    assert data_dir({"XDG_CACHE_HOME": "/x/cache"}) == Path("/x/cache/consent-audit")
    assert data_dir({}) == Path.home() / ".cache" / "consent-audit"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("nourl", "NAME=URL"),
        ("Bad Name=https://x", "NAME=URL"),
        ("x=ftp://host/list", "http"),
        ("manifest=https://x", "NAME=URL"),
    ],
)
def test_parse_source_rejects(text: str, problem: str) -> None:
    with pytest.raises(DataError, match=problem):
        parse_source(text)


def test_parse_source_and_defaults() -> None:
    assert parse_source("mine=https://lists.example/mine.txt") == DataSource("mine", "https://lists.example/mine.txt")
    assert {(s.name, s.kind, s.licence) for s in DEFAULT_SOURCES} == {
        ("easyprivacy", "filterlist", EASYLIST_LICENCE),
        ("easylist", "filterlist", EASYLIST_LICENCE),
        ("adguard-cname-trackers", "cname", "MIT"),
    }
    assert all(s.url.startswith("https://") for s in DEFAULT_SOURCES)
    assert parse_source("mine=https://x.example/c.txt", "cname").kind == "cname"


def test_header_and_counts() -> None:
    text = FIXTURE_LIST.read_text(encoding="utf-8")
    assert list_header(text)["version"] == "202612010000"
    assert count_entries("filterlist", text) == 6
    assert count_entries("cname", "# comment\na.example\n\nb.example\n") == 2
