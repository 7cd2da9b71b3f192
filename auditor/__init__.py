"""consent-auditor: audit what a web site stores and sends before consent, after reject and after accept."""

__version__ = "0.1.0"
