// Hand-written API types matching the contract. When the backend publishes
// /api/schema/, `npm run gen:api` writes schema.d.ts and these become aliases.

export type Role = "viewer" | "coordinator" | "admin";
export type VersionStatus = "uploaded" | "processing" | "ready" | "failed";

export interface Paginated<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface User {
  id: number;
  username: string;
  email: string;
  is_superuser: boolean;
}

export interface Project {
  id: number;
  name: string;
  description: string;
  created_at: string;
  role: Role;
}

export interface Member {
  user: number;
  username: string;
  role: Role;
}

export interface Version {
  id: number;
  model: number;
  model_name: string;
  project: number;
  number: number;
  status: VersionStatus;
  progress: number;
  error: string | null;
  file_name: string;
  file_size: number;
  sha256: string;
  schema: string | null;
  application: string | null;
  created_at: string;
  uploaded_by: string | null;
  ready_at: string | null;
  element_count: number | null;
}

export interface Model {
  id: number;
  name: string;
  version_count: number;
  latest_version: Version | null;
  created_at: string;
}

export type PropertyValue = string | number | boolean | null;
export type Psets = Record<string, Record<string, PropertyValue>>;

export interface ElementRow {
  guid: string;
  ifc_class: string;
  name: string | null;
  description: string | null;
  object_type: string | null;
  predefined_type: string | null;
  type_name: string | null;
  type_class: string | null;
  storey: string | null;
  materials: string[];
  systems: string[];
  classifications: string[];
  has_geometry: boolean;
  psets?: Psets;
}

export interface ElementProperty {
  pset: string;
  name: string;
  value: PropertyValue;
  unit: string | null;
  value_type: string | null;
  source: "own" | "type";
  kind: "pset" | "qto";
}

export interface ElementDetail extends ElementRow {
  psets: Psets;
  properties: ElementProperty[];
}

export type ElementOrderingField = "guid" | "ifc_class" | "name" | "storey" | "type_name";
export type ElementOrdering = ElementOrderingField | `-${ElementOrderingField}`;

export interface Statistics {
  totals: {
    elements: number;
    classes: number;
    storeys: number;
    property_values: number;
    materials: number;
    systems: number;
    with_geometry: number;
  };
  by_class: { ifc_class: string; count: number }[];
  by_storey: { storey: string | null; count: number }[];
  property_coverage: { ifc_class: string; pset: string; count: number; share: number }[];
  materials: { name: string; count: number }[];
  systems: { name: string; ifc_class: string; count: number }[];
}

export interface Metadata {
  schema: string | null;
  header: Record<string, string | string[] | null>;
  application: string | null;
  project: { name: string | null; description: string | null } | null;
  site: {
    name: string | null;
    latitude: number | number[] | null;
    longitude: number | number[] | null;
    elevation: number | null;
  } | null;
  building: { name: string | null } | null;
  units: { type: string; name: string; symbol?: string | null }[];
  georeferencing: Record<string, unknown> | null;
  counts: Record<string, number>;
}

export interface DiffEntry {
  guid: string;
  ifc_class: string;
  name: string | null;
}

export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

export interface Diff {
  from: number;
  to: number;
  counts: { added: number; removed: number; changed: number; unchanged: number };
  added: DiffEntry[];
  removed: DiffEntry[];
  changed: (DiffEntry & { changes: FieldChange[] })[];
}

export interface Health {
  status: string;
  database: string;
  broker: string;
  workers: string | number;
  sandbox: string;
}
