"""Consent-manager adapters: one module per CMP, an explicit registry, a shared interface.

See :mod:`auditor.browser.cmp.interface` for what an adapter declares and
:mod:`auditor.browser.cmp.registry` for the list.
"""

from auditor.browser.cmp.interface import CmpAdapter, CmpError, InvalidAdapterError, Signature, UnknownCmpError
from auditor.browser.cmp.registry import ADAPTERS, get, ids, scan_spec

__all__ = [
    "ADAPTERS",
    "CmpAdapter",
    "CmpError",
    "InvalidAdapterError",
    "Signature",
    "UnknownCmpError",
    "get",
    "ids",
    "scan_spec",
]
