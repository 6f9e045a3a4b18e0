"""IDS pass/fail cases written from the IDS 1.0 standard's documented behaviour.

One IFC model (built here with ifcopenshell.api) holds the elements the cases talk
about; each case is one IDS file named `pass-*.ids` or `fail-*.ids` with one
specification. Most cases pick their element by Name in the applicability and put the
facet under test in the requirements, as buildingSMART's own test cases do.
"""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import ifcopenshell.api
from ifctester import ids

R = ids.Restriction
ANY = R(options={"pattern": ".*"})  # the schema wants a system; this one matches any


def build_model(path: Path) -> dict[str, str]:
    """Walls W1 (all data), W2 (bare), W3 (an IfcWallStandardCase), slab S1, beam B1 in
    assembly A1, beam B2 alone, all on storey 'Level 1'. Returns name -> GlobalId."""
    run = ifcopenshell.api.run
    f = run("project.create_file", version="IFC4")
    project = run("root.create_entity", f, ifc_class="IfcProject", name="IDS cases")
    run("unit.assign_unit", f)
    site = run("root.create_entity", f, ifc_class="IfcSite", name="Site")
    building = run("root.create_entity", f, ifc_class="IfcBuilding", name="Building")
    storey = run("root.create_entity", f, ifc_class="IfcBuildingStorey", name="Level 1")
    run("aggregate.assign_object", f, products=[site], relating_object=project)
    run("aggregate.assign_object", f, products=[building], relating_object=site)
    run("aggregate.assign_object", f, products=[storey], relating_object=building)

    def make(ifc_class, name, **attributes):
        element = run("root.create_entity", f, ifc_class=ifc_class, name=name)
        for key, value in attributes.items():
            setattr(element, key, value)
        return element

    w1 = make("IfcWall", "W1", Description="external", PredefinedType="SOLIDWALL")
    w2 = make("IfcWall", "W2")
    w3 = make("IfcWallStandardCase", "W3")
    s1 = make("IfcSlab", "S1", PredefinedType="FLOOR")
    a1 = make("IfcElementAssembly", "A1")
    b1 = make("IfcBeam", "B1")
    b2 = make("IfcBeam", "B2")
    run("spatial.assign_container", f, products=[w1, w2, w3, s1, a1, b2], relating_structure=storey)
    run("aggregate.assign_object", f, products=[b1], relating_object=a1)

    pset = run("pset.add_pset", f, product=w1, name="Pset_WallCommon")
    run(
        "pset.edit_pset",
        f,
        pset=pset,
        properties={"FireRating": "REI60", "IsExternal": True, "ThermalTransmittance": 0.25},
    )
    slab_pset = run("pset.add_pset", f, product=s1, name="Pset_SlabCommon")
    run("pset.edit_pset", f, pset=slab_pset, properties={"LoadBearing": False})

    concrete = run("material.add_material", f, name="Concrete C30/37", category="concrete")
    run("material.assign_material", f, products=[w1], material=concrete)
    system = run("classification.add_classification", f, classification="NL-SfB")
    run(
        "classification.add_reference",
        f,
        products=[w1],
        classification=system,
        identification="21.12",
        name="Buitenwanden",
    )
    f.write(str(path))
    return {e.Name: e.GlobalId for e in (w1, w2, w3, s1, a1, b1, b2)}


def by_name(name: str) -> list:
    return [ids.Attribute(name="Name", value=name)]


# name -> (applicability facets, requirement facets, spec options)
CASES: dict[str, tuple[list, list, dict]] = {
    # Entity: exact class (subclasses do not match), predefined type, patterns.
    "pass-entity-class": (by_name("W1"), [ids.Entity("IFCWALL")], {}),
    "fail-entity-class": (by_name("W1"), [ids.Entity("IFCSLAB")], {}),
    "fail-entity-subclass-is-not-the-class": (by_name("W3"), [ids.Entity("IFCWALL")], {}),
    "pass-entity-predefined-type": (
        by_name("W1"),
        [ids.Entity("IFCWALL", predefinedType="SOLIDWALL")],
        {},
    ),
    "fail-entity-predefined-type": (
        by_name("W1"),
        [ids.Entity("IFCWALL", predefinedType="PARTITIONING")],
        {},
    ),
    "pass-entity-name-pattern": (
        by_name("W3"),
        [ids.Entity(R(options={"pattern": "IFCWALL.*"}))],
        {},
    ),
    "fail-required-specification-applies-to-nothing": (
        [ids.Entity("IFCROOF")],
        [ids.Attribute("Name")],
        {"minOccurs": 1},
    ),
    "pass-optional-specification-applies-to-nothing": (
        [ids.Entity("IFCROOF")],
        [ids.Attribute("Name")],
        {"minOccurs": 0},
    ),
    "pass-prohibited-specification-absent": (
        [ids.Entity("IFCROOF")],
        [],
        {"minOccurs": 0, "maxOccurs": 0},
    ),
    "fail-prohibited-specification-present": (
        [ids.Entity("IFCSLAB")],
        [],
        {"minOccurs": 0, "maxOccurs": 0},
    ),
    # Attribute: exists (non-empty), value, case, pattern, enumeration, prohibited.
    "pass-attribute-exists": (by_name("W1"), [ids.Attribute("Description")], {}),
    "fail-attribute-null": (by_name("W2"), [ids.Attribute("Description")], {}),
    "pass-attribute-value": (by_name("W1"), [ids.Attribute("Description", "external")], {}),
    "fail-attribute-value-is-case-sensitive": (
        by_name("W1"),
        [ids.Attribute("Description", "External")],
        {},
    ),
    "pass-attribute-pattern": (
        by_name("W1"),
        [ids.Attribute("Name", R(options={"pattern": "W[0-9]"}))],
        {},
    ),
    "fail-attribute-enumeration": (
        by_name("W1"),
        [ids.Attribute("Description", R(options={"enumeration": ["internal", "party"]}))],
        {},
    ),
    "pass-attribute-prohibited-and-absent": (
        by_name("W2"),
        [ids.Attribute("Description", cardinality="prohibited")],
        {},
    ),
    "fail-attribute-prohibited-but-present": (
        by_name("W1"),
        [ids.Attribute("Description", cardinality="prohibited")],
        {},
    ),
    # Property: set and name, value, data type, booleans, number ranges, cardinality.
    "pass-property-exists": (by_name("W1"), [ids.Property("Pset_WallCommon", "FireRating")], {}),
    "fail-property-set-missing": (
        by_name("W2"),
        [ids.Property("Pset_WallCommon", "FireRating")],
        {},
    ),
    "pass-property-value": (
        by_name("W1"),
        [ids.Property("Pset_WallCommon", "FireRating", "REI60")],
        {},
    ),
    "fail-property-value": (
        by_name("W1"),
        [ids.Property("Pset_WallCommon", "FireRating", "REI90")],
        {},
    ),
    "pass-property-data-type": (
        by_name("W1"),
        [ids.Property("Pset_WallCommon", "FireRating", dataType="IFCLABEL")],
        {},
    ),
    "fail-property-data-type": (
        by_name("W1"),
        [ids.Property("Pset_WallCommon", "FireRating", dataType="IFCTEXT")],
        {},
    ),
    "pass-property-boolean-value": (
        by_name("W1"),
        [ids.Property("Pset_WallCommon", "IsExternal", "true", dataType="IFCBOOLEAN")],
        {},
    ),
    "fail-property-boolean-value": (
        by_name("W1"),
        [ids.Property("Pset_WallCommon", "IsExternal", "false", dataType="IFCBOOLEAN")],
        {},
    ),
    "pass-property-number-in-range": (
        by_name("W1"),
        [
            ids.Property(
                "Pset_WallCommon",
                "ThermalTransmittance",
                R(options={"minInclusive": 0.1, "maxInclusive": 0.3}, base="double"),
                dataType="IFCTHERMALTRANSMITTANCEMEASURE",
            )
        ],
        {},
    ),
    "fail-property-number-out-of-range": (
        by_name("W1"),
        [
            ids.Property(
                "Pset_WallCommon",
                "ThermalTransmittance",
                R(options={"minInclusive": 0.3, "maxInclusive": 0.5}, base="double"),
                dataType="IFCTHERMALTRANSMITTANCEMEASURE",
            )
        ],
        {},
    ),
    "pass-property-prohibited-and-absent": (
        by_name("W2"),
        [ids.Property("Pset_WallCommon", "FireRating", cardinality="prohibited")],
        {},
    ),
    "fail-property-optional-but-wrong-value": (
        by_name("W1"),
        [ids.Property("Pset_WallCommon", "FireRating", "REI90", cardinality="optional")],
        {},
    ),
    "pass-property-optional-and-absent": (
        by_name("W2"),
        [ids.Property("Pset_WallCommon", "FireRating", "REI90", cardinality="optional")],
        {},
    ),
    # Classification: any, system and value, pattern.
    "pass-classification-any": (by_name("W1"), [ids.Classification(system=ANY)], {}),
    "fail-classification-none": (by_name("W2"), [ids.Classification(system=ANY)], {}),
    "pass-classification-system-and-value": (
        by_name("W1"),
        [ids.Classification(value="21.12", system="NL-SfB")],
        {},
    ),
    "fail-classification-value": (
        by_name("W1"),
        [ids.Classification(value="22.11", system="NL-SfB")],
        {},
    ),
    "pass-classification-value-pattern": (
        by_name("W1"),
        [ids.Classification(value=R(options={"pattern": "21\\..*"}), system=ANY)],
        {},
    ),
    "fail-classification-system": (by_name("W1"), [ids.Classification(system="Uniclass")], {}),
    # Material: any, by name, by category.
    "pass-material-any": (by_name("W1"), [ids.Material()], {}),
    "fail-material-none": (by_name("W2"), [ids.Material()], {}),
    "pass-material-name": (by_name("W1"), [ids.Material("Concrete C30/37")], {}),
    "pass-material-category": (by_name("W1"), [ids.Material("concrete")], {}),
    "fail-material-name": (by_name("W1"), [ids.Material("Brick")], {}),
    # PartOf: aggregation and containment.
    "pass-partof-aggregate": (
        by_name("B1"),
        [ids.PartOf("IFCELEMENTASSEMBLY", relation="IFCRELAGGREGATES")],
        {},
    ),
    "fail-partof-aggregate": (
        by_name("B2"),
        [ids.PartOf("IFCELEMENTASSEMBLY", relation="IFCRELAGGREGATES")],
        {},
    ),
    "pass-partof-container": (
        by_name("W1"),
        [ids.PartOf("IFCBUILDINGSTOREY", relation="IFCRELCONTAINEDINSPATIALSTRUCTURE")],
        {},
    ),
    "fail-partof-container": (
        by_name("W1"),
        [ids.PartOf("IFCSPACE", relation="IFCRELCONTAINEDINSPATIALSTRUCTURE")],
        {},
    ),
}


def write_case(name: str, folder: Path) -> Path:
    applicability, requirements, options = CASES[name]
    spec_file = ids.Ids(title=name)
    spec = ids.Specification(name=name, ifcVersion=["IFC4"], **options)
    spec.applicability.extend(applicability)
    spec.requirements.extend(requirements)
    spec_file.specifications.append(spec)
    path = folder / f"{name}.ids"
    spec_file.to_xml(str(path))
    return path


NOTHING_APPLICABLE = {
    "pass-optional-specification-applies-to-nothing",
    "pass-prohibited-specification-absent",
}


def expected(name: str) -> str:
    """The standard's verdict, from the case's name; a passing specification that
    applies to nothing (and allows that) is reported as 'not applicable'."""
    if name in NOTHING_APPLICABLE:
        return "not applicable"
    return "pass" if name.startswith("pass-") else "fail"
