from django.contrib import admin

from bimflow.projects.models import Model, ModelVersion, Project, ProjectFile


class ModelInline(admin.TabularInline):
    model = Model
    extra = 0
    fields = ("name", "created_at")
    readonly_fields = ("created_at",)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "created_by", "created_at")
    search_fields = ("name",)
    inlines = [ModelInline]


@admin.register(Model)
class ModelAdmin(admin.ModelAdmin):
    list_display = ("name", "project", "created_at")
    list_filter = ("project",)
    search_fields = ("name", "project__name")


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "progress", "schema", "element_count", "created_at")
    list_filter = ("status", "schema")
    search_fields = ("model__name", "file_name", "sha256")
    readonly_fields = ("sha256", "file", "datapack", "metadata", "statistics", "created_at")


@admin.register(ProjectFile)
class ProjectFileAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "project", "size", "uploaded_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "project__name", "sha256")
    readonly_fields = ("sha256", "storage_name", "size", "created_at")
