from django.db import models


class WorkerHeartbeat(models.Model):
    """A worker process says it is alive every few seconds (for health and the reaper)."""

    hostname = models.CharField(max_length=255, unique=True)
    pid = models.IntegerField()
    queues = models.JSONField(default=list)
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)
    # What the sandbox enforces on this worker's host, as the worker itself probed it
    # (the web process may run elsewhere, or as another user).
    sandbox = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.hostname
