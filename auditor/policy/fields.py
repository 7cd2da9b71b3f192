"""What a rule can look at: the subject kinds and, for each, its fields.

One registry drives everything that names a field: the matchers of ``when`` conditions, the
``{placeholders}`` of messages, the evidence attached to findings, the JSON Schema of rule packs
and the generated documentation. A field is read from an :class:`Item` (one subject in one phase
of one site) by a small accessor function.

An accessor raises :class:`MissingEvidence` when the value it needs was not collected (e.g. the
size of a banner button, or the number of clicks of a choice that was never made): the engine
then reports the rule as *not evaluated* (outcome ``error``) instead of silently passing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from auditor.knowledge.consentmode import SIGNALS, consent_mode_of, last_signal
from auditor.model import (
    Banner,
    BannerControl,
    Classification,
    ConsentAction,
    Cookie,
    PhaseResult,
    Request,
    SetCookieHeader,
    SiteResult,
    StorageItem,
    TcfState,
    ValueShape,
    to_jsonable,
)
from auditor.party import host_of, registrable_domain

SubjectKind = Literal["cookie", "set_cookie", "request", "storage", "banner", "consent", "tcf"]
SUBJECT_KINDS: tuple[SubjectKind, ...] = ("cookie", "set_cookie", "request", "storage", "banner", "consent", "tcf")
"""The subject kinds a rule can be about, in documentation order."""

FieldType = Literal["string", "domain", "enum", "number", "bool", "intset", "controls"]
"""How a field is matched (see :mod:`auditor.policy.conditions`)."""

PHASE_LABELS: Mapping[str, str] = {
    "before": "before any consent choice",
    "reject": "after refusal",
    "accept": "after acceptance",
    "ignore": "while the banner is left unanswered (scrolled, second page)",
    "gpc": "with Global Privacy Control sent",
}
"""Human wording of the phases, for the ``{phase_label}`` placeholder."""


class MissingEvidence(Exception):
    """A field's value was not collected, so a rule using it cannot be evaluated."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass
class Context:
    """What accessors may need beyond the subject itself: the site and the phase being evaluated."""

    site: SiteResult
    phase: PhaseResult
    _request_classes: dict[str, Classification] | None = field(default=None, repr=False)
    _host_classes: dict[str, Classification] | None = field(default=None, repr=False)

    def classification_for_response(self, url: str, host: str) -> Classification | None:
        """Classification of the request that carried a response (by URL, then by host)."""
        if self._request_classes is None:
            by_url: dict[str, Classification] = {}
            by_host: dict[str, Classification] = {}
            for req in self.phase.requests:
                if req.classification is not None:
                    by_url.setdefault(req.url, req.classification)
                    by_host.setdefault(req.host, req.classification)
            self._request_classes, self._host_classes = by_url, by_host
        assert self._host_classes is not None
        return self._request_classes.get(url) or self._host_classes.get(host)


@dataclass(frozen=True, slots=True)
class Item:
    """One subject (a cookie, a request, the banner, ...) seen in one phase."""

    obj: Any
    ctx: Context


Accessor = Callable[[Item], Any]


@dataclass(frozen=True)
class FieldSpec:
    """A field of a subject kind: its name, how it is matched, what it means and how to read it."""

    name: str
    type: FieldType
    doc: str
    get: Accessor
    choices: tuple[str, ...] = ()
    """Allowed values of an ``enum`` field."""
    evidence: bool = True
    """Whether the value is copied into a finding's evidence when the rule's condition uses it."""


# --- classification -----------------------------------------------------------------------------


def _classification(item: Item) -> Classification | None:
    obj = item.obj
    if isinstance(obj, (Cookie, Request, StorageItem)):
        return obj.classification
    if isinstance(obj, SetCookieHeader):
        # The cookie's own classification (name and domain); older results only have the response's.
        return obj.classification or item.ctx.classification_for_response(obj.url, obj.host)
    return None


def _category(item: Item) -> str:
    c = _classification(item)
    return c.category if c is not None else "unknown"


_UNLISTED = ("unknown", "unclassified-identifier")
"""Categories that mean no knowledge-base list knows the item (the behaviour layer may have judged it)."""


def _classification_fields() -> list[FieldSpec]:
    def attr(name: str) -> Accessor:
        def get(item: Item) -> Any:
            c = _classification(item)
            return getattr(c, name) if c is not None else None

        return get

    def flag(name: str) -> Accessor:
        def get(item: Item) -> bool:
            c = _classification(item)
            return bool(getattr(c, name)) if c is not None else False

        return get

    return [
        FieldSpec(
            "entity",
            "string",
            "Company behind it per the knowledge base (`Google`); empty when unknown.",
            attr("entity"),
        ),
        FieldSpec(
            "category",
            "string",
            "Knowledge-base category: advertising, analytics, social, consent, functional, necessary, content,"
            " `unclassified-identifier` (no list knows it, but it behaves like a tracking identifier: see"
            " `reasons`) or `unknown` (also when not classified).",
            _category,
        ),
        FieldSpec("vendor", "string", "Product per the knowledge base (`Google Analytics`).", attr("vendor")),
        FieldSpec("purpose", "string", "Short description of what it does, per the knowledge base.", attr("purpose")),
        FieldSpec("tracker", "bool", "The knowledge base says it tracks users (false when unknown).", flag("tracker")),
        FieldSpec(
            "exempt_possible",
            "bool",
            "The tool can qualify for the CNIL audience-measurement exemption when configured for it.",
            flag("exempt_possible"),
        ),
        FieldSpec(
            "classified",
            "bool",
            "A knowledge-base list recognised it (category is neither `unknown` nor `unclassified-identifier`).",
            lambda i: _category(i) not in _UNLISTED,
        ),
        FieldSpec(
            "layer",
            "string",
            "Which layer decided: `site`, `user` (a --knowledge file), `curated` (the built-in base),"
            " `community` (Open Cookie Database, filter lists, CNAME trackers) or `behaviour` (judged by what it"
            " does); empty when unclassified.",
            attr("layer"),
        ),
        FieldSpec(
            "reasons",
            "string",
            "Why the behaviour layer judged it a tracking identifier, joined with `; ` (empty otherwise).",
            lambda i: "; ".join(c.reasons) if (c := _classification(i)) is not None and c.reasons else None,
        ),
    ]


# --- cookies ------------------------------------------------------------------------------------

_PARTY = ("first", "third")


def _a(name: str) -> Accessor:
    """Accessor reading attribute ``name`` of the subject object."""

    def get(item: Item) -> Any:
        return getattr(item.obj, name)

    return get


def _max_age_days(item: Item) -> float | None:
    header: SetCookieHeader = item.obj
    raw = header.attributes.get("max-age")
    if raw is None:
        return None
    try:
        return int(raw.strip()) / 86400.0
    except ValueError:
        return None


COOKIE_FIELDS: list[FieldSpec] = [
    FieldSpec("name", "string", "Cookie name (case-sensitive).", _a("name")),
    FieldSpec("domain", "domain", "Cookie domain (a leading dot is ignored when matching).", _a("domain")),
    FieldSpec(
        "registrable_domain", "domain", "Registrable domain (eTLD+1) of the cookie domain.", _a("registrable_domain")
    ),
    FieldSpec("path", "string", "Cookie path.", _a("path")),
    FieldSpec("party", "enum", "`first` or `third` party, by registrable domain.", _a("party"), _PARTY),
    FieldSpec(
        "set_by",
        "enum",
        "`header` (Set-Cookie) or `script` (document.cookie), `unknown` otherwise.",
        _a("set_by"),
        ("header", "script", "unknown"),
    ),
    FieldSpec("secure", "bool", "Secure attribute.", _a("secure")),
    FieldSpec("http_only", "bool", "HttpOnly attribute.", _a("http_only")),
    FieldSpec("same_site", "string", "SameSite attribute (`Strict`, `Lax`, `None` or empty).", _a("same_site")),
    FieldSpec("session", "bool", "Session cookie (no expiry).", lambda i: i.obj.expires is None),
    FieldSpec(
        "lifetime_days",
        "number",
        "Days from the observation to the expiry; empty for a session cookie (numeric tests are then false).",
        _a("lifetime_days"),
    ),
    FieldSpec(
        "consent_mode_storage",
        "enum",
        "For an analytics or advertising cookie: the Consent Mode `analytics_storage` or `ad_storage` state"
        " the last Google tag request of the phase signalled (`granted`, `denied`; empty without signal).",
        lambda i: _consent_storage(i),
        ("granted", "denied"),
    ),
    *_classification_fields(),
]


def _consent_storage(item: Item) -> str | None:
    cls = item.obj.classification
    signal = last_signal(item.ctx.phase) if cls is not None else None
    if signal is None:
        return None
    if cls.category == "analytics":
        return signal.analytics_storage
    if cls.category == "advertising":
        return signal.ad_storage
    return None


SET_COOKIE_FIELDS: list[FieldSpec] = [
    FieldSpec("name", "string", "Name of the cookie the header tried to set.", _a("name")),
    FieldSpec("domain", "domain", "Domain attribute, or the response host when absent.", _a("domain")),
    FieldSpec(
        "registrable_domain",
        "domain",
        "Registrable domain (eTLD+1) of the cookie domain.",
        lambda i: registrable_domain(i.obj.domain),
    ),
    FieldSpec("url", "string", "URL of the response that carried the header.", _a("url")),
    FieldSpec("host", "domain", "Host of that response.", _a("host")),
    FieldSpec("party", "enum", "`first` or `third` party.", _a("party"), _PARTY),
    FieldSpec(
        "stored",
        "bool",
        "The browser kept the cookie (false: refused or dropped, e.g. third-party blocking — the attempt is evidence).",
        _a("stored"),
    ),
    FieldSpec(
        "lifetime_days",
        "number",
        "Lifetime from the Max-Age attribute, in days (empty without Max-Age).",
        _max_age_days,
    ),
    *_classification_fields(),
]


def _consent_fields() -> list[FieldSpec]:
    """Google Consent Mode fields of a request (decoded ``gcs``/``gcd``; see :mod:`auditor.knowledge.consentmode`)."""

    def state(signal: str) -> Accessor:
        def get(item: Item) -> Any:
            found = consent_mode_of(item.obj)
            return getattr(found, signal) if found is not None and not found.malformed else None

        return get

    def granted(item: Item) -> bool:
        found = consent_mode_of(item.obj)
        return found is not None and not found.malformed and any(getattr(found, s) == "granted" for s in SIGNALS)

    def cookieless(item: Item) -> bool:
        found = consent_mode_of(item.obj)
        return (
            found is not None
            and not found.malformed
            and found.ad_storage != "granted"
            and found.analytics_storage != "granted"
            and "denied" in (found.ad_storage, found.analytics_storage)
        )

    return [
        FieldSpec(
            "consent_mode",
            "bool",
            "A Google tag request carrying a Google Consent Mode signal (`gcs` or `gcd`).",
            lambda i: consent_mode_of(i.obj) is not None,
        ),
        *(
            FieldSpec(
                f"consent_mode_{s}",
                "enum",
                f"Consent Mode `{s}` the request signals (`granted` or `denied`; empty when not set).",
                state(s),
                ("granted", "denied"),
            )
            for s in SIGNALS
        ),
        FieldSpec(
            "consent_mode_granted",
            "bool",
            "The request signals consent granted for at least one Consent Mode signal.",
            granted,
        ),
        FieldSpec(
            "consent_mode_cookieless",
            "bool",
            "A Consent Mode ping with storage denied (`ad_storage` and `analytics_storage` not granted): a"
            " 'cookieless' hit.",
            cookieless,
        ),
    ]


REQUEST_FIELDS: list[FieldSpec] = [
    FieldSpec("url", "string", "Request URL.", _a("url")),
    FieldSpec("host", "domain", "Request host.", _a("host")),
    FieldSpec("registrable_domain", "domain", "Registrable domain (eTLD+1) of the host.", _a("registrable_domain")),
    FieldSpec(
        "resource_type",
        "string",
        "Browser resource type: document, script, image, xhr, fetch, ping, ...",
        _a("resource_type"),
    ),
    FieldSpec("method", "string", "HTTP method.", _a("method")),
    FieldSpec("party", "enum", "`first` or `third` party.", _a("party"), _PARTY),
    FieldSpec("initiator", "string", "URL of the frame that issued the request, when known.", _a("initiator")),
    FieldSpec("status", "number", "HTTP status of the response (empty when none).", _a("status")),
    FieldSpec(
        "failed",
        "bool",
        "The request failed at network level (blocked, DNS, ...).",
        lambda i: i.obj.failure is not None,
    ),
    *_consent_fields(),
    *_classification_fields(),
]

STORAGE_FIELDS: list[FieldSpec] = [
    FieldSpec("origin", "string", "Origin owning the storage (`https://www.example.fr`).", _a("origin")),
    FieldSpec("host", "domain", "Host of that origin.", lambda i: host_of(i.obj.origin)),
    FieldSpec("kind", "enum", "`local` or `session` storage.", _a("kind"), ("local", "session")),
    FieldSpec("key", "string", "Storage key.", _a("key")),
    FieldSpec("size", "number", "Length of the stored value, in characters.", _a("size")),
    FieldSpec("party", "enum", "`first` or `third` party.", _a("party"), _PARTY),
    FieldSpec(
        "identifier_like",
        "bool",
        "The value looks like an identifier (long random token, UUID, long number), judged at collection"
        " time; the value itself is never kept.",
        lambda i: _shape(i).identifier,
    ),
    FieldSpec(
        "entropy",
        "number",
        "Entropy estimate of the value's most identifier-like token, in bits per character.",
        lambda i: _shape(i).entropy,
    ),
    *_classification_fields(),
]


def _shape(item: Item) -> ValueShape:
    shape: ValueShape | None = item.obj.shape
    if shape is None:
        raise MissingEvidence("the shape of the stored value was not recorded (results older than value shapes)")
    return shape


# --- banner -------------------------------------------------------------------------------------


def _area(control: BannerControl) -> float | None:
    if control.width is None or control.height is None:
        return None
    return control.width * control.height


CONTROL_FIELDS: list[FieldSpec] = [
    FieldSpec("label", "string", "Visible label of the control.", _a("label")),
    FieldSpec(
        "role",
        "enum",
        "What the control does: accept, reject, settings, save, close, other.",
        _a("role"),
        ("accept", "reject", "settings", "save", "close", "other"),
    ),
    FieldSpec("kind", "enum", "button, link, checkbox or other.", _a("kind"), ("button", "link", "checkbox", "other")),
    FieldSpec("layer", "number", "1 for the first layer, 2 for a settings layer, ...", _a("layer")),
    FieldSpec("width", "number", "Rendered width in CSS pixels.", _a("width")),
    FieldSpec("height", "number", "Rendered height in CSS pixels.", _a("height")),
    FieldSpec("area", "number", "width × height.", lambda i: _area(i.obj)),
    FieldSpec("contrast", "number", "WCAG contrast ratio of label against background.", _a("contrast")),
    FieldSpec("font_size", "number", "Font size in CSS pixels.", _a("font_size")),
    FieldSpec("checked", "bool", "A checkbox or toggle is ticked when first shown.", lambda i: bool(i.obj.checked)),
    FieldSpec(
        "disabled",
        "bool",
        "A checkbox or toggle is locked (ticked and locked: the strictly necessary category).",
        lambda i: bool(i.obj.disabled),
    ),
    FieldSpec("selector", "string", "CSS selector of the control.", _a("selector")),
]


def _banner(item: Item) -> Banner:
    banner: Banner = item.obj
    if not banner.found:
        raise MissingEvidence(f"no consent banner was found in phase {item.ctx.phase.name!r}")
    return banner


def _settings_layer_inspected(item: Item) -> bool:
    """True when every layer where options could be pre-ticked was read; missing evidence otherwise."""
    banner = _banner(item)
    if banner.second_layer in ("inspected", "none") or any(c.layer >= 2 for c in banner.controls):
        return True
    if banner.second_layer == "not-inspected":
        raise MissingEvidence(
            "the settings layer was not opened (the choice was made on the first layer), so options"
            " pre-ticked there were not inspected"
        )
    raise MissingEvidence("the results do not say whether the settings layer was inspected")


def _first_layer(item: Item, role: str) -> BannerControl | None:
    for control in _banner(item).controls:
        if control.role == role and control.layer == 1:
            return control
    return None


def _control_measure(item: Item, role: str, attr: str) -> float | None:
    control = _first_layer(item, role)
    if control is None:
        return None
    value = getattr(control, attr) if attr != "area" else _area(control)
    if value is None:
        raise MissingEvidence(f"the {attr} of the first-layer {role} control was not recorded")
    return float(value)


def _ratio(item: Item, attr: str) -> float | None:
    reject = _control_measure(item, "reject", attr)
    accept = _control_measure(item, "accept", attr)
    if reject is None or accept is None or accept == 0:
        return None
    return reject / accept


def _steps(item: Item, action: str) -> int:
    phase = item.ctx.site.phases.get(action)
    if phase is None:
        raise MissingEvidence(f"the {action} phase was not run, so the clicks to {action} are unknown")
    consent = phase.consent
    if consent is None or not consent.clicked or consent.action != action:
        reason = consent.reason if consent is not None and consent.reason else "no control was clicked"
        raise MissingEvidence(f"the {action} choice was not made ({reason}), so the clicks to {action} are unknown")
    return consent.steps


BANNER_FIELDS: list[FieldSpec] = [
    FieldSpec("found", "bool", "A consent banner was found.", _a("found")),
    FieldSpec(
        "cmp",
        "string",
        "Consent-management platform recognised (`didomi`, `tarteaucitron`, ...).",
        lambda i: _banner(i).cmp,
    ),
    FieldSpec("text", "string", "Visible banner text (truncated).", lambda i: _banner(i).text, evidence=False),
    FieldSpec(
        "has_control",
        "controls",
        "True when some control of the banner matches the nested condition (over control fields:"
        " label, role, kind, layer, width, height, area, contrast, font_size, checked, disabled, selector).",
        lambda i: _banner(i).controls,
        evidence=False,
    ),
    FieldSpec(
        "settings_layer_inspected",
        "bool",
        "The settings layer was opened and read, or there is none; not evaluable (rule outcome `error`) when"
        " the choice was made on the first layer without opening it.",
        _settings_layer_inspected,
    ),
    FieldSpec(
        "accept_on_first_layer",
        "bool",
        "An accept control is on the first layer.",
        lambda i: _first_layer(i, "accept") is not None,
    ),
    FieldSpec(
        "reject_on_first_layer",
        "bool",
        "A reject control is on the first layer.",
        lambda i: _first_layer(i, "reject") is not None,
    ),
    FieldSpec(
        "accept_kind",
        "enum",
        "Kind (button, link, ...) of the first-layer accept control; empty when there is none.",
        lambda i: c.kind if (c := _first_layer(i, "accept")) else None,
        ("button", "link", "checkbox", "other"),
    ),
    FieldSpec(
        "reject_kind",
        "enum",
        "Kind of the first-layer reject control; empty when there is none.",
        lambda i: c.kind if (c := _first_layer(i, "reject")) else None,
        ("button", "link", "checkbox", "other"),
    ),
    FieldSpec(
        "reject_area_ratio",
        "number",
        "Area of the first-layer reject control divided by the accept control's (empty unless both exist).",
        lambda i: _ratio(i, "area"),
    ),
    FieldSpec(
        "reject_font_ratio",
        "number",
        "Font size of the first-layer reject control divided by the accept control's.",
        lambda i: _ratio(i, "font_size"),
    ),
    FieldSpec(
        "reject_contrast",
        "number",
        "WCAG contrast ratio of the first-layer reject control.",
        lambda i: _control_measure(i, "reject", "contrast"),
    ),
    FieldSpec(
        "accept_contrast",
        "number",
        "WCAG contrast ratio of the first-layer accept control.",
        lambda i: _control_measure(i, "accept", "contrast"),
    ),
    FieldSpec("reject_steps", "number", "Clicks the reject phase needed to refuse.", lambda i: _steps(i, "reject")),
    FieldSpec("accept_steps", "number", "Clicks the accept phase needed to accept.", lambda i: _steps(i, "accept")),
    FieldSpec(
        "reject_extra_steps",
        "number",
        "reject_steps − accept_steps: how many more clicks refusing took than accepting.",
        lambda i: _steps(i, "reject") - _steps(i, "accept"),
    ),
]

CONSENT_FIELDS: list[FieldSpec] = [
    FieldSpec("action", "enum", "`reject` or `accept`.", _a("action"), ("reject", "accept")),
    FieldSpec("clicked", "bool", "The control was clicked.", _a("clicked")),
    FieldSpec("label", "string", "Label of the control clicked (or searched for).", _a("label")),
    FieldSpec("method", "string", "How the control was found: `config`, `cmp:<name>`, `heuristic`.", _a("method")),
    FieldSpec("steps", "number", "Clicks needed to make the choice.", _a("steps")),
    FieldSpec("reason", "string", "Why nothing was clicked, or how the click fell short.", _a("reason")),
    FieldSpec(
        "effect",
        "enum",
        "What the click was seen to do: `confirmed` (dialog gone and a consistent choice stored), `contradicted`"
        " (the stored choice says the opposite) or `unconfirmed`; results without it (older runs, nothing"
        " clicked) read as `unconfirmed`.",
        lambda i: i.obj.effect or "unconfirmed",
        ("confirmed", "unconfirmed", "contradicted"),
    ),
    FieldSpec("effect_reason", "string", "Why the effect is what it is.", _a("effect_reason")),
    FieldSpec(
        "stored_says",
        "enum",
        "What the consent stores added or changed by the click say (`reject`, `accept`, `mixed`, `unknown`);"
        " empty when nothing was stored.",
        lambda i: _stored_says(i.obj),
        ("reject", "accept", "mixed", "unknown"),
    ),
    FieldSpec(
        "banner_back",
        "bool",
        "The consent banner was shown again on the second page view after the choice (a choice not remembered);"
        " missing when the second view could not be checked.",
        lambda i: _banner_back(i.obj),
    ),
    FieldSpec(
        "stored_keys",
        "string",
        "Names of the consent stores (cookies, storage keys) the click added or changed, comma-separated.",
        lambda i: ", ".join(s.key for s in i.obj.effect_evidence.stored) if i.obj.effect_evidence else None,
    ),
]


def _banner_back(action: ConsentAction) -> bool:
    back = action.effect_evidence.banner_back if action.effect_evidence is not None else None
    if back is None:
        raise MissingEvidence("whether the banner came back on the second page view was not checked")
    return back


def _stored_says(action: ConsentAction) -> str | None:
    if action.effect_evidence is None:
        return None
    says = {s.says for s in action.effect_evidence.stored if s.change != "removed"}
    for verdict in ("mixed", "accept", "reject"):
        if verdict in says or (verdict == "mixed" and {"accept", "reject"} <= says):
            return verdict
    return "unknown" if says else None


TCF_FIELDS: list[FieldSpec] = [
    FieldSpec("source", "enum", "`api` (`__tcfapi`) or `cookie` (`euconsent-v2`).", _a("source"), ("api", "cookie")),
    FieldSpec("valid", "bool", "The TC string decoded strictly (a truncated string is not consent).", _a("valid")),
    FieldSpec("error", "string", "Why the TC string did not decode.", _a("error")),
    FieldSpec("cmp_id", "number", "IAB CMP id.", _a("cmp_id")),
    FieldSpec("event_status", "string", "`tcloaded`, `cmpuishown` or `useractioncomplete`.", _a("event_status")),
    FieldSpec("cmp_status", "string", "`loaded`, `stub`, `error`, ...", _a("cmp_status")),
    FieldSpec("gdpr_applies", "bool", "gdprApplies as reported by the CMP.", lambda i: bool(i.obj.gdpr_applies)),
    FieldSpec("purpose_consents", "intset", "Purposes (1-11) with consent signalled.", _a("purpose_consents")),
    FieldSpec(
        "purpose_legitimate_interests",
        "intset",
        "Purposes for which legitimate interest is signalled.",
        _a("purpose_legitimate_interests"),
    ),
    FieldSpec("vendor_consents", "intset", "Vendor ids with consent signalled.", _a("vendor_consents")),
    FieldSpec(
        "vendor_legitimate_interests",
        "intset",
        "Vendor ids with legitimate interest signalled.",
        _a("vendor_legitimate_interests"),
    ),
    FieldSpec("special_feature_optins", "intset", "Special features opted in.", _a("special_feature_optins")),
]

FIELDS: Mapping[str, Mapping[str, FieldSpec]] = {
    "cookie": {f.name: f for f in COOKIE_FIELDS},
    "set_cookie": {f.name: f for f in SET_COOKIE_FIELDS},
    "request": {f.name: f for f in REQUEST_FIELDS},
    "storage": {f.name: f for f in STORAGE_FIELDS},
    "banner": {f.name: f for f in BANNER_FIELDS},
    "consent": {f.name: f for f in CONSENT_FIELDS},
    "tcf": {f.name: f for f in TCF_FIELDS},
    "control": {f.name: f for f in CONTROL_FIELDS},
}
"""Fields per subject kind (``control`` is the kind of the nested ``has_control`` condition)."""

KIND_DOCS: Mapping[str, str] = {
    "cookie": "A cookie in the browser's jar at the end of the phase.",
    "set_cookie": "A Set-Cookie response header seen during the phase, whether or not the browser stored the cookie.",
    "request": "A network request made by the page (any frame) during the phase.",
    "storage": "A localStorage or sessionStorage key.",
    "banner": "The consent banner as found in the phase (one subject per phase; needs banner evidence).",
    "consent": "The consent choice attempted in the phase (one subject per phase).",
    "tcf": "A decoded IAB TCF v2 state (from `__tcfapi` or the `euconsent-v2` cookie); none when the site has no TCF.",
    "control": "A banner control (button, link, checkbox), inside `has_control`.",
}

COMMON_PLACEHOLDERS: Mapping[str, str] = {
    "rule": "The rule id.",
    "phase": "The phase name (`before`, `reject`, `accept`).",
    "phase_label": "The phase in words (`after refusal`).",
    "count": "How many subjects matched.",
    "site": "The audited site URL.",
}


def subjects_of(kind: str, phase: PhaseResult) -> tuple[Any, ...]:
    """The raw subjects of ``kind`` in a phase (banner/consent: zero or one)."""
    if kind == "cookie":
        return phase.cookies
    if kind == "set_cookie":
        return phase.set_cookie_headers
    if kind == "request":
        return phase.requests
    if kind == "storage":
        return phase.storage
    if kind == "tcf":
        return phase.tcf
    if kind == "banner":
        return (phase.banner,) if phase.banner is not None else ()
    if kind == "consent":
        return (phase.consent,) if phase.consent is not None else ()
    raise KeyError(kind)


def _jsonable_classification(c: Classification | None) -> Any:
    return to_jsonable(c) if c is not None else None


def base_evidence(item: Item) -> dict[str, Any]:
    """The evidence recorded for a subject, whatever the rule (no cookie values: they can identify people)."""
    obj = item.obj
    if isinstance(obj, Cookie):
        return {
            "name": obj.name,
            "domain": obj.domain,
            "path": obj.path,
            "party": obj.party,
            "set_by": obj.set_by,
            "lifetime_days": round(obj.lifetime_days, 1) if obj.lifetime_days is not None else None,
            "secure": obj.secure,
            "http_only": obj.http_only,
            "same_site": obj.same_site,
            "classification": _jsonable_classification(obj.classification),
        }
    if isinstance(obj, SetCookieHeader):
        return {
            "name": obj.name,
            "domain": obj.domain,
            "url": obj.url,
            "host": obj.host,
            "party": obj.party,
            "stored": obj.stored,
            "attributes": dict(obj.attributes),
            "classification": _jsonable_classification(_classification(item)),
        }
    if isinstance(obj, Request):
        evidence = {
            "url": obj.url,
            "host": obj.host,
            "resource_type": obj.resource_type,
            "method": obj.method,
            "party": obj.party,
            "initiator": obj.initiator,
            "status": obj.status,
            "classification": _jsonable_classification(obj.classification),
        }
        signal = consent_mode_of(obj)
        if signal is not None:
            evidence["consent_mode"] = to_jsonable(signal)
        return evidence
    if isinstance(obj, StorageItem):
        return {
            "origin": obj.origin,
            "kind": obj.kind,
            "key": obj.key,
            "size": obj.size,
            "party": obj.party,
            "shape": to_jsonable(obj.shape) if obj.shape is not None else None,
            "classification": _jsonable_classification(obj.classification),
        }
    if isinstance(obj, Banner):
        return {
            "found": obj.found,
            "cmp": obj.cmp,
            "frame_url": obj.frame_url,
            "screenshot": obj.screenshot,
            "controls": [
                {
                    k: v
                    for k, v in to_jsonable(c).items()
                    if k in ("label", "role", "kind", "layer", "width", "height", "contrast", "font_size", "checked")
                }
                for c in obj.controls
            ],
        }
    if isinstance(obj, ConsentAction):
        return {
            "action": obj.action,
            "clicked": obj.clicked,
            "label": obj.label,
            "method": obj.method,
            "steps": obj.steps,
            "reason": obj.reason,
            "effect": obj.effect,
            "effect_reason": obj.effect_reason,
            "effect_evidence": to_jsonable(obj.effect_evidence) if obj.effect_evidence is not None else None,
        }
    if isinstance(obj, TcfState):
        data: dict[str, Any] = to_jsonable(obj)
        return data
    return {}


def subject_ids(kind: str, item: Item) -> tuple[str | None, str | None, str | None]:
    """(name, domain, url) identifying a subject in a finding."""
    obj = item.obj
    if isinstance(obj, Cookie):
        return obj.name, obj.domain, None
    if isinstance(obj, SetCookieHeader):
        return obj.name, obj.domain, obj.url
    if isinstance(obj, Request):
        return None, obj.host, obj.url
    if isinstance(obj, StorageItem):
        return obj.key, host_of(obj.origin), obj.origin
    if isinstance(obj, Banner):
        return obj.cmp, None, obj.frame_url or item.ctx.phase.url
    if isinstance(obj, ConsentAction):
        return obj.label, None, obj.frame_url or item.ctx.phase.url
    if isinstance(obj, TcfState):
        return "euconsent-v2" if obj.source == "cookie" else "__tcfapi", None, item.ctx.phase.url
    return None, None, None


FINDING_KIND: Mapping[str, Literal["cookie", "request", "storage", "banner", "tcf", "site"]] = {
    "cookie": "cookie",
    "set_cookie": "cookie",
    "request": "request",
    "storage": "storage",
    "banner": "banner",
    "consent": "banner",
    "tcf": "tcf",
}
"""The results-contract ``subject.kind`` of each rule subject kind (a Set-Cookie attempt is about a
cookie; a consent action is a banner interaction). The rule's own kind is in ``evidence.subject_kind``."""
