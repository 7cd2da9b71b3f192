"""A strict decoder for IAB TCF v2.x TC strings (the ``euconsent-v2`` cookie, ``getTCData().tcString``).

Written from the public IAB Tech Lab specification "Consent string and vendor list formats v2". A TC
string is one to four base64url (no padding) segments joined by ``.``: the *core* segment first, then
optional segments in any order, each opening with a 3-bit ``SegmentType`` (1 disclosed vendors,
2 allowed vendors, 3 publisher TC). Every field is big-endian, bits numbered left to right.

*Strict* is the point: an auditor must never read consent into a string that does not say so. Where a
lenient decoder zero-fills a truncated string or skips what it does not understand, this one raises
:class:`TCStringError` with a message naming the segment, the field and the bit offset. The only
slack allowed is zero-valued padding after the last field of a segment (encoders pad to a byte, a
6-bit character or, like the IAB's own library, a 24-bit boundary).

:func:`decode_tc_string_lenient` reads the same string *for what it signals*: it zero-fills a truncated
segment, skips what it cannot interpret and lists every strict problem instead of stopping at the
first. Its result is evidence of what vendors reading the string may act on, never a valid record.

Long (~510 lines) because the specification is: the strict and the lenient reader share one bit reader and
one decoding path (``_decode``), kept together so the two can never read a field differently.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

__all__ = [
    "EARLIEST_CREATED",
    "FUTURE_TOLERANCE",
    "PublisherRestriction",
    "RestrictionType",
    "TCString",
    "TCStringError",
    "decode_tc_string",
    "decode_tc_string_lenient",
]

EARLIEST_CREATED: Final = datetime(2018, 1, 1, tzinfo=UTC)
"""Dates before this are rejected: TCF v2 did not exist yet (a zero or garbage date decodes to 1970)."""

FUTURE_TOLERANCE: Final = timedelta(days=1)
"""How far past "now" a ``Created``/``LastUpdated`` date may lie (clock skew) before it is rejected."""

_ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_SEXTETS: Final[dict[str, str]] = {c: format(i, "06b") for i, c in enumerate(_ALPHABET)}

_SEGMENT_NAMES: Final[dict[int, str]] = {
    0: "core",
    1: "disclosed vendors",
    2: "allowed vendors",
    3: "publisher TC",
}


class TCStringError(ValueError):
    """The text is not a well-formed TCF v2 TC string; the message says where and why."""


class RestrictionType(enum.IntEnum):
    """A publisher restriction's ``RestrictionType`` (value 3 is undefined and rejected)."""

    NOT_ALLOWED = 0
    """The purpose is flatly not allowed by the publisher for these vendors."""
    REQUIRE_CONSENT = 1
    """The vendors must rely on consent (not legitimate interest) for this purpose."""
    REQUIRE_LEGITIMATE_INTEREST = 2
    """The vendors must rely on legitimate interest (not consent) for this purpose."""


@dataclass(frozen=True)
class PublisherRestriction:
    """One ``PubRestrictionEntry`` of the core segment: a purpose restricted for some vendors."""

    purpose: int
    """The purpose id (1..63) the publisher restricts."""
    restriction_type: RestrictionType
    """What the restriction requires."""
    vendor_ranges: tuple[tuple[int, int], ...]
    """The vendor ids it covers as sorted, merged, inclusive ``(first, last)`` ranges.

    Kept as ranges because a short string can name huge ranges; expanding every one could take
    gigabytes. Ranges may include ids absent from the GVL (encoders bridge gaps between GVL ids)."""

    @property
    def vendors(self) -> tuple[int, ...]:
        """Every vendor id covered, ascending (expanded from :attr:`vendor_ranges`)."""
        return tuple(v for first, last in self.vendor_ranges for v in range(first, last + 1))

    def covers(self, vendor_id: int) -> bool:
        """Whether this restriction applies to ``vendor_id``."""
        return any(first <= vendor_id <= last for first, last in self.vendor_ranges)


@dataclass(frozen=True)
class TCString:
    """A decoded TCF v2 TC string. Id sets are ascending tuples of 1-based ids that are *set*."""

    version: int
    """Encoding format version (always 2 here)."""
    created: datetime
    """When the string was first created (UTC; deciseconds precision, TCF 2.2 CMPs round to the day)."""
    last_updated: datetime
    """When the string was last updated (UTC)."""
    cmp_id: int
    """IAB-registered id of the CMP that last updated the string."""
    cmp_version: int
    """That CMP's own version number."""
    consent_screen: int
    """CMP-internal number of the screen on which the choice was made."""
    consent_language: str
    """Two upper-case letters (ISO 639-1) of the language the CMP UI was shown in."""
    vendor_list_version: int
    """Version of the Global Vendor List the string was created against."""
    policy_version: int
    """``TcfPolicyVersion`` (2 for TCF 2.0/2.1, 4 for TCF 2.2, 5 since 2024)."""
    is_service_specific: bool
    """True for a service-specific string, False for a globally scoped one."""
    use_non_standard_texts: bool
    """The CMP used non-standard texts (``UseNonStandardStacks`` in older spec versions)."""
    special_feature_optins: tuple[int, ...]
    """Special features (1..12) the user opted in to."""
    purpose_consents: tuple[int, ...]
    """Purposes (1..24) with the user's consent."""
    purpose_legitimate_interests: tuple[int, ...]
    """Purposes (1..24) with legitimate-interest transparency established and not objected to."""
    purpose_one_treatment: bool
    """True when Purpose 1 was *not* disclosed (jurisdictions where it needs no consent)."""
    publisher_cc: str
    """Two upper-case letters (ISO 3166-1 alpha-2) of the publisher's country of reference."""
    vendor_consents: tuple[int, ...]
    """Vendor ids with the user's consent."""
    vendor_consents_max_id: int
    """``MaxVendorId`` of the vendor consent section."""
    vendor_legitimate_interests: tuple[int, ...]
    """Vendor ids with legitimate-interest transparency established and not objected to."""
    vendor_legitimate_interests_max_id: int
    """``MaxVendorId`` of the vendor legitimate-interest section."""
    publisher_restrictions: tuple[PublisherRestriction, ...]
    """Publisher restrictions, in encoded order."""
    disclosed_vendors: tuple[int, ...] | None = None
    """Vendor ids disclosed to the user (``DisclosedVendors`` segment); ``None`` when the segment is absent."""
    allowed_vendors: tuple[int, ...] | None = None
    """Vendor ids allowed to use out-of-band legal bases (deprecated ``AllowedVendors`` segment); ``None`` if absent."""
    publisher_purpose_consents: tuple[int, ...] | None = None
    """Purposes the user consented to for the publisher itself (publisher TC segment); ``None`` if absent."""
    publisher_purpose_legitimate_interests: tuple[int, ...] | None = None
    """Purposes with publisher legitimate interest established (publisher TC segment); ``None`` if absent."""
    num_custom_purposes: int | None = None
    """Number of publisher custom purposes (publisher TC segment); ``None`` if absent."""
    publisher_custom_purpose_consents: tuple[int, ...] | None = None
    """Custom purposes (1..num_custom_purposes) consented to; ``None`` if the publisher TC segment is absent."""
    publisher_custom_purpose_legitimate_interests: tuple[int, ...] | None = None
    """Custom purposes with legitimate interest established; ``None`` if the publisher TC segment is absent."""
    segments: tuple[str, ...] = ("core",)
    """Names of the segments present, in string order: ``core``, ``disclosed vendors``, ``allowed vendors``,
    ``publisher TC``."""

    @property
    def has_positive_consent(self) -> bool:
        """Whether the string carries any positive consent or opt-in signal (vendor, purpose or publisher).

        Legitimate-interest signals do not count: a CMP may store those before the user chooses."""
        return bool(
            self.purpose_consents
            or self.vendor_consents
            or self.special_feature_optins
            or self.publisher_purpose_consents
            or self.publisher_custom_purpose_consents
        )


class _Reader:
    """Sequential big-endian bit reader over one segment (a string of ``0``/``1`` characters)."""

    __slots__ = ("bits", "pos", "problems", "segment", "truncated")

    def __init__(self, text: str, segment: str, problems: list[str] | None = None) -> None:
        self.segment = segment
        self.bits = "".join(_SEXTETS[c] for c in text)
        self.pos = 0
        self.problems = problems
        """``None``: strict (a problem raises); a list: lenient (problems are collected)."""
        self.truncated = False

    def problem(self, message: str) -> None:
        """Raise :class:`TCStringError` (strict) or record ``message`` and go on (lenient)."""
        if self.problems is None:
            raise TCStringError(message)
        self.problems.append(message)

    def _take(self, width: int, field: str) -> str:
        end = self.pos + width
        if end > len(self.bits):
            message = (
                f"{self.segment} segment truncated: {field} needs bits {self.pos}..{end - 1}, "
                f"the segment has only {len(self.bits)} bits"
            )
            if not self.truncated:
                self.problem(message)
            self.truncated = True  # lenient: the missing bits read as zeros (no signal)
            chunk = self.bits[self.pos : end].ljust(width, "0")
        else:
            chunk = self.bits[self.pos : end]
        self.pos = end
        return chunk

    def uint(self, width: int, field: str) -> int:
        """Read an unsigned integer of ``width`` bits."""
        return int(self._take(width, field), 2)

    def flag(self, field: str) -> bool:
        """Read one bit."""
        return self._take(1, field) == "1"

    def flags(self, width: int, field: str) -> tuple[int, ...]:
        """Read a bit field of ``width`` bits; return the 1-based positions of the set bits."""
        chunk = self._take(width, field)
        out: list[int] = []
        i = chunk.find("1")
        while i >= 0:
            out.append(i + 1)
            i = chunk.find("1", i + 1)
        return tuple(out)

    def letters(self, field: str) -> str:
        """Read two 6-bit letters (``a=0 .. z=25``), returned upper-case."""
        start = self.pos
        first, second = self.uint(6, field), self.uint(6, field)
        for value in (first, second):
            if value > 25:
                self.problem(
                    f"{self.segment} segment: {field} at bit {start} holds letter value {value}, not 0..25 (A..Z)"
                )
        return "".join(chr(65 + v) if v <= 25 else "?" for v in (first, second))

    def date(self, field: str) -> datetime:
        """Read a 36-bit count of deciseconds since the Unix epoch."""
        deciseconds = self.uint(36, field)
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=deciseconds * 100)

    def finish(self) -> None:
        """Check that whatever follows the last field is zero padding."""
        rest = self.bits[self.pos :]
        if "1" in rest:
            self.problem(
                f"{self.segment} segment: {len(rest)} bits follow the last field at bit {self.pos} and they are "
                "not zero padding (trailing garbage)"
            )


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return merged


def _range_entries(reader: _Reader, section: str, max_id: int | None) -> list[tuple[int, int]]:
    """Read ``NumEntries`` then that many ``RangeEntry`` records; check each against ``max_id`` when given."""
    count = reader.uint(12, f"{section} NumEntries")
    ranges: list[tuple[int, int]] = []
    for n in range(count):
        where = f"{section} RangeEntry {n + 1}/{count}"
        is_range = reader.flag(f"{where} IsARange")
        start_bit = reader.pos
        first = reader.uint(16, f"{where} StartOrOnlyVendorId")
        last = reader.uint(16, f"{where} EndVendorId") if is_range else first
        at = f"{reader.segment} segment: {where} (bit {start_bit})"
        if first == 0:
            reader.problem(f"{at}: vendor id 0 (vendor ids start at 1)")
            continue  # lenient: a range that names no vendor is skipped
        if last < first:
            reader.problem(f"{at}: EndVendorId {last} is less than StartOrOnlyVendorId {first}")
            continue
        if max_id is not None and last > max_id:
            reader.problem(f"{at}: vendor id {last} is greater than MaxVendorId {max_id}")
        ranges.append((first, last))  # lenient: a range above MaxVendorId still signals what it names
    return ranges


def _vendor_section(reader: _Reader, section: str) -> tuple[int, tuple[int, ...]]:
    """Read a vendor section (MaxVendorId, IsRangeEncoding, bit field or ranges): ``(max_id, ids)``."""
    max_id = reader.uint(16, f"{section} MaxVendorId")
    if reader.flag(f"{section} IsRangeEncoding"):
        ranges = _merge(_range_entries(reader, section, max_id))
        return max_id, tuple(v for first, last in ranges for v in range(first, last + 1))
    return max_id, reader.flags(max_id, f"{section} BitField ({max_id} bits)")


def _check_date(r: _Reader, name: str, value: datetime, now: datetime) -> None:
    if value < EARLIEST_CREATED:
        r.problem(f"core segment: {name} {value.isoformat()} is before {EARLIEST_CREATED.date()}")
    elif value > now + FUTURE_TOLERANCE:
        r.problem(f"core segment: {name} {value.isoformat()} is in the future (now {now.isoformat()})")


def _segment_type(text: str) -> int:
    return _ALPHABET.index(text[0]) >> 3


def _check_alphabet(text: str, index: int) -> None:
    for offset, char in enumerate(text):
        if char not in _SEXTETS:
            hint = " (base64 padding is not allowed)" if char == "=" else ""
            raise TCStringError(f"segment {index + 1}: character {char!r} at position {offset} is not base64url{hint}")


def decode_tc_string(s: str, *, now: datetime | None = None) -> TCString:
    """Decode a TCF v2 TC string strictly, or raise :class:`TCStringError` saying what is wrong.

    Rejected, among others: a version other than 2; characters outside base64url (``=``, ``+``, ``/``,
    whitespace); a segment too short for its fields (a truncated string never decodes); a range entry
    with vendor id 0, ``EndVendorId < StartOrOnlyVendorId`` or an id above ``MaxVendorId``; letters
    outside A..Z; publisher restriction type 3 or purpose 0; CmpId 0; VendorListVersion 0; a
    ``Created``/``LastUpdated`` date before 2018 or later than ``now`` + :data:`FUTURE_TOLERANCE`;
    ``LastUpdated`` before ``Created``; non-zero bits after the last field of a segment; an empty,
    unknown, repeated or second core segment.

    ``now`` (timezone-aware; default: the current time) bounds the dates.
    """
    return _decode(s, now, None)


def decode_tc_string_lenient(s: str, *, now: datetime | None = None) -> tuple[TCString | None, tuple[str, ...]]:
    """Read ``s`` for what it signals even when it fails strict validation: ``(decoded, problems)``.

    ``problems`` lists every strict-validation problem found (empty: the string is strictly valid and
    ``decoded`` equals :func:`decode_tc_string`'s result). A truncated segment reads as zeros where bits
    are missing (no signal is invented); a range naming no vendor, an undefined restriction, an unknown
    or repeated segment are skipped; base64 padding ``=`` and the ``+``/``/`` alphabet are read as
    base64url; dates and ids out of range are kept as they are. ``decoded`` is ``None`` when nothing can be
    interpreted (not text, empty, another version, no core segment first, other characters).

    The result is *evidence of a signal*, never a valid consent record.
    """
    problems: list[str] = []
    try:
        return _decode(s, now, problems), tuple(problems)
    except TCStringError as exc:
        return None, (*problems, str(exc))


def _decode(s: str, now: datetime | None, problems: list[str] | None) -> TCString:
    """The decoder: strict when ``problems`` is ``None``, else lenient (problems appended to it)."""

    def problem(message: str) -> None:
        if problems is None:
            raise TCStringError(message)
        problems.append(message)

    if not isinstance(s, str):
        raise TCStringError(f"a TC string must be text, not {type(s).__name__}")
    if not s:
        raise TCStringError("empty TC string")
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    parts: list[tuple[int, str]] = []
    split = s.split(".")
    for index, part in enumerate(split):
        if not part:
            problem(f"segment {index + 1} of {len(split)} is empty (stray '.')")
            continue
        if problems is not None:
            try:
                _check_alphabet(part, index)
            except TCStringError as exc:  # lenient: read standard base64 and padding as base64url
                problems.append(str(exc))
                part = part.strip().rstrip("=").replace("+", "-").replace("/", "_")
                if not part:
                    continue
        _check_alphabet(part, index)
        parts.append((index + 1, part))
    if not parts:
        raise TCStringError("no segment at all")

    if _segment_type(parts[0][1]) != 0:
        raise TCStringError(
            f"the first segment must be the core segment; it starts with segment type {_segment_type(parts[0][1])}"
        )
    core = _decode_core(_Reader(parts[0][1], "core", problems), now)
    names = ["core"]
    disclosed: tuple[int, ...] | None = None
    allowed: tuple[int, ...] | None = None
    pub_consents: tuple[int, ...] | None = None
    pub_li: tuple[int, ...] | None = None
    num_custom: int | None = None
    custom_consents: tuple[int, ...] | None = None
    custom_li: tuple[int, ...] | None = None
    for index, part in parts[1:]:
        seg_type = _segment_type(part)
        name = _SEGMENT_NAMES.get(seg_type)
        if name is None:
            problem(f"segment {index}: unknown segment type {seg_type} (known: 1, 2, 3)")
            continue
        if seg_type == 0:
            problem(f"segment {index}: a second core segment (segment type 0)")
            continue
        if name in names:
            problem(f"segment {index}: repeated {name} segment")
            continue
        names.append(name)
        reader = _Reader(part, name, problems)
        reader.uint(3, "SegmentType")
        if seg_type == 1:
            disclosed = _vendor_section(reader, "DisclosedVendors")[1]
        elif seg_type == 2:
            allowed = _vendor_section(reader, "AllowedVendors")[1]
        else:
            pub_consents = reader.flags(24, "PubPurposesConsent")
            pub_li = reader.flags(24, "PubPurposesLITransparency")
            num_custom = reader.uint(6, "NumCustomPurposes")
            custom_consents = reader.flags(num_custom, "CustomPurposesConsent")
            custom_li = reader.flags(num_custom, "CustomPurposesLITransparency")
        reader.finish()
    return dataclasses.replace(
        core,
        disclosed_vendors=disclosed,
        allowed_vendors=allowed,
        publisher_purpose_consents=pub_consents,
        publisher_purpose_legitimate_interests=pub_li,
        num_custom_purposes=num_custom,
        publisher_custom_purpose_consents=custom_consents,
        publisher_custom_purpose_legitimate_interests=custom_li,
        segments=tuple(names),
    )


def _decode_core(r: _Reader, now: datetime) -> TCString:
    version = r.uint(6, "Version")
    if version != 2:
        raise TCStringError(f"core segment: unsupported Version {version} (this decoder reads TCF v2 strings only)")
    created = r.date("Created")
    last_updated = r.date("LastUpdated")
    cmp_id = r.uint(12, "CmpId")
    cmp_version = r.uint(12, "CmpVersion")
    consent_screen = r.uint(6, "ConsentScreen")
    consent_language = r.letters("ConsentLanguage")
    vendor_list_version = r.uint(12, "VendorListVersion")
    policy_version = r.uint(6, "TcfPolicyVersion")
    is_service_specific = r.flag("IsServiceSpecific")
    use_non_standard_texts = r.flag("UseNonStandardTexts")
    special_feature_optins = r.flags(12, "SpecialFeatureOptIns")
    purpose_consents = r.flags(24, "PurposesConsent")
    purpose_li = r.flags(24, "PurposesLITransparency")
    purpose_one_treatment = r.flag("PurposeOneTreatment")
    publisher_cc = r.letters("PublisherCC")
    vc_max, vendor_consents = _vendor_section(r, "VendorConsents")
    vli_max, vendor_li = _vendor_section(r, "VendorLegitimateInterests")
    restrictions = _publisher_restrictions(r)
    r.finish()
    # Semantic checks come after the structural ones, so a truncated string reports its truncation.
    _check_date(r, "Created", created, now)
    _check_date(r, "LastUpdated", last_updated, now)
    if last_updated < created:
        r.problem(f"core segment: LastUpdated {last_updated.isoformat()} is before Created {created.isoformat()}")
    if cmp_id == 0:
        r.problem("core segment: CmpId 0 is not a registered CMP")
    if vendor_list_version == 0:
        r.problem("core segment: VendorListVersion 0 (no Global Vendor List)")
    return TCString(
        version=version,
        created=created,
        last_updated=last_updated,
        cmp_id=cmp_id,
        cmp_version=cmp_version,
        consent_screen=consent_screen,
        consent_language=consent_language,
        vendor_list_version=vendor_list_version,
        policy_version=policy_version,
        is_service_specific=is_service_specific,
        use_non_standard_texts=use_non_standard_texts,
        special_feature_optins=special_feature_optins,
        purpose_consents=purpose_consents,
        purpose_legitimate_interests=purpose_li,
        purpose_one_treatment=purpose_one_treatment,
        publisher_cc=publisher_cc,
        vendor_consents=vendor_consents,
        vendor_consents_max_id=vc_max,
        vendor_legitimate_interests=vendor_li,
        vendor_legitimate_interests_max_id=vli_max,
        publisher_restrictions=restrictions,
    )


def _publisher_restrictions(r: _Reader) -> tuple[PublisherRestriction, ...]:
    count = r.uint(12, "NumPubRestrictions")
    out: list[PublisherRestriction] = []
    for n in range(count):
        where = f"PubRestrictionEntry {n + 1}/{count}"
        start_bit = r.pos
        purpose = r.uint(6, f"{where} PurposeId")
        kind = r.uint(2, f"{where} RestrictionType")
        bad = None
        if purpose == 0:
            bad = f"core segment: {where} (bit {start_bit}): PurposeId 0 (purpose ids start at 1)"
        elif kind == 3:
            bad = f"core segment: {where} (bit {start_bit}): RestrictionType 3 is undefined"
        if bad:
            r.problem(bad)
        ranges = _merge(_range_entries(r, where, None))
        if not bad:  # lenient: an uninterpretable restriction is skipped
            out.append(PublisherRestriction(purpose, RestrictionType(kind), tuple(ranges)))
    return tuple(out)
