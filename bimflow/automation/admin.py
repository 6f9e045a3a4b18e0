from django import forms
from django.contrib import admin

from bimflow.automation.models import (
    ActivityEvent,
    BatchItem,
    BatchJob,
    ExternalTool,
    FindingTracking,
    Notification,
    NotificationPreference,
    ResolvedFinding,
    Workflow,
    WorkflowRun,
    WorkflowRunStep,
    WorkflowStep,
)
from bimflow.core.errors import ServiceError


class StepInline(admin.TabularInline):
    model = WorkflowStep
    extra = 0
    raw_id_fields = ("script",)


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    """Read-mostly: workflows are edited through the API, which validates steps and keeps
    the periodic task in step with the workflow."""

    list_display = ("name", "project", "trigger", "cron", "interval_seconds", "is_active")
    list_filter = ("trigger", "is_active")
    search_fields = ("name",)
    raw_id_fields = ("project", "created_by", "periodic_task")
    readonly_fields = ("periodic_task",)
    inlines = [StepInline]


class RunStepInline(admin.TabularInline):
    model = WorkflowRunStep
    extra = 0
    raw_id_fields = ("script", "execution")
    can_delete = False


@admin.register(WorkflowRun)
class WorkflowRunAdmin(admin.ModelAdmin):
    list_display = ("id", "workflow", "version", "source", "status", "created_at")
    list_filter = ("status", "source")
    raw_id_fields = ("workflow", "project", "version", "triggered_by")
    inlines = [RunStepInline]


class BatchItemInline(admin.TabularInline):
    model = BatchItem
    extra = 0
    raw_id_fields = ("version", "execution")
    can_delete = False


@admin.register(BatchJob)
class BatchJobAdmin(admin.ModelAdmin):
    list_display = ("id", "project", "script", "versions", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("project", "script", "created_by")
    inlines = [BatchItemInline]


class ExternalToolForm(forms.ModelForm):
    class Meta:
        model = ExternalTool
        fields = [
            "name",
            "description",
            "executable",
            "args",
            "version_args",
            "mounts",
            "timeout_s",
            "is_active",
        ]

    def clean(self):
        from bimflow.automation.services.tools import tool_definition_check

        data = super().clean()
        try:
            clean = tool_definition_check(data)
        except ServiceError as exc:
            raise forms.ValidationError({exc.field or "name": exc.message})
        data.update(clean)
        return data


@admin.register(ExternalTool)
class ExternalToolAdmin(admin.ModelAdmin):
    """Tools from BIMFLOW_TOOLS show here too (from_settings); a change to those is
    overwritten from the settings at the next start."""

    form = ExternalToolForm
    list_display = ("name", "executable", "timeout_s", "is_active", "from_settings", "script")
    readonly_fields = ("from_settings", "script")

    def save_model(self, request, obj, form, change):
        from bimflow.automation.services.tools import tool_script_sync

        super().save_model(request, obj, form, change)
        tool_script_sync(tool=obj)

    def delete_model(self, request, obj):
        from bimflow.automation.services.tools import tool_retire

        tool_retire(tool=obj)
        obj.delete()


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "project", "kind", "status", "actor", "message")
    list_filter = ("kind", "status")
    raw_id_fields = ("project", "actor")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "message", "read_at")
    raw_id_fields = ("user", "project")


@admin.register(FindingTracking)
class FindingTrackingAdmin(admin.ModelAdmin):
    list_display = ("execution", "model", "script", "previous", "new")
    raw_id_fields = ("execution", "model", "script", "previous")


@admin.register(ResolvedFinding)
class ResolvedFindingAdmin(admin.ModelAdmin):
    list_display = ("execution", "finding")
    raw_id_fields = ("execution", "finding")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email")
    raw_id_fields = ("user",)
