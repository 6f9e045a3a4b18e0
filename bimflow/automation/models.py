"""Automation: workflows and their runs, batch jobs, finding tracking across versions,
external tools, the activity feed and notifications."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from bimflow.projects.models import Model, ModelVersion, Project
from bimflow.scripting.models import Execution, Finding, Script


class Trigger(models.TextChoices):
    ON_UPLOAD = "on_upload", "On upload"
    SCHEDULE = "schedule", "On a schedule"
    MANUAL = "manual", "By hand"


class Workflow(models.Model):
    """What should happen to the models of a project: a trigger and ordered steps."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="workflows")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    cron = models.CharField(max_length=100, blank=True, default="")
    # A schedule in seconds instead of a cron expression (at least
    # BIMFLOW_MIN_SCHEDULE_INTERVAL_S); for short test schedules and "every N minutes".
    interval_seconds = models.PositiveIntegerField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    model_filter = models.CharField(max_length=255, default="*")
    stop_on_failure = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["project", "trigger", "is_active"])]

    def __str__(self) -> str:
        return self.name


class WorkflowStep(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    # SET_NULL: deleting a script must not fail on a workflow; the step then fails
    # with a sentence when the workflow runs.
    script = models.ForeignKey(Script, null=True, on_delete=models.SET_NULL, related_name="+")
    parameters = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["workflow_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["workflow", "position"], name="unique_step_position")
        ]


class RunSource(models.TextChoices):
    UPLOAD = "upload", "Upload"
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "By hand"
    BACKFILL = "backfill", "Backfill"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"
    CANCELLED = "cancelled", "Cancelled"


RUN_FINAL = {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SKIPPED, RunStatus.CANCELLED}


class WorkflowRun(models.Model):
    """One firing of a workflow on one version."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="runs")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=16, choices=RunSource.choices)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the chain reached the broker; null while it has not (see core/dispatch.py).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # on_upload fires once per version, however often `version_ready` arrives.
            models.UniqueConstraint(
                fields=["workflow", "version"],
                condition=Q(source="upload"),
                name="unique_upload_run",
            )
        ]
        indexes = [
            models.Index(fields=["workflow", "created_at"]),
            models.Index(fields=["project", "created_at"]),
            models.Index(fields=["status"]),
        ]

    @property
    def is_final(self) -> bool:
        return self.status in RUN_FINAL


class StepStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    TIMED_OUT = "timed_out", "Timed out"
    CANCELLED = "cancelled", "Cancelled"
    SKIPPED = "skipped", "Skipped"


class WorkflowRunStep(models.Model):
    run = models.ForeignKey(WorkflowRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    script = models.ForeignKey(Script, null=True, on_delete=models.SET_NULL, related_name="+")
    parameters = models.JSONField(default=dict, blank=True)
    execution = models.OneToOneField(
        Execution,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workflow_step",
    )
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.PENDING)
    reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["run_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="unique_run_step_position")
        ]


class VersionSelection(models.TextChoices):
    LATEST = "latest", "The latest ready version of each model"
    ALL = "all", "Every ready version"
    EXPLICIT = "explicit", "The listed versions"


class BatchStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Finished with failures"
    CANCELLED = "cancelled", "Cancelled"


class BatchJob(models.Model):
    """One script over many versions: one execution per selected ready version."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="batches")
    script = models.ForeignKey(Script, null=True, on_delete=models.SET_NULL, related_name="+")
    parameters = models.JSONField(default=dict, blank=True)
    model_filter = models.CharField(max_length=255, default="*")
    versions = models.CharField(
        max_length=16, choices=VersionSelection.choices, default=VersionSelection.LATEST
    )
    version_ids = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=BatchStatus.choices, default=BatchStatus.RUNNING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "created_at"])]


class BatchItem(models.Model):
    batch = models.ForeignKey(BatchJob, on_delete=models.CASCADE, related_name="items")
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="+")
    execution = models.OneToOneField(Execution, on_delete=models.CASCADE, related_name="batch_item")

    class Meta:
        ordering = ["batch_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "version"], name="unique_batch_version")
        ]


class FindingTracking(models.Model):
    """How an execution's findings compare with the previous version's run of the same
    script: the counts per state, and which run it was compared with."""

    execution = models.OneToOneField(
        Execution, on_delete=models.CASCADE, related_name="finding_tracking"
    )
    model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="+")
    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="+")
    previous = models.ForeignKey(
        Execution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    new = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(auto_now=True)


class ResolvedFinding(models.Model):
    """A finding of the previous run that this execution no longer has (`resolved`);
    `finding` is its last occurrence."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="+")
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["execution_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["execution", "finding"], name="unique_resolution")
        ]


class ExternalTool(models.Model):
    """A command-line tool an operator registered; runs as the built-in script
    `tool-<name>` (runtime `command`) inside the sandbox."""

    name = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, default="")
    executable = models.CharField(
        max_length=500, help_text="Absolute path, or a name looked up on the worker's PATH"
    )
    args = models.JSONField(
        default=list, blank=True, help_text='Arguments; "{input}" and "{output_dir}" are filled in'
    )
    version_args = models.JSONField(default=list, blank=True, help_text='Default ["--version"]')
    mounts = models.JSONField(
        default=list, blank=True, help_text="Host folders the tool needs, mounted read-only"
    )
    timeout_s = models.PositiveIntegerField(default=600)
    is_active = models.BooleanField(default=True)
    from_settings = models.BooleanField(default=False, editable=False)
    script = models.OneToOneField(
        Script, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ActivityKind(models.TextChoices):
    UPLOAD = "upload", "Upload"
    VERSION_READY = "version_ready", "Version ready"
    VERSION_FAILED = "version_failed", "Version failed"
    EXECUTION = "execution", "Execution finished"
    WORKFLOW_RUN = "workflow_run", "Workflow run finished"
    BATCH = "batch", "Batch finished"


class ActivityEvent(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    status = models.CharField(max_length=16, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "created_at"])]


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    email = models.BooleanField(default=False, help_text="Also send notifications by e-mail")
