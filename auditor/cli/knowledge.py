"""``consent-audit knowledge lookup NAME|URL``: why something gets its class."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from auditor.cli.app import app, fail
from auditor.knowledge.explain import Explanation

knowledge_app = typer.Typer(
    name="knowledge",
    help="Explain the knowledge base: which layer, entry or filter list classifies a cookie, key or URL.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(knowledge_app, name="knowledge")


def _render(found: Explanation) -> list[str]:
    cls = found.classification
    lines = [f"{found.kind} {found.subject}"]
    if cls is None:
        lines.append("  class:   not classified by any list")
    else:
        names = dict.fromkeys(x for x in (cls.entity, cls.vendor) if x)
        who = " / ".join(names) or "entity unknown"
        lines.append(f"  class:   {cls.category}, tracker={'yes' if cls.tracker else 'no'}, {who}")
        lines.append(f"  layer:   {cls.layer or '-'}")
        lines.append(f"  entry:   {cls.matched or '-'}")
        if cls.purpose:
            lines.append(f"  purpose: {cls.purpose}")
        if cls.source:
            lines.append(f"  source:  {cls.source}")
    if found.data is not None:
        d = found.data
        version = f", version {d.version}" if d.version else ""
        lines.append(
            f"  data:    {d.name} ({d.licence}), {d.date}{version}, sha256 {d.sha256[:16]}…, {d.entries} entries"
        )
    lines.extend(f"  note:    {note}" for note in found.notes)
    return lines


@knowledge_app.command("lookup")
def lookup_command(
    target: Annotated[str, typer.Argument(help="A cookie name or storage key, or a request URL (https://...).")],
    domain: Annotated[str, typer.Option(help="Cookie domain or storage origin host of the name.")] = "",
    page: Annotated[
        str | None, typer.Option(help="URL of the page making the request (filter lists tell first from third party).")
    ] = None,
    resource_type: Annotated[str, typer.Option("--type", help="Request type: script, image, xhr, document...")] = (
        "script"
    ),
    knowledge: Annotated[
        list[Path] | None, typer.Option("--knowledge", "-k", help="Extra knowledge-base YAML, as for audit.")
    ] = None,
) -> None:
    """Explain the class of NAME (as a cookie and as a storage key) or URL: layer, entry or filter, list and date."""
    from auditor.knowledge import KnowledgeBase
    from auditor.knowledge.community import load_community
    from auditor.knowledge.datacache import DataError, data_dir
    from auditor.knowledge.explain import explain
    from auditor.yamlutil import ConfigError

    try:
        kb = KnowledgeBase.load(list(knowledge or []), load_community(data_dir()))
        found = explain(kb, target, domain=domain, page_url=page, resource_type=resource_type)
    except (ConfigError, DataError) as exc:
        fail(str(exc))
    print("\n".join(line for item in found for line in _render(item)))
