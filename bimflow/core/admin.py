from django.contrib import admin

from bimflow.core.models import WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "pid", "queues", "started_at", "last_seen")
    readonly_fields = ("hostname", "pid", "queues", "started_at", "last_seen", "sandbox")
