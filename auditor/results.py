"""Reading and writing results: ``results.json`` (the evidence file) and the per-site journal.

A run appends each site's result to ``journal.jsonl`` the moment the site finishes (one JSON line,
flushed and fsynced), then writes ``results.json`` at the end. An interrupted run therefore keeps
every finished site, and ``--resume`` skips them. Reports, ``check``, ``compare`` and ``diff`` read
``results.json`` (or a bare journal) and never need a browser.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from auditor.model import RunResult, SiteResult, from_jsonable, to_jsonable

RESULTS_FILE = "results.json"
JOURNAL_FILE = "journal.jsonl"


class ResultsError(Exception):
    """A results or journal file cannot be read."""


def run_to_dict(run: RunResult) -> dict[str, Any]:
    """The canonical JSON form of a run (results contract v1)."""
    data: dict[str, Any] = to_jsonable(run)
    return data


def dumps_run(run: RunResult) -> str:
    """Serialise a run to the canonical, pretty-printed JSON text."""
    return json.dumps(run_to_dict(run), ensure_ascii=False, indent=2) + "\n"


def write_results(run: RunResult, path: str | Path) -> Path:
    """Write ``results.json`` atomically (write to a temporary file, then rename)."""
    target = Path(path)
    if target.is_dir():
        target = target / RESULTS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(dumps_run(run), encoding="utf-8")
    os.replace(tmp, target)
    return target


def read_results(path: str | Path) -> RunResult:
    """Read a ``results.json`` file (or a directory holding one) into a :class:`RunResult`."""
    source = Path(path)
    if source.is_dir():
        source = source / RESULTS_FILE
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{source}: file not found") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{source}: not a readable results file: {exc}") from None
    if not isinstance(data, dict) or "sites" not in data:
        raise ResultsError(f"{source}: not a results file (no 'sites')")
    version = data.get("schema_version")
    if version != 1:
        raise ResultsError(f"{source}: unsupported schema_version {version!r} (this tool reads 1)")
    try:
        return from_jsonable(RunResult, data)
    except (TypeError, KeyError, AttributeError) as exc:
        raise ResultsError(f"{source}: malformed results file: {exc}") from None


class Journal:
    """Append-only JSON-lines log of finished sites; survives crashes and feeds ``--resume``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("a", encoding="utf-8")

    def append(self, site: SiteResult) -> None:
        """Write one site's result and force it to disk."""
        self._fh.write(json.dumps(to_jsonable(site), ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Close the journal file."""
        self._fh.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def iter_journal(path: str | Path) -> Iterator[SiteResult]:
    """Yield the sites of a journal, skipping a truncated last line (a crash mid-write)."""
    p = Path(path)
    if not p.exists():
        return
    with p.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            yield from_jsonable(SiteResult, data)


def iter_latest_raw(journal_path: str | Path, order: Iterable[str] = ()) -> Iterator[dict[str, Any]]:
    """The last journal line of each site as plain data: URLs of ``order`` first, then the rest.

    A resumed or retried run may log a site twice: the last line wins. Only a file offset per URL is
    held in memory, never the sites; a truncated last line (a crash mid-write) is skipped.
    """
    journal = Path(journal_path)
    if not journal.exists():
        return
    offsets: dict[str, int] = {}
    with journal.open("rb") as fh:
        while True:
            pos = fh.tell()
            line = fh.readline()
            if not line:
                break
            try:
                offsets[str(json.loads(line)["url"])] = pos
            except (json.JSONDecodeError, KeyError, TypeError):
                continue
        for url in dict.fromkeys([*order, *offsets]):
            if url in offsets:
                fh.seek(offsets[url])
                yield json.loads(fh.readline())


def iter_latest(journal_path: str | Path, order: Iterable[str] = ()) -> Iterator[SiteResult]:
    """Like :func:`iter_latest_raw`, as :class:`SiteResult` objects (one at a time)."""
    for data in iter_latest_raw(journal_path, order):
        yield from_jsonable(SiteResult, data)


def rewrite_journal(
    journal_path: str | Path, transform: Callable[[SiteResult], SiteResult], order: Iterable[str] = ()
) -> None:
    """Rewrite a journal with only the last line of each site, passed through ``transform`` (atomically).

    One site in memory at a time; the new file replaces the old one only once complete and fsynced.
    """
    journal = Path(journal_path)
    tmp = journal.with_name(journal.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as dst:
        for site in iter_latest(journal, order):
            dst.write(json.dumps(to_jsonable(transform(site)), ensure_ascii=False) + "\n")
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, journal)


def write_results_from_journal(
    header: RunResult, journal_path: str | Path, target: str | Path, order: Iterable[str] = ()
) -> Path:
    """Assemble ``results.json`` from a journal without loading every site into memory.

    ``header`` supplies provenance (its ``sites`` are ignored). Sites come in ``order`` (URLs, e.g. the
    input order), then any others in journal order; the last journal line of a URL wins.
    """
    head = run_to_dict(header)
    head.pop("sites", None)
    out = Path(target)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as dst:
        dst.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "sites": [')
        for index, site in enumerate(iter_latest_raw(journal_path, order)):
            dst.write(("," if index else "") + "\n    " + json.dumps(site, ensure_ascii=False))
        dst.write("\n  ]\n}\n")
    os.replace(tmp, out)
    return out
