from rest_framework import serializers

from bimflow.catalog.models import Element
from bimflow.catalog.selectors import property_rows, psets_of

ELEMENT_FIELDS = [
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
]


class ElementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Element
        fields = ELEMENT_FIELDS
        read_only_fields = fields


class ElementWithPsetsSerializer(ElementSerializer):
    psets = serializers.SerializerMethodField()

    class Meta(ElementSerializer.Meta):
        fields = ELEMENT_FIELDS + ["psets"]
        read_only_fields = fields

    def get_psets(self, obj) -> dict:
        return psets_of(obj.properties)


class ElementDetailSerializer(ElementWithPsetsSerializer):
    properties = serializers.SerializerMethodField()

    class Meta(ElementSerializer.Meta):
        fields = ELEMENT_FIELDS + ["psets", "properties"]
        read_only_fields = fields

    def get_properties(self, obj) -> list[dict]:
        return property_rows(obj.properties)
