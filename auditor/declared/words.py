"""Reading the words of a cookie policy: durations (« 13 mois », "2 years", „6 Monate“) and categories."""

from __future__ import annotations

import re
import unicodedata

_UNITS: tuple[tuple[str, float], ...] = (
    (r"s(?:ec(?:onde?s?|s)?)?|sekunden?", 1 / 86400),
    (r"min(?:ute)?s?|minuten?", 1 / 1440),
    (r"h(?:eures?|ours?|rs?)?|stunden?", 1 / 24),
    (r"j(?:ours?)?|d(?:ays?)?|tage?n?", 1.0),
    (r"sem(?:aines?)?|w(?:eeks?)?|wochen?", 7.0),
    (r"mois|m(?:onths?)?|monate?n?", 30.44),
    (r"an(?:s|nees?)?|y(?:ears?|rs?)?|jahre?n?", 365.25),
)
_NUMBER = r"(\d+(?:[.,]\d+)?|un|une|one|a|an|ein|eine|einem|einen)"
_DURATION = re.compile(_NUMBER + r"\s*(" + "|".join(u for u, _ in _UNITS) + r")\b", re.IGNORECASE)
_WORDS = {"un": 1.0, "une": 1.0, "one": 1.0, "a": 1.0, "an": 1.0, "ein": 1.0, "eine": 1.0, "einem": 1.0, "einen": 1.0}
_SESSION = re.compile(r"\bsession\b|\bsitzung|fin de (?:la )?navigation|browser(?:sitzung| session)", re.IGNORECASE)


def fold(text: str) -> str:
    """Lower case without accents, spaces collapsed (for matching words in any of the three languages)."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped.replace("’", "'")).strip().lower()


def parse_duration(text: str) -> float | None:
    """A stated lifetime in days (``0.0`` for a session cookie); ``None`` when the text states none.

    "13 mois" → 395.7, "1 an et 1 mois" → 395.7, "2 years" → 730.5, "24 heures" → 1, "Session" → 0, "6 Monate" → 182.6.
    """
    folded = fold(text)
    if _SESSION.search(folded):
        return 0.0
    total = 0.0
    found = False
    for match in _DURATION.finditer(folded):
        raw, unit = match.group(1), match.group(2)
        number = _WORDS.get(raw)
        value = number if number is not None else float(raw.replace(",", "."))
        for pattern, days in _UNITS:
            if re.fullmatch(pattern, unit, re.IGNORECASE):
                total += value * days
                found = True
                break
    return round(total, 2) if found else None


_CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "consent",
        re.compile(
            r"^(?:cookies? de )?(?:consent(?:ement)?|einwilligung)s?$"
            r"|(?:memoris|enregistr|conserv|stock|stor|sav|remember|speicher)\w* (?:votre |vos |your |ihre )?"
            r"(?:choi|consent|preferences? de consentement|einwilligung)"
        ),
    ),
    (
        "necessary",
        re.compile(
            r"necessa|essenti|technique|technical|strictly|strictement|notwendig|erforderlich|essenziell"
            r"|fonctionnement|mandatory|obligatoire|securite|security|session"
        ),
    ),
    ("analytics", re.compile(r"analyti|statisti|audience|mesure|performance|measurement|analyse|reichweite")),
    ("advertising", re.compile(r"\bads?\b|advert|publicit|marketing|werbung|ciblage|targeting|retargeting|pub\b")),
    ("social", re.compile(r"social|reseaux|sozial")),
    ("functional", re.compile(r"fonctionn|function|preference|praferenz|personnalisation|komfort|video|support")),
)


def category_of(text: str | None) -> str | None:
    """The category a policy's words name (« Mesure d'audience » → analytics), or ``None``."""
    if not text:
        return None
    folded = fold(text)
    for category, pattern in _CATEGORIES:
        if pattern.search(folded):
            return category
    return None
