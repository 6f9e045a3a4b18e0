"""What the checks found on one version: the latest run of each check, its findings with
their states against the previous version, grouped counts, and the same compared with
the previous version's runs (the trend).

A *check* is a script that is a validation script, or whose run on the version reported
findings (a user's own script, a test run from the editor). Its findings come from its
latest finished run on the version (cancelled runs say nothing, so they are skipped);
while a newer run is queued or running, the check shows that run's status and the
previous findings stay visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from bimflow.automation.models import FindingTracking
from bimflow.automation.selectors import finding_halves, runs_findings
from bimflow.projects.models import ModelVersion, VersionStatus
from bimflow.scripting.models import Category, Execution, ExecutionStatus, Finding

SEVERITIES = ("error", "warning", "info")
STATES = ("new", "open", "reopened", "resolved")
FINISHED = (ExecutionStatus.SUCCEEDED, ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT)


@dataclass
class Check:
    script_id: int
    slug: str
    name: str
    category: str
    latest: Execution  # the newest run, whatever its status
    findings_run: Execution | None  # the newest finished run, whose findings are shown
    counts: dict[str, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        """pass, warning, fail (errors, or a run that failed), running, or not_run."""
        run = self.findings_run
        if run is None:
            return "running" if self.latest.status in ("queued", "running") else "not_run"
        if run.status != ExecutionStatus.SUCCEEDED or self.counts.get("error"):
            return "fail"
        if self.counts.get("warning"):
            return "warning"
        return "pass"


def _checks_of(version_id: int) -> dict[int, Check]:
    """script id -> Check, from the executions on the version (newest first)."""
    checks: dict[int, Check] = {}
    qs = (
        Execution.objects.filter(version_id=version_id)
        .select_related("script")
        .order_by("-queued_at", "-id")
    )
    for ex in qs:
        check = checks.get(ex.script_id)
        if check is None:
            check = checks[ex.script_id] = Check(
                script_id=ex.script_id,
                slug=ex.script.slug,
                name=ex.script.name,
                category=ex.script.category,
                latest=ex,
                findings_run=None,
            )
        if check.findings_run is None and ex.status in FINISHED:
            check.findings_run = ex
    kept = {}
    for script_id, check in checks.items():
        has_findings = check.findings_run is not None and check.findings_run.findings_count > 0
        if check.category == Category.VALIDATION or has_findings:
            kept[script_id] = check
    return kept


def _count_into(checks: dict[int, Check]) -> None:
    runs = {c.findings_run.pk: c for c in checks.values() if c.findings_run}
    for check in checks.values():
        check.counts = {s: 0 for s in SEVERITIES}
        check.states = {s: 0 for s in STATES}
    rows = (
        Finding.objects.filter(execution_id__in=list(runs))
        .values_list("execution_id", "severity", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for execution_id, severity, state, n in rows:
        check = runs[execution_id]
        check.counts[severity] = check.counts.get(severity, 0) + n
        if state:
            check.states[state] = check.states.get(state, 0) + n
    resolved = (
        FindingTracking.objects.filter(execution_id__in=list(runs))
        .values_list("execution_id", "resolved")
        .order_by()
    )
    for execution_id, n in resolved:
        runs[execution_id].states["resolved"] = n
    for check in checks.values():
        check.counts["total"] = sum(check.counts[s] for s in SEVERITIES)


def version_checks(*, version: ModelVersion) -> dict[int, Check]:
    """The checks of a version with their latest runs, counts by severity and state."""
    checks = _checks_of(version.pk)
    _count_into(checks)
    return checks


def previous_version(version: ModelVersion) -> ModelVersion | None:
    return (
        ModelVersion.objects.filter(
            model_id=version.model_id, number__lt=version.number, status=VersionStatus.READY
        )
        .order_by("-number")
        .first()
    )


def version_checks_report(*, version: ModelVersion) -> dict:
    """The checks with their outcome and counts, each beside the same check on the
    previous ready version (the trend), and the totals."""
    checks = version_checks(version=version)
    prev = previous_version(version)
    before = version_checks(version=prev) if prev else {}
    rows = []
    totals = {"pass": 0, "warning": 0, "fail": 0, "running": 0, "not_run": 0}
    for check in sorted(checks.values(), key=lambda c: (c.category != "validation", c.name)):
        old = before.get(check.script_id)
        totals[check.outcome] += 1
        rows.append(
            {
                "script": check.script_id,
                "script_slug": check.slug,
                "script_name": check.name,
                "category": check.category,
                "outcome": check.outcome,
                "latest_execution": check.latest.pk,
                "latest_status": check.latest.status,
                "execution": check.findings_run.pk if check.findings_run else None,
                "status": check.findings_run.status if check.findings_run else None,
                "finished_at": check.findings_run.finished_at if check.findings_run else None,
                "error": check.findings_run.error if check.findings_run else "",
                "counts": check.counts,
                "states": check.states,
                "previous": (
                    {
                        "execution": old.findings_run.pk if old.findings_run else None,
                        "outcome": old.outcome,
                        "counts": old.counts,
                    }
                    if old
                    else None
                ),
                "trend": (
                    check.counts["total"] - old.counts["total"]
                    if old and old.findings_run and check.findings_run
                    else None
                ),
            }
        )
    return {
        "version": version.pk,
        "previous_version": ({"id": prev.pk, "number": prev.number} if prev is not None else None),
        "checks": rows,
        "totals": totals,
    }


def version_finding_runs(*, version: ModelVersion) -> list[int]:
    """The executions whose findings the version's Validation shows."""
    return [c.findings_run.pk for c in _checks_of(version.pk).values() if c.findings_run]


def version_findings(
    *,
    version: ModelVersion,
    state: str | None = None,
    script: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    text: str | None = None,
    guid: str | None = None,
) -> QuerySet:
    """The findings of the version's checks (and what they resolved), filtered."""
    return runs_findings(
        runs=version_finding_runs(version=version),
        state=state,
        script=script,
        rule=rule,
        severity=severity,
        text=text,
        guid=guid,
    )


def version_finding_groups(
    *,
    version: ModelVersion,
    state: str | None = None,
    severity: str | None = None,
    text: str | None = None,
) -> list[dict]:
    """One row per (script, rule): counts by severity and state, counted in the
    database (GROUP BY on each half, no UNION), largest first within each script."""
    current, gone = finding_halves(
        runs=version_finding_runs(version=version), state=state, severity=severity, text=text
    )
    groups: dict[tuple[str, str], dict] = {}

    def group(slug: str, rule: str) -> dict:
        return groups.setdefault(
            (slug, rule),
            {"script_slug": slug, "rule": rule, **{s: 0 for s in SEVERITIES}, "total": 0}
            | {f"state_{s}": 0 for s in STATES},
        )

    if current is not None:
        rows = (
            current.values_list("execution__script__slug", "rule", "severity", "state")
            .annotate(n=Count("id"))
            .order_by()
        )
        for slug, rule, sev, st, n in rows:
            g = group(slug, rule)
            g[sev] += n
            g["total"] += n
            if st:
                g[f"state_{st}"] += n
    if gone is not None:
        rows = (
            gone.values_list("execution__script__slug", "finding__rule")
            .annotate(n=Count("id"))
            .order_by()
        )
        for slug, rule, n in rows:
            group(slug, rule)["state_resolved"] += n
    return sorted(groups.values(), key=lambda g: (g["script_slug"], -g["total"], g["rule"]))
