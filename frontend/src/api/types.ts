// API types, generated from the backend's OpenAPI schema (drf-spectacular):
// `npm run gen:api` rewrites schema.d.ts; these are the names the app uses.
import type { components } from "./schema";

type Schemas = components["schemas"];

export type Role = Schemas["RoleEnum"];
export type VersionStatus = Schemas["VersionStatusEnum"];

export interface Paginated<T> {
  count: number;
  next?: string | null;
  previous?: string | null;
  results: T[];
}

export type User = Schemas["User"];
export type Project = Schemas["Project"];
/** A membership as the API returns it (user and username are always present in answers). */
export type Member = Required<Schemas["Membership"]>;
export type UserBrief = Schemas["UserBrief"];
export type Version = Schemas["Version"];
export type Model = Schemas["Model"];

/** What a property value can be (the schema says JSON; ingest stores scalars). */
export type PropertyValue = string | number | boolean | null;
export type Psets = Record<string, Record<string, unknown>>;

export type ElementRow = Schemas["Element"] & { psets?: Psets };
export type ElementProperty = Schemas["PropertyRow"];
export type ElementDetail = Schemas["ElementDetail"];

export type ElementOrderingField = "guid" | "ifc_class" | "name" | "storey" | "type_name";
export type ElementOrdering = ElementOrderingField | `-${ElementOrderingField}`;

export type Statistics = Schemas["Statistics"];
export type StoreyCount = Schemas["StoreyCount"];
export type Metadata = Schemas["Metadata"];
export type Diff = Schemas["Diff"];
export type DiffEntry = Schemas["DiffEntry"];
export type FieldChange = Schemas["FieldChange"];

/** The element filter value for "outside any storey" (`storey_guid=none`). */
export const NO_STOREY_GUID = "none";
