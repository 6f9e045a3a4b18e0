import { describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { mockFetch } from "@/testing/network";
import { renderWithApp } from "@/testing/render";
import { SchemaForm } from "./schema-form";
import { fieldsOf, initialValues, toParameters, validateValues } from "./schema";

const SCHEMA = {
  type: "object",
  required: ["name", "count", "ids_file"],
  properties: {
    name: { type: "string", description: "What to call it", minLength: 2, pattern: "^[A-Z]" },
    count: { type: "integer", minimum: 1, maximum: 10, default: 3 },
    ratio: { type: "number", exclusiveMaximum: 1 },
    strict: { type: "boolean", default: true },
    level: { enum: ["low", "high"], default: "low" },
    classes: { type: "array", items: { type: "string" }, default: ["IfcWall"] },
    severities: { type: "array", items: { enum: ["error", "warning", "info"] } },
    rules: { type: "array", items: { type: "object" } },
    ids_file: { type: "integer", format: "project-file", "x-kind": "ids" },
    compare_to: { type: "integer", format: "model-version", "x-default": "previous" },
    source: { type: "integer", format: "execution" },
  },
};

describe("fieldsOf", () => {
  it("maps each JSON Schema type to a control kind, with required marks and defaults", () => {
    const fields = fieldsOf(SCHEMA);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ["name", "string", true],
      ["count", "integer", true],
      ["ratio", "number", false],
      ["strict", "boolean", false],
      ["level", "enum", false],
      ["classes", "string-list", false],
      ["severities", "multi-enum", false],
      ["rules", "json", false],
      ["ids_file", "project-file", true],
      ["compare_to", "model-version", false],
      ["source", "execution", false],
    ]);
    expect(fields[0]).toMatchObject({ label: "Name", description: "What to call it" });
    expect(fields.find((f) => f.name === "ids_file")?.fileKind).toBe("ids");
    expect(fields.find((f) => f.name === "compare_to")?.defaultsToPrevious).toBe(true);
  });

  it("fills defaults and turns values back into parameters of the right types", () => {
    const fields = fieldsOf(SCHEMA);
    const values = initialValues(fields);
    expect(values).toMatchObject({
      name: "",
      count: 3,
      strict: true,
      level: '"low"',
      classes: ["IfcWall"],
    });
    const params = toParameters(fields, {
      ...values,
      name: "Abc",
      ratio: 0.5,
      severities: ['"error"'],
      rules: '[{"a": 1}]',
      ids_file: "7",
      compare_to: "",
    });
    expect(params).toEqual({
      name: "Abc",
      count: 3,
      ratio: 0.5,
      strict: true,
      level: "low",
      classes: ["IfcWall"],
      severities: ["error"],
      rules: [{ a: 1 }],
      ids_file: 7,
    });
  });

  it("says what is wrong with each field", () => {
    const fields = fieldsOf(SCHEMA);
    const errors = validateValues(fields, {
      ...initialValues(fields),
      name: "a",
      count: 2.5,
      ratio: 1,
      rules: "[oops",
    });
    expect(errors.name).toBe("Name must be at least 2 characters.");
    expect(errors.count).toBe("Count must be a whole number.");
    expect(errors.ratio).toBe("Ratio must be less than 1.");
    expect(errors.rules).toMatch(/^Rules is not valid JSON/);
    expect(errors.ids_file).toBe("Ids file is required.");
    // An optional model version that defaults to the previous one may stay empty.
    expect(errors.compare_to).toBeUndefined();
    expect(validateValues(fields, { ...initialValues(fields), name: "abc" }).name).toBe(
      "Name must match the pattern ^[A-Z].",
    );
    expect(validateValues(fields, { ...initialValues(fields), count: 11 }).count).toBe(
      "Count must be at most 10.",
    );
  });
});

describe("SchemaForm", () => {
  it("renders a control per type, shows required marks and messages, and submits typed parameters", async () => {
    const network = mockFetch();
    network.on("GET", "/api/projects/5/files/", {
      body: [
        { id: 7, name: "rules.ids", kind: "ids" },
        { id: 8, name: "issues.bcf", kind: "bcf" },
      ],
    });
    network.on("GET", "/api/projects/5/models/", { body: [] });
    network.on("GET", "/api/executions/", { body: { count: 0, results: [] } });
    const onSubmit = vi.fn();
    const user = userEvent.setup();
    renderWithApp(<SchemaForm schema={SCHEMA} projectId={5} onSubmit={onSubmit} />);

    const name = screen.getByTestId("param-name");
    expect(name).toBeRequired();
    expect(screen.getByText("What to call it")).toBeInTheDocument();
    expect(screen.getByTestId("param-count")).toHaveValue("3");
    expect(screen.getByTestId("param-strict")).toBeChecked();
    expect(screen.getByTestId("param-level")).toHaveValue("low");
    expect(screen.getByText("IfcWall")).toBeInTheDocument();

    await user.click(screen.getByTestId("run-script"));
    expect(onSubmit).not.toHaveBeenCalled();
    const form = screen.getByTestId("schema-form");
    expect(within(form).getByText("Name is required.")).toBeInTheDocument();
    expect(within(form).getByText("Ids file is required.")).toBeInTheDocument();

    await user.type(name, "A wall check");
    expect(within(form).queryByText("Name is required.")).not.toBeInTheDocument();
    await user.click(screen.getByTestId("param-ids_file"));
    // Only the IDS files are offered for an x-kind "ids" parameter.
    expect(await screen.findByRole("option", { name: "rules.ids (ids)" })).toBeInTheDocument();
    expect(screen.queryByRole("option", { name: "issues.bcf (bcf)" })).not.toBeInTheDocument();
    await user.click(screen.getByRole("option", { name: "rules.ids (ids)" }));
    await user.click(screen.getByTestId("param-strict"));
    await user.click(screen.getByTestId("run-script"));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit.mock.calls[0][0]).toEqual({
      name: "A wall check",
      count: 3,
      strict: false,
      level: "low",
      classes: ["IfcWall"],
      ids_file: 7,
    });
  });

  it("shows the server's refusal", () => {
    mockFetch();
    renderWithApp(
      <SchemaForm
        schema={{ type: "object", properties: {} }}
        onSubmit={() => undefined}
        serverError="version: not ready"
      />,
    );
    expect(screen.getByText("This script has no parameters.")).toBeInTheDocument();
    expect(screen.getByTestId("run-error")).toHaveTextContent("version: not ready");
  });
});
