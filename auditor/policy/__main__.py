"""``python -m auditor.policy``: regenerate the generated files of the rule engine.

Writes ``docs/rules.md`` (from the built-in packs' metadata) and
``auditor/schemas/rulepack.schema.json`` (from the field registry). Tests fail when either is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from auditor.policy.docs import builtin_doc
from auditor.policy.schema import schema_text
from auditor.resources import PACKAGE_DIR, schema_path


def main() -> int:
    """Write both generated files and say where."""
    targets = {
        PACKAGE_DIR.parent / "docs" / "rules.md": builtin_doc(),
        schema_path("rulepack.schema.json"): schema_text(),
    }
    for path, text in targets.items():
        Path(path).write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
