"""Findings across versions: each finding's state compared with the latest run of the
same script on the model's previous version.

A finding's identity is (script, rule, guid) within a model. For a run on version n,
`prev` is the latest succeeded run of the script on the highest earlier version that
has one, and `history` the identities of the runs on versions before that:

- `open`: the identity is in `prev`;
- `reopened`: not in `prev`, but in `history` (it was there, went away, came back);
- `new`: neither;
- `resolved`: in `prev` and not now (stored as ResolvedFinding on the new run).

Runs may finish out of order (a batch over every version, a re-run of an old version),
so when a run finishes, the runs of later versions are compared again as well.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from bimflow.automation.models import FindingTracking, ResolvedFinding
from bimflow.scripting.models import (
    FINAL_STATUSES,
    Execution,
    ExecutionStatus,
    Finding,
    FindingState,
)

Identity = tuple[str, str | None]  # (rule, guid); the script is fixed per comparison
CHUNK = 900  # SQLite's variable limit, with room to spare


def baseline_runs(*, model_id: int, script_id: int) -> dict[int, int]:
    """version number -> the latest succeeded execution of the script on that version."""
    runs: dict[int, int] = {}
    qs = (
        Execution.objects.filter(
            version__model_id=model_id, script_id=script_id, status=ExecutionStatus.SUCCEEDED
        )
        .order_by("version__number", "finished_at", "id")
        .values_list("version__number", "id")
    )
    for number, execution_id in qs:
        runs[number] = execution_id  # ordered, so the latest run wins
    return runs


class _Identities:
    """Findings of executions as {identity: first finding id}, loaded once each."""

    def __init__(self) -> None:
        self.cache: dict[int, dict[Identity, int]] = {}

    def __call__(self, execution_id: int) -> dict[Identity, int]:
        if execution_id not in self.cache:
            found: dict[Identity, int] = {}
            qs = (
                Finding.objects.filter(execution_id=execution_id)
                .order_by("id")
                .values_list("id", "rule", "guid")
            )
            for finding_id, rule, guid in qs.iterator(chunk_size=5000):
                found.setdefault((rule, guid), finding_id)
            self.cache[execution_id] = found
        return self.cache[execution_id]


def _track_one(execution: Execution, runs: dict[int, int], identities: _Identities) -> dict:
    number = execution.version.number
    earlier = sorted(n for n in runs if n < number)
    previous = runs[earlier[-1]] if earlier else None
    before = identities(previous) if previous else {}
    history: set[Identity] = set()
    for n in earlier[:-1]:
        history.update(identities(runs[n]))

    by_state: dict[str, list[int]] = defaultdict(list)
    current: set[Identity] = set()
    qs = Finding.objects.filter(execution=execution).values_list("id", "rule", "guid")
    for finding_id, rule, guid in qs.iterator(chunk_size=5000):
        key = (rule, guid)
        current.add(key)
        if key in before:
            state = FindingState.OPEN
        elif key in history:
            state = FindingState.REOPENED
        else:
            state = FindingState.NEW
        by_state[state].append(finding_id)
    # A run that failed says nothing about what went away.
    resolved = (
        [fid for key, fid in before.items() if key not in current]
        if execution.status == ExecutionStatus.SUCCEEDED
        else []
    )

    with transaction.atomic():
        for state, ids in by_state.items():
            for i in range(0, len(ids), CHUNK):
                Finding.objects.filter(pk__in=ids[i : i + CHUNK]).update(state=state)
        ResolvedFinding.objects.filter(execution=execution).delete()
        ResolvedFinding.objects.bulk_create(
            (ResolvedFinding(execution=execution, finding_id=fid) for fid in resolved),
            batch_size=2000,
        )
        counts = {
            "new": len(by_state[FindingState.NEW]),
            "open": len(by_state[FindingState.OPEN]),
            "reopened": len(by_state[FindingState.REOPENED]),
            "resolved": len(resolved),
        }
        FindingTracking.objects.update_or_create(
            execution=execution,
            defaults={
                "model_id": execution.version.model_id,
                "script_id": execution.script_id,
                "previous_id": previous,
                **counts,
            },
        )
    return counts


def findings_track(*, execution_id: int) -> dict | None:
    """Set the states of a finished execution's findings and record what it resolved;
    then compare again the runs of the same script on later versions of the model (their
    previous run may be this one). Returns this execution's counts per state."""
    execution = Execution.objects.select_related("version").filter(pk=execution_id).first()
    if execution is None or execution.status not in FINAL_STATUSES:
        return None
    runs = baseline_runs(model_id=execution.version.model_id, script_id=execution.script_id)
    identities = _Identities()
    counts = _track_one(execution, runs, identities)
    later = [runs[n] for n in sorted(runs) if n > execution.version.number]
    for other in Execution.objects.select_related("version").filter(pk__in=later):
        _track_one(other, runs, identities)
    return counts
