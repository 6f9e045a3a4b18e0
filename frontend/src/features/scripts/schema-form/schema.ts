// Reading a script's parameters JSON Schema into form fields, and form values back into
// parameters, with the messages a person sees for each field.

export type JsonSchema = Record<string, unknown>;

export type FieldKind =
  | "string"
  | "text"
  | "number"
  | "integer"
  | "boolean"
  | "enum"
  | "multi-enum"
  | "string-list"
  | "number-list"
  | "project-file"
  | "model-version"
  | "execution"
  | "json";

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  default?: unknown;
  options?: { value: string; label: string }[];
  /** For project-file pickers: the kind of file (e.g. "ids"). */
  fileKind?: string;
  /** A model-version parameter that defaults to the previous version when left empty. */
  defaultsToPrevious?: boolean;
  schema: JsonSchema;
}

/** What a form holds for a field: text for inputs, numbers, booleans, lists. */
export type FormValue = string | number | boolean | string[] | null | undefined;
export type FormValues = Record<string, FormValue>;

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export function humanise(name: string): string {
  const words = name.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function enumOf(schema: JsonSchema): unknown[] | null {
  if (Array.isArray(schema.enum)) return schema.enum;
  if (Array.isArray(schema.oneOf) && schema.oneOf.every((s) => isObject(s) && "const" in s))
    return schema.oneOf.map((s) => (s as JsonSchema).const);
  return null;
}

function typeOf(schema: JsonSchema): string | undefined {
  const t = schema.type;
  if (Array.isArray(t)) return t.find((x) => x !== "null") as string | undefined;
  return t as string | undefined;
}

function kindOf(schema: JsonSchema): FieldKind {
  const format = schema.format;
  if (format === "project-file") return "project-file";
  if (format === "model-version") return "model-version";
  if (format === "execution") return "execution";
  if (enumOf(schema)) return "enum";
  const type = typeOf(schema);
  if (type === "boolean") return "boolean";
  if (type === "integer") return "integer";
  if (type === "number") return "number";
  if (type === "string") return schema["x-multiline"] ? "text" : "string";
  if (type === "array" && isObject(schema.items)) {
    const items = schema.items;
    if (enumOf(items)) return "multi-enum";
    const itemType = typeOf(items);
    if (itemType === "string" && !items.format) return "string-list";
    if (itemType === "number" || itemType === "integer") return "number-list";
  }
  return "json";
}

/** The fields of an object schema, in the order of its properties. */
export function fieldsOf(schema: unknown): FieldSpec[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  return Object.entries(schema.properties).map(([name, raw]) => {
    const sub = isObject(raw) ? raw : {};
    const kind = kindOf(sub);
    const values = kind === "multi-enum" ? enumOf(sub.items as JsonSchema) : enumOf(sub);
    return {
      name,
      label: typeof sub.title === "string" ? sub.title : humanise(name),
      kind,
      required: required.has(name),
      description: typeof sub.description === "string" ? sub.description : undefined,
      default: sub.default,
      options: values?.map((v) => ({ value: JSON.stringify(v), label: String(v) })),
      fileKind: typeof sub["x-kind"] === "string" ? sub["x-kind"] : undefined,
      defaultsToPrevious: sub["x-default"] === "previous",
      schema: sub,
    };
  });
}

/** A parameter value as the form shows it. */
export function toFormValue(field: FieldSpec, value: unknown): FormValue {
  if (value === undefined || value === null) {
    if (field.kind === "boolean") return false;
    if (field.kind === "multi-enum" || field.kind === "string-list" || field.kind === "number-list")
      return [];
    return "";
  }
  switch (field.kind) {
    case "boolean":
      return Boolean(value);
    case "number":
    case "integer":
      return typeof value === "number" ? value : "";
    case "enum":
      return JSON.stringify(value);
    case "multi-enum":
      return Array.isArray(value) ? value.map((v) => JSON.stringify(v)) : [];
    case "string-list":
    case "number-list":
      return Array.isArray(value) ? value.map(String) : [];
    case "project-file":
    case "model-version":
    case "execution":
      return String(value);
    case "json":
      return JSON.stringify(value, null, 2);
    default:
      return String(value);
  }
}

/** Form values for a schema: the given parameters, else each field's default. */
export function initialValues(
  fields: FieldSpec[],
  parameters: Record<string, unknown> = {},
): FormValues {
  const out: FormValues = {};
  for (const field of fields) {
    const value = field.name in parameters ? parameters[field.name] : field.default;
    out[field.name] = toFormValue(field, value);
  }
  return out;
}

const isEmpty = (value: FormValue) =>
  value === undefined ||
  value === null ||
  value === "" ||
  (Array.isArray(value) && value.length === 0);

/** The message for a field's value, or null when it is fine. */
export function validateField(field: FieldSpec, value: FormValue): string | null {
  const s = field.schema;
  if (isEmpty(value)) {
    if (
      field.required &&
      field.kind !== "boolean" &&
      !(field.kind === "model-version" && field.defaultsToPrevious)
    )
      return `${field.label} is required.`;
    return null;
  }
  if (field.kind === "number" || field.kind === "integer") {
    const n = typeof value === "number" ? value : Number(value);
    if (!Number.isFinite(n)) return `${field.label} must be a number.`;
    if (field.kind === "integer" && !Number.isInteger(n))
      return `${field.label} must be a whole number.`;
    if (typeof s.minimum === "number" && n < s.minimum)
      return `${field.label} must be at least ${s.minimum}.`;
    if (typeof s.maximum === "number" && n > s.maximum)
      return `${field.label} must be at most ${s.maximum}.`;
    if (typeof s.exclusiveMinimum === "number" && n <= s.exclusiveMinimum)
      return `${field.label} must be more than ${s.exclusiveMinimum}.`;
    if (typeof s.exclusiveMaximum === "number" && n >= s.exclusiveMaximum)
      return `${field.label} must be less than ${s.exclusiveMaximum}.`;
  }
  if ((field.kind === "string" || field.kind === "text") && typeof value === "string") {
    if (typeof s.minLength === "number" && value.length < s.minLength)
      return `${field.label} must be at least ${s.minLength} characters.`;
    if (typeof s.maxLength === "number" && value.length > s.maxLength)
      return `${field.label} must be at most ${s.maxLength} characters.`;
    if (typeof s.pattern === "string") {
      try {
        if (!new RegExp(s.pattern, "u").test(value))
          return `${field.label} must match the pattern ${s.pattern}.`;
      } catch {
        // A pattern JavaScript cannot read is left to the server's check.
      }
    }
  }
  if (
    field.kind === "number-list" &&
    Array.isArray(value) &&
    value.some((v) => !Number.isFinite(Number(v)))
  )
    return `${field.label}: every entry must be a number.`;
  if (Array.isArray(value)) {
    if (typeof s.minItems === "number" && value.length < s.minItems)
      return `${field.label} needs at least ${s.minItems} entries.`;
    if (typeof s.maxItems === "number" && value.length > s.maxItems)
      return `${field.label} takes at most ${s.maxItems} entries.`;
  }
  if (field.kind === "json" && typeof value === "string") {
    try {
      JSON.parse(value);
    } catch (error) {
      return `${field.label} is not valid JSON (${(error as Error).message}).`;
    }
  }
  return null;
}

export function validateValues(fields: FieldSpec[], values: FormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const message = validateField(field, values[field.name]);
    if (message) errors[field.name] = message;
  }
  return errors;
}

/** The parameters for the API (empty optional fields left out). Call after validating. */
export function toParameters(fields: FieldSpec[], values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.kind === "boolean") {
      out[field.name] = Boolean(value);
      continue;
    }
    if (isEmpty(value)) continue;
    switch (field.kind) {
      case "number":
      case "integer":
        out[field.name] = Number(value);
        break;
      case "enum":
        out[field.name] = JSON.parse(String(value));
        break;
      case "multi-enum":
        out[field.name] = (value as string[]).map((v) => JSON.parse(v));
        break;
      case "number-list":
        out[field.name] = (value as string[]).map(Number);
        break;
      case "project-file":
      case "model-version":
      case "execution":
        out[field.name] = Number(value);
        break;
      case "json":
        out[field.name] = JSON.parse(String(value));
        break;
      default:
        out[field.name] = value;
    }
  }
  return out;
}
