"""Reading a cookie-policy page: its cookie tables (name, category or purpose, duration) and its policy links.

Plain HTML in, plain data out (stdlib :mod:`html.parser`; no browser), so saved pages test it. A table
is a cookie table when its header names a cookie column and a purpose, category or duration column, in
French, English or German. A row's category comes from its category column, else its purpose, else the
heading the table sits under (« Cookies de mesure d'audience »).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from auditor.declared.words import category_of, fold, parse_duration

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("nom", "name", "cookie", "cookies", "traceur", "bezeichnung", "cookie-name", "identifiant"),
    "domain": ("domaine", "domain", "hote", "host", "domains", "domaines"),
    "vendor": (
        "fournisseur",
        "editeur",
        "provider",
        "vendor",
        "service",
        "anbieter",
        "partenaire",
        "emetteur",
        "tiers",
    ),
    "category": ("categorie", "category", "type", "kategorie", "typ"),
    "purpose": ("finalite", "purpose", "objet", "description", "zweck", "beschreibung", "usage", "utilisation", "role"),
    "duration": (
        "duree",
        "duration",
        "expiration",
        "expiry",
        "expires",
        "lifetime",
        "retention",
        "conservation",
        "laufzeit",
        "speicherdauer",
        "ablauf",
        "dauer",
        "validite",
    ),
}
"""Header words of each column kind (folded: lower case, no accents); a header cell's first matching kind wins."""


@dataclass(frozen=True)
class DeclaredRow:
    """One cookie as a policy table declares it, with the row it was read from."""

    name: str
    """Exact name or glob (``_ga_*``: the table's ``_ga_<ID>`` or ``_ga_XXXX``)."""
    category: str | None
    lifetime_days: float | None
    domain: str | None
    vendor: str | None
    row: str
    """The row's cells joined with `` | `` (the quote a finding cites)."""
    url: str


@dataclass(frozen=True)
class TableReading:
    """What the cookie tables of one page declare, and the tables that could not be read."""

    url: str
    rows: tuple[DeclaredRow, ...] = ()
    problems: tuple[str, ...] = ()
    title: str | None = None


@dataclass
class _Table:
    heading: str
    rows: list[list[tuple[str, bool]]] = field(default_factory=list)


class _Parser(HTMLParser):
    """Collects tables (cell text, header flag), the heading before each, the title and the links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self.links: list[tuple[str, str]] = []
        self.title = ""
        self._stack: list[_Table] = []
        self._cell: list[str] | None = None
        self._cell_header = False
        self._heading: list[str] | None = None
        self._heading_tag = ""
        self._last_heading = ""
        self._link: tuple[str, list[str]] | None = None
        self._in_title = False
        self._skip = 0
        self.text: list[str] = []
        """The visible text, ``\n`` between blocks (for the promises a policy page makes)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.text.append("\x00")
        if tag in ("script", "style", "template"):
            self._skip += 1
        elif tag == "table":
            self._stack.append(_Table(self._last_heading))
        elif tag == "tr" and self._stack:
            self._stack[-1].rows.append([])
        elif tag in ("td", "th") and self._stack:
            self._cell, self._cell_header = [], tag == "th"
        elif tag in ("h1", "h2", "h3", "h4", "caption") or (
            tag in ("div", "span", "p", "strong") and _HEADING_CLASS.search(dict(attrs).get("class") or "")
        ):
            self._heading, self._heading_tag = [], tag
        elif tag == "a":
            href = dict(attrs).get("href")
            if href:
                self._link = (href, [])
        elif tag == "title":
            self._in_title = True
        elif tag == "br" and self._cell is not None:
            self._cell.append(", ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag in ("td", "th") and self._cell is not None and self._stack:
            table = self._stack[-1]
            if not table.rows:
                table.rows.append([])
            table.rows[-1].append((_clean("".join(self._cell)), self._cell_header))
            self._cell = None
        elif tag == self._heading_tag and self._heading is not None:
            text = _clean("".join(self._heading))
            if tag == "caption" and self._stack:
                self._stack[-1].heading = text
            else:
                self._last_heading = text
            self._heading = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], _clean("".join(self._link[1]))))
            self._link = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.text.append(data)
        for sink in (self._cell, self._heading, self._link[1] if self._link else None):
            if sink is not None:
                sink.append(data)
        if self._in_title:
            self.title += data


_HEADING_CLASS = re.compile(r"head(?:er|ing)|title", re.IGNORECASE)
"""Classes of elements acting as headings (Cookiebot's ``CookieDeclarationTypeHeader``, a ``section-title``)."""

_BLOCKS = frozenset({"p", "li", "div", "br", "h1", "h2", "h3", "h4", "td", "tr", "section", "article"})


def _parse(html: str) -> _Parser:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser


def visible_text(html: str) -> str:
    """A page's visible text, one line per block (scripts and styles left out)."""
    return re.sub(r"\s+", " ", "".join(_parse(html).text)).replace("\x00", "\n")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().strip(",").strip()


def _column_kind(header: str) -> str | None:
    words = set(re.split(r"[^a-z0-9-]+", fold(header)))
    for kind, names in COLUMNS.items():
        if words & set(names):
            return kind
    return None


_PLACEHOLDER = re.compile(r"(<[^>]*>|\{[^}]*\}|\[[^\]]*\]|X{3,}|\*+|#+|\.\.\.|…)$")


def cookie_names(cell: str) -> list[str]:
    """The cookie names of a name cell: several names split, ``_ga_<ID>`` / ``_ga_XXXX`` as the glob ``_ga_*``."""
    names = []
    for part in re.split(r"[,;/\n]| et | and | und | ou | or ", cell):
        token = part.strip().strip("«»\"'`()").strip()
        if not token or (" " in token and not _PLACEHOLDER.search(token)):
            token = token.split(" ")[0] if token else ""
        if not token:
            continue
        token = _PLACEHOLDER.sub("*", token)
        if re.fullmatch(r"[\w.*\-]+", token) and token != "*":
            names.append(token)
    return list(dict.fromkeys(names))


def read_tables(html: str, url: str) -> TableReading:
    """The cookies the page's tables declare, and why a cookie-looking table could not be read."""
    parser = _parse(html)
    rows: list[DeclaredRow] = []
    problems: list[str] = []
    for index, table in enumerate(parser.tables, 1):
        found, problem = _read_table(table, url)
        rows.extend(found)
        if problem:
            problems.append(f"table {index} of {url}: {problem}")
    return TableReading(url=url, rows=tuple(rows), problems=tuple(problems), title=_clean(parser.title) or None)


def _read_table(table: _Table, url: str) -> tuple[list[DeclaredRow], str | None]:
    body = [r for r in table.rows if r]
    if not body:
        return [], None
    header_index = next((i for i, r in enumerate(body[:3]) if all(h for _t, h in r)), 0)
    header = [text for text, _h in body[header_index]]
    kinds = [_column_kind(h) for h in header]
    about_cookies = "cookie" in fold(" ".join(header) + " " + table.heading) or "traceur" in fold(table.heading)
    useful = {"category", "purpose", "duration"} & set(k for k in kinds if k)
    if "name" not in kinds:
        if about_cookies and useful:
            return [], f"no cookie-name column among its headers ({' | '.join(header)})"
        return [], None
    if not useful:
        return [], None
    out: list[DeclaredRow] = []
    for cells in body[header_index + 1 :]:
        texts = [t for t, _h in cells]
        if len(texts) < len(kinds):
            texts += [""] * (len(kinds) - len(texts))
        by_kind: dict[str, str] = {}
        for kind, text in zip(kinds, texts, strict=False):
            if kind and kind not in by_kind:
                by_kind[kind] = text
        category = (
            category_of(by_kind.get("category")) or category_of(by_kind.get("purpose")) or category_of(table.heading)
        )
        duration = parse_duration(by_kind["duration"]) if by_kind.get("duration") else None
        quote = " | ".join(t for t in texts if t)
        for name in cookie_names(by_kind.get("name", "")):
            out.append(
                DeclaredRow(
                    name=name,
                    category=category,
                    lifetime_days=duration,
                    domain=by_kind.get("domain") or None,
                    vendor=by_kind.get("vendor") or None,
                    row=quote,
                    url=url,
                )
            )
    if not out:
        return [], "a cookie table without any readable row"
    return out, None


POLICY_WORDS = re.compile(
    r"cookie|politique-cookies|traceurs|datenschutz|privacy|confidentialite|donnees-personnelles|vie-privee",
    re.IGNORECASE,
)
_LINK_TEXT = re.compile(
    r"politique (?:de )?cookies|politique (?:des |relative aux )?cookies|cookie policy|cookie-richtlinie"
    r"|datenschutz|en savoir plus|learn more|mehr erfahren|nos partenaires|gestion des cookies|cookies",
    re.IGNORECASE,
)


def policy_links(html: str, base_url: str, extra: Sequence[str] = ()) -> list[str]:
    """Links of a page to its cookie policy, best first (``extra``: URLs the CMP's configuration names)."""
    parser = _parse(html)
    scored: dict[str, int] = {}
    for href in extra:
        scored[urljoin(base_url, href)] = 3
    for href, text in parser.links:
        if href.startswith(("javascript:", "mailto:", "#")):
            continue
        score = (2 if POLICY_WORDS.search(href) else 0) + (1 if _LINK_TEXT.search(fold(text)) else 0)
        if "cookie" in href.lower() or "cookie" in fold(text):
            score += 1
        if score:
            absolute = urljoin(base_url, href).split("#")[0]
            scored[absolute] = max(scored.get(absolute, 0), score)
    return [u for u, _s in sorted(scored.items(), key=lambda kv: -kv[1])]
