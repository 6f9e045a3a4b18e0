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

// --- part 2: scripts, executions, validation, automation, notifications -------------
export type Script = Schemas["Script"];
export type ScriptCategory = Schemas["CategoryEnum"];
export type Revision = Schemas["Revision"];
export type Execution = Schemas["Execution"];
export type ExecutionSummary = Schemas["ExecutionList"];
export type ExecutionStatus = Schemas["ExecutionStatusEnum"];
export type ResultFile = Schemas["ResultFile"];
export type Finding = Schemas["Finding"];
export type LogLine = Schemas["LogLine"];
export type ProjectFile = Schemas["ProjectFile"];
export type Check = Schemas["Check"];
export type ChecksReport = Schemas["ChecksReport"];
export type FindingGroup = Schemas["FindingGroup"];
export type VersionFinding = Schemas["ModelFinding"];
export type RunChecksResult = Schemas["RunChecksResult"];
export type CronPreview = Schemas["CronPreview"];
export type BatchPreview = Schemas["BatchPreview"];
export type Workflow = Schemas["Workflow"];
export type WorkflowRun = Schemas["WorkflowRun"];
export type RunStep = Schemas["RunStep"];
export type Batch = Schemas["Batch"];
export type BatchDetail = Schemas["BatchDetail"];
export type MatrixRow = Schemas["MatrixRow"];
export type Notification = Schemas["Notification"];
export type Activity = Schemas["Activity"];

export const FINAL_EXECUTION_STATUSES: ExecutionStatus[] = [
  "succeeded",
  "failed",
  "timed_out",
  "cancelled",
];
export const isFinalStatus = (status: string | null | undefined) =>
  FINAL_EXECUTION_STATUSES.includes(status as ExecutionStatus);
