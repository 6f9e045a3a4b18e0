import type { Completion, CompletionContext, CompletionResult } from "@codemirror/autocomplete";

/** The names a script finds as globals (docs/scripting.md), with what each is. */
export const CONTEXT_NAMES: Completion[] = [
  {
    label: "model",
    type: "variable",
    detail: "ifcopenshell.file",
    info: "The version's IFC file, opened on first use: model.by_type('IfcWall').",
  },
  {
    label: "elements",
    type: "variable",
    detail: "DataFrame",
    info: "One row per IfcProduct: guid, ifc_class, name, storey, type_name, materials…",
  },
  {
    label: "properties",
    type: "variable",
    detail: "DataFrame",
    info: "One row per property or quantity value: guid, pset, name, value.",
  },
  {
    label: "entities",
    type: "variable",
    detail: "DataFrame",
    info: "One row per IfcRoot entity: guid, ifc_class, step_id.",
  },
  {
    label: "params",
    type: "variable",
    detail: "dict",
    info: "The run's parameters, validated against the schema, defaults filled in.",
  },
  {
    label: "report",
    type: "variable",
    detail: "findings",
    info: "report.error(message, guid=None, rule=None, **details); also .warning and .info.",
  },
  {
    label: "report.error",
    type: "method",
    detail: "(message, guid=None, rule=None, **details)",
    info: "An error finding tied to an element.",
  },
  {
    label: "report.warning",
    type: "method",
    detail: "(message, guid=None, rule=None, **details)",
    info: "A warning finding.",
  },
  {
    label: "report.info",
    type: "method",
    detail: "(message, guid=None, rule=None, **details)",
    info: "An informational finding.",
  },
  {
    label: "save_output",
    type: "function",
    detail: "(name, data) -> Path",
    info: "Saves a file for the user (text, bytes, a DataFrame as CSV/XLSX, JSON-able data).",
  },
  {
    label: "output_dir",
    type: "variable",
    detail: "Path",
    info: "The writable output folder (also the working directory).",
  },
  {
    label: "model_path",
    type: "variable",
    detail: "Path",
    info: "The model file, read-only, for libraries that open files themselves.",
  },
  {
    label: "result",
    type: "variable",
    detail: "dict",
    info: "Fill it with a JSON-serialisable result (shown when the run ends).",
  },
  {
    label: "open_version",
    type: "function",
    detail: "(version_id) -> file",
    info: "Opens another version of the project given as a model-version parameter.",
  },
];

export function contextCompletions(context: CompletionContext): CompletionResult | null {
  const word = context.matchBefore(/[A-Za-z_][\w.]*/);
  if (!word || (word.from === word.to && !context.explicit)) return null;
  return { from: word.from, options: CONTEXT_NAMES, validFor: /^[\w.]*$/ };
}
