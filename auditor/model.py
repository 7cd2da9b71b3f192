"""The domain model: what an audit observed (evidence) and what the rules concluded (findings).

Everything here is a frozen dataclass, serialised to the results contract v1 (``results.json``,
JSON Schema in ``auditor/schemas/results.schema.json``) by :func:`to_jsonable` and read back by
:func:`from_jsonable`. Field names are the contract: add fields freely, never rename or drop one
without bumping :data:`SCHEMA_VERSION`.

One module, though long (~690 lines), on purpose: it *is* the results contract, read by the schema
generator (:mod:`auditor.schemagen`) and by every reader; splitting it would split the contract.
"""

from __future__ import annotations

import dataclasses
import time
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, get_args, get_origin, get_type_hints

SCHEMA_VERSION = 1
"""Version of the results contract written to ``results.json``."""

PhaseName = Literal["before", "reject", "accept", "ignore", "gpc", "withdraw"]
PHASES: tuple[PhaseName, ...] = ("before", "reject", "accept", "ignore", "gpc", "withdraw")
"""Every audit phase this tool knows, in the order they are reported (a site holds those it was asked for)."""
DEFAULT_PHASES: tuple[PhaseName, ...] = ("before", "reject", "accept")
"""The phases audited unless ``--phases`` says otherwise; a results file without
:attr:`SiteResult.phases_requested` (written before extra phases existed) was asked for these."""
EXTRA_PHASES: tuple[PhaseName, ...] = ("ignore", "gpc", "withdraw")
"""Optional phases: only audited, evaluated and reported as missing when requested."""
CHOICE_PHASES: Mapping[str, Literal["reject", "accept"]] = {
    "reject": "reject",
    "accept": "accept",
    "withdraw": "reject",
}
"""The phases made by a consent choice, and the action each records: their rules need the choice made and
confirmed; the others (``before``, ``ignore``, ``gpc``) choose nothing. The ``withdraw`` phase records the
refusal made after an acceptance (its :class:`WithdrawalEvidence` holds the acceptance)."""

Party = Literal["first", "third"]
Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
"""Severities from worst to mildest."""
Status = Literal["ok", "error"]


def iso_now() -> str:
    """The current UTC time in the format of the results' timestamps (ISO-8601 to the second, ``Z``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass(frozen=True)
class Classification:
    """What the knowledge base says about a host or cookie."""

    entity: str | None
    """Company or product behind it (``"Google"``), ``None`` when unknown."""
    category: str
    """Purpose category: advertising, analytics, social, consent, functional, necessary, content, ``unknown``
    (a third party nothing recognised) or ``unclassified-identifier`` (judged a tracking identifier by behaviour)."""
    tracker: bool
    """Whether it is known to track users (advertising, analytics, social, ...)."""
    vendor: str | None = None
    """The product (``"Google Analytics"``), when known."""
    purpose: str | None = None
    """A short human description of what the cookie or host does."""
    exempt_possible: bool = False
    """Whether the CNIL audience-measurement exemption can apply when the tool is configured for it."""
    source: str | None = None
    """The public source (URL) cited by the knowledge-base entry that matched."""
    layer: str | None = None
    """Which layer decided: ``site``, ``user``, ``curated`` (the built-in base), ``community`` (filter lists,
    the Open Cookie Database), ``behaviour`` (judged by what the item does, not by a list); ``None`` in
    results written before layers existed."""
    reasons: tuple[str, ...] = ()
    """Why the ``behaviour`` layer judged it so (identifier-like value, lifetime, ID syncing, ...)."""
    matched: str | None = None
    """The knowledge-base entry or pattern that matched (``cookie _ga (exact)``, ``host doubleclick.net``)."""


@dataclass(frozen=True)
class Cookie:
    """One cookie found in the browser's cookie jar at the end of a phase."""

    name: str
    value: str
    """The value: redacted by default (``<redacted: 26 chars, identifier>``, see :mod:`auditor.redact`),
    raw only when the audit ran with ``--keep-values``; reports hide it unless asked."""
    domain: str
    """Cookie domain as stored by the browser (a leading dot means it is sent to subdomains)."""
    path: str
    expires: float | None
    """Expiry as a Unix timestamp, ``None`` for a session cookie."""
    lifetime_days: float | None
    """Days between the observation and ``expires`` (``None`` for a session cookie)."""
    secure: bool
    http_only: bool
    same_site: str
    """``Strict``, ``Lax``, ``None`` or empty when the browser did not report it."""
    party: Party
    registrable_domain: str
    """The cookie domain's registrable domain (eTLD+1), e.g. ``doubleclick.net``."""
    set_by: Literal["header", "script", "unknown"]
    """Whether a ``Set-Cookie`` response header set it, or script (``document.cookie``)."""
    classification: Classification | None = None
    shape: ValueShape | None = None
    """The shape of the value, recorded when the value is redacted (``None``: the value is raw)."""
    value_hash: str | None = None
    """Keyed hash (HMAC-SHA256 with a per-run key never written) of an identifier-like value, recorded when
    the value is redacted: lets ID syncing be detected within the site's result without the value."""


@dataclass(frozen=True)
class SetCookieHeader:
    """A ``Set-Cookie`` header the browser received; ``stored`` says whether the cookie is in the jar."""

    name: str
    domain: str
    """The ``Domain`` attribute, or the response host when absent."""
    url: str
    """The response that carried the header."""
    host: str
    party: Party
    stored: bool
    """False when the browser refused or dropped it (e.g. third-party blocking): the attempt is evidence."""
    attributes: Mapping[str, str] = field(default_factory=dict)
    """The header's attributes, lower-cased names (``max-age``, ``samesite``, ``secure``, ...)."""
    classification: Classification | None = None
    """What the knowledge base says about the cookie (by name and domain), as for a stored cookie."""


@dataclass(frozen=True)
class ConsentModeSignal:
    """The Google Consent Mode state a Google tag request carried (``gcs``, ``gcd``, ``npa``, ``dma``).

    Decoded by :mod:`auditor.knowledge.consentmode`; each state is ``granted``, ``denied`` or
    ``None`` (not set), the user's update when there is one, else the site's default.
    """

    gcs: str | None = None
    """The raw ``gcs`` parameter (``G1xy``: ad_storage, analytics_storage)."""
    gcd: str | None = None
    """The raw ``gcd`` parameter (Consent Mode v2: default and update of the four signals)."""
    npa: str | None = None
    """``npa``: ``1`` when non-personalised ads were requested."""
    dma: str | None = None
    """``dma``: ``1`` when the tag applies the Digital Markets Act."""
    dma_cps: str | None = None
    """``dma_cps``: the Google services consented to, as sent."""
    ad_storage: str | None = None
    analytics_storage: str | None = None
    ad_user_data: str | None = None
    ad_personalization: str | None = None
    defaults: tuple[str, ...] = ()
    """The defaults ``gcd`` states, ``signal=state`` (what the site set before any choice)."""
    malformed: bool = False
    """A ``gcs`` or ``gcd`` value did not have the documented format (its signals are then not trusted)."""


@dataclass(frozen=True)
class Request:
    """A network request made by the page (any frame) during a phase."""

    url: str
    host: str
    resource_type: str
    method: str
    party: Party
    registrable_domain: str
    initiator: str | None = None
    """URL of the frame that issued the request, when known."""
    status: int | None = None
    """HTTP status of the response; ``None`` when the request failed or got no response."""
    failure: str | None = None
    """The network error when the request failed."""
    classification: Classification | None = None
    content_type: str | None = None
    """``Content-Type`` of the response (lower case, without parameters), when there was one."""
    body_size: int | None = None
    """Size of the response body in bytes (``Content-Length``; 0 for a 204), ``None`` when unknown."""
    observed: Literal["network", "page"] = "network"
    """``network``: seen by Chromium's network events; ``page``: recorded by the auditor's script in the
    page (a ``sendBeacon`` or ``fetch(..., {keepalive: true})`` call) because Chromium does not report
    it, e.g. a beacon sent on ``pagehide`` while the page is being left (then ``status`` is unknown)."""
    consent_mode: ConsentModeSignal | None = None
    """The Google Consent Mode state a Google tag request carried, decoded (``None``: none, or not a Google tag)."""
    cname: tuple[str, ...] = ()
    """The CNAME chain of a first-party host, resolved after collection (empty: none, or not resolved)."""
    token_hashes: tuple[str, ...] = ()
    """Keyed hashes of the identifier-like tokens of the URL (path, query, fragment), recorded when the
    URL is redacted (as :attr:`Cookie.value_hash`), so ID syncing can still be detected."""


@dataclass(frozen=True)
class ValueShape:
    """What a stored value looks like, without the value: enough to tell an identifier from a flag."""

    length: int
    """Length of the value, in characters."""
    classes: str
    """Character classes present, in this order: ``l`` lower, ``u`` upper, ``d`` digits, ``s`` other."""
    entropy: float
    """Shannon entropy estimate of the most identifier-like token, in bits per character."""
    identifier: bool
    """Whether the value looks like an identifier (a long random token, a UUID, a long number)."""
    reasons: tuple[str, ...] = ()
    """Why it does or does not look like one (``uuid``, ``flag``, ``timestamp``, ``short``, ...)."""


@dataclass(frozen=True)
class StorageItem:
    """One ``localStorage`` or ``sessionStorage`` key of one origin."""

    origin: str
    kind: Literal["local", "session"]
    key: str
    size: int
    """Length of the stored value, in characters (values are not kept)."""
    party: Party
    shape: ValueShape | None = None
    """The shape of the value, computed at collection time (``None`` in older results)."""
    classification: Classification | None = None
    """What the knowledge base (or the behaviour layer) says about the key."""


@dataclass(frozen=True)
class BannerControl:
    """A consent control seen on the banner (button or link), with what makes it easy or hard to use."""

    label: str
    role: Literal["accept", "reject", "settings", "save", "close", "other"]
    kind: Literal["button", "link", "checkbox", "other"]
    layer: int
    """1 for the first layer, 2 for a settings layer, ..."""
    frame_url: str | None = None
    selector: str | None = None
    width: float | None = None
    height: float | None = None
    color: str | None = None
    background: str | None = None
    contrast: float | None = None
    """WCAG contrast ratio of label against background."""
    font_size: float | None = None
    checked: bool | None = None
    """For checkboxes/toggles: whether it is pre-ticked."""
    disabled: bool | None = None
    """For checkboxes/toggles: whether it is locked (a ticked, locked box is the strictly necessary category)."""


@dataclass(frozen=True)
class Banner:
    """What was found of the consent banner in a phase."""

    found: bool
    cmp: str | None = None
    """Consent-management platform recognised (``didomi``, ``tarteaucitron``, ...), if any."""
    frame_url: str | None = None
    text: str | None = None
    """Visible banner text (truncated), for policy quotes and reports."""
    controls: tuple[BannerControl, ...] = ()
    screenshot: str | None = None
    """Path of a screenshot of the banner, relative to the results file."""
    dialog: str | None = None
    """The element or frame chosen as the consent dialog (``div#bandeau-cookies [role=dialog]``); controls
    are chosen only inside it. ``None`` when no container could be told apart (older results too)."""
    dialog_reason: str | None = None
    """Why it was chosen (consent vocabulary, CMP signature, dialog role, ...)."""
    other_dialogs: tuple[str, ...] = ()
    """Other prompts seen beside it and set aside, each with why (``div#newsletter: newsletter prompt``)."""
    second_layer: Literal["inspected", "not-inspected", "none"] | None = None
    """Whether the settings layer (where pre-ticked options usually are) was opened and read:
    ``none`` when there is no settings control; ``None`` in results that predate the field."""


@dataclass(frozen=True)
class StoredChoice:
    """A consent store (cookie or web-storage key) that a consent click added or changed."""

    store: Literal["cookie", "local", "session"]
    key: str
    """Cookie name or storage key (``didomi_token``, ``cc_cookie``, ``uc_settings``)."""
    where: str
    """Cookie domain, or storage origin."""
    change: Literal["added", "changed", "removed"]
    says: Literal["reject", "accept", "mixed", "unknown"]
    """What its value says: purposes refused, granted, both, or unreadable."""
    granted: tuple[str, ...] = ()
    """Purposes or services the value says were granted."""
    refused: tuple[str, ...] = ()
    """Purposes or services the value says were refused."""
    cmp: str | None = None
    """The adapter declaring this key, ``None`` when recognised by the generic consent vocabulary."""
    value: str | None = None
    """The beginning of the value (consent stores hold no personal data beyond a random id)."""


@dataclass(frozen=True)
class ConsentEffectEvidence:
    """What :mod:`auditor.browser.confirm` saw after a consent click."""

    dialog: str | None = None
    """The consent dialog that was checked (the clicked control's container or frame)."""
    dialog_hidden: bool | None = None
    """Whether its container was hidden or removed after the click (``None``: it could not be checked). The
    dialog counts as gone when none of its consent controls is still shown, even if the emptied or fading
    container is not hidden yet."""
    still_shown: tuple[str, ...] = ()
    """Labels of consent controls still visible after the click."""
    stored: tuple[StoredChoice, ...] = ()
    """Consent stores added or changed by the click."""
    tcf_event_status: str | None = None
    """``__tcfapi`` ``eventStatus`` after the click (``useractioncomplete`` after a choice)."""
    tcf_purpose_consents: tuple[int, ...] | None = None
    """Purposes with consent in the TC string after the click (``None``: no valid TC string)."""
    banner_back: bool | None = None
    """Whether the consent banner was shown again on the second page view (``None``: not checked)."""
    ms: float | None = None
    """Milliseconds the check cost (capture before the click excluded)."""


@dataclass(frozen=True)
class ConsentAction:
    """The consent choice attempted in a phase and what happened."""

    action: Literal["reject", "accept"]
    clicked: bool
    label: str | None = None
    selector: str | None = None
    frame_url: str | None = None
    method: str | None = None
    """How the control was found: ``config``, ``cmp:<name>``, ``heuristic``."""
    steps: int = 0
    """Clicks needed to make the choice (2 when it sat on a second layer)."""
    reason: str | None = None
    """Why nothing was clicked, or how the click fell short."""
    candidates: tuple[str, ...] = ()
    """Labels of the controls seen when the right one could not be found."""
    step_labels: tuple[str, ...] = ()
    """Labels of the controls clicked, in order (``("Paramétrer vos choix", "Tout refuser")``)."""
    effect: Literal["confirmed", "unconfirmed", "contradicted"] | None = None
    """What the click was seen to do (:mod:`auditor.browser.confirm`): ``confirmed`` (the dialog went away
    and a choice consistent with the action was stored), ``contradicted`` (the stored choice says the
    opposite), ``unconfirmed`` otherwise. ``None`` when nothing was clicked or in older results: rules
    treat it as unconfirmed, never as a pass."""
    effect_reason: str | None = None
    """Why the effect is what it is, in words."""
    effect_evidence: ConsentEffectEvidence | None = None
    """What the check saw: the dialog, the stored choice, the TCF state."""
    engine: str | None = None
    """The consent engine that made the choice, with its version (``@duckduckgo/autoconsent@16.23.0``);
    ``None`` for the auditor's own finders (``method`` says which one)."""
    engine_clicks: int | None = None
    """Clicks the engine reported making (an autoconsent rule may click several controls in one step)."""
    self_test: bool | None = None
    """The engine rule's own check that the choice was applied (autoconsent's self-test); ``None`` when
    it has none. A failed self-test leaves the effect ``unconfirmed`` whatever the stores say."""
    engine_ms: float | None = None
    """Wall time the engine took, from its injection into the page to its result."""


@dataclass(frozen=True)
class TcfState:
    """IAB TCF v2 state: from ``__tcfapi('getTCData')`` and/or the ``euconsent-v2`` cookie."""

    source: Literal["api", "cookie"]
    tc_string: str | None
    """The TC string, redacted by default (the decoded fields below are kept)."""
    valid: bool
    """Whether the TC string decoded strictly (a truncated string is not consent)."""
    error: str | None = None
    """Why the string did not decode strictly (or why there is none)."""
    cmp_id: int | None = None
    cmp_version: int | None = None
    version: int | None = None
    created: str | None = None
    last_updated: str | None = None
    purpose_consents: tuple[int, ...] = ()
    purpose_legitimate_interests: tuple[int, ...] = ()
    vendor_consents: tuple[int, ...] = ()
    vendor_legitimate_interests: tuple[int, ...] = ()
    special_feature_optins: tuple[int, ...] = ()
    publisher_cc: str | None = None
    gdpr_applies: bool | None = None
    event_status: str | None = None
    cmp_status: str | None = None
    lenient: bool = False
    """The string failed strict validation (``valid`` is false) but was read leniently: the purposes,
    vendors and dates above are what it *signals* to vendors reading it (rules judge them), never a
    valid consent."""
    problems: tuple[str, ...] = ()
    """Every strict-validation problem of the string (``error`` is the first); empty when valid."""


@dataclass(frozen=True)
class Screenshot:
    """A screenshot file written beside the results."""

    label: str
    path: str
    """Relative to the directory of ``results.json``."""


@dataclass(frozen=True)
class GpcEvidence:
    """What a site showed in the ``gpc`` phase (a context sending Global Privacy Control)."""

    sent: bool
    """Whether the page saw the signal (``navigator.globalPrivacyControl`` read back as true)."""
    well_known: Mapping[str, Any] | None = None
    """The site's ``/.well-known/gpc.json`` when it served one (JSON object), else ``None``."""
    well_known_status: int | None = None
    """HTTP status of ``/.well-known/gpc.json`` (``None``: not fetched or the fetch failed)."""
    usp_string: str | None = None
    """The US Privacy string of ``__uspapi('getUSPData')`` (``1YYN``: opted out of sale), when there is one."""
    gpp_sections: tuple[str, ...] = ()
    """Section names the ``__gpp('ping')`` answer lists as applicable, when the page has the GPP API."""
    gpp_string: str | None = None
    """The GPP string of that answer."""
    onetrust_gpc: bool | None = None
    """OneTrust's ``OneTrust.isGpcEnabled()`` / ``OptanonActiveGroups`` reading of the signal, when present."""


@dataclass(frozen=True)
class CookieAfterWithdrawal:
    """A cookie of the jar after acceptance, or of the jar after withdrawal, compared between the two."""

    name: str
    domain: str
    change: Literal["renewed", "kept", "removed", "added"]
    """``renewed``: same name and domain with a new value or a later expiry (set again after the
    withdrawal); ``kept``: unchanged; ``removed``: gone after the withdrawal; ``added``: not there after
    acceptance, set after the withdrawal."""
    sent: bool = False
    """A request of the ``withdraw`` phase went to a host the cookie's domain covers (the browser sends it
    there): the cookie is still read after the withdrawal."""


@dataclass(frozen=True)
class WithdrawalEvidence:
    """How the ``withdraw`` phase went: the acceptance, the way back to the choices, the refusal, the jar."""

    accept: ConsentAction | None = None
    """The acceptance made first (with its confirmation); withdrawal is judged only after a confirmed one."""
    way_back: Literal["control", "api", "none"] | None = None
    """How the consent choices were reopened after acceptance: ``control`` (a persistent link, button or
    floating icon of the page), ``api`` (only the consent manager's own API: no visible way for the user),
    ``none`` (no way back found); ``None`` when not searched (the acceptance was not confirmed)."""
    path: tuple[str, ...] = ()
    """The way back and the refusal, in order: labels clicked and APIs called (``api: klaro.show()``)."""
    steps: int = 0
    """Actions of :attr:`path` (clicks and API calls) from the accepted page to the refusal."""
    confirmed: bool = False
    """The refusal was confirmed by the stored choice (:mod:`auditor.browser.confirm`), also on the reload."""
    cookies: tuple[CookieAfterWithdrawal, ...] = ()
    """The jar after acceptance compared with the jar after the withdrawal and the reload."""


@dataclass(frozen=True)
class PhaseResult:
    """Everything observed in one phase of one site."""

    name: PhaseName
    status: Status
    error: str | None = None
    """Why the phase failed or is incomplete (evidence collected until then is still kept)."""
    url: str | None = None
    """URL of the page at the end of the phase."""
    http_status: int | None = None
    cookies: tuple[Cookie, ...] = ()
    set_cookie_headers: tuple[SetCookieHeader, ...] = ()
    requests: tuple[Request, ...] = ()
    storage: tuple[StorageItem, ...] = ()
    consent: ConsentAction | None = None
    banner: Banner | None = None
    tcf: tuple[TcfState, ...] = ()
    screenshots: tuple[Screenshot, ...] = ()
    warnings: tuple[str, ...] = ()
    """Non-fatal problems (e.g. the load event never fired; evidence was still collected)."""
    timings: Mapping[str, float] = field(default_factory=dict)
    """Seconds spent per step, for profiling."""
    redirects: tuple[str, ...] = ()
    """URLs the first navigation of the phase's context was redirected through (HTTP redirects), in
    order, before ending on :attr:`url`. A redirect to another site (a consent wall on the CMP's domain)
    does not make that site first party."""
    steps: tuple[str, ...] = ()
    """What the auditor did in the phase beyond loading the page, in order (the ``ignore`` phase's scroll
    and second page, the ``gpc`` phase's signal): the path, for the reader."""
    gpc: GpcEvidence | None = None
    """The ``gpc`` phase's evidence of how the site answered the signal (``None`` in other phases)."""
    withdrawal: WithdrawalEvidence | None = None
    """The ``withdraw`` phase's evidence: acceptance, way back, refusal, cookies (``None`` in other phases)."""


@dataclass(frozen=True)
class Subject:
    """What a finding is about."""

    kind: Literal["cookie", "request", "storage", "banner", "tcf", "site"]
    name: str | None = None
    domain: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on one subject: a violation (``fail``) or a rule that could not be evaluated (``error``)."""

    rule: str
    severity: Severity
    phase: PhaseName | None
    subject: Subject
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    outcome: Literal["fail", "error"] = "fail"
    source: Mapping[str, Any] = field(default_factory=dict)
    """What the rule implements: regulation, guideline paragraph, policy URL and quote."""
    pack: str | None = None
    baseline: str | None = None
    """Reason from the baseline file when this finding is accepted (it then does not fail CI)."""


@dataclass(frozen=True)
class SiteResult:
    """The audit of one site: its phases and the findings of the rule packs."""

    url: str
    status: Status
    final_url: str | None = None
    error: str | None = None
    name: str | None = None
    first_party: tuple[str, ...] = ()
    """Registrable domains treated as first party (the site's own and its declared aliases)."""
    phases: Mapping[str, PhaseResult] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    started: str | None = None
    finished: str | None = None
    attempts: int = 1
    rule_packs: tuple[str, ...] = ()
    """The rule packs this site was evaluated with (the run's, then its own from ``sites.yaml``)."""
    rules: tuple[str, ...] = ()
    """Ids of every rule evaluated on this site, the passing ones included (JUnit lists them per site)."""
    phases_requested: tuple[PhaseName, ...] = ()
    """The phases the audit was asked for (``--phases``); empty: :data:`DEFAULT_PHASES` (older results).
    A requested phase that is missing or failed is a gap of the verdict; a phase not requested is not."""

    @property
    def requested(self) -> tuple[PhaseName, ...]:
        """The phases this site was asked for, in report order (:data:`DEFAULT_PHASES` when unrecorded)."""
        asked = self.phases_requested or DEFAULT_PHASES
        return tuple(p for p in PHASES if p in asked)


@dataclass(frozen=True)
class ToolInfo:
    """Provenance: which tool wrote the results."""

    name: str
    version: str
    consent_engines: tuple[str, ...] = ()
    """Third-party consent engines shipped with it, with versions (``@duckduckgo/autoconsent@16.23.0``)."""


@dataclass(frozen=True)
class BrowserInfo:
    """Provenance: which browser collected the evidence."""

    version: str | None = None
    user_agent: str | None = None
    executable: str | None = None


@dataclass(frozen=True)
class DataInfo:
    """Provenance: one community data set (filter list, cookie database) the classification used."""

    name: str
    """Its name (``easyprivacy``, ``open-cookie-database``, or the name given to ``data update --list``)."""
    kind: str
    """``filterlist`` (Adblock Plus syntax), ``cookie-database`` or ``cname`` (CNAME tracker list)."""
    source: str
    """Where it came from (the download URL, or the upstream repository and commit of a shipped snapshot)."""
    licence: str
    """Its licence, as its publisher states it."""
    date: str | None
    """When it was downloaded (ISO 8601, UTC), or the date of the shipped snapshot."""
    sha256: str
    """SHA-256 of the file used, hexadecimal."""
    entries: int
    """How many entries it holds (filters, cookie and key names, CNAME targets)."""
    version: str | None = None
    """The version or last-modified date the list states in its own header, when it states one."""


@dataclass(frozen=True)
class RunResult:
    """A whole audit run: provenance and one result per site (the content of ``results.json``)."""

    tool: ToolInfo
    browser: BrowserInfo
    started: str
    finished: str | None
    arguments: tuple[str, ...]
    sites: tuple[SiteResult, ...]
    options: Mapping[str, Any] = field(default_factory=dict)
    rule_packs: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    """Ids of every rule evaluated, the passing ones included (CI formats list them as passed)."""
    data: tuple[DataInfo, ...] = ()
    """The community data sets the classification used (empty: only the curated base, or older results)."""
    schema_version: int = SCHEMA_VERSION
    fail_on: str = "error"
    """The ``--fail-on`` threshold the run was judged at: every output shows the verdict at it."""

    @property
    def reported_phases(self) -> tuple[PhaseName, ...]:
        """The phases any site of the run was asked for, in report order (the columns of the reports)."""
        return phases_of(self.sites)


def phases_of(sites: Iterable[SiteResult]) -> tuple[PhaseName, ...]:
    """The phases any of ``sites`` was asked for, in report order (:data:`DEFAULT_PHASES` at least)."""
    asked = set(DEFAULT_PHASES).union(*(s.requested for s in sites))
    return tuple(p for p in PHASES if p in asked)


# --- serialisation -----------------------------------------------------------------------------

T = TypeVar("T")


def to_jsonable(obj: Any) -> Any:
    """Convert a model object (dataclasses, tuples, mappings) to plain JSON-compatible data."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    return obj


def map_strings(data: Any, fn: Callable[[str], str]) -> Any:
    """Plain data (as :func:`to_jsonable` writes it) with ``fn`` applied to every string value (keys kept)."""
    if isinstance(data, str):
        return fn(data)
    if isinstance(data, Mapping):
        return {k: map_strings(v, fn) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return type(data)(map_strings(v, fn) for v in data)
    return data


@typing.no_type_check
def _convert(tp: Any, value: Any) -> Any:
    origin = get_origin(tp)
    if value is None:
        return None
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _convert(args[0], value)
        return value
    if origin is tuple:
        (inner, *_rest) = get_args(tp)
        return tuple(_convert(inner, v) for v in value)
    if origin in (Mapping, dict, typing.Mapping) or tp is dict:
        args = get_args(tp)
        inner = args[1] if len(args) == 2 else Any
        return {k: _convert(inner, v) for k, v in value.items()}
    if dataclasses.is_dataclass(tp):
        return from_jsonable(tp, value)
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def from_jsonable(cls: type[T], data: Mapping[str, Any]) -> T:
    """Build a model object of type ``cls`` from plain data written by :func:`to_jsonable`.

    Unknown keys (fields added by a newer writer) are ignored, so old readers keep working.
    """
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs = {k: _convert(hints[k], v) for k, v in data.items() if k in names}
    return cls(**kwargs)
