import type { Statistics, Version } from "@/api/types";

export function makeVersion(overrides: Partial<Version> = {}): Version {
  return {
    id: 11,
    model: 3,
    model_name: "AC20-FZK-Haus",
    project: 1,
    number: 1,
    status: "ready",
    progress: 100,
    error: "",
    file_name: "AC20-FZK-Haus.ifc",
    file_size: 2_482_286,
    sha256: "ab".repeat(32),
    schema: "IFC4",
    application: "ARCHICAD",
    created_at: "2025-01-10T10:00:00Z",
    uploaded_by: "coordinator",
    ready_at: "2025-01-10T10:00:05Z",
    element_count: 107,
    ...overrides,
  };
}

export function makeStatistics(overrides: Partial<Statistics> = {}): Statistics {
  return {
    totals: {
      elements: 107,
      classes: 3,
      storeys: 2,
      property_values: 900,
      materials: 2,
      systems: 0,
      with_geometry: 100,
    },
    by_class: [
      { ifc_class: "IfcWall", count: 40 },
      { ifc_class: "IfcDoor", count: 12 },
      { ifc_class: "IfcWindow", count: 55 },
    ],
    by_storey: [
      { storey: "Erdgeschoss", storey_guid: "2eyxpyOx95m90jmsXLOuR0", elevation: 0, count: 58 },
      { storey: "Dachgeschoss", storey_guid: "273g3wqLzDtfYIl7qqkgcO", elevation: 2.7, count: 42 },
      // The backend's shape for elements outside any storey (bimflow.ifc.stats.NO_STOREY).
      { storey: "(no storey)", storey_guid: null, elevation: null, count: 7 },
    ],
    property_coverage: [
      { ifc_class: "IfcWall", pset: "Pset_WallCommon", kind: "pset", count: 40, share: 1 },
      { ifc_class: "IfcDoor", pset: "Pset_DoorCommon", kind: "pset", count: 6, share: 0.5 },
    ],
    materials: [
      { name: "Concrete", count: 30 },
      { name: "Brick", count: 10 },
    ],
    systems: [],
    ...overrides,
  };
}
