"""Static sites: ``<root>/<hostname>/<path>`` files, with optional per-site ``_headers``.

Path resolution: ``/`` and ``/dir/`` serve ``index.html``; ``/page`` serves ``page``, then ``page.html``,
then ``page/index.html``. Names starting with ``_`` are never served (they hold configuration), and
nothing outside the host's folder can be reached. Files a host lacks are looked up in the shared
``_common`` folder of the built-in sites (the consent banner script lives there).

``_headers`` (in a host's folder) adds response headers by path pattern (shell-style, ``*`` also
matches ``/``)::

    /gtag/js
      Content-Type: text/javascript; charset=utf-8
    /
      Set-Cookie: PHPSESSID={hex32}; Path=/; Secure; HttpOnly; SameSite=Lax

Values may hold ``{hexN}`` (N random hex digits), ``{digitsN}`` (N random digits) and ``{ts}`` (Unix
time). A ``Set-Cookie`` whose cookie the request already carries is not sent again (a session cookie
keeps its value). ``Content-Type`` replaces the type guessed from the file name.
"""

from __future__ import annotations

import html
import mimetypes
import re
import secrets
import time
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

from auditor.fixtureweb.server import Request, Response

BUILTIN_SITES = Path(__file__).resolve().parent / "sites"
"""The built-in sites shipped in the package."""

COMMON = "_common"
"""Folder of files every built-in or extra site serves unless it has its own."""

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
}
_TEMPLATE = re.compile(r"\{(hex|digits)(\d{1,3})\}|\{ts\}")


@dataclass(frozen=True)
class HeaderRule:
    """One ``_headers`` block: a path pattern and the headers it adds."""

    pattern: str
    headers: tuple[tuple[str, str], ...]


def content_type(path: Path) -> str:
    """The ``Content-Type`` for a file, from its extension (``application/octet-stream`` when unknown)."""
    known = _TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def parse_headers_file(text: str) -> tuple[HeaderRule, ...]:
    """Parse the text of a ``_headers`` file; raise :class:`ValueError` naming the bad line."""
    rules: list[HeaderRule] = []
    pattern: str | None = None
    headers: list[tuple[str, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            if pattern is not None:
                rules.append(HeaderRule(pattern, tuple(headers)))
            if not line.startswith("/"):
                raise ValueError(f"_headers line {number}: a path pattern must start with '/': {line!r}")
            pattern, headers = line, []
            continue
        name, sep, value = line.strip().partition(":")
        if pattern is None or not sep or not name.strip():
            raise ValueError(f"_headers line {number}: expected 'Name: value' under a path pattern: {line!r}")
        headers.append((name.strip(), value.strip()))
    if pattern is not None:
        rules.append(HeaderRule(pattern, tuple(headers)))
    return tuple(rules)


@lru_cache(maxsize=256)
def _load_rules(path: Path, mtime_ns: int) -> tuple[HeaderRule, ...]:
    return parse_headers_file(path.read_text(encoding="utf-8"))


def header_rules(host_dir: Path) -> tuple[HeaderRule, ...]:
    """The ``_headers`` rules of a host folder (none when it has no such file)."""
    path = host_dir / "_headers"
    try:
        return _load_rules(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        return ()


def expand(value: str) -> str:
    """Fill the ``{hexN}``, ``{digitsN}`` and ``{ts}`` placeholders of a header value."""

    def fill(match: re.Match[str]) -> str:
        kind, size = match.group(1), match.group(2)
        if kind is None:
            return str(int(time.time()))
        n = int(size)
        if kind == "hex":
            return secrets.token_hex((n + 1) // 2)[:n]
        return "".join(secrets.choice("0123456789") for _ in range(n))

    return _TEMPLATE.sub(fill, value)


def _safe_parts(url_path: str) -> list[str] | None:
    parts = [p for p in url_path.split("/") if p]
    for part in parts:
        if part in (".", "..") or part.startswith("_") or "\\" in part or "\x00" in part:
            return None
    return parts


def find_file(host_dir: Path, url_path: str) -> Path | None:
    """The file ``url_path`` names in ``host_dir``, or ``None`` (never anything outside ``host_dir``)."""
    parts = _safe_parts(url_path)
    if parts is None:
        return None
    base = host_dir.joinpath(*parts)
    if url_path.endswith("/") or not parts:
        candidates = [base / "index.html"]
    else:
        candidates = [base, base.with_name(base.name + ".html"), base / "index.html"]
    root = host_dir.resolve()
    for candidate in candidates:
        if candidate.is_file() and candidate.resolve().is_relative_to(root):
            return candidate
    return None


class StaticSites:
    """Serves hosts from folders: an optional extra root first, then the built-in sites."""

    def __init__(self, roots: list[Path]) -> None:
        self.roots = roots
        self.common = BUILTIN_SITES / COMMON

    def hosts(self) -> set[str]:
        """Every host name that has a folder in some root."""
        found: set[str] = set()
        for root in self.roots:
            found.update(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))
        return found

    def host_dirs(self, host: str) -> list[Path]:
        """The folders serving ``host``, by precedence (empty for an unknown host)."""
        if not host or host.startswith(("_", ".")) or "/" in host or "\\" in host:
            return []
        return [root / host for root in self.roots if (root / host).is_dir()]

    def serve(self, request: Request) -> Response | None:
        """Answer from the host's files; ``None`` when the host has no folder at all."""
        dirs = self.host_dirs(request.host)
        if not dirs:
            return None
        for host_dir in [*dirs, self.common]:
            found = find_file(host_dir, request.path)
            if found is not None:
                return self._file_response(request, found, dirs[0] if host_dir == self.common else host_dir)
        return not_found(request)

    def _file_response(self, request: Request, path: Path, host_dir: Path) -> Response:
        response = Response(200, path.read_bytes(), content_type(path))
        sent = request.cookies
        for rule in header_rules(host_dir):
            if not fnmatchcase(request.path, rule.pattern):
                continue
            for name, value in rule.headers:
                if name.lower() == "content-type":
                    response.content_type = value
                    continue
                if name.lower() == "set-cookie" and value.split("=", 1)[0].strip() in sent:
                    continue
                response.headers.append((name, expand(value)))
        return response


_ERROR_PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{status} — {title}</title>
<style>
  body {{ font-family: Georgia, "Times New Roman", serif; margin: 0; background: #f6f4ef; color: #222; }}
  main {{ max-width: 40rem; margin: 12vh auto; padding: 2rem; background: #fff; border-top: 6px solid #9b1c1c; }}
  h1 {{ font-size: 1.6rem; margin: 0 0 1rem; }}
  p {{ line-height: 1.5; }}
  code {{ font-family: ui-monospace, monospace; font-size: .9em; }}
</style>
</head>
<body>
<main>
<h1>{status} — {title}</h1>
<p>{text}</p>
<p><small>Adresse demandée : <code>{path}</code></small></p>
</main>
</body>
</html>
"""


def error_page(request: Request, status: int, title: str, text: str) -> Response:
    """An HTML error page of a real size (Chromium swaps bodies under 512 bytes for its own error page)."""
    body = _ERROR_PAGE.format(
        status=status, title=html.escape(title), text=html.escape(text), path=html.escape(request.path)
    )
    return Response(status, body.encode(), "text/html; charset=utf-8")


def not_found(request: Request) -> Response:
    """The 404 page of a site folder that lacks the requested file."""
    return error_page(request, 404, "Page introuvable", "Cette page n'existe pas ou plus.")
