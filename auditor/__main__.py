"""``python -m auditor`` runs the ``consent-audit`` command line."""

from auditor.cli import main

main()
