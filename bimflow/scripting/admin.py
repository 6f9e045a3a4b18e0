from django.contrib import admin

from bimflow.scripting.models import (
    Execution,
    Finding,
    LogLine,
    ResultFile,
    Script,
    ScriptRevision,
)


class RevisionInline(admin.TabularInline):
    model = ScriptRevision
    extra = 0
    fields = ("number", "sha256", "created_at", "created_by")
    readonly_fields = fields
    can_delete = False


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "category", "runtime", "builtin", "is_public", "owner")
    list_filter = ("category", "builtin", "is_public", "runtime")
    search_fields = ("slug", "name")
    inlines = [RevisionInline]
    raw_id_fields = ("current_revision",)


@admin.register(ScriptRevision)
class ScriptRevisionAdmin(admin.ModelAdmin):
    list_display = ("script", "number", "sha256", "created_at")
    readonly_fields = ("script", "number", "code", "parameters_schema", "sha256", "created_by")


@admin.register(Execution)
class ExecutionAdmin(admin.ModelAdmin):
    list_display = ("id", "script", "version", "status", "queued_at", "duration_ms", "triggered_by")
    list_filter = ("status", "script")
    raw_id_fields = ("version", "revision", "project")
    readonly_fields = ("queued_at", "started_at", "finished_at", "result", "protections")


@admin.register(LogLine)
class LogLineAdmin(admin.ModelAdmin):
    list_display = ("execution", "seq", "stream", "text")
    raw_id_fields = ("execution",)


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ("execution", "severity", "rule", "guid", "message")
    list_filter = ("severity",)
    raw_id_fields = ("execution",)


@admin.register(ResultFile)
class ResultFileAdmin(admin.ModelAdmin):
    list_display = ("execution", "name", "size", "content_type")
    raw_id_fields = ("execution",)
