import { useMemo, useState, type ReactNode } from "react";
import { Alert, Button, Group, Stack, Text } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";
import { SchemaFields } from "./schema-fields";
import {
  fieldsOf,
  initialValues,
  toParameters,
  validateField,
  validateValues,
  type FormValue,
  type FormValues,
} from "./schema";

export interface SchemaFormProps {
  schema: unknown;
  projectId?: number;
  /** Parameters to start from (e.g. a re-run); defaults otherwise. */
  initial?: Record<string, unknown>;
  onSubmit: (parameters: Record<string, unknown>) => void;
  submitLabel?: string;
  busy?: boolean;
  /** The server's refusal, shown under the fields. */
  serverError?: string | null;
  extra?: ReactNode;
}

/** A form generated from a parameters JSON Schema, checked before it is sent. */
export function SchemaForm({
  schema,
  projectId,
  initial,
  onSubmit,
  submitLabel = "Run",
  busy,
  serverError,
  extra,
}: SchemaFormProps) {
  const fields = useMemo(() => fieldsOf(schema), [schema]);
  const [values, setValues] = useState<FormValues>(() => initialValues(fields, initial));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState(false);

  const change = (name: string, value: FormValue) => {
    setValues((current) => ({ ...current, [name]: value }));
    if (touched) {
      const field = fields.find((f) => f.name === name)!;
      const message = validateField(field, value);
      setErrors((current) => {
        const next = { ...current };
        if (message) next[name] = message;
        else delete next[name];
        return next;
      });
    }
  };

  return (
    <form
      noValidate
      data-testid="schema-form"
      onSubmit={(event) => {
        event.preventDefault();
        setTouched(true);
        const found = validateValues(fields, values);
        setErrors(found);
        if (Object.keys(found).length === 0) onSubmit(toParameters(fields, values));
      }}
    >
      <Stack gap="sm">
        {fields.length === 0 && (
          <Text size="sm" c="dimmed">
            This script has no parameters.
          </Text>
        )}
        <SchemaFields
          fields={fields}
          values={values}
          errors={errors}
          onChange={change}
          projectId={projectId}
        />
        {serverError && (
          <Alert color="red" variant="light" data-testid="run-error" role="alert">
            {serverError}
          </Alert>
        )}
        <Group gap="sm">
          <Button
            type="submit"
            loading={busy}
            leftSection={<IconPlayerPlay size={16} />}
            data-testid="run-script"
          >
            {submitLabel}
          </Button>
          {extra}
        </Group>
      </Stack>
    </form>
  );
}
