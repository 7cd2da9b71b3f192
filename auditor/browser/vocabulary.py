"""Telling a cookie-consent dialog from the other prompts of a news site, by its vocabulary.

A page may show several dialogs at once: the consent banner, a newsletter sign-up, a paywall, a
login box, an "open in the app" banner, a push-notifications request. Their buttons look alike
(« Non merci », "OK", "Plus tard"), so the control scan must know which container is the consent
dialog before it trusts a label (:func:`role_in_dialog`).

:func:`read_dialog` scores the container's visible text (and optionally its id, class and role
attributes) against a vocabulary per kind of prompt, in French, English, German, Spanish, Italian,
Dutch, Portuguese and Polish. Each *distinct* term counts once: a strong term (cookies, consent,
partners, vendors, purposes, legitimate interest for consent; newsletter, e-mail address for a
newsletter; subscription, per month for a paywall...) weighs 3, a weak one (privacy, personal data,
device) 1; an attribute term (``didomi-popup``, ``newsletter-modal``) weighs 3. The decision:

- **consent** when the consent score is at least :data:`CONSENT_MIN` and no other kind scores
  higher, or when it is at least :data:`CONSENT_SURE` and the other kind is a paywall: a
  pay-or-accept wall ("accept the cookies of our partners, or subscribe") is a consent dialog,
  since the consent decision is in it;
- else the best other kind with at least :data:`OTHER_MIN`;
- else **other**.

The decision keeps the matched terms (:class:`DialogReading`), for evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from auditor.browser.labels import Role, normalize, read_label

PromptKind = Literal["consent", "newsletter", "paywall", "login", "app", "notifications", "other"]
KINDS: tuple[PromptKind, ...] = ("consent", "newsletter", "paywall", "login", "app", "notifications")

CONSENT_MIN = 3
"""The least consent score of a consent dialog: one strong term (or three weak ones)."""
CONSENT_SURE = 6
"""A consent score (two strong terms) that makes a paywall a pay-or-accept consent wall."""
OTHER_MIN = 3
"""The least score of a newsletter, paywall, login, app or notifications prompt."""
MAX_TEXT = 6000
"""Only the beginning of a container's text is read (a whole page is not a dialog anyway)."""

_TERMS: Mapping[PromptKind, tuple[str, str]] = {
    # Per kind: strong terms, weak terms, comma-separated. A trailing * is a stem (any word beginning so).
    "consent": (
        "cookie*, traceur*, tracker*, tracking, consent*, einwilligung*, zustimmung, "
        "consenso*, toestemming, zgod*, partenaires, partners, partner, socios, "
        "parceiros, partnerzy, partnerów, fournisseurs, vendors, vendor, anbieter, proveedores, fornitori, "
        "leveranciers, fornecedores, dostawc*, finalités, purposes, zwecke*, finalidades, finalità, doeleinden, "
        "celach, intérêt légitime, legitimate interest, berechtigte* interesse*, interés legítimo, "
        "legittimo interesse, interesse legittimo, gerechtvaardigd belang, interesse legítimo, "
        "prawnie uzasadnion* interes*, mesure d audience, publicités personnalisées, personalised ads, "
        "personalized ads, personalisierte* anzeigen, personalisierte werbung, anuncios personalizados, "
        "annunci personalizzati, gepersonaliseerde advertenties, anúncios personalizados, spersonalizowan* reklam*, "
        "ciasteczk*, rgpd, gdpr, dsgvo, avg, rodo, tcf",
        "confidentialité, privacy, datenschutz*, privacidad, privacidade, prywatnoś*, données personnelles, "
        "personal data, personenbezogene* daten, datos personales, dati personali, persoonsgegevens, dados pessoais, "
        "dane osobowe, danych osobowych, appareil, device, endgerät*, dispositivo, apparaat, urządzen*, terminal",
    ),
    "newsletter": (
        "newsletter*, nieuwsbrief*, biuletyn*, boletín, boletim, lettre d information, lettre d info, e mail, email, "
        "courriel, adresse mail, your inbox, posteingang, correo electrónico, indirizzo email, inscrivez vous, "
        "sign up, melden sie sich, suscríbete a, iscriviti, schrijf je in, inscreva se, zapisz się",
        "inscription, inscrire, inscrivez, recevez, receive, erhalten, recibe, ricevi, ontvang, receba, otrzymuj*, "
        "chaque semaine, every week, jede woche, cada semana, ogni settimana, elke week, toda semana, co tydzień",
    ),
    "paywall": (
        "abonnement*, abonnez, abonner, abonné*, subscription*, subscriber*, subscribe, abo, abonniere*, "
        "suscripción, suscríbete, suscriptor*, abbonamento, abbonati, abbonato, abonneer*, abonnee, assinatura, "
        "assine, assinante*, prenumerat*, subskrypcj*, paywall, premium, par mois, per month, a month, pro monat, "
        "im monat, al mes, al mese, per maand, por mês, miesięcznie, accès illimité, unlimited access, unbegrenzt*, "
        "acceso ilimitado, accesso illimitato, onbeperkt*, acesso ilimitado, nieograniczon*, réservé aux abonnés, "
        "for subscribers",
        "€, euro*, offre, offer, angebot, oferta, offerta, aanbieding, essai, trial, testen, prueba, prova, "
        "proef, teste",
    ),
    "login": (
        "mot de passe, password, passwort, contraseña, wachtwoord, palavra passe, senha, hasło, hasła, se connecter, "
        "connectez vous, log in, login, sign in, einloggen, iniciar sesión, accedi, inloggen, iniciar sessão, "
        "zaloguj*, créer un compte, create an account, konto erstellen, crear una cuenta, crea un account, "
        "account aanmaken, criar conta, załóż konto",
        "connexion, anmelden, compte, account, konto, cuenta, conta, identifiant, username, benutzername, usuario, "
        "utente, gebruikersnaam, utilizador, użytkownik, entrar",
    ),
    "app": (
        "app store, google play, play store, télécharger l application, download the app, get the app, in der app, "
        "app herunterladen, descarga la app, scarica l app, download de app, baixe o app, baixar o aplicativo, "
        "pobierz aplikację, ouvrir dans l application, open in app, in app öffnen, notre application, our app, "
        "unsere app, nuestra app, nostra app, onze app, nossa app, naszą aplikację",
        "app, application, aplicación, aplicativo, applicazione, aplikacj*, installer, install, installieren, "
        "instalar, installa, installeren, instaluj*",
    ),
    "notifications": (
        "notification*, benachrichtigung*, mitteilungen, notificacion*, notifiche, notificaç*, meldingen, "
        "powiadomie*, push, alertes, alerts, breaking news, eilmeldungen",
        "plus tard, later, später, más tarde, più tardi, mais tarde, później, navigateur, browser, navegador, "
        "przeglądar*",
    ),
}
"""The vocabulary per kind of prompt: strong terms (weigh 3) and weak ones (1), each written as
:func:`auditor.browser.labels.normalize` leaves it (« d'audience » is ``d audience``)."""

_ATTR_TERMS: Mapping[PromptKind, tuple[str, ...]] = {
    "consent": (
        "cookie", "consent", "cmp", "gdpr", "rgpd", "didomi", "onetrust", "optanon", "sp_message", "qc-cmp2",
        "cybotcookiebot", "usercentrics", "axeptio", "tarteaucitron", "klaro", "orejime", "truste", "privacy",
    ),
    "newsletter": ("newsletter", "nl-popup", "subscribe-form", "mailchimp", "sendinblue", "brevo"),
    "paywall": ("paywall", "piano", "tp-modal", "subscription", "premium", "abo", "metering"),
    "login": ("login", "signin", "sign-in", "auth", "account"),
    "app": ("smartbanner", "smart-banner", "app-banner", "appbanner", "install-app", "app-install"),
    "notifications": ("onesignal", "webpush", "web-push", "push", "notification", "batchsdk"),
}  # fmt: skip
"""Terms of ids and classes (see :func:`_attr_hits`)."""


@dataclass(frozen=True)
class _Tier:
    """The terms of one kind and weight, indexed for one pass over a text's distinct words."""

    weight: int
    words: frozenset[str]
    stems: tuple[str, ...]
    phrases: tuple[str, ...]
    """Multi-word terms without stems, found by substring search in the space-padded text."""
    stem_phrases: tuple[tuple[str, re.Pattern[str]], ...]

    @classmethod
    def parse(cls, spec: str, weight: int) -> _Tier:
        """Index a comma-separated vocabulary string (``*`` ends a stem)."""
        terms = [t.strip() for t in spec.split(",") if t.strip()]
        single = [t for t in terms if " " not in t]
        multi = [t for t in terms if " " in t]
        return cls(
            weight,
            frozenset(t for t in single if not t.endswith("*")),
            tuple(t[:-1] for t in single if t.endswith("*")),
            tuple(t for t in multi if "*" not in t),
            tuple((t, _phrase_pattern(t)) for t in multi if "*" in t),
        )

    def terms_in(self, padded: str, words: frozenset[str], stemmed: frozenset[str]) -> dict[str, str]:
        """The terms found in a normalised text (`` text ``) of these distinct ``words`` (``stemmed``: those
        that begin with some stem): term → the text that matched (several words of one stem are one term)."""
        found = {w: w for w in words & self.words}
        if self.stems:
            for word in stemmed:
                if word.startswith(self.stems):
                    found.setdefault(next(s for s in self.stems if word.startswith(s)) + "*", word)
        found.update((p, p) for p in self.phrases if f" {p} " in padded)
        for term, pattern in self.stem_phrases:
            hit = pattern.search(padded)
            if hit:
                found[term] = hit.group(0)
        return found


def _phrase_pattern(term: str) -> re.Pattern[str]:
    """A multi-word term as a whole-word regular expression (``*`` = the rest of a word)."""
    return re.compile(r"(?<!\w)" + re.escape(term).replace(r"\*", r"\w*") + r"(?!\w)")


@dataclass(frozen=True)
class DialogReading:
    """What kind of prompt a container is, and the vocabulary that decided it (for evidence)."""

    kind: PromptKind
    """The decision: ``consent`` for a cookie-consent dialog."""
    scores: tuple[tuple[PromptKind, int], ...]
    """The score of each kind, in :data:`KINDS` order."""
    matched: tuple[tuple[PromptKind, str], ...]
    """Each distinct word or phrase found, with its kind (``attr:`` prefixed when found in the attributes)."""

    @property
    def consent(self) -> int:
        """The consent score."""
        return dict(self.scores)["consent"]


_TIERS: dict[PromptKind, tuple[_Tier, _Tier]] = {
    kind: (_Tier.parse(strong, 3), _Tier.parse(weak, 1)) for kind, (strong, weak) in _TERMS.items()
}

_ALL_STEMS = tuple(stem for tiers in _TIERS.values() for tier in tiers for stem in tier.stems)


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _attr_words(attrs: str) -> tuple[frozenset[str], frozenset[str]]:
    """The words of ``id``/``class``/``role`` attributes (``qc-cmp2-container``) and their parts
    (``qc``, ``cmp2``, ``container``); camelCase is split (``CybotCookiebotDialog``)."""
    words = frozenset(w for w in re.split(r"[^a-z0-9_-]+", _CAMEL.sub("-", attrs).lower()) if w)
    return words, frozenset(p for w in words for p in re.split(r"[-_]+", w) if p)


def _attr_hits(kind: PromptKind, words: frozenset[str], parts: frozenset[str]) -> set[str]:
    """The attribute terms of ``kind`` found: inside a word for terms of five letters or more, else a
    whole part ("app" is not in ``page-wrapper``, "auth" not in ``author-box``)."""
    return {
        term
        for term in _ATTR_TERMS[kind]
        if (len(term) >= 5 and any(term in w for w in words)) or (len(term) < 5 and term in parts)
    }


def read_dialog(text: str, attrs: str = "") -> DialogReading:
    """Score a container's visible ``text`` (and its ``id``/``class``/``role`` ``attrs``) per kind of prompt."""
    return _read_dialog(text[:MAX_TEXT], attrs[:MAX_TEXT])


@lru_cache(maxsize=1024)
def _read_dialog(text: str, attrs: str) -> DialogReading:
    norm = normalize(text)
    words, padded = frozenset(norm.split()), f" {norm} "
    stemmed = frozenset(w for w in words if w.startswith(_ALL_STEMS))
    attr_words, attr_parts = _attr_words(attrs)
    scores: list[tuple[PromptKind, int]] = []
    matched: list[tuple[PromptKind, str]] = []
    for kind in KINDS:
        score = 0
        seen: set[str] = set()
        for tier in _TIERS[kind]:
            found = {term: hit for term, hit in tier.terms_in(padded, words, stemmed).items() if term not in seen}
            seen |= set(found)
            score += tier.weight * len(found)
            matched.extend((kind, hit) for hit in sorted(found.values()))
        attr = sorted(_attr_hits(kind, attr_words, attr_parts))
        scores.append((kind, score + 3 * len(attr)))
        matched.extend((kind, f"attr:{t}") for t in attr)
    return DialogReading(_decide(dict(scores)), tuple(scores), tuple(matched))


def _decide(scores: Mapping[PromptKind, int]) -> PromptKind:
    consent = scores["consent"]
    best_other = max((k for k in KINDS if k != "consent"), key=lambda k: scores[k])
    if consent >= CONSENT_MIN and consent >= scores[best_other]:
        return "consent"
    if consent >= CONSENT_SURE and best_other == "paywall":
        return "consent"
    if scores[best_other] >= OTHER_MIN:
        return best_other
    return "other"


def consent_score(text: str, attrs: str = "") -> int:
    """How much a container is a cookie-consent dialog (0 = no consent vocabulary at all)."""
    return read_dialog(text, attrs).consent


def prompt_kind(text: str, attrs: str = "") -> PromptKind:
    """The kind of prompt a container is (see the module docstring for the decision)."""
    return read_dialog(text, attrs).kind


def role_in_dialog(label: str, text: str, attrs: str = "") -> Role | None:
    """The consent role of a control labelled ``label`` inside a container of ``text`` (and ``attrs``).

    Inside a consent dialog, the label's role (:func:`auditor.browser.labels.classify`); inside a
    newsletter, paywall, login, app or notifications prompt, none; in a container of unknown kind,
    the label's role unless it is a bare polite refusal (« Non merci »), which needs a consent dialog.
    """
    reading = read_label(label)
    if reading.role is None:
        return None
    kind = prompt_kind(text, attrs)
    if kind == "consent" or (kind == "other" and not reading.needs_context):
        return reading.role
    return None


WAY_BACK_LABELS: Mapping[str, tuple[str, ...]] = {
    "fr": ("retirer mon consentement", "modifier mes choix", "modifier mon consentement", "gestion des traceurs"),
    "en": ("withdraw consent", "revoke consent", "change consent", "change my choices", "privacy choices"),
    "de": ("datenschutzeinstellungen", "einwilligung widerrufen", "zustimmung widerrufen"),
    "es": ("retirar el consentimiento", "cambiar el consentimiento"),
    "it": ("revoca il consenso", "modifica il consenso", "preferenze sulla privacy"),
    "nl": ("toestemming intrekken", "toestemming wijzigen", "cookievoorkeuren"),
    "pt": ("retirar consentimento", "alterar consentimento"),
    "pl": ("wycofaj zgodę", "zmień zgodę"),
}
"""Labels of a way back to the consent choices that carry no settings word (« Gérer mes cookies » and
"Cookie settings" already read as *settings* and name cookies: :func:`is_way_back`). A bare noun
(« Cookies », « Vie privée ») is left out: in a footer it is most often a link to the cookie policy page."""
_WAY_BACK = frozenset(normalize(label) for labels in WAY_BACK_LABELS.values() for label in labels)
WAY_BACK_MAX_WORDS = 6
"""A longer text is a sentence of the page, not the label of a link back to the choices."""


def is_way_back(label: str) -> bool:
    """Whether a control labelled ``label``, on a page where the choice was already made, reopens the consent
    choices: a label of :data:`WAY_BACK_LABELS`, or a *settings* label (« Gérer mes cookies », « Paramètres des
    cookies », "Cookie-Einstellungen", "Privacy settings") that names cookies, consent or privacy (a term of
    the consent vocabulary above; a bare « Paramètres » may be the site's own settings)."""
    text = normalize(label)
    if not text or len(text.split()) > WAY_BACK_MAX_WORDS:
        return False
    if text in _WAY_BACK:
        return True
    return read_label(label).role == "settings" and consent_score(label) > 0
