"""Map a TC string (and what ``__tcfapi('getTCData')`` said) to the model's :class:`~auditor.model.TcfState`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from auditor.model import TcfState
from auditor.tcf.decode import TCStringError, decode_tc_string

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

    A missing, empty or undecodable string gives ``valid=False`` with the reason in ``error`` and no
    purposes, vendors or special features at all: a broken string is never read as consent. Only the
    CMP id and version reported by the API (not the string) are kept then, to say whose string it was.
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
        return TcfState(
            tc_string=tc_string,
            valid=False,
            error=str(exc),
            cmp_id=_int_or_none(data.get("cmpId")),
            cmp_version=_int_or_none(data.get("cmpVersion")),
            **context,
        )
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
