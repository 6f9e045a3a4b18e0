from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from bimflow.core.errors import ServiceError
from bimflow.projects.views import get_version
from bimflow.scripting import selectors, services
from bimflow.scripting.models import LogLine
from bimflow.scripting.serializers import (
    ExecutionCreateSerializer,
    ExecutionListSerializer,
    ExecutionSerializer,
    FindingSerializer,
    LogLineSerializer,
    RevisionSerializer,
    ScriptCopySerializer,
    ScriptSerializer,
    ScriptUploadSerializer,
    ScriptWriteSerializer,
)


class ScriptList(generics.ListCreateAPIView):
    serializer_class = ScriptSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("category", str),
            OpenApiParameter("search", str),
            OpenApiParameter("kind", str, description="builtin, mine or shared"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # The editor's draft scripts (test runs) are not part of the library.
        qs = selectors.scripts_visible(self.request.user).exclude(slug__startswith="_draft-")
        p = self.request.query_params
        if p.get("category"):
            qs = qs.filter(category=p["category"])
        if p.get("search"):
            qs = qs.filter(name__icontains=p["search"]) | qs.filter(slug__icontains=p["search"])
        kind = p.get("kind")
        if kind == "builtin":
            qs = qs.filter(builtin=True)
        elif kind == "mine":
            qs = qs.filter(owner=self.request.user, builtin=False)
        elif kind == "shared":
            qs = qs.filter(is_public=True, builtin=False).exclude(owner=self.request.user)
        return qs.order_by("-builtin", "name")

    @extend_schema(request=ScriptWriteSerializer, responses={201: ScriptSerializer})
    def post(self, request, *args, **kwargs):
        ser = ScriptWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        script = services.script_create(
            user=request.user,
            name=data.get("name", ""),
            code=data.get("code", ""),
            slug=data.get("slug"),
            description=data.get("description", ""),
            category=data.get("category", "custom"),
            parameters_schema=data.get("parameters_schema"),
            limits=data.get("limits"),
            project_id=data.get("project"),
            is_public=data.get("is_public", False),
        )
        return Response(
            ScriptSerializer(script, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ScriptUpload(APIView):
    """Create a script from an uploaded .py file (UTF-8, at most 5 MB)."""

    parser_classes = [MultiPartParser]

    @extend_schema(request=ScriptUploadSerializer, responses={201: ScriptSerializer})
    def post(self, request):
        ser = ScriptUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        upload = ser.validated_data["file"]
        if not upload.name.lower().endswith(".py"):
            raise ServiceError("Upload a Python file (.py).", field="file")
        if upload.size > services.MAX_CODE_BYTES:
            raise ServiceError("The script is larger than 5 MB.", field="file")
        data = upload.read()
        try:
            # utf-8-sig: editors on Windows start UTF-8 files with a byte-order mark,
            # which Python's compile() would refuse as a character.
            code = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ServiceError(
                f"The file is not UTF-8 text (line {line} has a byte that is not valid "
                "UTF-8); save it as UTF-8 and upload it again.",
                field="file",
            )
        name = ser.validated_data.get("name") or upload.name[:-3]
        script = services.script_create(
            user=request.user,
            name=name,
            code=code,
            project_id=ser.validated_data.get("project"),
            is_public=ser.validated_data.get("is_public", False),
        )
        return Response(
            ScriptSerializer(script, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ScriptDetail(APIView):
    @extend_schema(responses={200: ScriptSerializer})
    def get(self, request, ref):
        script = selectors.script_get(request.user, ref)
        return Response(ScriptSerializer(script, context={"request": request}).data)

    @extend_schema(request=ScriptWriteSerializer, responses={200: ScriptSerializer})
    def patch(self, request, ref):
        script = selectors.script_get(request.user, ref)
        ser = ScriptWriteSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        script = services.script_update(script=script, user=request.user, **ser.validated_data)
        return Response(ScriptSerializer(script, context={"request": request}).data)

    def delete(self, request, ref):
        script = selectors.script_get(request.user, ref)
        services.script_delete(script=script, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScriptCopy(APIView):
    """Copy a script you can see (a built-in, a shared one) into a new script of your
    own, with its code, parameters schema and limits."""

    @extend_schema(request=ScriptCopySerializer, responses={201: ScriptSerializer})
    def post(self, request, ref):
        script = selectors.script_get(request.user, ref)
        ser = ScriptCopySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        copy = services.script_copy(
            script=script,
            user=request.user,
            name=ser.validated_data.get("name"),
            project_id=ser.validated_data.get("project"),
            is_public=ser.validated_data.get("is_public", False),
        )
        return Response(
            ScriptSerializer(copy, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ScriptRevisions(generics.ListAPIView):
    serializer_class = RevisionSerializer
    pagination_class = None

    def get_queryset(self):
        script = selectors.script_get(self.request.user, self.kwargs["ref"])
        return script.revisions.select_related("created_by").order_by("-number")


class ExecutionList(generics.ListCreateAPIView):
    serializer_class = ExecutionListSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("version", int),
            OpenApiParameter("script", str, description="id or slug"),
            OpenApiParameter("status", str),
            OpenApiParameter("project", int),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = selectors.executions_visible(self.request.user).prefetch_related("files")
        p = self.request.query_params
        if p.get("version", "").isdigit():
            qs = qs.filter(version_id=int(p["version"]))
        if p.get("project", "").isdigit():
            qs = qs.filter(project_id=int(p["project"]))
        if p.get("status"):
            qs = qs.filter(status__in=p["status"].split(","))
        if p.get("script"):
            ref = p["script"]
            qs = qs.filter(script_id=int(ref)) if ref.isdigit() else qs.filter(script__slug=ref)
        return qs.order_by("-queued_at", "-id")

    @extend_schema(request=ExecutionCreateSerializer, responses={201: ExecutionSerializer})
    def post(self, request, *args, **kwargs):
        ser = ExecutionCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        try:
            script = selectors.script_get(request.user, ser.validated_data["script"])
        except Http404:
            raise ServiceError("There is no script you can run by that id or slug.", field="script")
        try:
            version = get_version(request, ser.validated_data["version"])
        except Http404:
            raise ServiceError("There is no version you can see with that id.", field="version")
        execution = services.execution_create(
            script=script,
            version=version,
            parameters=ser.validated_data.get("parameters"),
            user=request.user,
        )
        execution = selectors.execution_get(request.user, execution.pk)
        return Response(ExecutionSerializer(execution).data, status=status.HTTP_201_CREATED)


class ExecutionDetail(APIView):
    @extend_schema(responses={200: ExecutionSerializer})
    def get(self, request, execution_id: int):
        return Response(
            ExecutionSerializer(selectors.execution_get(request.user, execution_id)).data
        )


class ExecutionCancel(APIView):
    @extend_schema(request=None, responses={202: ExecutionSerializer})
    def post(self, request, execution_id: int):
        execution = selectors.execution_get(request.user, execution_id)
        execution = services.execution_cancel(execution=execution, user=request.user)
        return Response(ExecutionSerializer(execution).data, status=status.HTTP_202_ACCEPTED)


class ExecutionLogs(generics.ListAPIView):
    """Log lines after `after` (a seq), in order."""

    serializer_class = LogLineSerializer

    @extend_schema(parameters=[OpenApiParameter("after", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        execution = selectors.execution_get(self.request.user, self.kwargs["execution_id"])
        after = self.request.query_params.get("after", "0")
        qs = LogLine.objects.filter(execution=execution).order_by("seq")
        if after.isdigit():
            qs = qs.filter(seq__gt=int(after))
        return qs


class ExecutionLogsText(APIView):
    """The whole log as text: one line each, prefixed with the stream for stderr/system."""

    @extend_schema(responses={(200, "text/plain"): str})
    def get(self, request, execution_id: int):
        execution = selectors.execution_get(request.user, execution_id)

        def lines():
            qs = LogLine.objects.filter(execution=execution).order_by("seq")
            for line in qs.values_list("stream", "text").iterator(chunk_size=5000):
                prefix = "" if line[0] == "stdout" else f"[{line[0]}] "
                yield f"{prefix}{line[1]}\n"

        response = StreamingHttpResponse(lines(), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="execution-{execution.pk}.log"'
        return response


class ExecutionFindings(generics.ListAPIView):
    serializer_class = FindingSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("severity", str),
            OpenApiParameter("rule", str),
            OpenApiParameter("guid", str),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        execution = selectors.execution_get(self.request.user, self.kwargs["execution_id"])
        qs = execution.findings.order_by("id")
        p = self.request.query_params
        if p.get("severity"):
            qs = qs.filter(severity__in=p["severity"].split(","))
        if p.get("rule"):
            qs = qs.filter(rule=p["rule"])
        if p.get("guid"):
            qs = qs.filter(guid=p["guid"])
        return qs


class ExecutionFile(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, execution_id: int, name: str):
        execution = selectors.execution_get(request.user, execution_id)
        f = execution.files.filter(name=name).first()
        if f is None:
            raise Http404("This execution has no such file.")
        if f.purged:
            raise ServiceError(
                "This file was removed by the retention policy; run the script again.",
                status_code=410,
            )
        response = FileResponse(
            default_storage.open(f.storage_name, "rb"),
            as_attachment=True,
            filename=name.rsplit("/", 1)[-1],
            content_type=f.content_type,
        )
        return response
