"""Built-in scripts live as files in `builtin/`; each declares a `META` dict literal
(slug, name, description, category, parameters_schema) that is read without running it.
`builtins_sync` puts them in the database: idempotent, a changed file adds a revision."""

from __future__ import annotations

import ast
from pathlib import Path

from django.db import transaction

from bimflow.scripting.models import Script
from bimflow.scripting.services import revision_add

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"


def builtin_meta(path: Path) -> dict:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "META" for t in node.targets
        ):
            return ast.literal_eval(node.value)
    raise ValueError(f"{path.name} has no META = {{...}} literal")


def builtin_files() -> list[Path]:
    return sorted(p for p in BUILTIN_DIR.glob("*.py") if not p.name.startswith("_"))


@transaction.atomic
def builtins_sync() -> list[str]:
    """Create or update the built-in scripts from their files; returns the slugs changed."""
    changed = []
    for path in builtin_files():
        meta = builtin_meta(path)
        code = path.read_text(encoding="utf-8")
        schema = meta.get("parameters_schema") or {"type": "object", "properties": {}}
        script, created = Script.objects.get_or_create(
            slug=meta["slug"],
            defaults={
                "name": meta["name"],
                "description": meta.get("description", ""),
                "category": meta.get("category", "custom"),
                "builtin": True,
                "is_public": True,
                "parameters_schema": schema,
            },
        )
        fields = {
            "name": meta["name"],
            "description": meta.get("description", ""),
            "category": meta.get("category", "custom"),
            "parameters_schema": schema,
            "limits": meta.get("limits", {}),
            "builtin": True,
            "is_public": True,
        }
        dirty = [k for k, v in fields.items() if getattr(script, k) != v]
        for k in dirty:
            setattr(script, k, fields[k])
        if dirty:
            script.save()
        rev = script.current_revision
        if rev is None or rev.code != code or rev.parameters_schema != schema:
            revision_add(script=script, code=code, parameters_schema=schema, user=None)
            changed.append(script.slug)
        elif created or dirty:
            changed.append(script.slug)
    return changed
