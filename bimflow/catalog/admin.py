from django.contrib import admin

from bimflow.catalog.models import Element, Material, Storey, System


@admin.register(Element)
class ElementAdmin(admin.ModelAdmin):
    list_display = ("guid", "ifc_class", "name", "storey", "version")
    list_filter = ("ifc_class",)
    search_fields = ("guid", "name")
    raw_id_fields = ("version",)
    list_select_related = ("version", "version__model")


@admin.register(Storey)
class StoreyAdmin(admin.ModelAdmin):
    list_display = ("name", "elevation", "element_count", "version")
    raw_id_fields = ("version",)


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ("name", "element_count", "version")
    raw_id_fields = ("version",)


@admin.register(System)
class SystemAdmin(admin.ModelAdmin):
    list_display = ("name", "ifc_class", "element_count", "version")
    raw_id_fields = ("version",)
