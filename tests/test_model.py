"""The results contract: model round-trip, party by registrable domain, the published schema."""

from __future__ import annotations

import json

import jsonschema

from auditor import schemagen
from auditor.model import (
    BrowserInfo,
    Classification,
    Cookie,
    Finding,
    PhaseResult,
    RunResult,
    SiteResult,
    Subject,
    ToolInfo,
    from_jsonable,
    to_jsonable,
)
from auditor.party import PartyResolver, registrable_domain
from auditor.resources import schema_path


def sample_run() -> RunResult:
    cookie = Cookie(
        name="IDE",
        value="x",
        domain=".doubleclick.net",
        path="/",
        expires=2e9,
        lifetime_days=390.0,
        secure=True,
        http_only=True,
        same_site="None",
        party="third",
        registrable_domain="doubleclick.net",
        set_by="header",
        classification=Classification(entity="Google", category="advertising", tracker=True),
    )
    finding = Finding(
        rule="baseline/no-tracker-before-consent",
        severity="error",
        phase="before",
        subject=Subject(kind="cookie", name="IDE", domain=".doubleclick.net"),
        message="m",
        evidence={"a": [1]},
    )
    site = SiteResult(
        url="https://a.fr/",
        status="ok",
        phases={"before": PhaseResult(name="before", status="ok", cookies=(cookie,))},
        findings=(finding,),
    )
    return RunResult(
        tool=ToolInfo("t", "1"), browser=BrowserInfo("1"), started="s", finished="f", arguments=("a",), sites=(site,)
    )


def test_round_trip() -> None:
    run = sample_run()
    data = json.loads(json.dumps(to_jsonable(run)))
    assert from_jsonable(RunResult, data) == run


def test_unknown_fields_are_ignored() -> None:
    data = to_jsonable(sample_run())
    data["sites"][0]["phases"]["before"]["cookies"][0]["future_field"] = 1
    assert from_jsonable(RunResult, data).sites[0].phases["before"].cookies[0].name == "IDE"


def test_schema_is_current_and_validates() -> None:
    assert schema_path(schemagen.SCHEMA_FILE).read_text(encoding="utf-8") == schemagen.render(), (
        "results.schema.json is stale: run python -m auditor.schemagen"
    )
    schema = json.loads(schema_path(schemagen.SCHEMA_FILE).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(to_jsonable(sample_run()), schema)
    bad = to_jsonable(sample_run())
    bad["sites"][0]["status"] = "maybe"
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)


def test_registrable_domain() -> None:
    assert registrable_domain("www.bbc.co.uk") == "bbc.co.uk"
    assert registrable_domain(".doubleclick.net") == "doubleclick.net"
    assert registrable_domain("static.example-news.co.uk") == "example-news.co.uk"
    assert registrable_domain("127.0.0.1") == "127.0.0.1"
    assert registrable_domain("user.github.io") == "user.github.io"


def test_party_with_aliases() -> None:
    party = PartyResolver("https://www.example-news.co.uk/", ["example-news-static.com"])
    assert party.of_host("static.example-news.co.uk") == "first"
    assert party.of_host(".example-news.co.uk") == "first"
    assert party.of_host("cdn.example-news-static.com") == "first"
    assert party.of_host("ad.doubleclick.net") == "third"
    assert party.of_host("other-news.co.uk") == "third"
