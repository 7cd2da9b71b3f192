"""Labels of consent controls in the languages of European news sites, understood by meaning.

A label is read as a tiny sentence, not matched as a substring (« Ne pas accepter » contains
"accepter" and is a refusal). :func:`read_label` normalises it (:func:`normalize`), splits it into
words, gives each word a class from a small lexicon (:data:`_EXACT`, :data:`_STEMS`,
:data:`_PHRASES`, :data:`_SEPARABLE`: verbs of accepting, refusing, saving, opening settings;
negations; the "only" qualifier; the strictly-necessary category; selections; paying or
subscribing) and decides with a few rules, recorded as reasons:

1. a long text (more than :data:`MAX_WORDS` words) is a sentence, not a control label;
2. paying or subscribing (« S'abonner », « Refuser et payer », "Pur-Abo") is never a consent
   action (``None``, ``pay=True``): such a control must never be taken for *reject*;
3. a negation inside a clause (clauses end at conjunctions) flips an accept verb or a consent noun
   into a refusal (« Je n'accepte pas », "Nicht akzeptieren", « Continuer sans accepter », "Weiter
   ohne Einwilligung") and makes a refusal verb unclear (``None``); a negation right before a
   category word is an adjective ("non-essential"), not a negation of the verb; a consent noun
   alone names nothing ("Zustimmung" is a tab of some dialogs);
4. the strictly-necessary category with "only" or with an accept verb restricts consent to what
   needs none: *reject* ("Accept only necessary", "Nur notwendige", « Accepter les cookies
   nécessaires »);
5. accepting a *selection* is *save* ("Accept selected", « Accepter la sélection »);
6. a refusal next to an acceptance ("Accepter ou refuser") is unclear: ``None``;
7. then refusal → *reject*, saving → *save* (accepting all and saving → *accept*), accepting →
   *accept*, settings → *settings* (closing the settings → ``None``).

Bare polite refusals (« Non merci », "No thanks", "Nein danke", a lone "Non") say no to *something*:
a cookie dialog or a newsletter. They read as *reject* with ``needs_context=True``; callers that know
the container's text use :func:`auditor.browser.vocabulary.role_in_dialog`, which keeps them only
inside a consent dialog.

:func:`is_necessary_category` tells whether a category or toggle label names the strictly-necessary
category (« Cookies strictement nécessaires », "Unbedingt erforderlich", "Niezbędne").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Role = Literal["reject", "accept", "settings", "save"]

LABELS: Mapping[Role, Mapping[str, tuple[str, ...]]] = {
    "reject": {
        "fr": ("tout refuser", "refuser", "je refuse", "continuer sans accepter", "refuser et fermer", "rejeter"),
        "en": ("reject all", "reject", "decline all", "decline", "deny all", "i do not accept", "disagree"),
        "de": ("alle ablehnen", "ablehnen", "nicht zustimmen", "nur notwendige cookies", "weiter ohne einwilligung"),
        "es": ("rechazar todo", "rechazar", "no acepto", "denegar", "continuar sin aceptar"),
        "it": ("rifiuta tutto", "rifiuta", "non accetto", "continua senza accettare", "solo necessari"),
        "nl": ("alles weigeren", "weigeren", "niet akkoord", "afwijzen", "alleen noodzakelijke cookies"),
        "pt": ("rejeitar tudo", "rejeitar", "recusar", "não aceito", "continuar sem aceitar"),
        "pl": ("odrzuć wszystkie", "odrzuć", "odrzucam", "nie zgadzam się", "tylko niezbędne"),
    },
    "accept": {
        "fr": ("tout accepter", "accepter", "j'accepte", "accepter et fermer", "ok pour moi", "tout autoriser"),
        "en": ("accept all", "accept", "allow all", "i accept", "i agree", "ok", "got it"),
        "de": ("alle akzeptieren", "akzeptieren", "zustimmen", "alle zulassen", "einverstanden", "ich stimme zu"),
        "es": ("aceptar todo", "aceptar", "acepto", "aceptar y cerrar", "permitir todas"),
        "it": ("accetta tutto", "accetta", "accetto", "accetta e chiudi", "acconsento"),
        "nl": ("alles accepteren", "accepteren", "akkoord", "alles toestaan", "ik ga akkoord"),
        "pt": ("aceitar tudo", "aceitar", "aceito", "concordo", "aceitar e fechar"),
        "pl": ("akceptuj wszystkie", "akceptuję", "zaakceptuj wszystkie", "zgadzam się", "przejdź do serwisu"),
    },
    "settings": {
        "fr": ("paramétrer", "personnaliser", "gérer mes choix", "paramètres", "plus d'options", "je choisis"),
        "en": ("manage preferences", "cookie settings", "settings", "customize", "more options", "let me choose"),
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
            "accepter la sélection",
        ),
        "en": ("save", "save preferences", "confirm my choices", "save and exit", "accept selection"),
        "de": ("speichern", "auswahl speichern", "einstellungen speichern", "auswahl bestätigen", "auswahl erlauben"),
        "es": ("guardar", "guardar preferencias", "confirmar", "aceptar selección", "guardar y salir"),
        "it": ("salva", "salva preferenze", "conferma", "accetta selezionati", "salva e esci"),
        "nl": ("opslaan", "voorkeuren opslaan", "bevestigen", "selectie toestaan", "selectie accepteren"),
        "pt": ("guardar", "salvar", "confirmar", "aceitar seleção", "guardar preferências"),
        "pl": ("zapisz", "zapisz ustawienia", "potwierdź", "zapisz wybór", "akceptuj wybrane"),
    },
}
"""Reference labels per role and language: exact matches score 3; :func:`read_label` reads each as its role."""

_PUNCT = re.compile(r"[\s\u00a0\u2019'`´.,!?:;«»\"()\[\]›»>→✓✕×/|-]+")


def normalize(text: str) -> str:
    """Normalise a label for matching: NFC, case-folded, apostrophes unified, punctuation collapsed."""
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return _PUNCT.sub(" ", text).strip()


Word = Literal[
    "accept", "reject", "save", "settings", "neg", "only", "necessary", "optional", "selection", "pay", "free",
    "consent", "thanks", "all", "close", "functional", "ads", "toggle",
]  # fmt: skip
"""Word classes of the lexicon (``free`` and ``optional`` come from a negation joined to the next word)."""


def _words(kind: Word, text: str) -> dict[str, Word]:
    return dict.fromkeys(normalize(text).split(), kind)


def _stems(kind: Word, text: str) -> tuple[Word, tuple[str, ...]]:
    return kind, tuple(normalize(text).split())


_EXACT: dict[str, Word] = {
    **_words("accept", "ok okay oké okey oui yes ja sí sim tak accord acuerdo akkoord einverstanden zgoda wyrażam"),
    **_words("accept", "acconsento acconsenti consiento agreed consenti consentire consento consentir consens"),
    **_words("accept", "consentez einwilligen compris understand understood verstanden entendido capito begrepen"),
    **_words("accept", "entendi rozumiem"),
    **_words("ads", "werbung publicité pub ads pubblicità publicidad advertenties reclame publicidade reklamami"),
    **_words("accept", "enable activer activez aktivieren activar attivare attiva habilitar inschakelen włącz"),
    **_words(
        "reject",
        "disable désactiver désactivez deaktivieren desactivar disattivare disattiva deshabilitar desabilitar "
        "uitschakelen wyłącz",
    ),
    **_words("close", "fermer close schließen cerrar chiudi chiudere sluit sluiten fechar zamknij"),
    **_words(
        "functional",
        "functional fonctionnels fonctionnel funktionale funktionalen funcionales funzionali functionele funcionais "
        "funkcjonalne",
    ),
    **_words("reject", "deny denies disagree nega negare negar odmów zablokuj interdire interdisez"),
    **_words("save", "apply appliquer übernehmen aplicar applica"),
    **_words(
        "settings",
        "settings setting paramètres paramétrer paramétrez parametrer personnaliser personnalisez personnalisation "
        "customize customise personalize personalise préférences preferences options option gérer gerer gérez "
        "gestion manage einstellungen anpassen konfigurieren personalisieren verwalten optionen configurer "
        "configurez configure configurar configuración configurações configurare configurazione personalizar "
        "personalizza personalizzare impostazioni gestisci gestionar gestione opciones opzioni preferenze "
        "preferencias instellingen aanpassen voorkeuren beheren beheer configureren personaliseer personaliseren "
        "opties definições gerir gerenciar opções preferências ustawienia dostosuj personalizuj personalizacja "
        "zarządzaj zarządzanie opcji opcje preferencjami preferencje konfiguruj choisir choisis choose wählen "
        "elegir scegliere kiezen escolher wybrać wybierz purposes finalités",
    ),
    **_words(
        "neg",
        "ne n pas sans jamais not don dont no without never nicht nein nee kein keine keinen ohne sin nunca non "
        "senza mai niet geen zonder nooit não nao sem nie bez",
    ),
    **_words("thanks", "merci thanks thank danke gracias grazie bedankt obrigado obrigada dziękuję dzięki"),
    **_words(
        "only",
        "only uniquement seulement exclusivement nur ausschließlich solo sólo solamente únicamente unicamente "
        "soltanto soltanto alleen enkel apenas somente só tylko wyłącznie",
    ),
    **_words(
        "selection",
        "sélection selection selected sélectionné sélectionnés sélectionnée sélectionnées auswahl ausgewählte "
        "ausgewählten selección seleccionadas seleccionados seleccionado selezionati selezionato selezionate "
        "selezione selectie geselecteerde geselecteerd seleção selecionados selecionadas selecionado wybrane "
        "wybór wybranych zaznaczone",
    ),
    **_words(
        "optional", "optional optionnel optionnels optionale optionalen opcionales opzionali optionele opcjonalne"
    ),
    **_words("pay", "abo pur premium pay paye paie payez payer zahlen pagar pagare paga betalen betaal kaufen"),
    **_words("pay", "acheter buy comprar acquista kopen kup zapłać płać werbefrei"),
    **_words("necessary", "nodig"),
    **_words("free", "gratuit gratuitement free kostenlos gratis gratuito gratuita gratuitamente darmo"),
    **_words(
        "consent",
        "consent consentement consentements einwilligung zustimmung consentimiento consenso consentimento toestemming "
        "zgody zgodę zgodą",
    ),
    **_words(
        "all",
        "tout tous toutes all alle alles allen todo todas todos tutto tutti tutte tudo wszystkie wszystko wszystkich",
    ),
}
"""Whole words (after :func:`normalize`) and their class; looked up before the stems."""

_STEMS: tuple[tuple[Word, tuple[str, ...]], ...] = (
    _stems(
        "reject",
        "refus rejet reject rejeit declin déclin désactiv ablehn verweiger verbiet widersprech deaktivier "
        "rechaz deneg descart rifiut blocc weiger afwijz recus proib proíb odrzu odmaw disabl",
    ),
    _stems(
        "accept",
        "accept akzept acept accett aceit akcept zaakcept autoris autoriz allow agree zustimm zulass erlaub "
        "permit permett consient concord toesta aanvaard zezw zgadza",
    ),
    _stems(
        "save",
        "save enregistr sauvegard valid confirm conferm speicher bestätig guard salv opsla bevestig zapisz "
        "potwierd submit",
    ),
    _stems(
        "necessary",
        "necess nécess necesar necessár essentie essenti essenzi esenci essenc indispens notwendig "
        "erforderlich requi requer richiest benötigt obligato mandator obbligat obrigat noodzak verplicht "
        "vereist niezbędn konieczn wymagan obowiązk technisch techniq technical técnic tecnic techniczn "
        "strict estrict estrit strett unbedingt ściśle",
    ),
    _stems("pay", "abonn subscri suscri suscrí abbon assin subskryp prenumer bezahl"),
)
"""Stems (word beginnings) of inflected words, per class; the first class whose stem matches wins."""

_PHRASES: dict[tuple[str, ...], Word] = {
    ("got", "it"): "accept",
    ("i", "consent"): "accept",
    ("c", "est", "bon"): "accept",
    ("va", "bene"): "accept",
    ("przejdź", "do", "serwisu"): "accept",
    ("opt", "out"): "reject",
    ("mit", "werbung"): "accept",  # pay-or-accept walls: reading with ads is accepting
    ("with", "ads"): "accept",
    ("avec", "publicité"): "accept",
    ("con", "pubblicità"): "accept",
    ("con", "publicidad"): "accept",
    ("met", "advertenties"): "accept",
    ("met", "reclame"): "accept",
    ("com", "publicidade"): "accept",
    ("z", "reklamami"): "accept",
    ("ad", "free"): "pay",
    ("in", "of", "uitschakelen"): "toggle",  # nl "in- of uitschakelen": switch on or off
    ("in", "en", "uitschakelen"): "toggle",
}
"""Multi-word expressions (matched before single words)."""
_PHRASE_STARTS: dict[str, tuple[tuple[str, ...], ...]] = {
    first: tuple(p for p in _PHRASES if p[0] == first) for first in {p[0] for p in _PHRASES}
}

_SEPARABLE: dict[str, tuple[frozenset[str], Word]] = {
    "stimme": (frozenset({"zu"}), "accept"),
    "stimmen": (frozenset({"zu"}), "accept"),
    "lehne": (frozenset({"ab"}), "reject"),
    "lehnen": (frozenset({"ab"}), "reject"),
    "sta": (frozenset({"toe"}), "accept"),
    "wijs": (frozenset({"af"}), "reject"),
}
"""Separable verbs (German, Dutch): the head counts only when its particle is in the label."""

_BARE_NO = frozenset({"non", "no", "nein", "nee", "não", "nie"})
_CLAUSE_BREAKS = frozenset({"et", "and", "und", "y", "e", "en", "i", "&", "+", "ou", "or", "oder", "o", "of", "lub"})
_JOINED: dict[Word, Word] = {"necessary": "optional", "pay": "free", "ads": "pay"}
"""A negation right before these classes makes one word of another class ("non-essential", "ohne Abo",
"ohne Werbung": reading without ads is what a subscription buys)."""

MAX_WORDS = 8
"""More words than this is a sentence, not a control label."""


@lru_cache(maxsize=16384)
def word_class(word: str) -> Word | None:
    """The lexicon class of one normalised word (``None`` for words that carry no meaning here)."""
    kind = _EXACT.get(word)
    if kind is not None:
        return kind
    for stem_kind, stems in _STEMS:
        if word.startswith(stems):
            return stem_kind
    return None


def is_necessary_category(label: str) -> bool:
    """Whether a category or toggle label names the strictly-necessary category (« Cookies strictement
    nécessaires », « Techniques », "Unbedingt erforderlich", "Niezbędne"), not "non-essential" ones."""
    tokens = normalize(label).split()
    if not tokens or len(tokens) > MAX_WORDS:
        return False
    for i, token in enumerate(tokens):
        if word_class(token) == "necessary" and not (i and word_class(tokens[i - 1]) == "neg"):
            return True
    return False


@dataclass(frozen=True)
class LabelReading:
    """What a control's label means, and why (for evidence and debugging)."""

    text: str
    """The normalised label."""
    role: Role | None
    """The consent action it names, ``None`` when it names none or is unclear."""
    reasons: tuple[str, ...]
    """The words and rules that decided, e.g. ``("'accepter' negated by 'pas'",)``."""
    pay: bool = False
    """It offers to pay or subscribe (pay-or-accept walls): never a refusal of tracking."""
    needs_context: bool = False
    """A bare polite refusal (« Non merci »): *reject* only inside a consent dialog."""


def _clauses(tokens: list[str]) -> list[list[tuple[Word, str]]]:
    """The classified words of each clause: phrases and separable verbs joined, split at conjunctions."""
    clauses: list[list[tuple[Word, str]]] = [[]]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        phrase = next((p for p in _PHRASE_STARTS.get(token, ()) if tuple(tokens[i : i + len(p)]) == p), None)
        if phrase is not None:
            clauses[-1].append((_PHRASES[phrase], " ".join(phrase)))
            i += len(phrase)
            continue
        if token in _CLAUSE_BREAKS:
            clauses.append([])
            i += 1
            continue
        separable = _SEPARABLE.get(token)
        kind = word_class(token) if separable is None else None
        if separable is not None and separable[0] & set(tokens[i + 1 :]):
            kind = separable[1]
        nxt = word_class(tokens[i + 1]) if kind == "neg" and i + 1 < len(tokens) else None
        if nxt in _JOINED:
            clauses[-1].append((_JOINED[nxt], f"{token} {tokens[i + 1]}"))
            i += 2
            continue
        if kind is not None:
            clauses[-1].append((kind, token))
        i += 1
    return [c for c in clauses if c]


def _first(words: list[tuple[Word, str]], *kinds: Word) -> str | None:
    return next((w for k, w in words if k in kinds), None)


def _decide(text: str, tokens: list[str]) -> LabelReading:
    """Apply the rules of the module docstring to a normalised, short label."""
    clauses = _clauses(tokens)
    words = [kw for c in clauses for kw in c]
    kinds = {k for k, _ in words}
    reasons: list[str] = []

    def reading(role: Role | None, why: str, **flags: bool) -> LabelReading:
        return LabelReading(text, role, (*reasons, why), **flags)

    if "pay" in kinds:
        return reading(None, f"pay or subscribe word '{_first(words, 'pay')}'", pay=True)
    if "toggle" in kinds:
        return reading(None, f"'{_first(words, 'toggle')}' switches on and off: unclear")
    refusal = acceptance = False
    for c in clauses:
        neg, verb, no = _first(c, "neg"), _first(c, "accept", "consent"), _first(c, "reject")
        if neg and no:
            return reading(None, f"refusal '{no}' negated by '{neg}': unclear")
        if neg and verb:
            reasons.append(f"'{verb}' negated by '{neg}'")
            refusal = True
        elif no:
            reasons.append(f"refusal verb '{no}'")
            refusal = True
        elif _first(c, "accept"):
            acceptance = True
        elif (neg and _first(c, "thanks")) or (len(tokens) == 1 and tokens[0] in _BARE_NO):
            return reading("reject", f"polite refusal '{text}': depends on the dialog", needs_context=True)
    minimal = "necessary" in kinds or ("functional" in kinds and "only" in kinds)  # nl: "alleen functionele"
    if minimal and ("only" in kinds or acceptance) and not refusal:
        return reading("reject", f"only the strictly necessary '{_first(words, 'necessary', 'functional')}'")
    if (acceptance and "selection" in kinds) or kinds == {"selection"}:
        return reading("save", f"the selection '{_first(words, 'selection')}' is saved")
    if refusal:
        if acceptance:
            return reading(None, "both a refusal and an acceptance: unclear")
        return LabelReading(text, "reject", tuple(reasons))
    if "save" in kinds:
        if acceptance and "all" in kinds:
            return reading("accept", "accepting all and saving is accepting")
        return reading("save", f"save verb '{_first(words, 'save')}'")
    if acceptance:
        return reading("accept", f"accept verb '{_first(words, 'accept')}'")
    if "settings" in kinds and "close" in kinds:
        return reading(None, f"'{_first(words, 'close')}' closes the settings")
    if "settings" in kinds:
        return reading("settings", f"settings word '{_first(words, 'settings')}'")
    return reading(None, "no consent action word")


@lru_cache(maxsize=8192)
def _read(text: str) -> LabelReading:
    tokens = text.split()
    if not tokens:
        return LabelReading(text, None, ("empty label",))
    if len(tokens) > MAX_WORDS:
        return LabelReading(text, None, (f"{len(tokens)} words: a sentence, not a label",))
    return _decide(text, tokens)


def read_label(label: str) -> LabelReading:
    """What ``label`` means as a consent control, with the reasons (cached per normalised label)."""
    return _read(normalize(label))


def _table(role: Role) -> frozenset[str]:
    return frozenset(normalize(label) for labels in LABELS[role].values() for label in labels)


_TABLES: dict[Role, frozenset[str]] = {role: _table(role) for role in LABELS}


def score(label: str, role: Role, extra: Iterable[str] = ()) -> int:
    """How well ``label`` names a control of ``role``: 3 a reference label (:data:`LABELS`, or one of
    ``extra``), 2 a label of that meaning of four words at most, 1 a longer one, 0 another meaning."""
    text = normalize(label)
    if not text:
        return 0
    if text in _TABLES[role] or text in {normalize(e) for e in extra}:
        return 3
    if _read(text).role != role:
        return 0
    return 2 if len(text.split()) <= 4 else 1


def classify(label: str) -> Role | None:
    """The role of a control with this label (``None`` when it names no consent action or is unclear)."""
    return _read(normalize(label)).role
