"""Tests of the strict TCF v2 TC-string decoder (``auditor.tcf``).

(a) hand-checked strings; (b) round trips through the IAB's official encoder ``@iabtechlabtcf/core``
(``tests/tcf/make_strings.mjs``, pinned in ``tests/tcf/package.json``; run ``npm ci`` in ``tests/tcf``);
(c) property tests: random specs → official encoder → this decoder; (d) every strict failure,
including every truncation; (e) ``to_tcf_state``.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support import unavailable

from auditor.model import Banner, ConsentAction, PhaseResult, SiteResult, TcfState, from_jsonable, to_jsonable
from auditor.policy import evaluate, load_rules
from auditor.tcf import (
    PublisherRestriction,
    RestrictionType,
    TCString,
    TCStringError,
    decode_tc_string,
    decode_tc_string_lenient,
    format_timestamp,
    to_tcf_state,
)

NODE_DIR = Path(__file__).parent / "tcf"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 1, 1, tzinfo=UTC)


# --- a tiny independent encoder, to craft exact (and exactly broken) strings --------------------------


class Bits:
    """Append fields MSB first; render as base64url (zero padded to a 6-bit, or any, boundary)."""

    def __init__(self) -> None:
        self.s = ""

    def uint(self, value: int, width: int) -> Bits:
        assert 0 <= value < 2**width, (value, width)
        self.s += format(value, f"0{width}b") if width else ""
        return self

    def flag(self, value: bool) -> Bits:
        return self.uint(int(value), 1)

    def ids(self, ids: Iterable[int], width: int) -> Bits:
        chosen = set(ids)
        self.s += "".join("1" if i in chosen else "0" for i in range(1, width + 1))
        return self

    def letters(self, text: str) -> Bits:
        return self.uint(ord(text[0]) - 65, 6).uint(ord(text[1]) - 65, 6)

    def date(self, when: datetime) -> Bits:
        return self.uint((when - EPOCH) // timedelta(milliseconds=100), 36)

    def bitfield_section(self, ids: Iterable[int], max_id: int) -> Bits:
        return self.uint(max_id, 16).flag(False).ids(ids, max_id)

    def range_section(self, entries: list[tuple[int, int]], max_id: int) -> Bits:
        self.uint(max_id, 16).flag(True)
        return self.entries(entries)

    def entries(self, entries: list[tuple[int, int]]) -> Bits:
        self.uint(len(entries), 12)
        for first, last in entries:
            self.flag(first != last).uint(first, 16)
            if first != last:
                self.uint(last, 16)
        return self

    def b64(self, pad_to: int = 6) -> str:
        bits = self.s + "0" * (-len(self.s) % pad_to)
        bits += "0" * (-len(bits) % 6)
        return "".join(ALPHABET[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def core_bits(
    *,
    version: int = 2,
    created: datetime = datetime(2024, 6, 1, tzinfo=UTC),
    last_updated: datetime | None = None,
    cmp_id: int = 10,
    cmp_version: int = 1,
    consent_screen: int = 1,
    language: str = "FR",
    vendor_list_version: int = 150,
    policy_version: int = 5,
    service_specific: bool = False,
    non_standard: bool = False,
    special_features: Iterable[int] = (1,),
    purposes: Iterable[int] = (1, 2),
    purposes_li: Iterable[int] = (2,),
    purpose_one_treatment: bool = False,
    publisher_cc: str = "FR",
    vendor_consents: Callable[[Bits], Bits] | None = None,
    vendor_li: Callable[[Bits], Bits] | None = None,
    restrictions: Callable[[Bits], Bits] | None = None,
) -> Bits:
    """A core segment: by default the one of ``HAND_BUILT`` below (vendor consents 1 and 3, LI 755)."""
    b = Bits().uint(version, 6).date(created).date(last_updated or created)
    b.uint(cmp_id, 12).uint(cmp_version, 12).uint(consent_screen, 6).letters(language)
    b.uint(vendor_list_version, 12).uint(policy_version, 6).flag(service_specific).flag(non_standard)
    b.ids(special_features, 12).ids(purposes, 24).ids(purposes_li, 24).flag(purpose_one_treatment)
    b.letters(publisher_cc)
    (vendor_consents or (lambda w: w.bitfield_section([1, 3], 3)))(b)
    (vendor_li or (lambda w: w.range_section([(755, 755)], 755)))(b)
    (restrictions or (lambda w: w.uint(0, 12)))(b)
    return b


# Hand-built, field by field (see core_bits): the bits were laid out by hand from the specification
# and the literal is pinned, so a change in either the writer or the decoder shows up.
HAND_BUILT = "CP_h-0AP_h-0AAKABBFRCWFIAMAAAEAAAAqIABqBecAEBeYAA"


# --- (a) hand-checked strings -----------------------------------------------------------------------

TABLE: list[tuple[str, str, dict[str, Any]]] = [
    (
        "hand-built core segment",
        HAND_BUILT,
        {
            "version": 2,
            "created": datetime(2024, 6, 1, tzinfo=UTC),
            "last_updated": datetime(2024, 6, 1, tzinfo=UTC),
            "cmp_id": 10,
            "cmp_version": 1,
            "consent_screen": 1,
            "consent_language": "FR",
            "vendor_list_version": 150,
            "policy_version": 5,
            "is_service_specific": False,
            "use_non_standard_texts": False,
            "special_feature_optins": (1,),
            "purpose_consents": (1, 2),
            "purpose_legitimate_interests": (2,),
            "purpose_one_treatment": False,
            "publisher_cc": "FR",
            "vendor_consents": (1, 3),
            "vendor_consents_max_id": 3,
            "vendor_legitimate_interests": (755,),
            "vendor_legitimate_interests_max_id": 755,
            "publisher_restrictions": (),
            "disclosed_vendors": None,
            "segments": ("core",),
        },
    ),
    (
        # The example of the IAB specification ("Signaling OOB", example 1), checked against the
        # official decoder: created 15822430593 ds = 2020-02-20T23:57:39.3Z, CMP 27, GVL 15, policy 2.
        "IAB specification example with disclosed vendors",
        "COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA.IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAAAgAQB"
        "AAAAAAAGBAAgAAAAAAAFAAECAAAgAAQARAEQAAAAAJAAIAAgAAAYQEAAAQmAgBC3ZAYzUw",
        {
            "created": datetime(2020, 2, 20, 23, 57, 39, 300000, tzinfo=UTC),
            "last_updated": datetime(2020, 2, 20, 23, 57, 39, 300000, tzinfo=UTC),
            "cmp_id": 27,
            "cmp_version": 0,
            "consent_language": "EN",
            "vendor_list_version": 15,
            "policy_version": 2,
            "is_service_specific": False,
            "purpose_consents": (1, 2, 3),
            "purpose_legitimate_interests": (),
            "special_feature_optins": (),
            "publisher_cc": "AA",
            "vendor_consents": (2, 6, 8),
            "vendor_legitimate_interests": (2, 6, 8),
            "segments": ("core", "disclosed vendors"),
            "disclosed_vendors": (
                *(2, 6, 8, 12, 18, 23, 37, 42, 47, 48, 53, 61, 65, 66, 72, 88, 98, 127, 128, 129, 133, 153),
                *(163, 192, 205, 215, 224, 243, 248, 281, 294, 304, 350, 351, 358, 371, 422, 424, 440, 447),
                *(467, 486, 498, 502, 512, 516, 553, 556, 571, 587, 612, 613, 618, 626, 648, 653, 656, 657),
                *(665, 676, 681, 683, 684, 686, 687, 688, 690, 691, 694, 702, 703, 707, 708, 711, 712, 714),
                *(716, 719, 720),
            ),
        },
    ),
    (
        # @iabtechlabtcf/core 1.5.21 from {cmpId 10, purposes 1-3, LI 2,3,7 (3 dropped: TCF 2.2),
        # vendors 1,5,755, vendor LI 5, special feature 1, FR, disclosed 1,5,755,1000}.
        "official encoder, global scope, disclosed vendors",
        "CP_h-0AP_lRwAAKAAAENCWFIAOAAAEIAAAqIF5wAwAAgAFAXmAAoIAAA.IH0QBAAAgAFAXmA-gAAA",
        {
            "created": datetime(2024, 6, 1, tzinfo=UTC),
            "last_updated": datetime(2024, 6, 2, tzinfo=UTC),
            "cmp_id": 10,
            "consent_language": "EN",
            "vendor_list_version": 150,
            "policy_version": 5,
            "special_feature_optins": (1,),
            "purpose_consents": (1, 2, 3),
            "purpose_legitimate_interests": (2, 7),
            "publisher_cc": "FR",
            "vendor_consents": (1, 5, 755),
            "vendor_consents_max_id": 755,
            "vendor_legitimate_interests": (5,),
            "disclosed_vendors": (1, 5, 755, 1000),
            "publisher_purpose_consents": None,
            "segments": ("core", "disclosed vendors"),
        },
    ),
    (
        # @iabtechlabtcf/core 1.5.21, service specific, range-encoded vendors 2000-2002 and 30000,
        # restrictions (purpose 2 require consent: 2000, 2002) (purpose 3 not allowed: 30000),
        # publisher TC: purpose 1, 3 custom purposes, custom 2 consented.
        "official encoder, service specific, ranges, restrictions, publisher TC",
        "CQuSqEAQuSqEAEsAAAFRCWFgAAAAAAAAAAADqYQAoPoA-kdTAAAAAQSAEB9AD6QYACdTAAAA.IAAA.cAAAAAAAAaAA",
        {
            "created": datetime(2026, 11, 26, tzinfo=UTC),
            "cmp_id": 300,
            "consent_language": "FR",
            "is_service_specific": True,
            "purpose_consents": (),
            "publisher_cc": "AA",
            "vendor_consents": (2000, 2001, 2002, 30000),
            "vendor_consents_max_id": 30000,
            "vendor_legitimate_interests": (),
            "vendor_legitimate_interests_max_id": 0,
            "publisher_restrictions": (
                PublisherRestriction(2, RestrictionType.REQUIRE_CONSENT, ((2000, 2000), (2002, 2002))),
                PublisherRestriction(3, RestrictionType.NOT_ALLOWED, ((30000, 30000),)),
            ),
            "disclosed_vendors": (),
            "publisher_purpose_consents": (1,),
            "publisher_purpose_legitimate_interests": (),
            "num_custom_purposes": 3,
            "publisher_custom_purpose_consents": (2,),
            "publisher_custom_purpose_legitimate_interests": (),
            "segments": ("core", "disclosed vendors", "publisher TC"),
        },
    ),
]


@pytest.mark.parametrize(("label", "tc_string", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_hand_checked_strings(label: str, tc_string: str, expected: dict[str, Any]) -> None:
    decoded = decode_tc_string(tc_string)
    assert {k: getattr(decoded, k) for k in expected} == expected


def test_hand_built_string_is_what_the_writer_produces() -> None:
    assert core_bits().b64() == HAND_BUILT


def test_padding_to_byte_or_24_bit_boundaries_is_accepted() -> None:
    bits = core_bits()
    expected = decode_tc_string(bits.b64())
    for pad_to in (6, 8, 24, 48):
        assert decode_tc_string(bits.b64(pad_to)) == expected


def test_publisher_restriction_ranges_and_helpers() -> None:
    def restrictions(w: Bits) -> Bits:
        w.uint(2, 12)
        w.uint(7, 6).uint(2, 2).entries([(5, 9), (1, 1), (8, 12)])  # unsorted, overlapping: merged
        return w.uint(1, 6).uint(0, 2).entries([(1, 65535)])  # huge range: kept as a range

    tc = decode_tc_string(core_bits(restrictions=restrictions).b64())
    first, second = tc.publisher_restrictions
    assert first == PublisherRestriction(7, RestrictionType.REQUIRE_LEGITIMATE_INTEREST, ((1, 1), (5, 12)))
    assert first.vendors == (1, 5, 6, 7, 8, 9, 10, 11, 12)
    assert first.covers(6) and not first.covers(2)
    assert second.vendor_ranges == ((1, 65535),) and second.covers(65535)


def test_has_positive_consent() -> None:
    assert decode_tc_string(HAND_BUILT).has_positive_consent
    refusal = core_bits(
        special_features=(),
        purposes=(),
        vendor_consents=lambda w: w.bitfield_section([], 0),
    ).b64()
    tc = decode_tc_string(refusal)
    assert tc.vendor_legitimate_interests == (755,)  # legitimate interest alone is not consent
    assert not tc.has_positive_consent


# --- (b) round trips through the official encoder ---------------------------------------------------


def _node_skip_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (needed to run the official @iabtechlabtcf/core encoder)"
    if not (NODE_DIR / "node_modules" / "@iabtechlabtcf" / "core").is_dir():
        return f"@iabtechlabtcf/core is not installed: run `npm ci` in {NODE_DIR}"
    return None


OfficialEncoder = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


@pytest.fixture(scope="session")
def official() -> OfficialEncoder:
    """Encode specs with the official library in one node process per call (so: batch them)."""
    reason = _node_skip_reason()
    if reason:
        unavailable(reason)

    def encode(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        proc = subprocess.run(
            ["node", "make_strings.mjs"],
            cwd=NODE_DIR,
            input=json.dumps(specs),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        results: list[dict[str, Any]] = json.loads(proc.stdout)
        assert len(results) == len(specs)
        return results

    return encode


def _ms(when: datetime) -> int:
    return (when - EPOCH) // timedelta(milliseconds=1)


def official_view(tc: TCString) -> dict[str, Any]:
    """Our decoding in the shape make_strings.mjs reports the official decoding (absent segments → empty)."""
    return {
        "version": tc.version,
        "created": _ms(tc.created),
        "lastUpdated": _ms(tc.last_updated),
        "cmpId": tc.cmp_id,
        "cmpVersion": tc.cmp_version,
        "consentScreen": tc.consent_screen,
        "consentLanguage": tc.consent_language,
        "vendorListVersion": tc.vendor_list_version,
        "policyVersion": tc.policy_version,
        "isServiceSpecific": tc.is_service_specific,
        "useNonStandardTexts": tc.use_non_standard_texts,
        "specialFeatureOptins": list(tc.special_feature_optins),
        "purposeConsents": list(tc.purpose_consents),
        "purposeLegitimateInterests": list(tc.purpose_legitimate_interests),
        "purposeOneTreatment": tc.purpose_one_treatment,
        "publisherCountryCode": tc.publisher_cc,
        "vendorConsents": list(tc.vendor_consents),
        "vendorConsentsMaxId": tc.vendor_consents_max_id,
        "vendorLegitimateInterests": list(tc.vendor_legitimate_interests),
        "publisherRestrictions": [
            {"purpose": r.purpose, "type": int(r.restriction_type), "vendors": list(r.vendors)}
            for r in tc.publisher_restrictions
        ],
        "vendorsDisclosed": list(tc.disclosed_vendors or ()),
        "vendorsAllowed": list(tc.allowed_vendors or ()),
        "publisherConsents": list(tc.publisher_purpose_consents or ()),
        "publisherLegitimateInterests": list(tc.publisher_purpose_legitimate_interests or ()),
        "numCustomPurposes": tc.num_custom_purposes or 0,
        "publisherCustomConsents": list(tc.publisher_custom_purpose_consents or ()),
        "publisherCustomLegitimateInterests": list(tc.publisher_custom_purpose_legitimate_interests or ()),
    }


def _sorted_restrictions(view: dict[str, Any]) -> dict[str, Any]:
    out = dict(view)
    out["publisherRestrictions"] = sorted(view["publisherRestrictions"], key=lambda r: (r["purpose"], r["type"]))
    return out


LI_FORBIDDEN = {1, 3, 4, 5, 6}  # TCF 2.2: no legitimate interest for these purposes (the encoder clears them)
SEGMENT_NAMES = {
    "core": "core",
    "vendorsDisclosed": "disclosed vendors",
    "vendorsAllowed": "allowed vendors",
    "publisherTC": "publisher TC",
}


def check_against_spec(spec: dict[str, Any], result: dict[str, Any]) -> None:
    """Decode one official string; compare with the official decoder and with what the spec asked for."""
    assert "error" not in result, (spec, result)
    tc_string = result["tcString"]
    context = f"spec={json.dumps(spec)} tc_string={tc_string}"
    tc = decode_tc_string(tc_string)
    assert _sorted_restrictions(official_view(tc)) == _sorted_restrictions(result["decoded"]), context

    def want(key: str) -> tuple[int, ...]:
        return tuple(sorted(set(spec.get(key, ()))))

    assert tc.cmp_id == spec["cmpId"], context
    assert tc.purpose_consents == want("purposeConsents"), context
    assert tc.purpose_legitimate_interests == tuple(
        p for p in want("purposeLegitimateInterests") if p not in LI_FORBIDDEN
    ), context
    assert tc.special_feature_optins == want("specialFeatureOptins"), context
    assert tc.vendor_consents == want("vendorConsents"), context
    assert tc.vendor_legitimate_interests == want("vendorLegitimateInterests"), context
    assert tc.publisher_cc == spec.get("publisherCountryCode", "AA"), context
    assert tc.is_service_specific == spec.get("isServiceSpecific", False), context
    if "created" in spec:
        assert _ms(tc.created) == spec["created"], context
        assert _ms(tc.last_updated) == spec["lastUpdated"], context
    segments = spec.get("segments")
    if segments:
        assert tc.segments == tuple(SEGMENT_NAMES[s] for s in segments), context
    if "disclosed vendors" in tc.segments:
        assert tc.disclosed_vendors == want("vendorsDisclosed"), context
    else:
        assert tc.disclosed_vendors is None, context
    if "publisher TC" in tc.segments:
        assert tc.publisher_purpose_consents == want("publisherConsents"), context
        assert tc.publisher_purpose_legitimate_interests == want("publisherLegitimateInterests"), context
        assert tc.num_custom_purposes == spec.get("numCustomPurposes", 0), context
        assert tc.publisher_custom_purpose_consents == want("publisherCustomConsents"), context
        assert tc.publisher_custom_purpose_legitimate_interests == want("publisherCustomLegitimateInterests"), context
    else:
        assert tc.publisher_purpose_consents is None, context
    # Restrictions: every vendor asked for is covered; extra ids only bridge gaps between GVL vendors.
    gvl = {v for key in ("vendorConsents", "vendorLegitimateInterests", "vendorsDisclosed") for v in spec.get(key, ())}
    gvl |= {v for r in spec.get("publisherRestrictions", ()) for v in r["vendors"]}
    asked: dict[tuple[int, int], set[int]] = {}
    for r in spec.get("publisherRestrictions", ()):
        if r["vendors"]:
            asked.setdefault((r["purpose"], r["type"]), set()).update(r["vendors"])
    got = {(r.purpose, int(r.restriction_type)): set(r.vendors) for r in tc.publisher_restrictions}
    assert got.keys() == asked.keys(), context
    for key, vendors in asked.items():
        assert vendors <= got[key], context
        assert not (got[key] - vendors) & gvl, context


ROUND_TRIP_SPECS: list[dict[str, Any]] = [
    # Reject all: nothing but the mandatory fields.
    {"cmpId": 2, "created": 1717200000000, "lastUpdated": 1717200000000, "segments": ["core"]},
    # Accept all of a typical banner; a default created date (today, day-rounded).
    {
        "cmpId": 7,
        "cmpVersion": 123,
        "consentScreen": 3,
        "purposeConsents": list(range(1, 12)),
        "purposeLegitimateInterests": list(range(2, 12)),
        "specialFeatureOptins": [1, 2],
        "vendorConsents": [1, 2, 10, 21, 32, 52, 755, 1126],
        "vendorLegitimateInterests": [10, 21, 755],
        "publisherCountryCode": "DE",
        "language": "DE",
    },
    # Large contiguous ids: the encoder picks range encoding.
    {
        "cmpId": 4095,
        "cmpVersion": 4095,
        "consentScreen": 63,
        "vendorListVersion": 4095,
        "tcfPolicyVersion": 63,
        "created": 1514764800000,
        "lastUpdated": 1717200000000,
        "vendorConsents": [*range(60000, 60100), 65535],
        "vendorLegitimateInterests": list(range(40000, 40050)),
        "vendorsDisclosed": [*range(60000, 60100), *range(40000, 40050), 65535],
        "segments": ["core", "vendorsDisclosed"],
    },
    # Service specific with publisher restrictions whose ranges bridge non-GVL ids, and publisher TC.
    {
        "cmpId": 300,
        "isServiceSpecific": True,
        "useNonStandardTexts": True,
        "purposeOneTreatment": True,
        "publisherCountryCode": "IT",
        "purposeConsents": [1, 24],
        "vendorConsents": [3, 9, 12, 2000],
        "publisherRestrictions": [
            {"purpose": 2, "type": 1, "vendors": [3, 9, 12]},
            {"purpose": 7, "type": 2, "vendors": [2000]},
            {"purpose": 1, "type": 0, "vendors": [3, 2000]},
        ],
        "publisherConsents": [1, 3, 24],
        "publisherLegitimateInterests": [2, 7],
        "numCustomPurposes": 63,
        "publisherCustomConsents": [1, 63],
        "publisherCustomLegitimateInterests": [2],
        "created": 1600000000000,
        "lastUpdated": 1700000000000,
    },
    # All four segments, optional ones in an unusual order.
    {
        "cmpId": 31,
        "vendorConsents": [5],
        "vendorsDisclosed": [5, 6],
        "vendorsAllowed": [6],
        "publisherConsents": [1],
        "segments": ["core", "publisherTC", "vendorsAllowed", "vendorsDisclosed"],
    },
    # The library's own segment choice for a global string built for the CMP API.
    {"cmpId": 99, "vendorConsents": [8], "vendorsDisclosed": [8], "isForVendors": True, "supportOOB": True},
]


@pytest.fixture(scope="session")
def round_trips(official: OfficialEncoder) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return list(zip(ROUND_TRIP_SPECS, official(ROUND_TRIP_SPECS), strict=True))


@pytest.mark.parametrize("index", range(len(ROUND_TRIP_SPECS)))
def test_round_trip_official_encoder(round_trips: list[tuple[dict[str, Any], dict[str, Any]]], index: int) -> None:
    spec, result = round_trips[index]
    check_against_spec(spec, result)


def test_round_trip_range_encoding_was_exercised(round_trips: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    _, result = round_trips[2]
    core = result["tcString"].split(".")[0]
    bits = "".join(format(ALPHABET.index(c), "06b") for c in core)
    assert bits[213 + 16] == "1"  # IsRangeEncoding of the vendor consent section (after its MaxVendorId)
    assert len(core) < 100  # a bit field up to vendor 65535 would take ~11000 characters


def test_truncations_of_official_strings(round_trips: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    for _, result in round_trips:
        assert_every_truncation_fails_or_is_padding(result["tcString"])


# --- (c) property tests: random specs through the official encoder ---------------------------------

ids_small = st.sets(st.integers(1, 400), max_size=30)
id_runs = st.lists(st.tuples(st.integers(1, 65400), st.integers(1, 120)), max_size=4).map(
    lambda runs: {v for start, n in runs for v in range(start, min(start + n, 65536))}
)
vendor_ids = st.one_of(ids_small, id_runs, st.builds(set.union, ids_small, id_runs))
LANGUAGES = ["EN", "FR", "DE", "ES", "IT", "NL", "PL", "PT", "SV", "FI", "DA", "EL"]
SEGMENT_CHOICES: list[list[str] | None] = [
    None,
    ["core"],
    ["core", "vendorsDisclosed"],
    ["core", "publisherTC"],
    ["core", "vendorsDisclosed", "publisherTC"],
    ["core", "publisherTC", "vendorsDisclosed"],
]


@st.composite
def consent_specs(draw: st.DrawFn) -> dict[str, Any]:
    created = draw(st.integers(_ms(datetime(2018, 1, 1, tzinfo=UTC)) // 100, _ms(NOW) // 100)) * 100
    last_updated = draw(st.integers(created // 100, _ms(NOW) // 100)) * 100
    num_custom = draw(st.integers(0, 63))
    restriction = st.one_of(
        st.fixed_dictionaries({"purpose": st.integers(1, 11), "type": st.just(0)}),
        st.fixed_dictionaries({"purpose": st.integers(2, 11), "type": st.integers(1, 2)}),
    )
    spec: dict[str, Any] = {
        "cmpId": draw(st.integers(2, 4095)),
        "cmpVersion": draw(st.integers(0, 4095)),
        "consentScreen": draw(st.integers(0, 63)),
        "vendorListVersion": draw(st.integers(1, 4095)),
        "tcfPolicyVersion": draw(st.integers(0, 63)),
        "language": draw(st.sampled_from(LANGUAGES)),
        "isServiceSpecific": draw(st.booleans()),
        "useNonStandardTexts": draw(st.booleans()),
        "purposeOneTreatment": draw(st.booleans()),
        "publisherCountryCode": draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)),
        "created": created,
        "lastUpdated": last_updated,
        "purposeConsents": sorted(draw(st.sets(st.integers(1, 24)))),
        "purposeLegitimateInterests": sorted(draw(st.sets(st.integers(1, 24)))),
        "specialFeatureOptins": sorted(draw(st.sets(st.integers(1, 12)))),
        "vendorConsents": sorted(draw(vendor_ids)),
        "vendorLegitimateInterests": sorted(draw(vendor_ids)),
        "vendorsDisclosed": sorted(draw(vendor_ids)),
        "publisherConsents": sorted(draw(st.sets(st.integers(1, 24)))),
        "publisherLegitimateInterests": sorted(draw(st.sets(st.integers(1, 24)))),
        "numCustomPurposes": num_custom,
        "publisherCustomConsents": sorted(draw(st.sets(st.integers(1, num_custom)))) if num_custom else [],
        "publisherCustomLegitimateInterests": sorted(draw(st.sets(st.integers(1, num_custom)))) if num_custom else [],
        "segments": draw(st.sampled_from(SEGMENT_CHOICES)),
    }
    restrictions: list[dict[str, Any]] = []
    for r in draw(st.lists(restriction, max_size=3)):
        restrictions.append({**r, "vendors": sorted(draw(st.sets(st.integers(1, 3000), max_size=12)))})
    spec["publisherRestrictions"] = restrictions
    return spec


def draw_examples(strategy: st.SearchStrategy[Any], n: int) -> list[Any]:
    """Let Hypothesis generate ``n`` examples (edge cases included) without running a test per example."""
    out: list[Any] = []

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example: Any) -> None:
        out.append(example)

    collect()
    return out


def test_property_random_specs_round_trip(official: OfficialEncoder) -> None:
    """~200 random consent specs → official encoder (one node process) → our decoder gives them back."""
    specs = draw_examples(consent_specs(), 200)
    assert len(specs) >= 100
    results = official(specs)
    for spec, result in zip(specs, results, strict=True):
        check_against_spec(spec, result)
    # The batch exercised both vendor encodings and every optional segment.
    cores = ["".join(format(ALPHABET.index(c), "06b") for c in r["tcString"].split(".")[0]) for r in results]
    range_encoded = sum(bits[213 + 16] == "1" for bits in cores)
    assert 10 <= range_encoded <= len(specs) - 10
    segments = {name for r in results for name in decode_tc_string(r["tcString"]).segments}
    assert segments == {"core", "disclosed vendors", "publisher TC"}


# Properties of the decoder alone (no node): it never crashes, never zero-fills.


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET + ".", max_size=120))
def test_property_arbitrary_text_decodes_or_raises_tcstringerror(text: str) -> None:
    with contextlib.suppress(TCStringError):
        decode_tc_string(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 6 * len(HAND_BUILT) - 1))
def test_property_single_bit_flips_never_crash(position: int) -> None:
    chars = list(HAND_BUILT)
    index, bit = divmod(position, 6)
    chars[index] = ALPHABET[ALPHABET.index(chars[index]) ^ (1 << (5 - bit))]
    with contextlib.suppress(TCStringError):
        decode_tc_string("".join(chars))


# --- (d) strict failures -----------------------------------------------------------------------------


def _garbage_tail(w: Bits) -> Bits:
    return w.uint(0, 12).uint(1, 1)


FAILURES: list[tuple[str, Callable[[], str], str]] = [
    ("empty string", lambda: "", "empty TC string"),
    ("version 1", lambda: core_bits(version=1).b64(), "unsupported Version 1"),
    ("version 3", lambda: core_bits(version=3).b64(), "unsupported Version 3"),
    ("version 0", lambda: core_bits(version=0).b64(), "unsupported Version 0"),
    ("first segment not core", lambda: "IH0QBAAAgAFAXmA-gAAA", "first segment must be the core segment"),
    ("base64 padding", lambda: HAND_BUILT + "==", "'=' at position"),
    ("standard base64 '+'", lambda: HAND_BUILT[:-1] + "+", "'+' at position"),
    ("standard base64 '/'", lambda: "/" + HAND_BUILT[1:], "'/' at position 0"),
    ("whitespace", lambda: HAND_BUILT + " ", "' ' at position"),
    ("newline", lambda: HAND_BUILT + "\n", "is not base64url"),
    ("non-ASCII", lambda: HAND_BUILT[:10] + "é" + HAND_BUILT[11:], "is not base64url"),
    ("core too short for its fixed fields", lambda: HAND_BUILT[:30], "truncated"),
    (
        "vendor bit field runs past the end",
        lambda: core_bits(vendor_consents=lambda w: w.uint(500, 16).flag(False).ids([1], 40)).b64(),
        "VendorConsents BitField (500 bits)",
    ),
    (
        "range entries run past the end",
        lambda: core_bits(
            vendor_li=lambda w: w.uint(100, 16).flag(True).uint(9, 12).flag(False).uint(5, 16),
            restrictions=lambda w: w,
        ).b64(),
        "truncated: VendorLegitimateInterests RangeEntry 2/9",
    ),
    (
        "range end < start",
        lambda: core_bits(vendor_consents=lambda w: w.range_section([(30, 20)], 40)).b64(),
        "EndVendorId 20 is less than StartOrOnlyVendorId 30",
    ),
    (
        "range id > MaxVendorId",
        lambda: core_bits(vendor_li=lambda w: w.range_section([(10, 800)], 755)).b64(),
        "vendor id 800 is greater than MaxVendorId 755",
    ),
    (
        "single id > MaxVendorId",
        lambda: core_bits(vendor_consents=lambda w: w.range_section([(4, 4)], 3)).b64(),
        "vendor id 4 is greater than MaxVendorId 3",
    ),
    (
        "vendor id 0",
        lambda: core_bits(vendor_consents=lambda w: w.range_section([(0, 2)], 3)).b64(),
        "vendor id 0",
    ),
    (
        "restriction type 3",
        lambda: core_bits(restrictions=lambda w: w.uint(1, 12).uint(2, 6).uint(3, 2).entries([(1, 1)])).b64(),
        "RestrictionType 3 is undefined",
    ),
    (
        "restriction purpose 0",
        lambda: core_bits(restrictions=lambda w: w.uint(1, 12).uint(0, 6).uint(1, 2).entries([(1, 1)])).b64(),
        "PurposeId 0",
    ),
    (
        "restriction range end < start",
        lambda: core_bits(restrictions=lambda w: w.uint(1, 12).uint(2, 6).uint(1, 2).entries([(9, 3)])).b64(),
        "EndVendorId 3 is less than StartOrOnlyVendorId 9",
    ),
    (
        "restrictions run past the end",
        lambda: core_bits(restrictions=lambda w: w.uint(3, 12).uint(2, 6).uint(1, 2).entries([(1, 1)])).b64(),
        "PubRestrictionEntry 2/3",
    ),
    ("language letter > Z", lambda: core_bits(language="F[").b64(), "ConsentLanguage"),
    ("country letter > Z", lambda: core_bits(publisher_cc="_A").b64(), "PublisherCC"),
    ("created before 2018", lambda: core_bits(created=datetime(2017, 12, 31, tzinfo=UTC)).b64(), "before 2018"),
    ("created at the epoch (zero-filled)", lambda: core_bits(created=EPOCH).b64(), "Created 1970-01-01"),
    (
        "created in the far future",
        lambda: core_bits(created=datetime(2100, 1, 1, tzinfo=UTC)).b64(),
        "Created 2100-01-01T00:00:00+00:00 is in the future",
    ),
    (
        "last updated in the future",
        lambda: core_bits(last_updated=datetime(2090, 1, 1, tzinfo=UTC)).b64(),
        "LastUpdated 2090-01-01T00:00:00+00:00 is in the future",
    ),
    (
        "last updated before created",
        lambda: core_bits(last_updated=datetime(2024, 5, 1, tzinfo=UTC)).b64(),
        "LastUpdated 2024-05-01T00:00:00+00:00 is before Created",
    ),
    ("CMP id 0", lambda: core_bits(cmp_id=0).b64(), "CmpId 0"),
    ("vendor list version 0", lambda: core_bits(vendor_list_version=0).b64(), "VendorListVersion 0"),
    ("non-zero bits after the core", lambda: core_bits(restrictions=_garbage_tail).b64(), "trailing garbage"),
    ("stray trailing dot", lambda: HAND_BUILT + ".", "segment 2 of 2 is empty"),
    ("double dot", lambda: HAND_BUILT + "..IAAA", "segment 2 of 3 is empty"),
    ("unknown segment type 4", lambda: HAND_BUILT + "." + Bits().uint(4, 3).uint(0, 21).b64(), "segment type 4"),
    ("unknown segment type 7", lambda: HAND_BUILT + ".__", "unknown segment type 7"),
    ("second core segment", lambda: HAND_BUILT + "." + HAND_BUILT, "second core segment"),
    ("repeated disclosed vendors", lambda: HAND_BUILT + ".IAAA.IAAA", "repeated disclosed vendors segment"),
    (
        "disclosed vendors truncated",
        lambda: HAND_BUILT + "." + Bits().uint(1, 3).uint(200, 16).flag(False).ids([1], 50).b64(),
        "DisclosedVendors BitField",
    ),
    (
        "disclosed vendors range id > max",
        lambda: HAND_BUILT + "." + Bits().uint(1, 3).range_section([(7, 9)], 8).b64(),
        "vendor id 9 is greater than MaxVendorId 8",
    ),
    (
        "publisher TC truncated custom purposes",
        lambda: HAND_BUILT + "." + Bits().uint(3, 3).ids([1], 24).ids([], 24).uint(40, 6).ids([1], 40).b64(),
        "CustomPurposesLITransparency",
    ),
    (
        "garbage after the publisher TC segment",
        lambda: HAND_BUILT + "." + Bits().uint(3, 3).ids([1], 24).ids([], 24).uint(0, 6).uint(1, 3).b64(),
        "publisher TC segment: 3 bits follow",
    ),
    ("not a string", lambda: cast(str, 42), "must be text"),
]


@pytest.mark.parametrize(("label", "make", "message"), FAILURES, ids=[row[0] for row in FAILURES])
def test_strict_failures(label: str, make: Callable[[], str], message: str) -> None:
    with pytest.raises(TCStringError) as info:
        decode_tc_string(make(), now=NOW)
    assert message in str(info.value)


def test_future_tolerance_is_relative_to_now() -> None:
    tc_string = core_bits(created=datetime(2024, 6, 1, 12, tzinfo=UTC)).b64()
    assert decode_tc_string(tc_string, now=datetime(2024, 6, 1, tzinfo=UTC)).cmp_id == 10  # 12 h of skew
    assert decode_tc_string(tc_string, now=datetime(2024, 6, 1)).cmp_id == 10  # naive now = UTC
    with pytest.raises(TCStringError, match="in the future"):
        decode_tc_string(tc_string, now=datetime(2024, 5, 30, tzinfo=UTC))


def test_truncated_string_is_an_error_not_a_zero_filled_refusal_or_consent() -> None:
    # A lenient decoder (e.g. the unmaintained `iab-tcf` package) zero-fills the missing bits.
    full = decode_tc_string(HAND_BUILT)
    assert full.vendor_legitimate_interests == (755,)
    with pytest.raises(TCStringError, match="truncated"):
        decode_tc_string(HAND_BUILT[:-8])


def assert_every_truncation_fails_or_is_padding(tc_string: str) -> None:
    """Every prefix either raises or decodes to exactly the full string's values (minus dropped segments).

    Prefixes cut inside a segment's fields must raise; only padding characters (at most 3 per segment,
    as the official encoder pads to 24 bits) or whole trailing segments may be dropped without an error.
    """
    full = decode_tc_string(tc_string)
    core_length = len(tc_string.split(".")[0])
    decoded_prefixes = 0
    for n in range(1, len(tc_string)):
        prefix = tc_string[:n]
        try:
            tc = decode_tc_string(prefix)
        except TCStringError:
            continue
        decoded_prefixes += 1
        assert n >= core_length - 3, f"a {n}-char prefix of the {core_length}-char core decoded"
        kept = {name: getattr(full, name) for name in _CORE_FIELDS}
        assert {name: getattr(tc, name) for name in _CORE_FIELDS} == kept, prefix
        for segment, fields in _OPTIONAL_FIELDS.items():
            if segment in tc.segments:
                assert all(getattr(tc, f) == getattr(full, f) for f in fields), prefix
                if segment != tc.segments[-1]:
                    continue
                # The last segment of the prefix may be cut only in its padding.
                whole = next(p for p in tc_string.split(".") if p.startswith(prefix.split(".")[-1]))
                assert len(whole) - len(prefix.split(".")[-1]) <= 3, prefix
    assert decoded_prefixes <= 4 * len(tc_string.split("."))


_CORE_FIELDS = [
    "version",
    "created",
    "last_updated",
    "cmp_id",
    "cmp_version",
    "consent_screen",
    "consent_language",
    "vendor_list_version",
    "policy_version",
    "is_service_specific",
    "use_non_standard_texts",
    "special_feature_optins",
    "purpose_consents",
    "purpose_legitimate_interests",
    "purpose_one_treatment",
    "publisher_cc",
    "vendor_consents",
    "vendor_consents_max_id",
    "vendor_legitimate_interests",
    "vendor_legitimate_interests_max_id",
    "publisher_restrictions",
]
_OPTIONAL_FIELDS = {
    "disclosed vendors": ["disclosed_vendors"],
    "allowed vendors": ["allowed_vendors"],
    "publisher TC": [
        "publisher_purpose_consents",
        "publisher_purpose_legitimate_interests",
        "num_custom_purposes",
        "publisher_custom_purpose_consents",
        "publisher_custom_purpose_legitimate_interests",
    ],
}


@pytest.mark.parametrize(("label", "tc_string", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_every_truncation_of_table_strings(label: str, tc_string: str, expected: dict[str, Any]) -> None:
    assert_every_truncation_fails_or_is_padding(tc_string)


def test_every_truncation_of_a_range_encoded_string_with_restrictions() -> None:
    bits = core_bits(
        vendor_consents=lambda w: w.range_section([(1, 40), (700, 700), (60000, 65535)], 65535),
        vendor_li=lambda w: w.range_section([(2, 2)], 2),
        restrictions=lambda w: w.uint(1, 12).uint(2, 6).uint(1, 2).entries([(1, 5), (9, 9)]),
    )
    tc_string = (
        bits.b64() + ".IAAA." + Bits().uint(3, 3).ids([1], 24).ids([2], 24).uint(2, 6).ids([1], 2).ids([], 2).b64()
    )
    tc = decode_tc_string(tc_string)
    assert tc.vendor_consents[:3] == (1, 2, 3) and tc.vendor_consents[-1] == 65535
    assert len(tc.vendor_consents) == 40 + 1 + 5536
    assert_every_truncation_fails_or_is_padding(tc_string)
    # The core's fields end exactly at the last restriction entry: no shorter core decodes.
    needed_chars = math.ceil(len(bits.s) / 6)
    core = tc_string.split(".")[0]
    for n in range(needed_chars):
        with pytest.raises(TCStringError):
            decode_tc_string(core[:n])


# --- (e) to_tcf_state ---------------------------------------------------------------------------------


def test_to_tcf_state_valid_cookie() -> None:
    state = to_tcf_state(HAND_BUILT, "cookie")
    assert state == TcfState(
        source="cookie",
        tc_string=HAND_BUILT,
        valid=True,
        cmp_id=10,
        cmp_version=1,
        version=2,
        created="2024-06-01T00:00:00Z",
        last_updated="2024-06-01T00:00:00Z",
        purpose_consents=(1, 2),
        purpose_legitimate_interests=(2,),
        vendor_consents=(1, 3),
        vendor_legitimate_interests=(755,),
        special_feature_optins=(1,),
        publisher_cc="FR",
    )
    assert from_jsonable(TcfState, json.loads(json.dumps(to_jsonable(state)))) == state


def test_to_tcf_state_from_get_tc_data() -> None:
    tc_data = {
        "tcString": HAND_BUILT,
        "gdprApplies": True,
        "eventStatus": "useractioncomplete",
        "cmpStatus": "loaded",
        "cmpId": 10,
    }
    state = to_tcf_state(None, "api", tc_data)
    assert state.valid and state.tc_string == HAND_BUILT and state.vendor_consents == (1, 3)
    assert (state.gdpr_applies, state.event_status, state.cmp_status) == (True, "useractioncomplete", "loaded")


API_DATA = {"gdprApplies": True, "eventStatus": "tcloaded", "cmpStatus": "loaded", "cmpId": 10, "cmpVersion": 2}


@pytest.mark.parametrize("bad", ["garbage", "CP_h-0AP_h-0A!!", "." * 3, "IAAA"])
def test_to_tcf_state_uninterpretable_string_signals_nothing(bad: str) -> None:
    state = to_tcf_state(bad, "api", API_DATA)
    assert not state.valid and not state.lenient and state.error and state.problems[0] == state.error
    assert state.tc_string == bad
    assert state.purpose_consents == state.vendor_consents == state.special_feature_optins == ()
    assert state.purpose_legitimate_interests == state.vendor_legitimate_interests == ()
    assert state.version is None and state.created is None and state.publisher_cc is None
    assert (state.cmp_id, state.cmp_version, state.gdpr_applies) == (10, 2, True)


@pytest.mark.parametrize(
    ("bad", "consents", "vendors", "problem"),
    [
        (HAND_BUILT + "==", (1, 2), (1, 3), "base64 padding is not allowed"),
        (HAND_BUILT[:30], (1, 2), (), "core segment truncated"),
        (core_bits(created=datetime(2100, 1, 1, tzinfo=UTC)).b64(), (1, 2), (1, 3), "in the future"),
    ],
)
def test_to_tcf_state_invalid_but_readable_string_is_judged_for_its_signals_never_valid(
    bad: str, consents: tuple[int, ...], vendors: tuple[int, ...], problem: str
) -> None:
    state = to_tcf_state(bad, "api", API_DATA)
    assert not state.valid and state.lenient
    assert state.error is not None and problem in state.error and state.problems[0] == state.error
    assert state.purpose_consents == consents and state.vendor_consents == vendors
    assert state.version == 2 and state.created is not None
    assert (state.cmp_id, state.cmp_version) == (10, 2)  # the API's word wins over the string's
    assert from_jsonable(TcfState, json.loads(json.dumps(to_jsonable(state)))) == state


def test_lenient_decode_of_a_valid_string_is_the_strict_one_with_no_problem() -> None:
    assert decode_tc_string_lenient(HAND_BUILT, now=NOW) == (decode_tc_string(HAND_BUILT, now=NOW), ())
    assert to_tcf_state(HAND_BUILT, "cookie").problems == ()
    assert not to_tcf_state(HAND_BUILT, "cookie").lenient


def test_lenient_decode_collects_every_problem_and_skips_what_it_cannot_read() -> None:
    bits = core_bits(created=datetime(2100, 1, 1, tzinfo=UTC), cmp_id=0).b64()
    decoded, problems = decode_tc_string_lenient(bits + ".." + "Y" + "A" * 7, now=NOW)
    assert decoded is not None
    assert [p.split(":")[0] for p in problems] == [
        "segment 2 of 3 is empty (stray '.')",
        "core segment",
        "core segment",
        "core segment",
        "publisher TC segment truncated",
    ]
    assert "CmpId 0" in problems[3]


@given(st.text(alphabet=ALPHABET + "=+/.", max_size=120))
@settings(max_examples=200, deadline=None)
def test_property_lenient_decode_never_raises(text: str) -> None:
    decoded, problems = decode_tc_string_lenient(text, now=NOW)
    assert decoded is not None or problems
    try:
        decode_tc_string(text, now=NOW)
    except TCStringError as exc:
        assert problems and str(exc) in problems
    else:
        assert not problems


def test_corrupted_official_strings_signal_what_they_encode_but_are_never_valid(official: OfficialEncoder) -> None:
    spec = {
        "cmpId": 7,
        "created": 1717200000000,
        "lastUpdated": 1717200000000,
        "purposeConsents": [1, 3, 4],
        "vendorConsents": [2, 755],
        "specialFeatureOptins": [1],
        "segments": ["core"],
    }
    (result,) = official([spec])
    good = result["tcString"]
    assert to_tcf_state(good, "cookie").valid
    # truncated inside the vendor section: the purposes are read, the missing vendor bits are no signal
    truncated = to_tcf_state(good[:38], "cookie")
    assert not truncated.valid and truncated.lenient and "truncated" in (truncated.error or "")
    assert truncated.purpose_consents == (1, 3, 4) and truncated.special_feature_optins == (1,)
    assert set(truncated.vendor_consents) <= {2, 755}
    # trailing garbage after the last field: everything is still signalled
    garbage = to_tcf_state(good + "P8", "cookie")
    assert not garbage.valid and garbage.lenient and "trailing garbage" in (garbage.error or "")
    assert (garbage.purpose_consents, garbage.vendor_consents) == ((1, 3, 4), (2, 755))
    # standard base64 with padding, as a careless CMP writes it
    padded = to_tcf_state(good.replace("-", "+").replace("_", "/") + "=", "cookie")
    assert not padded.valid and padded.lenient and padded.vendor_consents == (2, 755)


def test_to_tcf_state_missing_or_empty_string() -> None:
    missing = to_tcf_state(None, "cookie")
    assert not missing.valid and missing.error == "no TC string" and missing.tc_string is None
    empty = to_tcf_state("", "api", {"gdprApplies": False, "tcString": ""})
    assert not empty.valid and empty.error == "empty TC string (the CMP says GDPR does not apply)"
    assert empty.gdpr_applies is False


def test_to_tcf_state_ignores_ill_typed_tc_data() -> None:
    tc_data = {"tcString": 5, "gdprApplies": "yes", "eventStatus": 1, "cmpStatus": None, "cmpId": True}
    state = to_tcf_state(None, "api", tc_data)
    assert not state.valid and state.error == "no TC string"
    assert (state.gdpr_applies, state.event_status, state.cmp_status, state.cmp_id) == (None, None, None, None)


def test_to_tcf_state_passes_now() -> None:
    tc_string = core_bits(created=datetime(2030, 1, 1, tzinfo=UTC)).b64()
    assert not to_tcf_state(tc_string, "cookie", now=NOW).valid
    assert to_tcf_state(tc_string, "cookie", now=datetime(2030, 1, 2, tzinfo=UTC)).valid


def test_format_timestamp() -> None:
    assert format_timestamp(datetime(2020, 2, 20, 23, 57, 39, 300000, tzinfo=UTC)) == "2020-02-20T23:57:39.300Z"
    assert format_timestamp(datetime(2024, 6, 1, tzinfo=UTC)) == "2024-06-01T00:00:00Z"


def test_decoded_string_is_frozen() -> None:
    tc = decode_tc_string(HAND_BUILT)
    with pytest.raises(AttributeError):
        tc.cmp_id = 3  # type: ignore[misc]
    assert replace(tc, cmp_id=3).cmp_id == 3


# --- (f) the rules judge what an invalid string signals ---------------------------------------------


def test_rules_judge_the_signals_of_an_invalid_string_and_report_its_invalidity_apart() -> None:
    truncated = to_tcf_state(HAND_BUILT[:30], "cookie")  # consents to purposes 1 and 2, cut short
    assert not truncated.valid and truncated.purpose_consents == (1, 2)
    clicked = ConsentAction(action="reject", clicked=True, label="Tout refuser", effect="confirmed")
    visit = SiteResult(
        url="https://www.exemple.fr/",
        status="ok",
        phases={
            "before": PhaseResult(name="before", status="ok", banner=Banner(found=True)),
            "reject": PhaseResult(name="reject", status="ok", consent=clicked, tcf=(truncated,)),
        },
    )
    findings = evaluate(visit, load_rules(["tcf"]))
    fired = {(f.rule, f.phase, f.outcome) for f in findings if f.phase == "reject"}
    assert ("tcf-consent-after-opt-out", "reject", "fail") in fired
    assert ("tcf-invalid-tc-string", "reject", "fail") in fired
