// Checks a parameters schema as typed in the editor, before the server's full check.
import { fieldsOf } from "../schema-form/schema";

const TYPES = new Set(["string", "number", "integer", "boolean", "array", "object", "null"]);

export function schemaProblems(text: string): { schema: unknown; problems: string[] } {
  if (!text.trim()) return { schema: { type: "object", properties: {} }, problems: [] };
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    return { schema: null, problems: [`Not valid JSON: ${(error as Error).message}`] };
  }
  const problems: string[] = [];
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    return { schema: null, problems: ["The schema must be a JSON object."] };
  const s = schema as Record<string, unknown>;
  if (s.type !== undefined && s.type !== "object")
    problems.push('The schema must describe an object ("type": "object").');
  if (
    s.properties !== undefined &&
    (typeof s.properties !== "object" || Array.isArray(s.properties))
  )
    problems.push('"properties" must be an object of parameter schemas.');
  const props = (s.properties ?? {}) as Record<string, unknown>;
  for (const [name, sub] of Object.entries(props)) {
    if (typeof sub !== "object" || sub === null || Array.isArray(sub)) {
      problems.push(`Parameter "${name}" must be described by an object.`);
      continue;
    }
    const t = (sub as Record<string, unknown>).type;
    const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
    for (const x of types)
      if (!TYPES.has(String(x)))
        problems.push(`Parameter "${name}" has an unknown type "${String(x)}".`);
  }
  if (s.required !== undefined) {
    if (!Array.isArray(s.required)) problems.push('"required" must be a list of parameter names.');
    else
      for (const r of s.required)
        if (!(String(r) in props))
          problems.push(`"${String(r)}" is required but not among the properties.`);
  }
  if (problems.length === 0) fieldsOf(schema);
  return { schema, problems };
}
