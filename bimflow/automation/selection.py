"""Which versions a workflow or batch applies to: a glob on model names, and the latest
or every ready version of each matching model."""

from __future__ import annotations

from fnmatch import fnmatchcase

from bimflow.core.errors import ServiceError
from bimflow.projects.models import ModelVersion, VersionStatus


def name_matches(name: str, pattern: str) -> bool:
    """A glob (`*`, `?`, `[...]`) on the model name, ignoring case: exporters write
    `ARK-tower` and `ark-Tower` alike."""
    return fnmatchcase(name.lower(), (pattern or "*").lower())


def model_filter_check(pattern) -> str:
    if pattern is None or pattern == "":
        return "*"
    if not isinstance(pattern, str) or len(pattern) > 255:
        raise ServiceError(
            "The model filter must be a glob of at most 255 characters.", field="model_filter"
        )
    return pattern.strip() or "*"


def versions_select(*, project_id: int, model_filter: str, latest_only: bool) -> list[ModelVersion]:
    """Ready versions of the project's models whose name matches, ordered by model name
    and version number: each model's latest ready version, or all of them."""
    qs = (
        ModelVersion.objects.filter(model__project_id=project_id, status=VersionStatus.READY)
        .select_related("model")
        .order_by("model__name", "model_id", "number")
    )
    matching = [v for v in qs if name_matches(v.model.name, model_filter)]
    if not latest_only:
        return matching
    latest: dict[int, ModelVersion] = {}
    for v in matching:
        latest[v.model_id] = v  # ordered by number, so the last one wins
    return list(latest.values())
