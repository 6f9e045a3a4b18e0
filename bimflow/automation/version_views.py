"""The Validation tab's API: a version's checks, their findings (paginated, filtered,
grouped), exports as CSV/XLSX/BCF, and "run all validation checks"."""

from __future__ import annotations

import re

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bimflow.accounts.models import Role
from bimflow.automation import version_findings as vf
from bimflow.automation.findings_export import findings_bcf, findings_csv, findings_xlsx
from bimflow.automation.models import Workflow
from bimflow.automation.serializers import ModelFindingSerializer
from bimflow.automation.services.runs import workflow_run_by_hand
from bimflow.core.errors import ServiceError
from bimflow.projects.views import get_version
from bimflow.scripting.models import Category, Script
from bimflow.scripting.params import params_validate
from bimflow.scripting.services import execution_create

FILTERS = [
    OpenApiParameter("state", str, description="new, open, reopened, resolved (comma-separated)"),
    OpenApiParameter("script", str, description="slug or id"),
    OpenApiParameter("rule", str),
    OpenApiParameter("severity", str, description="error, warning, info (comma-separated)"),
    OpenApiParameter("q", str, description="text in the message, GUID or class"),
    OpenApiParameter("guid", str),
]


def _filters(request) -> dict:
    p = request.query_params
    state = p.get("state") or None
    if state and not set(state.split(",")) <= set(vf.STATES):
        raise ServiceError(
            "state must be new, open, reopened or resolved (or several, comma-separated).",
            field="state",
        )
    severity = p.get("severity") or None
    if severity and not set(severity.split(",")) <= set(vf.SEVERITIES):
        raise ServiceError(
            "severity must be error, warning or info (or several, comma-separated).",
            field="severity",
        )
    return {
        "state": state,
        "script": p.get("script") or None,
        "rule": p.get("rule") if "rule" in p else None,
        "severity": severity,
        "text": (p.get("q") or "").strip() or None,
        "guid": p.get("guid") or None,
    }


class CheckCountsSerializer(serializers.Serializer):
    error = serializers.IntegerField()
    warning = serializers.IntegerField()
    info = serializers.IntegerField()
    total = serializers.IntegerField()


class CheckStatesSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    open = serializers.IntegerField()
    reopened = serializers.IntegerField()
    resolved = serializers.IntegerField()


class PreviousCheckSerializer(serializers.Serializer):
    execution = serializers.IntegerField(allow_null=True)
    outcome = serializers.CharField()
    counts = CheckCountsSerializer()


class CheckSerializer(serializers.Serializer):
    script = serializers.IntegerField()
    script_slug = serializers.CharField()
    script_name = serializers.CharField()
    category = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["pass", "warning", "fail", "running", "not_run"])
    latest_execution = serializers.IntegerField()
    latest_status = serializers.CharField()
    execution = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    counts = CheckCountsSerializer()
    states = CheckStatesSerializer()
    previous = PreviousCheckSerializer(allow_null=True)
    trend = serializers.IntegerField(
        allow_null=True, help_text="Findings now minus findings on the previous version"
    )


class VersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class ChecksReportSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    previous_version = VersionRefSerializer(allow_null=True)
    checks = CheckSerializer(many=True)
    totals = serializers.DictField(
        child=serializers.IntegerField(), help_text="checks per outcome: pass, warning, fail..."
    )


class FindingGroupSerializer(serializers.Serializer):
    script_slug = serializers.CharField()
    rule = serializers.CharField(allow_blank=True)
    error = serializers.IntegerField()
    warning = serializers.IntegerField()
    info = serializers.IntegerField()
    total = serializers.IntegerField()
    state_new = serializers.IntegerField()
    state_open = serializers.IntegerField()
    state_reopened = serializers.IntegerField()
    state_resolved = serializers.IntegerField()


class RunChecksResultSerializer(serializers.Serializer):
    workflow = serializers.IntegerField(allow_null=True)
    workflow_runs = serializers.ListField(child=serializers.IntegerField())
    executions = serializers.ListField(child=serializers.IntegerField())
    skipped = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


class VersionChecks(APIView):
    """The latest run of each check on the version, its outcome (pass, warning, fail)
    and counts by severity and state, beside the previous version's (the trend)."""

    @extend_schema(responses={200: ChecksReportSerializer})
    def get(self, request, version_id: int):
        version = get_version(request, version_id)
        return Response(vf.version_checks_report(version=version))


def validation_workflow(project_id: int) -> Workflow | None:
    """The project's validation workflow: an active one whose steps are all validation
    scripts (the first by name)."""
    for wf in Workflow.objects.filter(project_id=project_id, is_active=True).prefetch_related(
        "steps__script"
    ):
        steps = list(wf.steps.all())
        if steps and all(s.script and s.script.category == Category.VALIDATION for s in steps):
            return wf
    return None


class VersionChecksRun(APIView):
    """Run all validation checks on the version: the project's validation workflow if it
    has one, else every built-in validation script that runs without parameters (the
    others are listed as skipped, with why)."""

    @extend_schema(request=None, responses={201: RunChecksResultSerializer})
    def post(self, request, version_id: int):
        version = get_version(request, version_id, Role.COORDINATOR)
        workflow = validation_workflow(version.model.project_id)
        if workflow is not None:
            made = workflow_run_by_hand(
                workflow=workflow, user=request.user, version_ids=[version.pk]
            )
            body = {
                "workflow": workflow.pk,
                "workflow_runs": [r.pk for r in made],
                "executions": [],
                "skipped": [],
            }
            return Response(body, status=status.HTTP_201_CREATED)
        executions, skipped = [], []
        scripts = Script.objects.filter(builtin=True, category=Category.VALIDATION).select_related(
            "current_revision"
        )
        for script in scripts.order_by("name"):
            schema = script.current_revision.parameters_schema if script.current_revision else {}
            try:
                params_validate(schema, {})
            except ServiceError as exc:
                skipped.append({"script": script.slug, "reason": f"needs parameters ({exc})"})
                continue
            ex = execution_create(script=script, version=version, parameters={}, user=request.user)
            executions.append(ex.pk)
        body = {"workflow": None, "workflow_runs": [], "executions": executions, "skipped": skipped}
        return Response(body, status=status.HTTP_201_CREATED)


class VersionFindings(generics.ListAPIView):
    """Every finding of the version's checks (their latest finished runs), with its
    state against the previous version; `resolved` ones are those the previous
    version had and this one no longer has. Paginated, no cap."""

    serializer_class = ModelFindingSerializer

    @extend_schema(parameters=FILTERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        version = get_version(self.request, self.kwargs["version_id"])
        return vf.version_findings(version=version, **_filters(self.request))


class VersionFindingGroups(APIView):
    """The findings counted per script and rule (by severity and state)."""

    @extend_schema(
        parameters=FILTERS[:1] + FILTERS[3:5], responses={200: FindingGroupSerializer(many=True)}
    )
    def get(self, request, version_id: int):
        version = get_version(request, version_id)
        f = _filters(request)
        groups = vf.version_finding_groups(
            version=version, state=f["state"], severity=f["severity"], text=f["text"]
        )
        return Response(groups)


class VersionFindingsExport(APIView):
    """The (filtered) findings as a file: csv, xlsx or bcf (BCF 2.1, one topic each)."""

    @extend_schema(
        parameters=FILTERS,
        responses={(200, "application/octet-stream"): bytes},
    )
    def get(self, request, version_id: int, fmt: str):
        version = get_version(request, version_id)
        rows = vf.version_findings(version=version, **_filters(request)).iterator(chunk_size=2000)
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{version.model.name}-v{version.number}-findings")
        if fmt == "csv":
            response = StreamingHttpResponse(
                findings_csv(rows), content_type="text/csv; charset=utf-8"
            )
        elif fmt == "xlsx":
            response = HttpResponse(
                findings_xlsx(rows, title=f"{version.model.name} v{version.number}"),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            response = HttpResponse(
                findings_bcf(rows, author=request.user.email or request.user.username),
                content_type="application/octet-stream",
            )
            fmt = "bcf"
        response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
        return response
