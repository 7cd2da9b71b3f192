"""The consent-manager adapters (registry, interface) and the label heuristics, without a browser."""

from __future__ import annotations

import importlib
import json
import pkgutil

import pytest

import auditor.browser.cmp as cmp_package
from auditor.browser.cmp import ADAPTERS, CmpAdapter, InvalidAdapterError, Signature, UnknownCmpError, get, ids
from auditor.browser.cmp.interface import ROLES
from auditor.browser.cmp.registry import _index, scan_spec
from auditor.browser.consent import Detection, PageScan
from auditor.browser.labels import classify


def test_get_names_the_bad_id() -> None:
    with pytest.raises(UnknownCmpError) as info:
        get("didomy")
    assert "'didomy'" in str(info.value) and "didomi" in str(info.value)
    assert isinstance(info.value, KeyError)


def test_every_adapter_module_is_registered() -> None:
    modules = {
        name
        for _, name, _ in pkgutil.iter_modules(cmp_package.__path__)
        if name not in ("interface", "registry", "__init__")
    }
    registered = set()
    for name in modules:
        module = importlib.import_module(f"auditor.browser.cmp.{name}")
        assert module.__doc__, f"{name}: the module docstring documents the CMP's public DOM and API"
        adapter = module.ADAPTER
        assert ADAPTERS[adapter.id] is adapter, f"{name}.ADAPTER is not in the registry"
        registered.add(adapter.id)
    assert registered == set(ids())


def test_the_issue_s_consent_managers_have_adapters() -> None:
    wanted = {"didomi", "sourcepoint", "onetrust", "usercentrics", "quantcast", "cookiebot", "axeptio"}
    wanted |= {"tarteaucitron", "vanilla-cookieconsent", "klaro", "orejime", "osano", "tcf"}
    wanted |= {"cookies-eu-banner", "porsche-cookie-consent-banner", "mozilla-consent-banner"}  # issue 12
    wanted |= {"hb-cookie-law-banner", "cookie-consent-js", "dp-consent"}
    assert wanted <= set(ids())


@pytest.mark.parametrize("adapter_id", list(ADAPTERS))
def test_adapter_definition(adapter_id: str) -> None:
    adapter = ADAPTERS[adapter_id]
    assert adapter.docs and all(d.startswith("https://") for d in adapter.docs)
    assert set(adapter.controls) <= set(ROLES)
    assert adapter.generic or adapter.controls or adapter.roots, "a specific CMP must say where its controls are"
    assert all(selectors for selectors in adapter.controls.values())


def test_scan_spec_is_plain_json_in_registry_order() -> None:
    spec = scan_spec()
    assert [s["id"] for s in spec] == list(ids())
    assert json.loads(json.dumps(spec)) == list(spec)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": "Didomi"}, "lower-case"),
        ({"controls": {"refuse": ("#x",)}}, "unknown role"),
        ({"signature": Signature()}, "no signal"),
    ],
)
def test_invalid_adapters_are_refused(kwargs: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"id": "demo", "name": "Demo", "signature": Signature(globals=("Demo",))}
    with pytest.raises(InvalidAdapterError, match=message):
        CmpAdapter(**{**base, **kwargs})  # type: ignore[arg-type]


def test_duplicate_ids_are_refused() -> None:
    with pytest.raises(InvalidAdapterError, match="'didomi'"):
        _index([ADAPTERS["didomi"], ADAPTERS["didomi"]])


def _scan(*adapters: str, cmp_id: int | None = None) -> PageScan:
    detections = {
        a: Detection(adapter=a, name=ADAPTERS[a].name, signals=("x",), frames=(), generic=ADAPTERS[a].generic)
        for a in adapters
    }
    return PageScan((), detections, {"cmpId": cmp_id} if cmp_id is not None else None)


def test_the_page_s_cmp_prefers_a_specific_adapter_to_the_tcf_api() -> None:
    assert _scan("tcf", "didomi").cmp == "didomi"
    assert _scan().cmp is None
    assert _scan("tcf").cmp == "tcf"
    assert _scan("tcf", cmp_id=7).cmp == "didomi"  # named from the IAB CMP id
    assert _scan("tcf", cmp_id=4000).cmp == "tcf"


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Tout refuser", "reject"),
        ("Continuer sans accepter →", "reject"),
        ("Refuser et fermer", "reject"),
        ("Non merci", "reject"),
        ("Alle ablehnen", "reject"),
        ("Rechazar todo", "reject"),
        ("Rifiuta tutto", "reject"),
        ("Alles weigeren", "reject"),
        ("Rejeitar tudo", "reject"),
        ("Odrzuć wszystkie", "reject"),
        ("Reject all", "reject"),
        ("Tout accepter", "accept"),
        ("Accepter & Fermer", "accept"),
        ("OK pour moi", "accept"),
        ("C'est bon.", "accept"),
        ("J'ACCEPTE", "accept"),
        ("Alle akzeptieren", "accept"),
        ("Aceptar todo", "accept"),
        ("Paramétrer vos choix", "settings"),
        ("Plus d'options", "settings"),
        ("Laissez-moi choisir", "settings"),
        ("Je choisis", "settings"),
        ("Einstellungen", "settings"),
        ("Enregistrer mes choix", "save"),
        ("Confirmer mes choix", "save"),
        ("Accepter la sélection", "save"),
        ("Autoriser la sélection", "save"),
        ("En savoir plus", None),
        ("Municipales : les listes se dévoilent dans les grandes villes", None),
    ],
)
def test_labels(label: str, role: str | None) -> None:
    assert classify(label) == role
