import {
  JsonInput,
  MultiSelect,
  NumberInput,
  Select,
  Stack,
  Switch,
  TagsInput,
  Textarea,
  TextInput,
} from "@mantine/core";
import type { FieldSpec, FormValue, FormValues } from "./schema";
import { ExecutionPicker, ModelVersionPicker, ProjectFilePicker } from "./pickers";

export interface SchemaFieldsProps {
  fields: FieldSpec[];
  values: FormValues;
  errors: Record<string, string>;
  onChange: (name: string, value: FormValue) => void;
  projectId?: number;
  /** Prefix of each field's data-testid (param-<name>). */
  testIdPrefix?: string;
}

function FieldControl({
  field,
  value,
  error,
  onChange,
  projectId,
  testId,
}: {
  field: FieldSpec;
  value: FormValue;
  error?: string;
  onChange: (value: FormValue) => void;
  projectId?: number;
  testId: string;
}) {
  const common = {
    label: field.label,
    description: field.description,
    required: field.required,
    error,
    "data-testid": testId,
  };
  switch (field.kind) {
    case "boolean":
      return (
        <Switch
          label={field.label}
          description={field.description}
          checked={Boolean(value)}
          onChange={(e) => onChange(e.currentTarget.checked)}
          error={error}
          data-testid={testId}
        />
      );
    case "integer":
    case "number":
      return (
        <NumberInput
          {...common}
          value={value as number | string}
          onChange={(v) => onChange(v)}
          allowDecimal={field.kind === "number"}
          // Out-of-range values stay as typed, so the form can say what is allowed.
          clampBehavior="none"
          min={typeof field.schema.minimum === "number" ? field.schema.minimum : undefined}
          max={typeof field.schema.maximum === "number" ? field.schema.maximum : undefined}
        />
      );
    case "enum":
      return (
        <Select
          {...common}
          data={field.options ?? []}
          value={(value as string) || null}
          onChange={(v) => onChange(v ?? "")}
          clearable={!field.required}
          allowDeselect={!field.required}
        />
      );
    case "multi-enum":
      return (
        <MultiSelect
          {...common}
          data={field.options ?? []}
          value={(value as string[]) ?? []}
          onChange={(v) => onChange(v)}
        />
      );
    case "string-list":
    case "number-list":
      return (
        <TagsInput
          {...common}
          value={(value as string[]) ?? []}
          onChange={(v) => onChange(v)}
          placeholder="Type and press Enter"
          splitChars={[",", "Enter"]}
        />
      );
    case "text":
      return (
        <Textarea
          {...common}
          autosize
          minRows={2}
          value={(value as string) ?? ""}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case "json":
      return (
        <JsonInput
          {...common}
          description={`${field.description ? field.description + " " : ""}(JSON)`}
          autosize
          minRows={3}
          formatOnBlur
          value={(value as string) ?? ""}
          onChange={(v) => onChange(v)}
        />
      );
    case "project-file":
      return (
        <ProjectFilePicker
          {...common}
          testId={testId}
          required={field.required}
          projectId={projectId}
          fileKind={field.fileKind}
          value={(value as string) ?? ""}
          onChange={onChange}
        />
      );
    case "model-version":
      return (
        <ModelVersionPicker
          {...common}
          testId={testId}
          required={field.required}
          projectId={projectId}
          placeholder={field.defaultsToPrevious ? "The previous version (default)" : undefined}
          value={(value as string) ?? ""}
          onChange={onChange}
        />
      );
    case "execution":
      return (
        <ExecutionPicker
          {...common}
          testId={testId}
          required={field.required}
          projectId={projectId}
          value={(value as string) ?? ""}
          onChange={onChange}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          value={(value as string) ?? ""}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}

/** The controls for a parameters schema (controlled: values and errors come in). */
export function SchemaFields({
  fields,
  values,
  errors,
  onChange,
  projectId,
  testIdPrefix = "param",
}: SchemaFieldsProps) {
  return (
    <Stack gap="sm">
      {fields.map((field) => (
        <FieldControl
          key={field.name}
          field={field}
          value={values[field.name]}
          error={errors[field.name]}
          onChange={(value) => onChange(field.name, value)}
          projectId={projectId}
          testId={`${testIdPrefix}-${field.name}`}
        />
      ))}
    </Stack>
  );
}
