from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bimflow.catalog.models import RECORD_FIELDS, Element
from bimflow.catalog.selectors import property_rows, psets_of

ELEMENT_FIELDS = list(RECORD_FIELDS)


def _names():
    return serializers.ListField(child=serializers.CharField(), read_only=True)


class ElementSerializer(serializers.ModelSerializer):
    materials = _names()
    systems = _names()
    classifications = _names()

    class Meta:
        model = Element
        fields = ELEMENT_FIELDS
        read_only_fields = fields


# {set name: {property name: value}}; values are strings, numbers, booleans or null.
_PSETS = serializers.DictField(child=serializers.DictField(child=serializers.JSONField()))


class ElementWithPsetsSerializer(ElementSerializer):
    psets = serializers.SerializerMethodField()

    class Meta(ElementSerializer.Meta):
        fields = ELEMENT_FIELDS + ["psets"]
        read_only_fields = fields

    @extend_schema_field(_PSETS)
    def get_psets(self, obj) -> dict:
        return psets_of(obj.properties)


class PropertyRowSerializer(serializers.Serializer):
    """One property or quantity value of an element, own or inherited from its type."""

    pset = serializers.CharField()
    name = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    unit = serializers.CharField(allow_null=True)
    value_type = serializers.CharField(allow_null=True)
    source = serializers.ChoiceField(choices=["own", "type"])
    kind = serializers.ChoiceField(choices=["pset", "qto"])


class ElementDetailSerializer(ElementWithPsetsSerializer):
    properties = serializers.SerializerMethodField()

    class Meta(ElementSerializer.Meta):
        fields = ELEMENT_FIELDS + ["psets", "properties"]
        read_only_fields = fields

    @extend_schema_field(PropertyRowSerializer(many=True))
    def get_properties(self, obj) -> list[dict]:
        return property_rows(obj.properties)


# --- response shapes of the precomputed documents, for the OpenAPI schema -----------
# Statistics and metadata are stored as JSON at ingest (bimflow.ifc.stats, .meta) and
# returned as they are; these serializers only describe them, so that the web app's
# types are generated from the schema rather than written by hand.


class StatisticsTotalsSerializer(serializers.Serializer):
    elements = serializers.IntegerField()
    classes = serializers.IntegerField()
    storeys = serializers.IntegerField()
    property_values = serializers.IntegerField()
    materials = serializers.IntegerField()
    systems = serializers.IntegerField()
    with_geometry = serializers.IntegerField()


class ClassCountSerializer(serializers.Serializer):
    ifc_class = serializers.CharField()
    count = serializers.IntegerField()


class StoreyCountSerializer(serializers.Serializer):
    storey = serializers.CharField(
        allow_null=True, help_text="The storey's name; '(no storey)' for elements outside any."
    )
    storey_guid = serializers.CharField(allow_null=True, help_text="Null for '(no storey)'.")
    elevation = serializers.FloatField(allow_null=True)
    count = serializers.IntegerField()


class CoverageSerializer(serializers.Serializer):
    ifc_class = serializers.CharField()
    pset = serializers.CharField()
    kind = serializers.ChoiceField(choices=["pset", "qto"])
    count = serializers.IntegerField(help_text="Elements of the class carrying the set.")
    share = serializers.FloatField(help_text="count / elements of the class, 0..1.")


class MaterialCountSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class SystemCountSerializer(serializers.Serializer):
    name = serializers.CharField(allow_null=True)
    guid = serializers.CharField()
    ifc_class = serializers.CharField()
    count = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    totals = StatisticsTotalsSerializer()
    by_class = ClassCountSerializer(many=True)
    by_storey = StoreyCountSerializer(many=True)
    property_coverage = CoverageSerializer(many=True)
    materials = MaterialCountSerializer(many=True)
    systems = SystemCountSerializer(many=True)


class NamedEntitySerializer(serializers.Serializer):
    guid = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    long_name = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)


class SiteSerializer(NamedEntitySerializer):
    latitude = serializers.FloatField(allow_null=True, help_text="Decimal degrees.")
    longitude = serializers.FloatField(allow_null=True, help_text="Decimal degrees.")
    elevation = serializers.FloatField(allow_null=True, help_text="Metres.")
    land_title_number = serializers.CharField(allow_null=True)


class UnitSerializer(serializers.Serializer):
    type = serializers.CharField(allow_null=True)
    name = serializers.CharField(allow_null=True)
    symbol = serializers.CharField(allow_null=True)


class CrsSerializer(serializers.Serializer):
    ifc_class = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    geodetic_datum = serializers.CharField(allow_null=True)
    vertical_datum = serializers.CharField(allow_null=True)
    map_projection = serializers.CharField(allow_null=True)
    map_zone = serializers.CharField(allow_null=True)
    map_unit = serializers.CharField(allow_null=True)


class GeoreferencingSerializer(serializers.Serializer):
    """IfcMapConversion (eastings ... crs) or, failing that, the site's latitude/longitude."""

    method = serializers.ChoiceField(choices=["IfcMapConversion", "IfcSite"])
    eastings = serializers.FloatField(required=False, allow_null=True)
    northings = serializers.FloatField(required=False, allow_null=True)
    orthogonal_height = serializers.FloatField(required=False, allow_null=True)
    x_axis_abscissa = serializers.FloatField(required=False, allow_null=True)
    x_axis_ordinate = serializers.FloatField(required=False, allow_null=True)
    scale = serializers.FloatField(required=False, allow_null=True)
    crs = CrsSerializer(required=False, allow_null=True)
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    elevation = serializers.FloatField(required=False, allow_null=True)


class MetadataCountsSerializer(serializers.Serializer):
    products = serializers.IntegerField()
    entities = serializers.IntegerField()
    property_values = serializers.IntegerField()
    types = serializers.IntegerField()


class MetadataSerializer(serializers.Serializer):
    schema = serializers.CharField()
    schema_identifier = serializers.CharField()
    file_name = serializers.CharField(allow_null=True)
    time_stamp = serializers.CharField(allow_null=True)
    author = serializers.CharField(allow_null=True)
    organization = serializers.CharField(allow_null=True)
    preprocessor_version = serializers.CharField(allow_null=True)
    originating_system = serializers.CharField(allow_null=True)
    authorization = serializers.CharField(allow_null=True)
    file_description = serializers.ListField(child=serializers.CharField())
    view_definition = serializers.CharField(allow_null=True)
    views = serializers.ListField(child=serializers.CharField())
    implementation_level = serializers.CharField(allow_null=True)
    application = serializers.CharField(allow_null=True)
    project = NamedEntitySerializer(allow_null=True)
    site = SiteSerializer(allow_null=True)
    building = NamedEntitySerializer(allow_null=True)
    units = UnitSerializer(many=True)
    georeferencing = GeoreferencingSerializer(allow_null=True)
    counts = MetadataCountsSerializer()


class DiffEntrySerializer(serializers.Serializer):
    guid = serializers.CharField()
    ifc_class = serializers.CharField()
    name = serializers.CharField(allow_null=True)


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="An attribute, or 'Pset.Property'.")
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class ChangedEntrySerializer(DiffEntrySerializer):
    changes = FieldChangeSerializer(many=True)


class DiffCountsSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class DiffSerializer(serializers.Serializer):
    to = serializers.IntegerField()
    counts = DiffCountsSerializer()
    added = DiffEntrySerializer(many=True)
    removed = DiffEntrySerializer(many=True)
    changed = ChangedEntrySerializer(many=True)

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be declared as a class attribute.
        return {"from": serializers.IntegerField(), **super().get_fields()}
