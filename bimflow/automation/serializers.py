from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bimflow.automation.models import (
    ActivityEvent,
    BatchJob,
    Notification,
    Trigger,
    Workflow,
    WorkflowRun,
    WorkflowRunStep,
    WorkflowStep,
)


def automation_limits(project_id: int | None = None) -> dict:
    """The operator's limits, as the API shows them."""
    limits = {
        "max_active_workflows": settings.BIMFLOW_MAX_ACTIVE_WORKFLOWS,
        "max_runs_per_hour": settings.BIMFLOW_MAX_RUNS_PER_HOUR,
        "min_schedule_interval_s": settings.BIMFLOW_MIN_SCHEDULE_INTERVAL_S,
        "max_batch_versions": settings.BIMFLOW_MAX_BATCH_VERSIONS,
        "result_retention_days": settings.BIMFLOW_RESULT_RETENTION_DAYS,
    }
    if project_id is not None:
        limits["active_workflows"] = Workflow.objects.filter(
            project_id=project_id, is_active=True
        ).count()
    return limits


class LimitsSerializer(serializers.Serializer):
    max_active_workflows = serializers.IntegerField()
    max_runs_per_hour = serializers.IntegerField()
    min_schedule_interval_s = serializers.IntegerField()
    max_batch_versions = serializers.IntegerField()
    result_retention_days = serializers.IntegerField()
    active_workflows = serializers.IntegerField(required=False)


class StepSerializer(serializers.ModelSerializer):
    script_slug = serializers.CharField(source="script.slug", default=None, read_only=True)
    script_name = serializers.CharField(source="script.name", default=None, read_only=True)

    class Meta:
        model = WorkflowStep
        fields = ["position", "script", "script_slug", "script_name", "parameters"]
        read_only_fields = fields


class WorkflowSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None)
    next_run_at = serializers.SerializerMethodField()
    runs_last_hour = serializers.SerializerMethodField()
    limits = serializers.SerializerMethodField()

    class Meta:
        model = Workflow
        fields = [
            "id",
            "project",
            "name",
            "description",
            "trigger",
            "cron",
            "interval_seconds",
            "timezone",
            "model_filter",
            "stop_on_failure",
            "is_active",
            "steps",
            "created_by",
            "created_at",
            "updated_at",
            "next_run_at",
            "runs_last_hour",
            "limits",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_run_at(self, obj):
        from bimflow.automation.services.workflows import next_run_at

        return next_run_at(obj)

    def get_runs_last_hour(self, obj) -> int:
        from bimflow.automation.services.runs import runs_in_last_hour

        return runs_in_last_hour(obj)

    @extend_schema_field(LimitsSerializer)
    def get_limits(self, obj) -> dict:
        return automation_limits()


class WorkflowWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    trigger = serializers.ChoiceField(choices=Trigger.choices, required=False)
    cron = serializers.CharField(required=False, allow_blank=True, max_length=100)
    interval_seconds = serializers.IntegerField(required=False, allow_null=True)
    timezone = serializers.CharField(required=False, max_length=64)
    model_filter = serializers.CharField(required=False, allow_blank=True, max_length=255)
    stop_on_failure = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    steps = serializers.JSONField(
        required=False,
        help_text='Ordered list of {"script": "<slug or id>", "parameters": {...}}',
    )


class RunRequestSerializer(serializers.Serializer):
    versions = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        allow_null=True,
        help_text="Version ids (default: the latest ready version of every matching model)",
    )


class RunStepSerializer(serializers.ModelSerializer):
    script_slug = serializers.CharField(source="script.slug", default=None, read_only=True)
    execution_status = serializers.CharField(source="execution.status", default=None)
    started_at = serializers.DateTimeField(source="execution.started_at", default=None)
    finished_at = serializers.DateTimeField(source="execution.finished_at", default=None)
    findings_count = serializers.IntegerField(source="execution.findings_count", default=None)

    class Meta:
        model = WorkflowRunStep
        fields = [
            "position",
            "script",
            "script_slug",
            "parameters",
            "status",
            "reason",
            "execution",
            "execution_status",
            "started_at",
            "finished_at",
            "findings_count",
        ]
        read_only_fields = fields


class WorkflowRunSerializer(serializers.ModelSerializer):
    workflow_name = serializers.CharField(source="workflow.name", read_only=True)
    version_number = serializers.IntegerField(source="version.number", default=None)
    model = serializers.IntegerField(source="version.model_id", default=None)
    model_name = serializers.CharField(source="version.model.name", default=None)
    triggered_by = serializers.CharField(source="triggered_by.username", default=None)
    steps = RunStepSerializer(many=True, read_only=True)

    class Meta:
        model = WorkflowRun
        fields = [
            "id",
            "workflow",
            "workflow_name",
            "project",
            "version",
            "version_number",
            "model",
            "model_name",
            "source",
            "triggered_by",
            "status",
            "reason",
            "created_at",
            "started_at",
            "finished_at",
            "steps",
        ]
        read_only_fields = fields


class BatchCreateSerializer(serializers.Serializer):
    script = serializers.CharField(help_text="Script id or slug")
    parameters = serializers.JSONField(required=False, default=dict)
    model_filter = serializers.CharField(required=False, default="*", allow_blank=True)
    versions = serializers.JSONField(
        required=False, default="latest", help_text='"latest", "all" or a list of version ids'
    )


class MatrixRowSerializer(serializers.Serializer):
    model = serializers.CharField()
    model_id = serializers.IntegerField()
    version = serializers.IntegerField()
    version_number = serializers.IntegerField()
    execution = serializers.IntegerField()
    status = serializers.CharField()
    findings = serializers.DictField(child=serializers.IntegerField())
    findings_total = serializers.IntegerField()
    duration_ms = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()


class BatchSerializer(serializers.ModelSerializer):
    script_slug = serializers.CharField(source="script.slug", default=None, read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None)
    total = serializers.SerializerMethodField()
    queued = serializers.SerializerMethodField()
    running = serializers.SerializerMethodField()
    done = serializers.SerializerMethodField()
    failed = serializers.SerializerMethodField()
    cancelled = serializers.SerializerMethodField()
    finished = serializers.SerializerMethodField()

    class Meta:
        model = BatchJob
        fields = [
            "id",
            "project",
            "script",
            "script_slug",
            "parameters",
            "model_filter",
            "versions",
            "version_ids",
            "created_by",
            "status",
            "created_at",
            "finished_at",
            "total",
            "queued",
            "running",
            "done",
            "failed",
            "cancelled",
            "finished",
        ]
        read_only_fields = fields

    def _counts(self, obj) -> dict:
        cache = self.context.setdefault("_counts", {})
        if obj.pk not in cache:
            from bimflow.automation.services.batches import batch_counts

            cache[obj.pk] = batch_counts(obj)
        return cache[obj.pk]

    def get_total(self, obj) -> int:
        return self._counts(obj)["total"]

    def get_queued(self, obj) -> int:
        return self._counts(obj)["queued"]

    def get_running(self, obj) -> int:
        return self._counts(obj)["running"]

    def get_done(self, obj) -> int:
        return self._counts(obj)["done"]

    def get_failed(self, obj) -> int:
        return self._counts(obj)["failed"]

    def get_cancelled(self, obj) -> int:
        return self._counts(obj)["cancelled"]

    def get_finished(self, obj) -> int:
        return self._counts(obj)["finished"]


class BatchDetailSerializer(BatchSerializer):
    matrix = serializers.SerializerMethodField()

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "matrix"]
        read_only_fields = fields

    @extend_schema_field(MatrixRowSerializer(many=True))
    def get_matrix(self, obj) -> list:
        from bimflow.automation.services.batches import batch_matrix

        return batch_matrix(obj)


class ModelFindingSerializer(serializers.Serializer):
    """A finding of a model's current run of a script, or one that run resolved."""

    id = serializers.IntegerField(source="finding_ref")
    state = serializers.CharField(source="state_value")
    severity = serializers.CharField(source="severity_value")
    guid = serializers.CharField(source="guid_value", allow_null=True)
    ifc_class = serializers.CharField(source="ifc_class_value")
    rule = serializers.CharField(source="rule_value")
    message = serializers.CharField(source="message_value")
    script = serializers.CharField(source="script_slug")
    execution = serializers.IntegerField(source="execution_id_value")
    found_in_execution = serializers.IntegerField(
        source="found_in", help_text="For resolved findings: the run where it was last seen"
    )
    version = serializers.IntegerField(source="version_id_value")
    version_number = serializers.IntegerField()


class ActivitySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = ActivityEvent
        fields = ["id", "kind", "status", "actor", "message", "data", "created_at"]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "project", "kind", "message", "data", "created_at", "read", "read_at"]
        read_only_fields = fields

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Default: all unread"
    )


class PreferenceSerializer(serializers.Serializer):
    email = serializers.BooleanField()


class ToolSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    executable = serializers.CharField()
    args = serializers.ListField(child=serializers.CharField())
    mounts = serializers.ListField(child=serializers.CharField())
    timeout_s = serializers.IntegerField()
    from_settings = serializers.BooleanField()
    is_active = serializers.BooleanField()
    script = serializers.CharField(allow_null=True, help_text="The slug that runs it")
    installed = serializers.BooleanField()
    path = serializers.CharField(allow_null=True)
    version = serializers.CharField(allow_null=True)
    detail = serializers.CharField()
