"""Fields of the consent interface: the banner and its controls, the consent choice and the TCF state."""

from __future__ import annotations

from auditor.model import (
    Banner,
    BannerControl,
    ConsentAction,
    WithdrawalEvidence,
)
from auditor.policy.fields.core import FieldSpec, Item, MissingEvidence, attribute

# --- banner -------------------------------------------------------------------------------------


def _area(control: BannerControl) -> float | None:
    if control.width is None or control.height is None:
        return None
    return control.width * control.height


CONTROL_FIELDS: list[FieldSpec] = [
    FieldSpec("label", "string", "Visible label of the control.", attribute("label")),
    FieldSpec(
        "role",
        "enum",
        "What the control does: accept, reject, settings, save, close, other.",
        attribute("role"),
        ("accept", "reject", "settings", "save", "close", "other"),
    ),
    FieldSpec(
        "kind", "enum", "button, link, checkbox or other.", attribute("kind"), ("button", "link", "checkbox", "other")
    ),
    FieldSpec("layer", "number", "1 for the first layer, 2 for a settings layer, ...", attribute("layer")),
    FieldSpec("width", "number", "Rendered width in CSS pixels.", attribute("width")),
    FieldSpec("height", "number", "Rendered height in CSS pixels.", attribute("height")),
    FieldSpec("area", "number", "width × height.", lambda i: _area(i.obj)),
    FieldSpec("contrast", "number", "WCAG contrast ratio of label against background.", attribute("contrast")),
    FieldSpec("font_size", "number", "Font size in CSS pixels.", attribute("font_size")),
    FieldSpec("checked", "bool", "A checkbox or toggle is ticked when first shown.", lambda i: bool(i.obj.checked)),
    FieldSpec(
        "disabled",
        "bool",
        "A checkbox or toggle is locked (ticked and locked: the strictly necessary category).",
        lambda i: bool(i.obj.disabled),
    ),
    FieldSpec("selector", "string", "CSS selector of the control.", attribute("selector")),
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
    if consent.engine is not None:  # a rule's clicks and script calls are not the path a user takes
        raise MissingEvidence(f"the {action} choice was made by {consent.engine}: a user's clicks are unknown")
    return consent.steps


BANNER_FIELDS: list[FieldSpec] = [
    FieldSpec("found", "bool", "A consent banner was found.", attribute("found")),
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
    FieldSpec("action", "enum", "`reject` or `accept`.", attribute("action"), ("reject", "accept")),
    FieldSpec("clicked", "bool", "The control was clicked.", attribute("clicked")),
    FieldSpec("label", "string", "Label of the control clicked (or searched for).", attribute("label")),
    FieldSpec(
        "method", "string", "How the control was found: `config`, `cmp:<name>`, `heuristic`.", attribute("method")
    ),
    FieldSpec("steps", "number", "Clicks needed to make the choice.", attribute("steps")),
    FieldSpec("reason", "string", "Why nothing was clicked, or how the click fell short.", attribute("reason")),
    FieldSpec(
        "effect",
        "enum",
        "What the click was seen to do: `confirmed` (dialog gone and a consistent choice stored), `contradicted`"
        " (the stored choice says the opposite) or `unconfirmed`; results without it (older runs, nothing"
        " clicked) read as `unconfirmed`.",
        lambda i: i.obj.effect or "unconfirmed",
        ("confirmed", "unconfirmed", "contradicted"),
    ),
    FieldSpec("effect_reason", "string", "Why the effect is what it is.", attribute("effect_reason")),
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
    FieldSpec(
        "way_back",
        "enum",
        "``withdraw`` phase: how the consent choices were reopened after acceptance: `control` (a persistent link,"
        " button or icon of the page), `api` (only the consent manager's API: the user is shown no way back),"
        " `none`; missing when the acceptance was not confirmed.",
        lambda i: _withdrawal(i).way_back,
        ("control", "api", "none"),
    ),
    FieldSpec(
        "withdrawal_steps",
        "number",
        "``withdraw`` phase: actions from the accepted page to the refusal (the way back, then the refusal's clicks).",
        lambda i: _withdrawal(i).steps,
    ),
    FieldSpec(
        "withdrawal_path",
        "string",
        "``withdraw`` phase: the way back and the refusal, in order (labels clicked, APIs called), joined by ` > `.",
        lambda i: " > ".join(_withdrawal(i).path),
    ),
]


def _withdrawal(item: Item) -> WithdrawalEvidence:
    evidence = item.ctx.phase.withdrawal
    if evidence is None or evidence.way_back is None:
        raise MissingEvidence("the way back to the consent choices was not searched (withdraw phase, after acceptance)")
    return evidence


def _banner_back(action: ConsentAction) -> bool:
    evidence = action.effect_evidence
    back = evidence.banner_back if evidence is not None else None
    if evidence is None or back is None:
        raise MissingEvidence("whether the banner came back on the second page view was not checked")
    if evidence.still_shown or evidence.dialog_hidden is False:
        # The click was not taken (the dialog never went away): nothing was chosen that could be forgotten.
        verb = "refusal" if action.action == "reject" else "acceptance"
        raise MissingEvidence(
            f"{verb} not confirmed ({action.effect}): the consent dialog stayed after the click, "
            "so no choice was made that could be remembered"
        )
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
    FieldSpec(
        "source", "enum", "`api` (`__tcfapi`) or `cookie` (`euconsent-v2`).", attribute("source"), ("api", "cookie")
    ),
    FieldSpec(
        "valid", "bool", "The TC string decoded strictly (a truncated string is not consent).", attribute("valid")
    ),
    FieldSpec("error", "string", "Why the TC string did not decode.", attribute("error")),
    FieldSpec("cmp_id", "number", "IAB CMP id.", attribute("cmp_id")),
    FieldSpec("event_status", "string", "`tcloaded`, `cmpuishown` or `useractioncomplete`.", attribute("event_status")),
    FieldSpec("cmp_status", "string", "`loaded`, `stub`, `error`, ...", attribute("cmp_status")),
    FieldSpec("gdpr_applies", "bool", "gdprApplies as reported by the CMP.", lambda i: bool(i.obj.gdpr_applies)),
    FieldSpec("purpose_consents", "intset", "Purposes (1-11) with consent signalled.", attribute("purpose_consents")),
    FieldSpec(
        "purpose_legitimate_interests",
        "intset",
        "Purposes for which legitimate interest is signalled.",
        attribute("purpose_legitimate_interests"),
    ),
    FieldSpec("vendor_consents", "intset", "Vendor ids with consent signalled.", attribute("vendor_consents")),
    FieldSpec(
        "vendor_legitimate_interests",
        "intset",
        "Vendor ids with legitimate interest signalled.",
        attribute("vendor_legitimate_interests"),
    ),
    FieldSpec("special_feature_optins", "intset", "Special features opted in.", attribute("special_feature_optins")),
]
