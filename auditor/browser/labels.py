"""Labels of consent controls in the languages of European news sites, and the matching of them.

Matching is on normalised text (case-folded, accents kept, punctuation and spacing collapsed). A
control matches when its whole label is a known label, or when it *starts with* or *contains* a
known label and stays short (a long paragraph that mentions "accepter" is not a button).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Literal

Role = Literal["reject", "accept", "settings", "save"]

LABELS: Mapping[Role, Mapping[str, tuple[str, ...]]] = {
    "reject": {
        "fr": (
            "tout refuser",
            "refuser tout",
            "refuser",
            "je refuse",
            "continuer sans accepter",
            "refuser et fermer",
            "refuser les cookies",
            "refuser tous les cookies",
            "tout rejeter",
            "rejeter",
            "rejeter tout",
            "non merci",
            "interdire tous les cookies",
            "je refuse tout",
            "refuser tous",
            "tout désactiver",
            "continuer sans consentir",
            "refuser les traceurs",
            "tout refuser et fermer",
            "je refuse les cookies",
            "refuser les cookies non essentiels",
            "refuser les cookies optionnels",
            "refuser et continuer",
        ),
        "en": (
            "reject all",
            "reject",
            "decline all",
            "decline",
            "refuse all",
            "refuse",
            "deny all",
            "deny",
            "reject all cookies",
            "decline all cookies",
            "i do not accept",
            "i decline",
            "no thanks",
            "continue without accepting",
            "necessary cookies only",
            "only necessary cookies",
            "use necessary cookies only",
            "reject non-essential cookies",
            "reject optional cookies",
            "disagree",
            "disagree to all",
            "do not accept",
            "reject and close",
            "decline and close",
            "deny all cookies",
        ),
        "de": (
            "alle ablehnen",
            "ablehnen",
            "nicht zustimmen",
            "alles ablehnen",
            "cookies ablehnen",
            "nur notwendige cookies",
            "nur erforderliche cookies",
            "weiter ohne einwilligung",
            "verweigern",
            "ablehnen und schließen",
            "nur technisch notwendige cookies",
        ),
        "es": (
            "rechazar todo",
            "rechazar todas",
            "rechazar",
            "no acepto",
            "denegar",
            "rechazar cookies",
            "continuar sin aceptar",
            "solo cookies necesarias",
            "rechazar y cerrar",
            "rechazar todas las cookies",
        ),
        "it": (
            "rifiuta tutto",
            "rifiuta tutti",
            "rifiuta",
            "non accetto",
            "continua senza accettare",
            "nega",
            "rifiuta i cookie",
            "rifiuta e chiudi",
            "rifiuta tutti i cookie",
        ),
        "nl": (
            "alles weigeren",
            "weigeren",
            "alle weigeren",
            "niet akkoord",
            "afwijzen",
            "alles afwijzen",
            "alleen noodzakelijke cookies",
            "weigeren en sluiten",
        ),
        "pt": (
            "rejeitar tudo",
            "rejeitar todos",
            "rejeitar",
            "recusar",
            "recusar tudo",
            "não aceito",
            "continuar sem aceitar",
            "rejeitar e fechar",
            "recusar todos",
        ),
        "pl": ("odrzuć wszystkie", "odrzuć", "odrzucam", "nie zgadzam się", "odrzuć wszystko", "tylko niezbędne"),
    },
    "accept": {
        "fr": (
            "tout accepter",
            "accepter tout",
            "accepter",
            "j'accepte",
            "accepter et fermer",
            "ok pour moi",
            "accepter et continuer",
            "accepter les cookies",
            "accepter tous les cookies",
            "tout autoriser",
            "autoriser tous les cookies",
            "j'accepte tout",
            "accepter tous",
            "oui, j'accepte",
            "c'est ok",
            "accepter & fermer",
            "d'accord",
            "ok, j'accepte",
            "tout accepter et fermer",
            "j'accepte les cookies",
            "autoriser",
            "c'est bon",
        ),
        "en": (
            "accept all",
            "accept",
            "allow all",
            "accept all cookies",
            "allow all cookies",
            "i accept",
            "agree",
            "i agree",
            "agree to all",
            "agree and close",
            "accept and close",
            "accept & close",
            "ok",
            "got it",
            "yes, i agree",
            "accept cookies",
            "allow cookies",
            "accept and continue",
            "that's ok",
        ),
        "de": (
            "alle akzeptieren",
            "akzeptieren",
            "zustimmen",
            "alle zulassen",
            "einverstanden",
            "alle cookies akzeptieren",
            "zustimmen und weiter",
            "allen zustimmen",
            "ich stimme zu",
        ),
        "es": (
            "aceptar todo",
            "aceptar todas",
            "aceptar",
            "acepto",
            "aceptar y cerrar",
            "aceptar cookies",
            "permitir todas",
        ),
        "it": ("accetta tutto", "accetta tutti", "accetta", "accetto", "accetta e chiudi", "acconsento"),
        "nl": (
            "alles accepteren",
            "accepteren",
            "akkoord",
            "alle cookies accepteren",
            "alles toestaan",
            "ik ga akkoord",
        ),
        "pt": ("aceitar tudo", "aceitar todos", "aceitar", "aceito", "concordo", "aceitar e fechar"),
        "pl": (
            "akceptuj wszystkie",
            "akceptuję",
            "zaakceptuj wszystkie",
            "zgadzam się",
            "akceptuj",
            "przejdź do serwisu",
            "zaakceptuj",
        ),
    },
    "settings": {
        "fr": (
            "paramétrer vos choix",
            "paramétrer",
            "personnaliser",
            "gérer mes choix",
            "gérer les cookies",
            "gérer mes préférences",
            "paramètres",
            "en savoir plus et personnaliser",
            "paramétrer les cookies",
            "personnaliser mes choix",
            "gérer les préférences",
            "options",
            "préférences",
            "plus d'options",
            "configurer",
            "laissez-moi choisir",
            "je choisis",
            "personnaliser les cookies",
            "gérer mes cookies",
            "paramètres des cookies",
        ),
        "en": (
            "manage preferences",
            "manage options",
            "cookie settings",
            "settings",
            "customize",
            "customise",
            "more options",
            "manage cookies",
            "preferences",
            "manage settings",
            "show purposes",
            "let me choose",
            "manage my preferences",
            "customise settings",
            "customize settings",
        ),
        "de": ("einstellungen", "anpassen", "cookie-einstellungen", "mehr optionen", "einstellungen verwalten"),
        "es": ("configurar", "personalizar", "más opciones", "gestionar preferencias", "configuración"),
        "it": ("personalizza", "impostazioni", "gestisci preferenze", "più opzioni", "gestisci le opzioni"),
        "nl": ("instellingen", "aanpassen", "voorkeuren beheren", "meer opties"),
        "pt": ("personalizar", "configurações", "definições", "gerir preferências", "mais opções"),
        "pl": ("ustawienia", "dostosuj", "więcej opcji", "zarządzaj preferencjami"),
    },
    "save": {
        "fr": (
            "enregistrer mes choix",
            "enregistrer",
            "valider mes choix",
            "confirmer mes choix",
            "valider",
            "sauvegarder",
            "enregistrer et fermer",
            "confirmer",
            "accepter la sélection",
            "accepter sélectionné",
            "autoriser la sélection",
            "confirmer la sélection",
            "enregistrer les paramètres",
            "enregistrer mes préférences",
            "sauvegarder mes choix",
        ),
        "en": (
            "save",
            "save preferences",
            "save settings",
            "confirm my choices",
            "save and exit",
            "confirm",
            "save my choices",
            "save & exit",
            "accept selection",
            "allow selection",
            "save my preferences",
            "confirm choices",
            "confirm selection",
        ),
        "de": (
            "speichern",
            "auswahl speichern",
            "einstellungen speichern",
            "auswahl bestätigen",
            "auswahl erlauben",
            "auswahl akzeptieren",
        ),
        "es": ("guardar", "guardar preferencias", "confirmar", "aceptar selección", "guardar y salir"),
        "it": ("salva", "salva preferenze", "conferma", "accetta selezionati", "salva e esci"),
        "nl": ("opslaan", "voorkeuren opslaan", "bevestigen", "selectie toestaan", "selectie accepteren"),
        "pt": ("guardar", "salvar", "confirmar", "aceitar seleção", "guardar preferências"),
        "pl": ("zapisz", "zapisz ustawienia", "potwierdź", "zapisz wybór", "akceptuj wybrane"),
    },
}

_PUNCT = re.compile(r"[\s\u00a0\u2019'`´.,!?:;«»\"()\[\]›»>→✓✕×-]+")


def normalize(text: str) -> str:
    """Normalise a label for matching: NFC, case-folded, apostrophes unified, punctuation collapsed."""
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return _PUNCT.sub(" ", text).strip()


def _table(role: Role) -> frozenset[str]:
    return frozenset(normalize(label) for labels in LABELS[role].values() for label in labels)


_TABLES: dict[Role, frozenset[str]] = {role: _table(role) for role in LABELS}
_MAX_LABEL = 48
"""Longer texts are sentences, not control labels."""


def score(label: str, role: Role, extra: Iterable[str] = ()) -> int:
    """How well ``label`` names a control of ``role``: 3 exact, 2 starts with, 1 contains, 0 no match."""
    text = normalize(label)
    if not text:
        return 0
    known = _TABLES[role] | {normalize(e) for e in extra}
    if text in known:
        return 3
    if len(text) > _MAX_LABEL:
        return 0
    best = 0
    for k in known:
        if len(k) < 4:  # "ok" or "nej" must match exactly
            continue
        if text.startswith(k + " "):
            best = max(best, 2)
        elif f" {k} " in f" {text} ":
            best = max(best, 1)
    return best


def classify(label: str) -> Role | None:
    """The most likely role of a control with this label (``None`` when it names no consent action)."""
    best: tuple[int, Role | None] = (0, None)
    for role in ("reject", "accept", "settings", "save"):
        s = score(label, role)  # type: ignore[arg-type]
        if s > best[0]:
            best = (s, role)  # type: ignore[assignment]
    return best[1]
