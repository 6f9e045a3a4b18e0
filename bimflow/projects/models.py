from django.conf import settings
from django.db import models


class Project(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Model(models.Model):
    """A named building model inside a project; each upload adds a numbered version."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="models")
    name = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_model_name")
        ]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ModelVersion(models.Model):
    model = models.ForeignKey(Model, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=VersionStatus.choices, default=VersionStatus.UPLOADED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    file = models.CharField(max_length=500, help_text="Storage name of the uploaded file.")
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    datapack = models.CharField(max_length=500, blank=True, default="")
    schema = models.CharField(max_length=32, blank=True, default="")
    application = models.CharField(max_length=255, blank=True, default="")
    element_count = models.PositiveIntegerField(null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    statistics = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    processing_started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    ingest_attempts = models.PositiveSmallIntegerField(default=0)
    ingest_seconds = models.FloatField(null=True, blank=True)
    # When the ingest task was handed to the broker (null: not yet, e.g. the broker was
    # down; the reaper sends it again).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["model_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="unique_version_number")
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.model.name} v{self.number}"

    @property
    def project_id(self) -> int:
        return self.model.project_id


class FileKind(models.TextChoices):
    IDS = "ids", "IDS (information delivery specification)"
    BCF = "bcf", "BCF (issues)"
    OTHER = "other", "Other"


class ProjectFile(models.Model):
    """A file shared by a project's scripts (an IDS, a BCF, a lookup table...): scripts
    take it as a parameter and read it read-only inside the sandbox."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=8, choices=FileKind.choices, default=FileKind.OTHER)
    name = models.CharField(max_length=255)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=500, help_text="Storage name of the file.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "-created_at", "-id"]
        indexes = [models.Index(fields=["project", "kind"])]

    def __str__(self) -> str:
        return self.name
