"""What the synthetic building is made of: the bay layout, types, property values,
classification codes and systems (data only; :mod:`bimflow.ifc._building` builds it)."""

from __future__ import annotations

from typing import Any

TIME_STAMP = "2026-01-01T00:00:00"
CREATION_DATE = 1767225600  # 2026-01-01 00:00:00 UTC, so that two runs write the same bytes
BAY = 6000.0  # mm
STOREY_HEIGHT = 3000.0

# One bay: (role, type key, (x, y, z, dx, dy, dz) in mm from the bay corner at
# storey level, index of the host wall (openings) or of the opening (doors, windows)).
MODULE: list[tuple[str, str | None, tuple[float, ...], int | None]] = [
    ("slab", "slab", (0, 0, 0, 6000, 6000, 200), None),
    ("column", "column", (0, 0, 200, 300, 300, 2800), None),
    ("column", "column", (0, 5700, 200, 300, 300, 2800), None),
    ("beam", "beam", (300, 0, 2600, 5400, 300, 400), None),
    ("beam", "beam", (300, 5700, 2600, 5400, 300, 400), None),
    ("beam", "beam_edge", (0, 300, 2600, 300, 5400, 400), None),
    ("wall", "wall_ext", (300, 0, 200, 5400, 200, 2400), None),
    ("wall", "wall_ext", (300, 5800, 200, 5400, 200, 2400), None),
    ("wall", "wall_ext", (0, 300, 200, 200, 5400, 2400), None),
    ("wall", "wall_int", (5800, 300, 200, 200, 5400, 2400), None),
    ("space", "space", (300, 300, 200, 5400, 5400, 2400), None),
    ("opening", None, (1000, 0, 200, 1000, 200, 2100), 6),
    ("door", "door", (1000, 50, 200, 1000, 100, 2100), 11),
    ("opening", None, (0, 1500, 1100, 200, 1200, 1200), 8),
    ("window", "window", (50, 1500, 1100, 100, 1200, 1200), 13),
    ("opening", None, (0, 3500, 1100, 200, 1200, 1200), 8),
    ("window", "window", (50, 3500, 1100, 100, 1200, 1200), 15),
    ("pipe", "pipe", (5710, 1000, 200, 80, 80, 2400), None),
]

# key: (IFC4 class, IFC2X3 class, name, {attribute: (IFC4 value, IFC2X3 value)},
#       type property set, NL-SfB code or None, material key or None)
TYPES: dict[str, tuple[str, str, str, dict[str, tuple[Any, Any]], tuple[Any, ...], str | None, str | None]] = {
    "wall_ext": ("IfcWallType", "IfcWallType", "WT-EXT 200 Brick cavity",
                 {"PredefinedType": ("SOLIDWALL", "STANDARD")},
                 ("Pset_WallCommon", [("Reference", "IfcIdentifier", "WT-EXT"),
                                      ("FireRating", "IfcLabel", "REI 60"),
                                      ("ThermalTransmittance", "IfcThermalTransmittanceMeasure", 0.21),
                                      ("AcousticRating", "IfcLabel", "Rw 52 dB")]),
                 "21.12", "wall_ext"),
    "wall_int": ("IfcWallType", "IfcWallType", "WT-INT 200 Brick",
                 {"PredefinedType": ("PARTITIONING", "STANDARD")},
                 ("Pset_WallCommon", [("Reference", "IfcIdentifier", "WT-INT"),
                                      ("FireRating", "IfcLabel", "EI 30"),
                                      ("AcousticRating", "IfcLabel", "Rw 45 dB")]),
                 "22.11", "wall_int"),
    "slab": ("IfcSlabType", "IfcSlabType", "SL-200 Concrete floor",
             {"PredefinedType": ("FLOOR", "FLOOR")},
             ("Pset_SlabCommon", [("Reference", "IfcIdentifier", "SL-200"),
                                  ("FireRating", "IfcLabel", "REI 90")]),
             "23.11", "slab"),
    "column": ("IfcColumnType", "IfcColumnType", "C-300x300 Concrete",
               {"PredefinedType": ("COLUMN", "COLUMN")},
               ("Pset_ColumnCommon", [("Reference", "IfcIdentifier", "C-300")]),
               "28.11", None),
    "beam": ("IfcBeamType", "IfcBeamType", "B-300x400 Steel",
             {"PredefinedType": ("BEAM", "BEAM")},
             ("Pset_BeamCommon", [("Reference", "IfcIdentifier", "B-300")]),
             "28.21", None),
    "beam_edge": ("IfcBeamType", "IfcBeamType", "BE-300x400 Edge beam",
                  {"PredefinedType": ("USERDEFINED", "USERDEFINED"),
                   "ElementType": ("Edge beam", "Edge beam")},
                  ("Pset_BeamCommon", [("Reference", "IfcIdentifier", "B-EDGE")]),
                  "28.21", None),
    "door": ("IfcDoorType", "IfcDoorStyle", "D-1000x2100 Wood",
             {"PredefinedType": ("DOOR", None), "OperationType": ("SINGLE_SWING_LEFT", "SINGLE_SWING_LEFT"),
              "ConstructionType": (None, "WOOD"), "ParameterTakesPrecedence": (False, False),
              "Sizeable": (None, False)},
             ("Pset_DoorCommon", [("Reference", "IfcIdentifier", "D-01"),
                                  ("FireRating", "IfcLabel", "EI 30")]),
             "32.31", None),
    "window": ("IfcWindowType", "IfcWindowStyle", "W-1200x1200 Aluminium",
               {"PredefinedType": ("WINDOW", None), "PartitioningType": ("SINGLE_PANEL", None),
                "ConstructionType": (None, "ALUMINIUM"), "OperationType": (None, "SINGLE_PANEL"),
                "ParameterTakesPrecedence": (False, False), "Sizeable": (None, False)},
               ("Pset_WindowCommon", [("Reference", "IfcIdentifier", "W-01"),
                                      ("ThermalTransmittance", "IfcThermalTransmittanceMeasure", 1.1)]),
               "31.21", None),
    "space": ("IfcSpaceType", "IfcSpaceType", "Office",
              {"PredefinedType": ("SPACE", "USERDEFINED"), "ElementType": (None, "Office")},
              ("Pset_SpaceCommon", [("Reference", "IfcIdentifier", "SP-OFFICE"),
                                    ("GrossPlannedArea", "IfcAreaMeasure", 36.0)]),
              None, None),
    "pipe": ("IfcPipeSegmentType", "IfcPipeSegmentType", "Copper pipe 22 mm",
             {"PredefinedType": ("RIGIDSEGMENT", "RIGIDSEGMENT")},
             ("Pset_PipeSegmentTypeCommon", [("Reference", "IfcIdentifier", "P-22"),
                                             ("NominalDiameter", "IfcPositiveLengthMeasure", 22.0)]),
             "56.11", "pipe"),
}  # fmt: skip

OCCURRENCE: dict[str, tuple[str, str, dict[str, Any]]] = {
    "slab": ("IfcSlab", "IfcSlab", {"PredefinedType": "FLOOR"}),
    "column": ("IfcColumn", "IfcColumn", {"PredefinedType": "COLUMN"}),
    "beam": ("IfcBeam", "IfcBeam", {"PredefinedType": "BEAM"}),
    "wall": ("IfcWall", "IfcWall", {}),
    "space": ("IfcSpace", "IfcSpace", {"PredefinedType": "SPACE", "CompositionType": "ELEMENT",
                                       "InteriorOrExteriorSpace": "INTERNAL"}),
    "opening": ("IfcOpeningElement", "IfcOpeningElement", {"PredefinedType": "OPENING"}),
    "door": ("IfcDoor", "IfcDoor", {"PredefinedType": "DOOR", "OperationType": "SINGLE_SWING_LEFT",
                                    "OverallHeight": 2100.0, "OverallWidth": 1000.0}),
    "window": ("IfcWindow", "IfcWindow", {"PredefinedType": "WINDOW", "PartitioningType": "SINGLE_PANEL",
                                          "OverallHeight": 1200.0, "OverallWidth": 1200.0}),
    "pipe": ("IfcPipeSegment", "IfcFlowSegment", {"PredefinedType": "RIGIDSEGMENT"}),
}  # fmt: skip

CLASSIFICATION = {
    "21.12": "Buitenwanden; niet constructief",
    "22.11": "Binnenwanden; constructief",
    "23.11": "Vloeren; massief",
    "28.11": "Hoofddraagconstructies; kolommen",
    "28.21": "Hoofddraagconstructies; balken",
    "31.21": "Buitenwandopeningen; gevuld met ramen",
    "32.31": "Binnenwandopeningen; gevuld met deuren",
    "32.32": "Binnenwandopeningen; gevuld met nooddeuren",
    "56.11": "Verwarming; leidingen",
}
WORKSETS = {
    "slab": "Structure",
    "column": "Structure",
    "beam": "Structure",
    "wall": "Shell",
    "space": "Rooms",
    "door": "Interior",
    "window": "Shell",
    "pipe": "MEP",
}
COMMENTS = [
    "Check with structural engineer",
    "Revised in issue B",
    "Fire stopping required",
    "Verify on site",
    "As per detail 12",
]
SYSTEMS = [
    ("Heating supply", "HEATING", "red"),
    ("Domestic cold water", "DOMESTICCOLDWATER", "blue"),
]
STATUS = ["NEW", "EXISTING", "DEMOLISH", "TEMPORARY", "OTHER", "NOTKNOWN", "UNSET"]
