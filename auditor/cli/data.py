"""``consent-audit data update`` and ``data show``: the community data cache (filter lists).

Lists are downloaded into the per-user cache (``$CONSENT_AUDIT_DATA``, else the XDG cache
directory) with their licence, date, SHA-256 and entry count in a manifest; ``audit`` and
``check`` then classify with them and record them in ``results.json``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.app import app, fail
from auditor.knowledge.datacache import (
    DEFAULT_SOURCES,
    CachedData,
    DataError,
    DataSource,
    data_dir,
    parse_source,
    read_manifest,
    update,
)

data_app = typer.Typer(
    name="data",
    help="Download and show the community data (EasyPrivacy, EasyList, your lists) the classification uses.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(data_app, name="data")

DirOpt = Annotated[
    Path | None,
    typer.Option("--dir", help="Data cache directory (default: $CONSENT_AUDIT_DATA, else the XDG cache directory)."),
]


def _line(entry: CachedData) -> str:
    version = f", version {entry.version}" if entry.version else ""
    return (
        f"{entry.name}: {entry.entries} entries, downloaded {entry.downloaded}{version}, sha256 {entry.sha256[:16]}…,"
        f" licence {entry.licence}, from {entry.url}"
    )


def _sources(lists: list[str], defaults: bool) -> list[DataSource]:
    """The default sources (a ``--list`` of the same name replaces its URL) and the user's lists."""
    chosen: dict[str, DataSource] = {s.name: s for s in DEFAULT_SOURCES} if defaults else {}
    for text in lists:
        source = parse_source(text)
        known = {s.name: s for s in DEFAULT_SOURCES}.get(source.name)
        chosen[source.name] = (
            DataSource(source.name, source.url, kind=known.kind, licence=known.licence, category=known.category)
            if known is not None
            else source
        )
    return list(chosen.values())


@data_app.command("update")
def update_command(
    lists: Annotated[
        list[str] | None,
        typer.Option(
            "--list",
            help="Another filter list to download, NAME=URL (repeatable); a default's name (easyprivacy, easylist,"
            " adguard-cname-trackers) replaces its URL, e.g. a mirror.",
        ),
    ] = None,
    defaults: Annotated[
        bool, typer.Option(help="Also download the default lists (EasyPrivacy, EasyList, AdGuard's CNAME trackers).")
    ] = True,
    directory: DirOpt = None,
    timeout: Annotated[float, typer.Option(help="Seconds allowed per download.")] = 60.0,
) -> None:
    """Download the filter lists into the data cache; exit 1 when one could not be downloaded (its old copy stays)."""
    try:
        sources = _sources(list(lists or []), defaults)
    except DataError as exc:
        fail(str(exc))
    if not sources:
        fail("nothing to download (--no-defaults and no --list)")
    target = directory or data_dir()
    try:
        cached, errors = update(sources, target, timeout=timeout)
    except (DataError, OSError) as exc:
        fail(str(exc))
    for entry in cached:
        print(_line(entry))
    print(f"data cache: {target}", file=sys.stderr)
    for error in errors:
        print(f"consent-audit: error: {error}", file=sys.stderr)
    if errors:
        raise typer.Exit(1)


@data_app.command("show")
def show_command(directory: DirOpt = None) -> None:
    """List the data sets of the cache (name, entries, date, SHA-256, licence, source)."""
    target = directory or data_dir()
    try:
        cached = read_manifest(target)
    except DataError as exc:
        fail(str(exc))
    for entry in cached:
        print(_line(entry))
    if not cached:
        print(f"no data in {target} (run 'consent-audit data update'); only the shipped data is used", file=sys.stderr)
