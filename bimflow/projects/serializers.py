from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bimflow.accounts.models import Role
from bimflow.accounts.permissions import project_role
from bimflow.projects.models import Model, ModelVersion, Project


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "description", "created_at", "role"]
        read_only_fields = ["id", "created_at", "role"]

    @extend_schema_field(serializers.ChoiceField(choices=Role.choices, allow_null=True))
    def get_role(self, obj) -> str | None:
        roles = self.context.get("roles")
        if roles is not None and obj.pk in roles:
            return roles[obj.pk]
        return project_role(self.context["request"].user, obj.pk)


class VersionSerializer(serializers.ModelSerializer):
    model_name = serializers.CharField(source="model.name", read_only=True)
    project = serializers.IntegerField(source="model.project_id", read_only=True)
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "model",
            "model_name",
            "project",
            "number",
            "status",
            "progress",
            "error",
            "file_name",
            "file_size",
            "sha256",
            "schema",
            "application",
            "created_at",
            "uploaded_by",
            "ready_at",
            "element_count",
        ]
        read_only_fields = fields


class ModelSerializer(serializers.ModelSerializer):
    latest_version = serializers.SerializerMethodField()
    version_count = serializers.SerializerMethodField()

    class Meta:
        model = Model
        fields = ["id", "name", "project", "created_at", "latest_version", "version_count"]
        read_only_fields = fields

    def _versions(self, obj) -> list[ModelVersion]:
        # Prefetched newest-first by the views.
        return list(obj.versions.all())

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_latest_version(self, obj) -> dict | None:
        versions = self._versions(obj)
        return VersionSerializer(versions[0]).data if versions else None

    def get_version_count(self, obj) -> int:
        return len(self._versions(obj))


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    model = serializers.CharField(required=False, allow_blank=True, max_length=255)
