"""Map a TC string (and what ``__tcfapi('getTCData')`` said) to the model's :class:`~auditor.model.TcfState`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Literal

from auditor.model import TcfState
from auditor.tcf.decode import TCString, TCStringError, decode_tc_string, decode_tc_string_lenient

__all__ = ["format_timestamp", "to_tcf_state"]


def format_timestamp(value: datetime) -> str:
    """ISO-8601 in UTC with a ``Z`` suffix; milliseconds only when the value has a fraction of a second."""
    value = value.astimezone(UTC)
    spec = "seconds" if value.microsecond == 0 else "milliseconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def to_tcf_state(
    tc_string: str | None,
    source: Literal["api", "cookie"],
    tc_data: Mapping[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> TcfState:
    """Decode ``tc_string`` strictly and describe it as a :class:`TcfState`; never raises.

    ``source`` says where the string came from: ``"api"`` (``getTCData``) or ``"cookie"``
    (``euconsent-v2``). ``tc_data`` is the ``getTCData`` result when there is one: its ``gdprApplies``,
    ``eventStatus`` and ``cmpStatus`` are recorded, and its ``tcString`` is used when ``tc_string`` is
    ``None``. Values of the wrong JSON type are ignored.

    A missing or empty string gives ``valid=False`` with the reason in ``error`` and no signal at all. A
    string that fails strict decoding gives ``valid=False`` with the strict reason in ``error`` and every
    problem in ``problems``; when it still decodes leniently (:func:`decode_tc_string_lenient`: a
    truncated, padded or out-of-range string) its purposes, vendors and dates are filled in with
    ``lenient=True`` — what it signals to the vendors reading it, so the rules can judge consent signalled
    after a refusal or before a choice — and it still never counts as a valid consent. The CMP id and
    version reported by the API win over the string's.
    """
    data: Mapping[str, Any] = tc_data if isinstance(tc_data, Mapping) else {}
    if tc_string is None:
        tc_string = _str_or_none(data.get("tcString"))
    gdpr_applies = data.get("gdprApplies")
    context: dict[str, Any] = {
        "source": source,
        "gdpr_applies": gdpr_applies if isinstance(gdpr_applies, bool) else None,
        "event_status": _str_or_none(data.get("eventStatus")),
        "cmp_status": _str_or_none(data.get("cmpStatus")),
    }
    if not tc_string:
        reason = "no TC string" if tc_string is None else "empty TC string"
        if context["gdpr_applies"] is False:
            reason += " (the CMP says GDPR does not apply)"
        return TcfState(
            tc_string=tc_string,
            valid=False,
            error=reason,
            cmp_id=_int_or_none(data.get("cmpId")),
            cmp_version=_int_or_none(data.get("cmpVersion")),
            **context,
        )
    try:
        tc = decode_tc_string(tc_string, now=now)
    except TCStringError as exc:
        error = str(exc)
        signalled, problems = decode_tc_string_lenient(tc_string, now=now)
        problems = (error, *(p for p in problems if p != error))
        api_cmp, api_version = _int_or_none(data.get("cmpId")), _int_or_none(data.get("cmpVersion"))
        if signalled is None:
            return TcfState(
                tc_string=tc_string,
                valid=False,
                error=error,
                cmp_id=api_cmp,
                cmp_version=api_version,
                problems=problems,
                **context,
            )
        return replace(
            _decoded_state(tc_string, signalled, context),
            valid=False,
            error=error,
            cmp_id=api_cmp if api_cmp is not None else signalled.cmp_id,
            cmp_version=api_version if api_version is not None else signalled.cmp_version,
            lenient=True,
            problems=problems,
        )
    return _decoded_state(tc_string, tc, context)


def _decoded_state(tc_string: str, tc: TCString, context: Mapping[str, Any]) -> TcfState:
    """The :class:`TcfState` of a decoded string (``valid=True``: callers of a lenient decode override it)."""
    return TcfState(
        tc_string=tc_string,
        valid=True,
        cmp_id=tc.cmp_id,
        cmp_version=tc.cmp_version,
        version=tc.version,
        created=format_timestamp(tc.created),
        last_updated=format_timestamp(tc.last_updated),
        purpose_consents=tc.purpose_consents,
        purpose_legitimate_interests=tc.purpose_legitimate_interests,
        vendor_consents=tc.vendor_consents,
        vendor_legitimate_interests=tc.vendor_legitimate_interests,
        special_feature_optins=tc.special_feature_optins,
        publisher_cc=tc.publisher_cc,
        **context,
    )
