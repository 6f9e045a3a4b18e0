"""The content of the synthetic building written by :mod:`bimflow.ifc.generator`."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING, Any

import ifcopenshell
import ifcopenshell.api.context
import ifcopenshell.api.material
import ifcopenshell.api.unit

from bimflow.ifc._building_spec import (
    BAY,
    CLASSIFICATION,
    COMMENTS,
    CREATION_DATE,
    MODULE,
    OCCURRENCE,
    STATUS,
    STOREY_HEIGHT,
    SYSTEMS,
    TYPES,
    WORKSETS,
)

if TYPE_CHECKING:
    from bimflow.ifc.generator import _Writer

Entity = ifcopenshell.entity_instance


class Skeleton:
    """Project, units, spatial structure, materials, types, classification, systems."""

    def __init__(self, writer: _Writer, storeys: int, seed: int) -> None:
        self.w = w = writer
        f = w.file
        ifc2x3 = w.is_ifc2x3
        person = w.create(
            "IfcPerson", Identification="bimflow", FamilyName="Generator", Id="bimflow"
        )
        organization = w.create("IfcOrganization", Name="bimflow", Id="bimflow")
        application = w.create(
            "IfcApplication", ApplicationDeveloper=organization, Version="0.1",
            ApplicationFullName="bimflow generator", ApplicationIdentifier="bimflow",
        )  # fmt: skip
        user = w.create("IfcPersonAndOrganization", ThePerson=person, TheOrganization=organization)
        w.owner_history = w.create(
            "IfcOwnerHistory", OwningUser=user, OwningApplication=application,
            ChangeAction="ADDED", LastModifiedDate=CREATION_DATE, CreationDate=CREATION_DATE,
        )  # fmt: skip

        self.project = w.root("IfcProject", Name="Generated building", Phase="Design",
                              LongName=f"bimflow synthetic building (seed {seed})")  # fmt: skip
        self._units()
        model_context = ifcopenshell.api.context.add_context(f, context_type="Model")
        self.body = ifcopenshell.api.context.add_context(
            f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW",
            parent=model_context,
        )  # fmt: skip

        self.origin = w.create("IfcCartesianPoint", Coordinates=(0.0, 0.0, 0.0))
        self.z_axis = w.create("IfcDirection", DirectionRatios=(0.0, 0.0, 1.0))
        self.x_axis = w.create("IfcDirection", DirectionRatios=(1.0, 0.0, 0.0))
        self.origin_placement = w.create(
            "IfcAxis2Placement3D", Location=self.origin, Axis=self.z_axis, RefDirection=self.x_axis
        )
        site_placement = w.create("IfcLocalPlacement", RelativePlacement=self.origin_placement)
        self.site = w.root(
            "IfcSite", Name="Site", Description="Synthetic site", ObjectPlacement=site_placement,
            CompositionType="ELEMENT", RefLatitude=(51, 26, 54, 0), RefLongitude=(5, 28, 39, 0),
            RefElevation=17000.0, LandTitleNumber="EHV-0001",
        )  # fmt: skip
        building_placement = w.create(
            "IfcLocalPlacement",
            PlacementRelTo=site_placement,
            RelativePlacement=self.origin_placement,
        )
        self.building = w.root("IfcBuilding", Name="Building A", Description="Synthetic building",
                               ObjectPlacement=building_placement, CompositionType="ELEMENT")  # fmt: skip
        self.storeys: list[Entity] = []
        self.storey_placements: list[Entity] = []
        for level in range(storeys):
            point = w.create("IfcCartesianPoint", Coordinates=(0.0, 0.0, level * STOREY_HEIGHT))
            placement = w.create(
                "IfcLocalPlacement", PlacementRelTo=building_placement,
                RelativePlacement=w.create("IfcAxis2Placement3D", Location=point),
            )  # fmt: skip
            self.storey_placements.append(placement)
            self.storeys.append(
                w.root(
                    "IfcBuildingStorey",
                    Name=f"Level {level:02d}",
                    ObjectPlacement=placement,
                    CompositionType="ELEMENT",
                    Elevation=level * STOREY_HEIGHT,
                )  # fmt: skip
            )
        w.root("IfcRelAggregates", RelatingObject=self.project, RelatedObjects=[self.site])
        w.root("IfcRelAggregates", RelatingObject=self.site, RelatedObjects=[self.building])
        w.root("IfcRelAggregates", RelatingObject=self.building, RelatedObjects=self.storeys)
        if not ifc2x3:
            crs = w.create(
                "IfcProjectedCRS", Name="EPSG:28992", Description="Amersfoort / RD New",
                GeodeticDatum="EPSG:4289", VerticalDatum="NAP height",
                MapProjection="Oblique Stereographic", MapUnit=self.metre,
            )  # fmt: skip
            w.create(
                "IfcMapConversion", SourceCRS=model_context, TargetCRS=crs, Eastings=161000.0,
                Northings=383000.0, OrthogonalHeight=17.0, XAxisAbscissa=1.0, XAxisOrdinate=0.0,
                Scale=0.001,
            )  # fmt: skip
        self._materials()
        self._types()
        self._classification()
        self._systems()

    def _units(self) -> None:
        f = self.w.file
        add = ifcopenshell.api.unit.add_si_unit
        self.metre = add(f, unit_type="LENGTHUNIT")
        watt = add(f, unit_type="POWERUNIT")
        kelvin = add(f, unit_type="THERMODYNAMICTEMPERATUREUNIT")
        units = [
            add(f, unit_type="LENGTHUNIT", prefix="MILLI"),
            add(f, unit_type="AREAUNIT"),
            add(f, unit_type="VOLUMEUNIT"),
            add(f, unit_type="PLANEANGLEUNIT"),
            add(f, unit_type="MASSUNIT", prefix="KILO"),
            add(f, unit_type="TIMEUNIT"),
            self.w.create(
                "IfcSIUnit", UnitType="THERMODYNAMICTEMPERATUREUNIT", Name="DEGREE_CELSIUS"
            ),
            ifcopenshell.api.unit.add_derived_unit(
                f,
                unit_type="THERMALTRANSMITTANCEUNIT",
                userdefinedtype=None,  # type: ignore[arg-type]  # None: no user-defined type
                attributes={watt: 1, self.metre: -2, kelvin: -1},
            ),  # fmt: skip
            ifcopenshell.api.unit.add_monetary_unit(f, currency="EUR"),
        ]
        # Not ifcopenshell.api.unit.assign_unit: it passes the units through a Python
        # set, so their order (and the file's bytes) would change from run to run.
        self.project.UnitsInContext = self.w.create("IfcUnitAssignment", Units=units)

    def _materials(self) -> None:
        w = self.w
        f = w.file
        names = ["Brick", "Insulation", "Plaster", "Concrete C30/37", "Screed", "Steel S355",
                 "Wood", "Aluminium", "Glass", "Copper"]  # fmt: skip
        material = {n: ifcopenshell.api.material.add_material(f, name=n) for n in names}

        def layer_set(name: str, layers: list[tuple[str, float]]) -> Entity:
            layer_set = ifcopenshell.api.material.add_material_set(
                f, name=name, set_type="IfcMaterialLayerSet"
            )
            for material_name, thickness in layers:
                layer = ifcopenshell.api.material.add_layer(
                    f, layer_set=layer_set, material=material[material_name]
                )
                ifcopenshell.api.material.edit_layer(
                    f, layer=layer, attributes={"LayerThickness": thickness}
                )
            return layer_set

        self.type_materials: dict[str, Entity] = {
            "wall_ext": layer_set("Wall external 200", [("Brick", 100.0), ("Insulation", 85.0), ("Plaster", 15.0)]),
            "wall_int": layer_set("Wall internal 200", [("Plaster", 15.0), ("Brick", 170.0), ("Plaster", 15.0)]),
            "slab": layer_set("Floor 200", [("Concrete C30/37", 180.0), ("Screed", 20.0)]),
            "pipe": material["Copper"],
        }  # fmt: skip
        usage = {
            key: w.create(
                "IfcMaterialLayerSetUsage",
                ForLayerSet=self.type_materials[key],
                LayerSetDirection="AXIS2",
                DirectionSense="POSITIVE",
                OffsetFromReferenceLine=0.0,
            )  # fmt: skip
            for key in ("wall_ext", "wall_int")
        }
        if w.is_ifc2x3:
            glazing = w.create(
                "IfcMaterialList", Materials=[material["Aluminium"], material["Glass"]]
            )
        else:
            glazing = ifcopenshell.api.material.add_material_set(
                f, name="Window", set_type="IfcMaterialConstituentSet"
            )
            for part, material_name in (("Frame", "Aluminium"), ("Glazing", "Glass")):
                constituent = ifcopenshell.api.material.add_constituent(
                    f, constituent_set=glazing, material=material[material_name]
                )
                constituent.Name = part
        # Occurrence materials by (role, type key); slabs and pipes inherit their type's.
        self.occurrence_materials: dict[tuple[str, str], Entity] = {
            ("wall", "wall_ext"): usage["wall_ext"],
            ("wall", "wall_int"): usage["wall_int"],
            ("column", "column"): material["Concrete C30/37"],
            ("beam", "beam"): material["Steel S355"],
            ("beam", "beam_edge"): material["Steel S355"],
            ("door", "door"): material["Wood"],
            ("window", "window"): glazing,
        }

    def _types(self) -> None:
        w = self.w
        self.types: dict[str, Entity] = {}
        self.type_property_names: dict[str, set[str]] = {}
        for key, (cls4, cls2x3, name, attributes, pset, _code, _material) in TYPES.items():
            pset_name, props = pset
            properties = [single(w, *prop) for prop in props]
            type_pset = w.root("IfcPropertySet", Name=pset_name, HasProperties=properties)
            values = {attr: pair[1 if w.is_ifc2x3 else 0] for attr, pair in attributes.items()}
            self.types[key] = w.root(
                cls2x3 if w.is_ifc2x3 else cls4, Name=name, Tag=key, HasPropertySets=[type_pset],
                **values,
            )  # fmt: skip
            self.type_property_names[key] = {f"{pset_name}.{prop[0]}" for prop in props}
        for key, material in self.type_materials.items():
            w.root("IfcRelAssociatesMaterial", RelatedObjects=[self.types[key]],
                   RelatingMaterial=material)  # fmt: skip

    def _classification(self) -> None:
        w = self.w
        system = w.create(
            "IfcClassification", Source="https://www.bimloket.nl/nl-sfb", Edition="2005",
            Name="NL-SfB", Description="Dutch building element classification",
        )  # fmt: skip
        self.references: dict[str, Entity] = {}
        for code, name in CLASSIFICATION.items():
            self.references[code] = w.create(
                "IfcClassificationReference", Identification=code, ItemReference=code, Name=name,
                ReferencedSource=system, Location="https://www.bimloket.nl/nl-sfb",
            )  # fmt: skip
        by_code: dict[str, list[Entity]] = {}
        for key, spec in TYPES.items():
            if spec[5]:
                by_code.setdefault(spec[5], []).append(self.types[key])
        for code, types in by_code.items():
            w.root("IfcRelAssociatesClassification", RelatedObjects=types,
                   RelatingClassification=self.references[code])  # fmt: skip

    def _systems(self) -> None:
        w = self.w
        self.systems: list[Entity] = []
        for name, predefined, _colour in SYSTEMS:
            if w.is_ifc2x3:
                system = w.root("IfcSystem", Name=name, ObjectType=predefined)
            else:
                system = w.root("IfcDistributionSystem", Name=name, PredefinedType=predefined)
            self.systems.append(system)
            w.root(
                "IfcRelServicesBuildings", RelatingSystem=system, RelatedBuildings=[self.building]
            )


def single(w: _Writer, name: str, measure: str, value: Any) -> Entity:
    return w.create("IfcPropertySingleValue", Name=name, NominalValue=w.value(measure, value))


class Bays:
    """Creates the products of the bays one by one, then the grouped relationships."""

    def __init__(self, writer: _Writer, skeleton: Skeleton, rng: random.Random) -> None:
        self.w = writer
        self.s = skeleton
        self.rng = rng
        self.property_values = 0
        self.bay_count = 0
        self._shapes: dict[tuple[float, float, float], Any] = {}
        self._current: list[Entity | None] = []
        self.contained: list[list[Entity]] = [[] for _ in skeleton.storeys]
        self.spaces: list[list[Entity]] = [[] for _ in skeleton.storeys]
        self.typed: dict[str, list[Entity]] = {key: [] for key in TYPES}
        self.materials: dict[tuple[str, str], list[Entity]] = {
            k: [] for k in skeleton.occurrence_materials
        }
        self.system_members: list[list[Entity]] = [[] for _ in SYSTEMS]
        self.fire_exits: list[Entity] = []
        w = writer
        self.enumeration = w.create(
            "IfcPropertyEnumeration", Name="PEnum_ElementStatus",
            EnumerationValues=[w.value("IfcLabel", v) for v in STATUS],
        )  # fmt: skip

    def plan(self, budget: int) -> None:
        self.bay_count = math.ceil(budget / len(MODULE)) if budget > 0 else 0
        storeys = len(self.s.storeys)
        self.per_storey = max(1, math.ceil(self.bay_count / storeys))
        self.columns = max(1, math.ceil(math.sqrt(self.per_storey)))

    def add(self, index: int) -> None:
        w = self.w
        bay, slot = divmod(index, len(MODULE))
        if slot == 0:
            self._current = [None] * len(MODULE)
            self._level, cell = divmod(bay, self.per_storey)
            row, column = divmod(cell, self.columns)
            self._origin = (column * BAY, row * BAY)
            self._bay = bay
        role, type_key, box, link = MODULE[slot]
        x, y, z, dx, dy, dz = box
        level = self._level
        point = w.create(
            "IfcCartesianPoint", Coordinates=(self._origin[0] + x, self._origin[1] + y, z)
        )
        placement = w.create(
            "IfcLocalPlacement", PlacementRelTo=self.s.storey_placements[level],
            RelativePlacement=w.create("IfcAxis2Placement3D", Location=point),
        )  # fmt: skip
        cls4, cls2x3, attributes = OCCURRENCE[role]
        element_type = self.s.types[type_key] if type_key else None
        number = f"{level:02d}-{self._bay:05d}-{slot:02d}"
        names = {
            "Name": f"{TYPES[type_key][2]}:{number}" if type_key else f"Opening:{number}",
            "ObjectType": element_type.Name if element_type is not None else None,
            "Tag": number,
        }
        if type_key == "beam_edge":
            attributes = {**attributes, "PredefinedType": "USERDEFINED"}
            names["ObjectType"] = "Edge beam"
        if role == "space":
            names["LongName"] = f"Office {level}.{self._bay % self.per_storey:03d}"
        product = w.root(
            cls2x3 if w.is_ifc2x3 else cls4, ObjectPlacement=placement,
            Representation=self._shape(dx, dy, dz), **names, **attributes,
        )  # fmt: skip
        self._current[slot] = product

        if role == "space":
            self.spaces[level].append(product)
        elif role != "opening":
            self.contained[level].append(product)
        if type_key:
            self.typed[type_key].append(product)
            material_key = (role, type_key)
            if material_key in self.materials:
                self.materials[material_key].append(product)
        if role == "opening" and link is not None and self._current[link] is not None:
            w.root("IfcRelVoidsElement", RelatingBuildingElement=self._current[link],
                   RelatedOpeningElement=product)  # fmt: skip
        if role in ("door", "window") and link is not None and self._current[link] is not None:
            w.root("IfcRelFillsElement", RelatingOpeningElement=self._current[link],
                   RelatedBuildingElement=product)  # fmt: skip
        if role == "pipe":
            self.system_members[self._bay % len(SYSTEMS)].append(product)
        self._properties(product, role, type_key, box)

    def _shape(self, dx: float, dy: float, dz: float) -> Entity:
        w = self.w
        key = (dx, dy, dz)
        found = self._shapes.get(key)
        if found is None:
            profile = w.create(
                "IfcRectangleProfileDef", ProfileType="AREA",
                Position=w.create("IfcAxis2Placement2D",
                                  Location=w.create("IfcCartesianPoint", Coordinates=(dx / 2, dy / 2))),
                XDim=dx, YDim=dy,
            )  # fmt: skip
            found = w.create(
                "IfcExtrudedAreaSolid", SweptArea=profile, Position=self.s.origin_placement,
                ExtrudedDirection=self.s.z_axis, Depth=dz,
            )  # fmt: skip
            if not w.is_ifc2x3:
                # IFC4 lets products share one IfcProductDefinitionShape; IFC2X3 does not
                # (ShapeOfProduct is [1:1]), so there only the solid is shared.
                found = self._definition(found)
            self._shapes[key] = found
        return found if not w.is_ifc2x3 else self._definition(found)

    def _definition(self, solid: Entity) -> Entity:
        w = self.w
        representation = w.create(
            "IfcShapeRepresentation", ContextOfItems=self.s.body, RepresentationIdentifier="Body",
            RepresentationType="SweptSolid", Items=[solid],
        )  # fmt: skip
        return w.create("IfcProductDefinitionShape", Representations=[representation])

    def _properties(
        self, product: Entity, role: str, type_key: str | None, box: tuple[float, ...]
    ) -> None:
        w = self.w
        rng = self.rng
        _x, _y, _z, dx, dy, dz = box
        own: list[Entity] = []
        quantities: list[Entity] = []
        extra: list[tuple[str, list[Entity]]] = []
        pset = ""
        qto = ""
        length, width = max(dx, dy), min(dx, dy)
        if role == "wall":
            external = type_key == "wall_ext"
            pset, qto = "Pset_WallCommon", "Qto_WallBaseQuantities"
            own = [single(w, "IsExternal", "IfcBoolean", external),
                   single(w, "LoadBearing", "IfcBoolean", rng.random() < 0.3),
                   w.create("IfcPropertyEnumeratedValue", Name="Status",
                            EnumerationValues=[w.value("IfcLabel", "NEW" if rng.random() < 0.9 else "EXISTING")],
                            EnumerationReference=self.enumeration)]  # fmt: skip
            if external and rng.random() < 0.1:
                own.append(single(w, "FireRating", "IfcLabel", "REI 90"))
            quantities = [_q(w, "IfcQuantityLength", "Length", length),
                          _q(w, "IfcQuantityLength", "Height", dz),
                          _q(w, "IfcQuantityLength", "Width", width),
                          _q(w, "IfcQuantityArea", "NetSideArea", length * dz / 1e6),
                          _q(w, "IfcQuantityVolume", "NetVolume", length * width * dz / 1e9)]  # fmt: skip
        elif role == "slab":
            pset, qto = "Pset_SlabCommon", "Qto_SlabBaseQuantities"
            own = [
                single(w, "IsExternal", "IfcBoolean", False),
                single(w, "LoadBearing", "IfcBoolean", True),
            ]
            quantities = [_q(w, "IfcQuantityLength", "Width", dz),
                          _q(w, "IfcQuantityLength", "Perimeter", 2 * (dx + dy)),
                          _q(w, "IfcQuantityArea", "GrossArea", dx * dy / 1e6),
                          _q(w, "IfcQuantityVolume", "NetVolume", dx * dy * dz / 1e9)]  # fmt: skip
        elif role in ("column", "beam"):
            pset = "Pset_ColumnCommon" if role == "column" else "Pset_BeamCommon"
            qto = "Qto_ColumnBaseQuantities" if role == "column" else "Qto_BeamBaseQuantities"
            span = dz if role == "column" else length
            section = (dx * dy if role == "column" else width * dz) / 1e6
            own = [single(w, "LoadBearing", "IfcBoolean", True),
                   single(w, "IsExternal", "IfcBoolean", rng.random() < 0.25)]  # fmt: skip
            if role == "beam":
                own.append(single(w, "Span", "IfcPositiveLengthMeasure", span))
            quantities = [_q(w, "IfcQuantityLength", "Length", span),
                          _q(w, "IfcQuantityArea", "CrossSectionArea", section),
                          _q(w, "IfcQuantityVolume", "NetVolume", section * span / 1e3)]  # fmt: skip
        elif role == "space":
            pset, qto = "Pset_SpaceCommon", "Qto_SpaceBaseQuantities"
            own = [single(w, "Reference", "IfcIdentifier", f"R{self._level}.{self._bay % self.per_storey:03d}"),
                   single(w, "IsExternal", "IfcBoolean", False),
                   single(w, "PubliclyAccessible", "IfcBoolean", rng.random() < 0.5)]  # fmt: skip
            uses = ["Office", "Meeting"] if rng.random() < 0.3 else ["Office"]
            extra.append(("bimflow_Occupancy", [
                single(w, "Occupants", "IfcInteger", rng.randint(1, 8)),
                w.create("IfcPropertyListValue", Name="Uses", ListValues=[w.value("IfcLabel", u) for u in uses]),
                w.create("IfcPropertyBoundedValue", Name="DesignTemperature",
                         LowerBoundValue=w.value("IfcThermodynamicTemperatureMeasure", 20.0),
                         UpperBoundValue=w.value("IfcThermodynamicTemperatureMeasure", 24.0)),
            ]))  # fmt: skip
            quantities = [_q(w, "IfcQuantityLength", "Height", dz),
                          _q(w, "IfcQuantityLength", "GrossPerimeter", 2 * (dx + dy)),
                          _q(w, "IfcQuantityArea", "NetFloorArea", dx * dy / 1e6),
                          _q(w, "IfcQuantityVolume", "NetVolume", dx * dy * dz / 1e9)]  # fmt: skip
        elif role == "opening":
            qto = "Qto_OpeningElementBaseQuantities"
            quantities = [_q(w, "IfcQuantityLength", "Width", length),
                          _q(w, "IfcQuantityLength", "Height", dz),
                          _q(w, "IfcQuantityLength", "Depth", width)]  # fmt: skip
        elif role in ("door", "window"):
            door = role == "door"
            pset = "Pset_DoorCommon" if door else "Pset_WindowCommon"
            qto = "Qto_DoorBaseQuantities" if door else "Qto_WindowBaseQuantities"
            own = [single(w, "IsExternal", "IfcBoolean", True)]
            if door:
                fire_exit = self._bay % 3 == 0
                own += [single(w, "FireExit", "IfcBoolean", fire_exit),
                        single(w, "HandicapAccessible", "IfcBoolean", rng.random() < 0.5)]  # fmt: skip
                if fire_exit:
                    self.fire_exits.append(product)
            quantities = [_q(w, "IfcQuantityLength", "Width", length),
                          _q(w, "IfcQuantityLength", "Height", dz),
                          _q(w, "IfcQuantityArea", "Area", length * dz / 1e6)]  # fmt: skip
        elif role == "pipe":
            pset, qto = "Pset_PipeSegmentOccurrence", "Qto_PipeSegmentBaseQuantities"
            own = [single(w, "Color", "IfcLabel", SYSTEMS[self._bay % len(SYSTEMS)][2])]
            quantities = [_q(w, "IfcQuantityLength", "Length", dz)]

        if role != "opening":
            # What authoring tools add to every element (Revit's "Identity Data" and
            # friends): makes the property count per product realistic (about 12).
            identity = [single(w, "Mark", "IfcLabel", f"{role[0].upper()}-{self._bay:05d}-{box_id(box)}"),
                        single(w, "Phase", "IfcLabel", "New Construction"),
                        single(w, "Workset", "IfcLabel", WORKSETS[role]),
                        single(w, "Cost", "IfcMonetaryMeasure", round(rng.uniform(50, 5000), 2))]  # fmt: skip
            if rng.random() < 0.2:
                identity.append(single(w, "Comments", "IfcText", rng.choice(COMMENTS)))
            extra.append(("bimflow_Identity", identity))

        sets: list[Entity] = []
        if own:
            sets.append(w.root("IfcPropertySet", Name=pset, HasProperties=own))
        for name, props in extra:
            sets.append(w.root("IfcPropertySet", Name=name, HasProperties=props))
        if quantities:
            sets.append(w.root("IfcElementQuantity", Name=qto, MethodOfMeasurement="BaseQuantities",
                               Quantities=quantities))  # fmt: skip
        for definition in sets:
            w.root("IfcRelDefinesByProperties", RelatedObjects=[product],
                   RelatingPropertyDefinition=definition)  # fmt: skip
        inherited = self.s.type_property_names.get(type_key, set()) if type_key else set()
        own_names = {f"{pset}.{p.Name}" for p in own}
        self.property_values += (
            len(own_names | inherited) + len(quantities) + sum(len(p) for _n, p in extra)
        )

    def finish(self) -> None:
        """Grouped relationships: containment, spaces, types, materials, systems, codes."""
        w = self.w
        s = self.s
        for level, storey in enumerate(s.storeys):
            if self.contained[level]:
                w.root("IfcRelContainedInSpatialStructure", RelatingStructure=storey,
                       RelatedElements=self.contained[level])  # fmt: skip
            if self.spaces[level]:
                w.root("IfcRelAggregates", RelatingObject=storey, RelatedObjects=self.spaces[level])
        for key, objects in self.typed.items():
            if objects:
                w.root("IfcRelDefinesByType", RelatingType=s.types[key], RelatedObjects=objects)
        for material_key, objects in self.materials.items():
            if objects:
                w.root("IfcRelAssociatesMaterial", RelatedObjects=objects,
                       RelatingMaterial=s.occurrence_materials[material_key])  # fmt: skip
        for system, members in zip(s.systems, self.system_members, strict=True):
            if members:
                w.root("IfcRelAssignsToGroup", RelatingGroup=system, RelatedObjects=members)
        if self.fire_exits:
            w.root("IfcRelAssociatesClassification", RelatedObjects=self.fire_exits,
                   RelatingClassification=s.references["32.32"])  # fmt: skip


def box_id(box: tuple[float, ...]) -> str:
    return f"{int(box[0]) // 100:02d}{int(box[1]) // 100:02d}{int(box[2]) // 100:02d}"


def _q(w: _Writer, cls: str, name: str, value: float) -> Entity:
    attribute = {
        "IfcQuantityLength": "LengthValue",
        "IfcQuantityArea": "AreaValue",
        "IfcQuantityVolume": "VolumeValue",
    }[cls]
    return w.create(cls, Name=name, **{attribute: float(value)})
