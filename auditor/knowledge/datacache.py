"""The per-user cache of community data: filter lists downloaded by ``consent-audit data update``.

Lists are data, not code: they are downloaded into a cache directory (``$CONSENT_AUDIT_DATA``, else
``$XDG_CACHE_HOME/consent-audit``, else ``~/.cache/consent-audit``), each beside a ``manifest.json``
entry that records where it came from, its licence, when it was downloaded, its SHA-256 and how
many entries it holds. The classification reads only what the manifest lists, and every result
records it (:class:`~auditor.model.DataInfo`). Without a cache the tool works with what it ships.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from auditor.model import DataInfo

DATA_ENV = "CONSENT_AUDIT_DATA"
"""Environment variable naming the data cache directory (overrides the XDG cache directory)."""

MANIFEST_FILE = "manifest.json"
"""Name of the manifest in the cache directory."""

MAX_BYTES = 64 * 1024 * 1024
"""A download larger than this is refused (EasyList is about 2 MB)."""

DataKind = Literal["filterlist", "cname"]

EASYLIST_LICENCE = "GPL-3.0-or-later OR CC-BY-SA-3.0"
"""EasyList and EasyPrivacy are dual licensed (their headers and https://easylist.to/pages/licence.html)."""


class DataError(Exception):
    """A data source cannot be downloaded, read or parsed; the message names it."""


@dataclass(frozen=True)
class DataSource:
    """A data set ``data update`` can download."""

    name: str
    """Short name, used as the file name in the cache (``easyprivacy``)."""
    url: str
    """Download URL (``http://`` or ``https://``)."""
    kind: DataKind = "filterlist"
    """``filterlist`` (Adblock Plus syntax) or ``cname`` (CNAME tracker list)."""
    licence: str | None = None
    """The licence, when known in advance; else read from the list's ``! License:`` header."""
    category: str = "advertising"
    """Category given to what a filter list matches (EasyPrivacy: ``analytics``, tracking)."""


DEFAULT_SOURCES: tuple[DataSource, ...] = (
    DataSource(
        "easyprivacy", "https://easylist.to/easylist/easyprivacy.txt", licence=EASYLIST_LICENCE, category="analytics"
    ),
    DataSource("easylist", "https://easylist.to/easylist/easylist.txt", licence=EASYLIST_LICENCE),
    DataSource(
        "adguard-cname-trackers",
        "https://raw.githubusercontent.com/AdguardTeam/cname-trackers/master/data/combined_original_trackers.txt",
        kind="cname",
        licence="MIT",
        category="analytics",
    ),
)
"""What ``data update`` downloads unless told otherwise: EasyPrivacy (trackers), EasyList (ads) and AdGuard's
CNAME tracker list (the domains that disguised first-party hosts point to)."""


@dataclass(frozen=True)
class CachedData:
    """One downloaded data set, as its manifest entry describes it."""

    name: str
    kind: DataKind
    url: str
    licence: str
    category: str
    file: str
    """File name in the cache directory."""
    downloaded: str
    """When it was downloaded (ISO 8601, UTC)."""
    sha256: str
    entries: int
    version: str | None = None
    """The version or ``Last modified`` date from the list's header, when it has one."""

    def info(self) -> DataInfo:
        """This data set's provenance for ``results.json``."""
        return DataInfo(
            name=self.name,
            kind=self.kind,
            source=self.url,
            licence=self.licence,
            date=self.downloaded,
            sha256=self.sha256,
            entries=self.entries,
            version=self.version,
        )


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The data cache: ``$CONSENT_AUDIT_DATA``, else ``$XDG_CACHE_HOME/consent-audit``, else ``~/.cache/...``."""
    env = os.environ if environ is None else environ
    explicit = env.get(DATA_ENV)
    if explicit:
        return Path(explicit)
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "consent-audit"


def parse_source(text: str, kind: DataKind = "filterlist") -> DataSource:
    """Parse ``NAME=URL`` (a user-named filter list for ``data update --list``, or a CNAME list for ``--cname``)."""
    name, sep, url = text.partition("=")
    name = name.strip()
    url = url.strip()
    if not sep or not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,63}", name) or name == "manifest":
        raise DataError(f"--list {text!r}: expected NAME=URL with NAME of lower-case letters, digits, '.', '_', '-'")
    if not url.startswith(("http://", "https://")):
        raise DataError(f"--list {text!r}: the URL must start with http:// or https://")
    return DataSource(name=name, url=url, kind=kind)


def read_manifest(directory: Path) -> tuple[CachedData, ...]:
    """The data sets the cache holds (empty when there is no cache); a broken manifest raises :class:`DataError`."""
    path = directory / MANIFEST_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: unreadable data manifest: {exc}") from None
    try:
        return tuple(CachedData(**item) for item in raw["data"])
    except (KeyError, TypeError) as exc:
        raise DataError(f"{path}: malformed data manifest: {exc}") from None


def _write_manifest(directory: Path, entries: Sequence[CachedData]) -> None:
    data: dict[str, Any] = {"version": 1, "data": [vars(e) for e in sorted(entries, key=lambda e: e.name)]}
    tmp = directory / (MANIFEST_FILE + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, directory / MANIFEST_FILE)


_HEADER = re.compile(r"^!\s*(Version|Last modified|License|Licence)\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


def list_header(text: str) -> dict[str, str]:
    """``Version``, ``Last modified`` and ``License`` from an Adblock Plus list's comment header (lower-case keys)."""
    found: dict[str, str] = {}
    for key, value in _HEADER.findall(text[:8192]):
        found.setdefault(key.lower().replace("licence", "license"), value)
    return found


def count_entries(kind: DataKind, text: str) -> int:
    """Entries of a downloaded data set: non-comment lines (filters, CNAME targets)."""
    comment = ("!", "[") if kind == "filterlist" else ("#", "!", "[")
    return sum(1 for line in text.splitlines() if line.strip() and not line.lstrip().startswith(comment))


Fetch = Callable[[str, float], bytes]


def http_fetch(url: str, timeout: float) -> bytes:
    """Download ``url`` (at most :data:`MAX_BYTES`); raises :class:`DataError` on any failure."""
    request = urllib.request.Request(url, headers={"User-Agent": "consent-audit data update"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: bytes = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DataError(f"{url}: download failed: {exc}") from None
    if len(body) > MAX_BYTES:
        raise DataError(f"{url}: larger than {MAX_BYTES} bytes, refused")
    return body


def update(
    sources: Sequence[DataSource],
    directory: Path,
    *,
    fetch: Fetch = http_fetch,
    timeout: float = 60.0,
) -> tuple[tuple[CachedData, ...], tuple[str, ...]]:
    """Download ``sources`` into ``directory`` and update its manifest.

    Returns the data sets now in the cache and the errors (one message per source that failed:
    its previous copy, if any, is kept). Each file is written atomically.
    """
    directory.mkdir(parents=True, exist_ok=True)
    kept = {entry.name: entry for entry in read_manifest(directory)}
    errors: list[str] = []
    for source in sources:
        try:
            body = fetch(source.url, timeout)
            text = body.decode("utf-8-sig")
        except DataError as exc:
            errors.append(f"{source.name}: {exc}")
            continue
        except UnicodeDecodeError:
            errors.append(f"{source.name}: {source.url}: not UTF-8 text")
            continue
        entries = count_entries(source.kind, text)
        if entries == 0:
            errors.append(f"{source.name}: {source.url}: no entries (not a {source.kind}?)")
            continue
        header = list_header(text) if source.kind == "filterlist" else {}
        file = f"{source.name}.txt"
        tmp = directory / (file + ".tmp")
        tmp.write_bytes(body)
        os.replace(tmp, directory / file)
        kept[source.name] = CachedData(
            name=source.name,
            kind=source.kind,
            url=source.url,
            licence=source.licence or header.get("license") or "not stated",
            category=source.category,
            file=file,
            downloaded=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            sha256=hashlib.sha256(body).hexdigest(),
            entries=entries,
            version=header.get("version") or header.get("last modified"),
        )
        _write_manifest(directory, list(kept.values()))
    return tuple(sorted(kept.values(), key=lambda e: e.name)), tuple(errors)
