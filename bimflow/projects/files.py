"""Project files: IDS, BCF and other files that a project's scripts take as parameters.

Services (`projectfile_create`, `projectfile_delete`), their serializer and the thin views
behind `/api/projects/{id}/files/` and `/api/project-files/{id}/`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from bimflow.accounts.models import Role
from bimflow.accounts.permissions import require_role
from bimflow.core.errors import ServiceError
from bimflow.projects import storage
from bimflow.projects.models import FileKind, Project, ProjectFile

MAX_FILE_MB = 100


def ids_problem(path: Path) -> str | None:
    """Why ifctester cannot read `path` as an IDS (its own words), or None if it can."""
    try:
        from ifctester import ids
    except ImportError:  # pragma: no cover - ifctester is a dependency
        return None
    try:
        ids.open(str(path))
    except ids.IdsXmlValidationError as exc:
        err = getattr(exc, "xml_error", None)
        reason = getattr(err, "reason", None) or str(err or exc)
        where = getattr(err, "path", None)
        return f"{reason}" + (f" (at {where})" if where else "")
    except Exception as exc:  # noqa: BLE001 - any parser failure is the user's file
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def bcf_problem(path: Path) -> str | None:
    """A BCF file is a zip archive holding bcf.version; anything else is refused."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return "it is not a zip archive"
    if "bcf.version" not in names:
        return "the archive has no bcf.version"
    return None


def projectfile_create(
    *, project: Project, path: Path, file_name: str, kind: str, user
) -> ProjectFile:
    """Validate an uploaded file (an IDS must parse with ifctester) and store it.

    1. Check the kind and size.
    2. Validate IDS and BCF files; a file that does not parse is refused with the
       parser's message.
    3. Move it into storage and record it.
    """
    kind = (kind or FileKind.OTHER).strip().lower()
    if kind not in FileKind.values:
        raise ServiceError(f"kind must be one of {', '.join(FileKind.values)}.", field="kind")
    name = storage.safe_file_name(file_name)
    size = path.stat().st_size
    if size > MAX_FILE_MB * 1024 * 1024:
        raise ServiceError(f"The file is larger than {MAX_FILE_MB} MB.", status_code=413)
    if size == 0:
        raise ServiceError("The file is empty.", field="file")
    if kind == FileKind.IDS:
        problem = ids_problem(path)
        if problem:
            raise ServiceError(f"'{name}' is not a valid IDS file: {problem}", field="file")
    elif kind == FileKind.BCF:
        problem = bcf_problem(path)
        if problem:
            raise ServiceError(f"'{name}' is not a BCF file: {problem}.", field="file")
    sha = storage.sha256_of(path)
    stored = storage.store_file(
        path=path, name=f"projects/{project.pk}/files/{storage.unique_dir()}/{name}"
    )
    try:
        return ProjectFile.objects.create(
            project=project,
            kind=kind,
            name=name,
            size=size,
            sha256=sha,
            storage_name=stored,
            uploaded_by=user,
        )
    except Exception:
        storage.delete_quietly(stored)
        raise


def projectfile_delete(*, file: ProjectFile) -> None:
    """Delete the record, then the stored bytes."""
    name = file.storage_name
    file.delete()
    storage.delete_quietly(name)


class ProjectFileSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None)

    class Meta:
        model = ProjectFile
        fields = ["id", "project", "kind", "name", "size", "sha256", "uploaded_by", "created_at"]
        read_only_fields = fields


class ProjectFileUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=FileKind.choices, default=FileKind.OTHER)


def _project(request, project_id: int, minimum: str) -> Project:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        raise Http404("Not found.")
    require_role(request.user, project.pk, minimum)
    return project


def _file(request, file_id: int, minimum: str) -> ProjectFile:
    file = ProjectFile.objects.select_related("uploaded_by").filter(pk=file_id).first()
    if file is None:
        raise Http404("Not found.")
    require_role(request.user, file.project_id, minimum)
    return file


class ProjectFileList(generics.ListAPIView):
    """The project's files (members); upload one (coordinators): multipart `file`, `kind`."""

    serializer_class = ProjectFileSerializer
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = None

    def get_queryset(self):
        project = _project(self.request, self.kwargs["project_id"], Role.VIEWER)
        qs = ProjectFile.objects.filter(project=project).select_related("uploaded_by")
        kind = self.request.query_params.get("kind")
        return qs.filter(kind=kind) if kind else qs

    @extend_schema(request=ProjectFileUploadSerializer, responses={201: ProjectFileSerializer})
    def post(self, request, project_id: int):
        project = _project(request, project_id, Role.COORDINATOR)
        if "file" not in request.data:
            raise ServiceError("Attach the file in the form field 'file'.", field="file")
        ser = ProjectFileUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        upload = ser.validated_data["file"]
        tmp = getattr(upload, "temporary_file_path", None)
        if tmp is not None:
            path = Path(tmp())
            file = projectfile_create(
                project=project,
                path=path,
                file_name=upload.name,
                kind=ser.validated_data["kind"],
                user=request.user,
            )
        else:
            # Small uploads stay in memory; ifctester and storage want a path.
            import tempfile

            with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
                fh.flush()
                file = projectfile_create(
                    project=project,
                    path=Path(fh.name),
                    file_name=upload.name,
                    kind=ser.validated_data["kind"],
                    user=request.user,
                )
        return Response(ProjectFileSerializer(file).data, status=status.HTTP_201_CREATED)


class ProjectFileDetail(generics.RetrieveDestroyAPIView):
    serializer_class = ProjectFileSerializer

    def get_object(self):
        minimum = Role.VIEWER if self.request.method == "GET" else Role.COORDINATOR
        return _file(self.request, self.kwargs["file_id"], minimum)

    def perform_destroy(self, instance):
        projectfile_delete(file=instance)


@extend_schema(responses={(200, "application/octet-stream"): bytes})
class ProjectFileDownload(APIView):
    """The file's bytes, as uploaded."""

    def get(self, request, file_id: int):
        from django.core.files.storage import default_storage

        file = _file(request, file_id, Role.VIEWER)
        fh = default_storage.open(file.storage_name, "rb")
        return FileResponse(fh, as_attachment=True, filename=file.name)
