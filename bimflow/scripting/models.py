from django.conf import settings
from django.db import models

from bimflow.projects.models import ModelVersion, Project


class Category(models.TextChoices):
    VALIDATION = "validation", "Validation"
    EXPORT = "export", "Export"
    ANALYSIS = "analysis", "Analysis"
    CUSTOM = "custom", "Custom"


class Runtime(models.TextChoices):
    PYTHON = "python", "Python script"
    COMMAND = "command", "External command"


class Script(models.Model):
    """A script users can run on versions: built-in (read-only, visible to everyone), or a
    user's own, private to its owner or shared with the members of its project."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.CUSTOM)
    runtime = models.CharField(max_length=16, choices=Runtime.choices, default=Runtime.PYTHON)
    parameters_schema = models.JSONField(default=dict, blank=True)
    limits = models.JSONField(default=dict, blank=True, help_text="Per-script sandbox limits")
    is_public = models.BooleanField(default=False, help_text="Shared with the project's members")
    builtin = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="scripts"
    )
    current_revision = models.ForeignKey(
        "ScriptRevision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-builtin", "name"]

    def __str__(self) -> str:
        return self.slug


class ScriptRevision(models.Model):
    """An immutable snapshot of a script's code and parameter schema."""

    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    code = models.TextField()
    parameters_schema = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["script_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["script", "number"], name="unique_revision_number")
        ]


class ExecutionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    TIMED_OUT = "timed_out", "Timed out"
    CANCELLED = "cancelled", "Cancelled"


FINAL_STATUSES = {
    ExecutionStatus.SUCCEEDED,
    ExecutionStatus.FAILED,
    ExecutionStatus.TIMED_OUT,
    ExecutionStatus.CANCELLED,
}


class Execution(models.Model):
    """One run of a script revision on a model version, with its provenance."""

    script = models.ForeignKey(Script, on_delete=models.PROTECT, related_name="executions")
    revision = models.ForeignKey(ScriptRevision, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="executions")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="executions")
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=16, choices=ExecutionStatus.choices, default=ExecutionStatus.QUEUED
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    exit_code = models.IntegerField(null=True, blank=True)
    peak_memory_kb = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    result = models.JSONField(default=dict, blank=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # provenance
    script_sha256 = models.CharField(max_length=64, blank=True, default="")
    model_sha256 = models.CharField(max_length=64, blank=True, default="")
    bimflow_version = models.CharField(max_length=32, blank=True, default="")
    ifcopenshell_version = models.CharField(max_length=32, blank=True, default="")
    limits = models.JSONField(default=dict, blank=True)
    protections = models.JSONField(default=dict, blank=True)
    # bookkeeping of the worker running it
    worker = models.CharField(max_length=255, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the run task was handed to the broker (null: not yet, e.g. the broker was
    # down; the reaper sends it again).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    log_count = models.PositiveIntegerField(default=0)
    findings_count = models.PositiveIntegerField(default=0)
    logs_purged = models.BooleanField(default=False)

    class Meta:
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["version", "script"]),
            models.Index(fields=["project", "-queued_at"]),
            models.Index(fields=["triggered_by", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.script.slug} on {self.version_id} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class LogStream(models.TextChoices):
    STDOUT = "stdout", "stdout"
    STDERR = "stderr", "stderr"
    SYSTEM = "system", "system"


class LogLine(models.Model):
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="log_lines")
    seq = models.PositiveIntegerField()
    stream = models.CharField(max_length=8, choices=LogStream.choices)
    text = models.TextField()
    ts = models.DateTimeField()

    class Meta:
        ordering = ["execution_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["execution", "seq"], name="unique_log_seq")]


class Severity(models.TextChoices):
    ERROR = "error", "Error"
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


class FindingState(models.TextChoices):
    """Compared with the latest run of the same script on the model's previous version
    (set by the automation app once the execution finished; blank until then)."""

    NEW = "new", "New"
    OPEN = "open", "Open"
    REOPENED = "reopened", "Reopened"


class Finding(models.Model):
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="findings")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    guid = models.CharField(max_length=64, null=True, blank=True)
    ifc_class = models.CharField(max_length=100, blank=True, default="")
    rule = models.CharField(max_length=255, blank=True, default="")
    message = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=FindingState.choices, blank=True, default="")

    class Meta:
        ordering = ["execution_id", "id"]
        indexes = [models.Index(fields=["execution", "severity"])]


class ResultFile(models.Model):
    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=100)
    storage_name = models.CharField(max_length=500)
    purged = models.BooleanField(default=False)

    class Meta:
        ordering = ["execution_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["execution", "name"], name="unique_result_file")
        ]
