"""IAB TCF v2.x support: a strict TC string decoder and its mapping to the audit model.

>>> from auditor.tcf import decode_tc_string, to_tcf_state
"""

from auditor.tcf.decode import (
    EARLIEST_CREATED,
    FUTURE_TOLERANCE,
    PublisherRestriction,
    RestrictionType,
    TCString,
    TCStringError,
    decode_tc_string,
    decode_tc_string_lenient,
)
from auditor.tcf.state import format_timestamp, to_tcf_state

__all__ = [
    "EARLIEST_CREATED",
    "FUTURE_TOLERANCE",
    "PublisherRestriction",
    "RestrictionType",
    "TCString",
    "TCStringError",
    "decode_tc_string",
    "decode_tc_string_lenient",
    "format_timestamp",
    "to_tcf_state",
]
