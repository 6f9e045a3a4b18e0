from pathlib import Path

from django.db.models import Prefetch
from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from bimflow.accounts.models import Membership, Role
from bimflow.accounts.permissions import require_role, visible_project_ids
from bimflow.core.errors import ServiceError
from bimflow.ifc.reader import plain_ifc
from bimflow.projects import services, storage
from bimflow.projects.models import Model, ModelVersion, Project
from bimflow.projects.serializers import (
    ModelSerializer,
    ProjectSerializer,
    UploadSerializer,
    VersionSerializer,
)


def get_project(request, project_id: int, minimum: str = Role.VIEWER) -> Project:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        raise Http404("Not found.")
    require_role(request.user, project.pk, minimum)
    return project


def get_model(request, model_id: int, minimum: str = Role.VIEWER) -> Model:
    model = Model.objects.filter(pk=model_id).first()
    if model is None:
        raise Http404("Not found.")
    require_role(request.user, model.project_id, minimum)
    return model


def get_version(request, version_id: int, minimum: str = Role.VIEWER) -> ModelVersion:
    version = (
        ModelVersion.objects.select_related("model", "uploaded_by").filter(pk=version_id).first()
    )
    if version is None:
        raise Http404("Not found.")
    require_role(request.user, version.model.project_id, minimum)
    return version


def _models_with_versions():
    return Model.objects.prefetch_related(
        Prefetch(
            "versions",
            queryset=ModelVersion.objects.select_related("uploaded_by", "model").order_by(
                "-number"
            ),
        )
    )


class ProjectList(generics.ListCreateAPIView):
    serializer_class = ProjectSerializer

    def get_queryset(self):
        ids = visible_project_ids(self.request.user)
        qs = Project.objects.all()
        return qs if ids is None else qs.filter(pk__in=ids)

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        ctx["roles"] = dict(
            Membership.objects.filter(user=self.request.user).values_list("project_id", "role")
        )
        return ctx

    def perform_create(self, serializer):
        serializer.instance = services.project_create(
            name=serializer.validated_data.get("name", ""),
            description=serializer.validated_data.get("description", ""),
            user=self.request.user,
        )


class ProjectDetail(generics.RetrieveUpdateDestroyAPIView):
    serializer_class = ProjectSerializer

    def get_object(self):
        minimum = Role.VIEWER if self.request.method == "GET" else Role.ADMIN
        return get_project(self.request, self.kwargs["project_id"], minimum)

    def perform_destroy(self, instance):
        services.project_delete(project=instance)


class ProjectModelList(generics.ListAPIView):
    serializer_class = ModelSerializer
    pagination_class = None

    def get_queryset(self):
        project = get_project(self.request, self.kwargs["project_id"])
        return _models_with_versions().filter(project=project)


class ModelDetail(generics.RetrieveAPIView):
    serializer_class = ModelSerializer

    def get_object(self):
        model = get_model(self.request, self.kwargs["model_id"])
        return _models_with_versions().get(pk=model.pk)


class ModelVersionList(generics.ListAPIView):
    serializer_class = VersionSerializer
    pagination_class = None

    def get_queryset(self):
        model = get_model(self.request, self.kwargs["model_id"])
        return model.versions.select_related("model", "uploaded_by").order_by("-number")


class VersionUpload(APIView):
    """Upload an IFC file (.ifc or .ifczip) as the next version of a model."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=UploadSerializer, responses={201: VersionSerializer})
    def post(self, request, project_id: int):
        project = get_project(request, project_id, Role.COORDINATOR)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        # Refuse before reading the body: the multipart framing adds a little.
        if length > services.upload_limit_bytes() + 1024 * 1024:
            raise ServiceError(services.too_large_message(), status_code=413)
        ser = UploadSerializer(data=request.data)
        if "file" not in request.data:
            raise ServiceError("Attach the IFC file in the form field 'file'.", field="file")
        ser.is_valid(raise_exception=True)
        upload = ser.validated_data["file"]
        version = services.version_create(
            project=project,
            path=Path(upload.temporary_file_path()),
            file_name=upload.name,
            model_name=ser.validated_data.get("model"),
            user=request.user,
        )
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


class VersionDetail(generics.RetrieveDestroyAPIView):
    serializer_class = VersionSerializer

    def get_object(self):
        minimum = Role.VIEWER if self.request.method == "GET" else Role.ADMIN
        return get_version(self.request, self.kwargs["version_id"], minimum)

    def perform_destroy(self, instance):
        services.version_delete(version=instance)


def _file_response(path_or_name: str, filename: str, *, local: bool = False):
    from django.core.files.storage import default_storage

    fh = open(path_or_name, "rb") if local else default_storage.open(path_or_name, "rb")
    return FileResponse(fh, as_attachment=True, filename=filename)


@extend_schema(responses={(200, "application/octet-stream"): bytes})
class VersionDownload(APIView):
    """The uploaded file, as it was uploaded."""

    def get(self, request, version_id: int):
        version = get_version(request, version_id)
        return _file_response(version.file, version.file_name)


@extend_schema(responses={(200, "application/octet-stream"): bytes})
class VersionIfc(APIView):
    """The plain .ifc of a version (unzipped when it was uploaded as .ifczip)."""

    def get(self, request, version_id: int):
        version = get_version(request, version_id)
        local = storage.local_copy(version.file)
        path = plain_ifc(local, storage.unzipped_dir(version.file))
        stem = Path(version.file_name).stem
        return _file_response(str(path), f"{stem}.ifc", local=True)
