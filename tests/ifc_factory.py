"""Small IFC models built in tests with ifcopenshell.api (independent of bimflow)."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import ifcopenshell.api


def small_building(
    path: Path, *, walls: int = 3, schema: str = "IFC4", wall_names: list[str] | None = None
) -> dict:
    """A project, one storey, `walls` walls of one type with a property set; returns guids."""
    f = ifcopenshell.api.run("project.create_file", version=schema)
    project = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcProject", name="P")
    ifcopenshell.api.run("unit.assign_unit", f)
    site = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcSite", name="Site")
    building = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcBuilding", name="B")
    storey = ifcopenshell.api.run(
        "root.create_entity", f, ifc_class="IfcBuildingStorey", name="Level 0"
    )
    ifcopenshell.api.run("aggregate.assign_object", f, products=[site], relating_object=project)
    ifcopenshell.api.run("aggregate.assign_object", f, products=[building], relating_object=site)
    ifcopenshell.api.run("aggregate.assign_object", f, products=[storey], relating_object=building)
    wall_type = ifcopenshell.api.run(
        "root.create_entity", f, ifc_class="IfcWallType", name="WT-200"
    )
    pset = ifcopenshell.api.run("pset.add_pset", f, product=wall_type, name="Pset_WallCommon")
    ifcopenshell.api.run("pset.edit_pset", f, pset=pset, properties={"IsExternal": True})
    guids = []
    for i in range(walls):
        name = wall_names[i] if wall_names else f"Wall {i + 1}"
        wall = ifcopenshell.api.run("root.create_entity", f, ifc_class="IfcWall", name=name)
        ifcopenshell.api.run(
            "spatial.assign_container", f, products=[wall], relating_structure=storey
        )
        ifcopenshell.api.run("type.assign_type", f, related_objects=[wall], relating_type=wall_type)
        own = ifcopenshell.api.run("pset.add_pset", f, product=wall, name="Pset_WallCommon")
        ifcopenshell.api.run(
            "pset.edit_pset", f, pset=own, properties={"FireRating": f"REI{60 + i}"}
        )
        guids.append(wall.GlobalId)
    f.write(str(path))
    return {"walls": guids, "storey": storey.GlobalId, "type": wall_type.GlobalId}
