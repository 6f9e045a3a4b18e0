from django.urls import reverse
from rest_framework import serializers

from bimflow.scripting.models import (
    Category,
    Execution,
    Finding,
    LogLine,
    ResultFile,
    Script,
    ScriptRevision,
)


class ScriptSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", default=None, read_only=True)
    code = serializers.CharField(source="current_revision.code", read_only=True, default="")
    revision = serializers.IntegerField(
        source="current_revision.number", read_only=True, default=None
    )
    sha256 = serializers.CharField(source="current_revision.sha256", read_only=True, default="")
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = Script
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "category",
            "runtime",
            "parameters_schema",
            "limits",
            "is_public",
            "builtin",
            "owner",
            "project",
            "revision",
            "sha256",
            "code",
            "can_edit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_can_edit(self, obj) -> bool:
        from bimflow.scripting.services import script_can_edit

        return script_can_edit(self.context["request"].user, obj)


class ScriptWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    slug = serializers.SlugField(max_length=100, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    code = serializers.CharField(required=False, trim_whitespace=False)
    parameters_schema = serializers.JSONField(required=False)
    limits = serializers.JSONField(required=False)
    project = serializers.IntegerField(required=False, allow_null=True)
    is_public = serializers.BooleanField(required=False)


class ScriptUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(required=False)
    project = serializers.IntegerField(required=False, allow_null=True)
    is_public = serializers.BooleanField(required=False, default=False)


class RevisionSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = ScriptRevision
        fields = ["id", "number", "code", "parameters_schema", "sha256", "created_at", "created_by"]
        read_only_fields = fields


class ResultFileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ResultFile
        fields = ["name", "size", "sha256", "content_type", "url", "purged"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("execution-file", args=[obj.execution_id, obj.name])


class ExecutionSerializer(serializers.ModelSerializer):
    script_slug = serializers.CharField(source="script.slug", read_only=True)
    script_name = serializers.CharField(source="script.name", read_only=True)
    revision = serializers.IntegerField(source="revision.number", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    model = serializers.IntegerField(source="version.model_id", read_only=True)
    model_name = serializers.CharField(source="version.model.name", read_only=True)
    triggered_by = serializers.CharField(source="triggered_by.username", default=None)
    files = ResultFileSerializer(many=True, read_only=True)

    class Meta:
        model = Execution
        fields = [
            "id",
            "script",
            "script_slug",
            "script_name",
            "revision",
            "version",
            "version_number",
            "model",
            "model_name",
            "project",
            "parameters",
            "status",
            "queued_at",
            "started_at",
            "finished_at",
            "duration_ms",
            "exit_code",
            "peak_memory_kb",
            "error",
            "result",
            "triggered_by",
            "script_sha256",
            "model_sha256",
            "bimflow_version",
            "ifcopenshell_version",
            "limits",
            "protections",
            "findings_count",
            "log_count",
            "logs_purged",
            "cancel_requested",
            "files",
        ]
        read_only_fields = fields


class ExecutionListSerializer(ExecutionSerializer):
    class Meta(ExecutionSerializer.Meta):
        fields = [f for f in ExecutionSerializer.Meta.fields if f not in ("result", "files")]
        read_only_fields = fields


class ExecutionCreateSerializer(serializers.Serializer):
    script = serializers.CharField(help_text="Script id or slug")
    version = serializers.IntegerField()
    parameters = serializers.JSONField(required=False, default=dict)


class LogLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = LogLine
        fields = ["seq", "stream", "text", "ts"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        # state: new, open or reopened compared with the previous version's run of the
        # same script (blank until compared; see docs/automation.md)
        fields = ["id", "severity", "guid", "ifc_class", "rule", "message", "details", "state"]
        read_only_fields = fields
