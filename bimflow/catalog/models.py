"""What ingest stores per version, to query without opening the IFC file again."""

from django.db import models

from bimflow.projects.models import ModelVersion

#: The fields an Element copies from an extracted ElementRecord (bimflow.ifc), in the
#: order the API shows them; the list-valued ones are stored as JSON.
RECORD_FIELDS = (
    "guid",
    "step_id",
    "ifc_class",
    "name",
    "description",
    "object_type",
    "predefined_type",
    "type_guid",
    "type_name",
    "type_class",
    "storey",
    "storey_guid",
    "materials",
    "systems",
    "classifications",
    "has_geometry",
)
LIST_FIELDS = frozenset({"materials", "systems", "classifications"})


class Element(models.Model):
    """One IfcProduct of a version.

    `properties` holds every property and quantity set value, merged from the type and
    the element itself as ``ifcopenshell.util.element.get_psets`` merges them:
    ``{set name: {"kind": "pset"|"qto", "props": {name: {"v": value, "u": unit,
    "t": IFC value type, "s": "own"|"type"}}}}``. One JSON document per element keeps
    ingest to one row per element while `has_pset` remains a key lookup.
    """

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="elements")
    step_id = models.IntegerField()
    guid = models.CharField(max_length=64)
    ifc_class = models.CharField(max_length=100)
    name = models.TextField(null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    object_type = models.TextField(null=True, blank=True)
    predefined_type = models.CharField(max_length=255, null=True, blank=True)
    type_guid = models.CharField(max_length=64, null=True, blank=True)
    type_name = models.TextField(null=True, blank=True)
    type_class = models.CharField(max_length=100, null=True, blank=True)
    storey = models.TextField(null=True, blank=True)
    storey_guid = models.CharField(max_length=64, null=True, blank=True)
    materials = models.JSONField(default=list)
    systems = models.JSONField(default=list)
    classifications = models.JSONField(default=list)
    has_geometry = models.BooleanField(default=False)
    properties = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(fields=["version", "guid"]),
            models.Index(fields=["version", "ifc_class"]),
            models.Index(fields=["version", "storey"]),
            models.Index(fields=["version", "step_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.ifc_class} {self.guid}"


class Storey(models.Model):
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="storeys")
    guid = models.CharField(max_length=64)
    name = models.TextField(null=True, blank=True)
    elevation = models.FloatField(null=True, blank=True)
    element_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "elevation", "name"]


class Material(models.Model):
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="materials")
    name = models.TextField()
    element_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "-element_count", "name"]


class System(models.Model):
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="systems")
    guid = models.CharField(max_length=64)
    name = models.TextField(null=True, blank=True)
    ifc_class = models.CharField(max_length=100)
    element_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version_id", "name"]
