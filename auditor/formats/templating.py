"""The Jinja2 environment of the HTML outputs, and the helpers that keep them self-contained and safe.

Templates and assets live in the top-level ``reports/`` folder (:func:`auditor.resources.data_dir`).
Autoescaping is on for everything, and every string printed is first made
:func:`~auditor.formats.text.printable` (no control, escape or bidi character); the only strings
marked safe are our own CSS and JS assets, inlined so a report opens offline and makes no request.
Links are emitted only for ``http(s)`` URLs, so a ``javascript:`` URL recorded from a page is shown
as text and never becomes clickable.
"""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from auditor.formats.interface import FormatError
from auditor.formats.text import printable
from auditor.resources import data_dir

IMAGE_SIGNATURES: dict[bytes, str] = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"RIFF": "image/webp",
}
MAX_IMAGE_BYTES = 8 * 1024 * 1024
"""Screenshots larger than this are not embedded (a report must stay openable)."""


def safe_href(url: object) -> str | None:
    """``url`` when it is an absolute ``http(s)`` URL with a host, else ``None`` (render it as text)."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def link_text(url: str) -> str:
    """Short text for a link: its host and path start (``cnil.fr/fr/questions-reponses…``)."""
    parts = urlsplit(url)
    text = (parts.hostname or "").removeprefix("www.") + parts.path
    return text if len(text) <= 48 else text[:47] + "…"


def pretty_json(value: Any) -> str:
    """Indented JSON for evidence blocks (escaped by the template like any other text)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)


def read_image(relative: str, base: Path | None) -> tuple[str | None, str | None]:
    """Embed a screenshot: ``(data: URI, None)`` or ``(None, reason it is not shown)``.

    The path is resolved against ``base`` (the folder of ``results.json``) and must stay inside it;
    the file must be a PNG, JPEG or WebP image by its signature. A results file can therefore never
    make a report embed an arbitrary file.
    """
    if base is None:
        return None, "results folder unknown (rendered from memory)"
    root = base.resolve()
    try:
        path = (root / relative).resolve()
    except (OSError, RuntimeError, ValueError):
        return None, "invalid path"
    if not path.is_relative_to(root):
        return None, "path outside the results folder: not embedded"
    try:
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return None, "file too large to embed"
        data = path.read_bytes()
    except OSError:
        return None, "file not found"
    for signature, media_type in IMAGE_SIGNATURES.items():
        if data.startswith(signature) and (media_type != "image/webp" or data[8:12] == b"WEBP"):
            return f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}", None
    return None, "not a PNG, JPEG or WebP image"


def finalize(value: object) -> object:
    """Each ``{{ expression }}`` of a template: strings made :func:`~auditor.formats.text.printable`, markup kept."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return printable(value)
    return value


def asset(name: str) -> Markup:
    """An asset of ``reports/assets`` as trusted markup, for inlining in ``<style>``/``<script>``."""
    try:
        text = (data_dir("reports") / "assets" / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise FormatError(f"report asset {name!r} cannot be read: {exc}") from None
    if "</" in text:
        raise FormatError(f"report asset {name!r} must not contain '</' (it is inlined)")
    return Markup(text)


@cache
def environment() -> jinja2.Environment:
    """The shared Jinja2 environment (autoescape on, undefined variables are errors)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("reports"))),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )
    env.filters["href"] = safe_href
    env.filters["pretty_json"] = pretty_json
    env.filters["link_text"] = link_text
    env.globals["asset"] = asset
    return env


def render_template(name: str, **context: Any) -> str:
    """Render ``reports/<name>`` with ``context``."""
    try:
        template = environment().get_template(name)
    except jinja2.TemplateError as exc:
        raise FormatError(f"report template {name!r} cannot be loaded: {exc}") from None
    return template.render(**context)
