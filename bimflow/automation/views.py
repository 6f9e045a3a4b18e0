"""The automation API: thin views over the services and selectors."""

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bimflow.accounts.models import Role
from bimflow.automation import selectors
from bimflow.automation.models import ExternalTool, Notification
from bimflow.automation.serializers import (
    ActivitySerializer,
    BatchCreateSerializer,
    BatchDetailSerializer,
    BatchSerializer,
    LimitsSerializer,
    MarkReadSerializer,
    ModelFindingSerializer,
    NotificationSerializer,
    PreferenceSerializer,
    RunRequestSerializer,
    ToolSerializer,
    WorkflowRunSerializer,
    WorkflowSerializer,
    WorkflowWriteSerializer,
    automation_limits,
)
from bimflow.automation.services import activity, batches, runs, tools, workflows
from bimflow.core.errors import ServiceError
from bimflow.projects.views import get_model, get_project
from bimflow.scripting import selectors as script_selectors

# --- workflows -----------------------------------------------------------------------


class ProjectWorkflowList(generics.ListCreateAPIView):
    serializer_class = WorkflowSerializer

    def get_queryset(self):
        project = get_project(self.request, self.kwargs["project_id"])
        return selectors.workflows_of_project(project.pk)

    @extend_schema(request=WorkflowWriteSerializer, responses={201: WorkflowSerializer})
    def post(self, request, project_id: int):
        project = get_project(request, project_id, Role.COORDINATOR)
        ser = WorkflowWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        workflow = workflows.workflow_create(
            project=project, user=request.user, **ser.validated_data
        )
        workflow = selectors.workflow_get(request.user, workflow.pk)
        return Response(WorkflowSerializer(workflow).data, status=status.HTTP_201_CREATED)


class WorkflowDetail(APIView):
    @extend_schema(responses={200: WorkflowSerializer})
    def get(self, request, workflow_id: int):
        return Response(WorkflowSerializer(selectors.workflow_get(request.user, workflow_id)).data)

    @extend_schema(request=WorkflowWriteSerializer, responses={200: WorkflowSerializer})
    def patch(self, request, workflow_id: int):
        workflow = selectors.workflow_get(request.user, workflow_id)
        ser = WorkflowWriteSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        workflows.workflow_update(workflow=workflow, user=request.user, **ser.validated_data)
        return Response(WorkflowSerializer(selectors.workflow_get(request.user, workflow_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, workflow_id: int):
        workflow = selectors.workflow_get(request.user, workflow_id)
        workflows.workflow_delete(workflow=workflow, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkflowRunNow(APIView):
    """Run the workflow now on the given versions (default: the latest ready version
    of every matching model)."""

    @extend_schema(request=RunRequestSerializer, responses={201: WorkflowRunSerializer(many=True)})
    def post(self, request, workflow_id: int):
        workflow = selectors.workflow_get(request.user, workflow_id)
        ser = RunRequestSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        made = runs.workflow_run_by_hand(
            workflow=workflow, user=request.user, version_ids=ser.validated_data.get("versions")
        )
        qs = selectors.runs_visible(request.user).filter(pk__in=[r.pk for r in made if r])
        return Response(
            WorkflowRunSerializer(qs.order_by("id"), many=True).data,
            status=status.HTTP_201_CREATED,
        )


class WorkflowBackfill(APIView):
    """Run the workflow on every existing ready version of the matching models."""

    @extend_schema(request=None, responses={201: WorkflowRunSerializer(many=True)})
    def post(self, request, workflow_id: int):
        workflow = selectors.workflow_get(request.user, workflow_id)
        made = runs.workflow_backfill(workflow=workflow, user=request.user)
        qs = selectors.runs_visible(request.user).filter(pk__in=[r.pk for r in made if r])
        return Response(
            WorkflowRunSerializer(qs.order_by("id"), many=True).data,
            status=status.HTTP_201_CREATED,
        )


class WorkflowRunList(generics.ListAPIView):
    serializer_class = WorkflowRunSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("workflow", int),
            OpenApiParameter("project", int),
            OpenApiParameter("version", int),
            OpenApiParameter("status", str, description="comma-separated"),
            OpenApiParameter("source", str),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = selectors.runs_visible(self.request.user)
        p = self.request.query_params
        for key in ("workflow", "project", "version"):
            value = p.get(key, "")
            if value:
                if not value.isdigit():
                    raise ServiceError(f"{key} must be an id.", field=key)
                qs = qs.filter(**{f"{key}_id": int(value)})
        if p.get("status"):
            qs = qs.filter(status__in=p["status"].split(","))
        if p.get("source"):
            qs = qs.filter(source=p["source"])
        return qs.order_by("-created_at", "-id")


class WorkflowRunDetail(APIView):
    @extend_schema(responses={200: WorkflowRunSerializer})
    def get(self, request, run_id: int):
        return Response(WorkflowRunSerializer(selectors.run_get(request.user, run_id)).data)


class WorkflowRunCancel(APIView):
    @extend_schema(request=None, responses={202: WorkflowRunSerializer})
    def post(self, request, run_id: int):
        run = runs.run_cancel(run=selectors.run_get(request.user, run_id), user=request.user)
        run = selectors.run_get(request.user, run.pk)
        return Response(WorkflowRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class AutomationLimits(APIView):
    """The operator's automation limits (and, with ?project=, its active workflows)."""

    @extend_schema(parameters=[OpenApiParameter("project", int)], responses={200: LimitsSerializer})
    def get(self, request):
        project = request.query_params.get("project", "")
        if project:
            if not project.isdigit():
                raise ServiceError("project must be an id.", field="project")
            get_project(request, int(project))
        return Response(automation_limits(int(project) if project else None))


# --- batches -------------------------------------------------------------------------


class ProjectBatchList(generics.ListCreateAPIView):
    serializer_class = BatchSerializer

    def get_queryset(self):
        project = get_project(self.request, self.kwargs["project_id"])
        return selectors.batches_of_project(project.pk).order_by("-created_at", "-id")

    @extend_schema(request=BatchCreateSerializer, responses={201: BatchDetailSerializer})
    def post(self, request, project_id: int):
        project = get_project(request, project_id, Role.COORDINATOR)
        ser = BatchCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        try:
            script = script_selectors.script_get(request.user, data["script"])
        except Http404:
            raise ServiceError("There is no script you can run by that id or slug.", field="script")
        batch = batches.batch_create(
            project=project,
            user=request.user,
            script=script,
            parameters=data.get("parameters"),
            model_filter=data.get("model_filter") or "*",
            versions=data.get("versions"),
        )
        batch = selectors.batch_get(request.user, batch.pk)
        return Response(BatchDetailSerializer(batch).data, status=status.HTTP_201_CREATED)


def _batch(request, batch_id: int):
    batch = selectors.batch_get(request.user, batch_id)
    return batches.batch_refresh(batch_id=batch.pk)


class BatchDetail(APIView):
    @extend_schema(responses={200: BatchDetailSerializer})
    def get(self, request, batch_id: int):
        return Response(BatchDetailSerializer(_batch(request, batch_id)).data)


class BatchCancel(APIView):
    @extend_schema(request=None, responses={202: BatchDetailSerializer})
    def post(self, request, batch_id: int):
        batch = batches.batch_cancel(batch=_batch(request, batch_id), user=request.user)
        return Response(BatchDetailSerializer(batch).data, status=status.HTTP_202_ACCEPTED)


class BatchSummaryCsv(APIView):
    @extend_schema(responses={(200, "text/csv"): str})
    def get(self, request, batch_id: int):
        batch = _batch(request, batch_id)
        response = HttpResponse(batches.summary_csv(batch), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}.csv"'
        return response


class BatchSummaryXlsx(APIView):
    @extend_schema(
        responses={
            (
                200,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ): bytes
        }
    )
    def get(self, request, batch_id: int):
        batch = _batch(request, batch_id)
        response = HttpResponse(
            batches.summary_xlsx(batch),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="batch-{batch.pk}.xlsx"'
        return response


# --- findings across versions ------------------------------------------------------


class ModelFindings(generics.ListAPIView):
    """The model's findings with their state across versions: for each script, its
    latest succeeded run (on the latest version that has one, or on ?version=N), and
    the findings that run resolved."""

    serializer_class = ModelFindingSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "state",
                str,
                description="new, open, reopened, resolved (or several, comma-separated)",
            ),
            OpenApiParameter("script", str, description="slug or id"),
            OpenApiParameter("rule", str),
            OpenApiParameter("severity", str),
            OpenApiParameter("version", int, description="a version number of the model"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        model = get_model(self.request, self.kwargs["model_id"])
        p = self.request.query_params
        state = p.get("state") or None
        if state and not set(state.split(",")) <= {"new", "open", "reopened", "resolved"}:
            raise ServiceError(
                "state must be new, open, reopened or resolved (or several, comma-separated).",
                field="state",
            )
        version = p.get("version", "")
        if version and not version.isdigit():
            raise ServiceError("version must be a version number.", field="version")
        return selectors.model_findings(
            model=model,
            state=state,
            script=p.get("script") or None,
            rule=p.get("rule") or None,
            severity=p.get("severity") or None,
            version_number=int(version) if version else None,
        )


# --- activity and notifications ------------------------------------------------------


class ProjectActivity(generics.ListAPIView):
    serializer_class = ActivitySerializer

    @extend_schema(parameters=[OpenApiParameter("kind", str, description="comma-separated")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        project = get_project(self.request, self.kwargs["project_id"])
        qs = selectors.activity_of_project(project.pk)
        if self.request.query_params.get("kind"):
            qs = qs.filter(kind__in=self.request.query_params["kind"].split(","))
        return qs.order_by("-created_at", "-id")


class NotificationList(generics.ListAPIView):
    """Your notifications, newest first (?unread=true for the unread ones)."""

    serializer_class = NotificationSerializer

    @extend_schema(parameters=[OpenApiParameter("unread", bool)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = Notification.objects.filter(user=self.request.user)
        if self.request.query_params.get("unread", "").lower() in ("1", "true", "yes"):
            qs = qs.filter(read_at__isnull=True)
        return qs.order_by("-created_at", "-id")


class NotificationMarkRead(APIView):
    """Mark your notifications read: the given ids, or all."""

    @extend_schema(
        operation_id="notifications_mark_read",
        request=MarkReadSerializer,
        responses={200: dict},
    )
    def post(self, request):
        ser = MarkReadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        count = activity.notifications_mark_read(
            user=request.user, ids=ser.validated_data.get("ids")
        )
        return Response({"marked": count})


class NotificationRead(APIView):
    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request, notification_id: int):
        note = Notification.objects.filter(pk=notification_id, user=request.user).first()
        if note is None:
            raise Http404("Not found.")
        activity.notifications_mark_read(user=request.user, ids=[note.pk])
        note.refresh_from_db()
        return Response(NotificationSerializer(note).data)


class NotificationPreferences(APIView):
    """Whether notifications also go to your e-mail address."""

    @extend_schema(responses={200: PreferenceSerializer})
    def get(self, request):
        from bimflow.automation.models import NotificationPreference

        pref = NotificationPreference.objects.filter(user=request.user).first()
        return Response({"email": bool(pref and pref.email)})

    @extend_schema(request=PreferenceSerializer, responses={200: PreferenceSerializer})
    def put(self, request):
        ser = PreferenceSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        pref = activity.preference_set(user=request.user, email=ser.validated_data["email"])
        return Response({"email": pref.email})


# --- external tools ------------------------------------------------------------------


class ToolList(APIView):
    """Registered command-line tools, each with an installation check on this server."""

    @extend_schema(responses={200: ToolSerializer(many=True)})
    def get(self, request):
        tools.tools_sync()
        out = []
        for tool in ExternalTool.objects.select_related("script").order_by("name"):
            check = tools.tool_check(tool)
            out.append(
                {
                    "name": tool.name,
                    "description": tool.description,
                    "executable": tool.executable,
                    "args": tool.args,
                    "mounts": tool.mounts,
                    "timeout_s": tool.timeout_s,
                    "from_settings": tool.from_settings,
                    "is_active": tool.is_active,
                    "script": tool.script.slug if tool.script else None,
                    **check,
                }
            )
        return Response(ToolSerializer(out, many=True).data)
