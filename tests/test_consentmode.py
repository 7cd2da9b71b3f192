"""Google Consent Mode v2: gcs/gcd/npa/dma decoded from Google tag request URLs, and the rule fields."""

from __future__ import annotations

import pytest

from auditor.knowledge.consentmode import (
    annotate_site,
    consent_mode_of,
    decode_gcd,
    decode_gcs,
    decode_url,
    gcd_letter,
    is_google_tag_host,
    last_signal,
)
from auditor.model import PhaseResult, Request, SiteResult

GA4 = "https://region1.google-analytics.com/g/collect?v=2&tid=G-X&en=page_view"


@pytest.mark.parametrize(
    ("letter", "default", "update"),
    [
        # The published table of gcd letters (Markus Baersch, "Consent Mode V2 for Google Tags").
        ("l", None, None),
        ("p", "denied", None),
        ("q", "denied", "denied"),
        ("r", "denied", "granted"),
        ("t", "granted", None),
        ("u", "granted", "denied"),
        ("v", "granted", "granted"),
        ("m", None, "denied"),
        ("n", None, "granted"),
        ("*", None, None),
    ],
)
def test_gcd_letters(letter: str, default: str | None, update: str | None) -> None:
    assert gcd_letter(letter) == (default, update)


def test_decode_gcd_and_gcs() -> None:
    assert decode_gcd("11p1p1p1p5") == dict.fromkeys(
        ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization"), ("denied", None)
    )
    assert decode_gcd("13r3q3r3v5l1") == {
        "ad_storage": ("denied", "granted"),
        "analytics_storage": ("denied", "denied"),
        "ad_user_data": ("denied", "granted"),
        "ad_personalization": ("granted", "granted"),
    }
    assert decode_gcd("13r3") is None
    assert decode_gcd("xx" + "p1" * 4) is None
    assert decode_gcs("G110") == {"ad_storage": "granted", "analytics_storage": "denied"}
    assert decode_gcs("G1--") == {"ad_storage": None, "analytics_storage": None}
    assert decode_gcs("G2xx") is None


def test_decode_url_takes_updates_over_defaults() -> None:
    signal = decode_url(f"{GA4}&gcs=G101&gcd=13p3r3p3p5l1&npa=1&dma=1&dma_cps=syphamo")
    assert signal is not None
    assert (signal.ad_storage, signal.analytics_storage) == ("denied", "granted")
    assert (signal.ad_user_data, signal.ad_personalization) == ("denied", "denied")
    assert (signal.npa, signal.dma, signal.dma_cps) == ("1", "1", "syphamo")
    assert signal.defaults == (
        "ad_storage=denied",
        "analytics_storage=denied",
        "ad_user_data=denied",
        "ad_personalization=denied",
    )
    assert not signal.malformed


def test_gcs_wins_for_storage_and_malformed_values_are_flagged() -> None:
    # gcd says ad_storage granted by default, but the tag acted on gcs (denied).
    signal = decode_url(f"{GA4}&gcs=G100&gcd=13t3t3t3t5")
    assert signal is not None and signal.ad_storage == "denied" and signal.ad_user_data == "granted"
    broken = decode_url(f"{GA4}&gcd=garbage")
    assert broken is not None and broken.malformed
    assert decode_url(GA4) is None
    assert decode_url("http://[::1") is None


def test_google_tag_hosts() -> None:
    for host in (
        "www.google-analytics.com",
        "stats.g.doubleclick.net",
        "pagead2.googlesyndication.com",
        "www.googletagmanager.com",
        "www.google.com",
        "analytics.google.com",
    ):
        assert is_google_tag_host(host), host
    assert not is_google_tag_host("www.example.fr")
    assert not is_google_tag_host("google-analytics.com.evil.example")


def _request(url: str) -> Request:
    host = url.split("/")[2]
    return Request(url=url, host=host, resource_type="ping", method="GET", party="third", registrable_domain=host)


def test_annotate_and_last_signal() -> None:
    first = _request(f"{GA4}&gcs=G100&gcd=13p3p3p3p5")
    other = _request("https://www.example.fr/api?gcs=G111")  # not a Google host: ignored
    last = _request(f"{GA4}&gcs=G111&gcd=13r3r3r3r5")
    phase = PhaseResult(name="accept", status="ok", requests=(first, other, last))
    site = annotate_site(SiteResult(url="https://www.example.fr/", status="ok", phases={"accept": phase}))
    annotated = site.phases["accept"].requests
    assert annotated[0].consent_mode is not None and annotated[0].consent_mode.analytics_storage == "denied"
    assert annotated[1].consent_mode is None
    signal = last_signal(site.phases["accept"])
    assert signal is not None and signal.analytics_storage == "granted"
    assert consent_mode_of(first) == annotated[0].consent_mode  # older results: decoded from the URL
    assert annotate_site(site) is site
