import { useMemo, useState } from "react";
import {
  ActionIcon,
  Alert,
  Button,
  Card,
  Group,
  List,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { createWorkflow, updateWorkflow, useCronPreview, type Trigger } from "@/api/automation";
import { errorMessage } from "@/api/client";
import { useScripts } from "@/api/scripts";
import type { Script, Workflow } from "@/api/types";
import { formatDateTime } from "@/lib/format";
import { SchemaFields } from "@/features/scripts/schema-form/schema-fields";
import {
  fieldsOf,
  initialValues,
  toParameters,
  validateValues,
  type FormValue,
  type FormValues,
} from "@/features/scripts/schema-form/schema";

interface StepDraft {
  key: number;
  script: string | null;
  values: FormValues;
  errors: Record<string, string>;
}

let nextKey = 1;

function StepEditor({
  step,
  index,
  count,
  scripts,
  projectId,
  onChange,
  onMove,
  onRemove,
}: {
  step: StepDraft;
  index: number;
  count: number;
  scripts: Script[];
  projectId: number;
  onChange: (step: StepDraft) => void;
  onMove: (delta: number) => void;
  onRemove: () => void;
}) {
  const script = scripts.find((s) => s.slug === step.script);
  const fields = useMemo(() => fieldsOf(script?.parameters_schema), [script]);
  return (
    <Card withBorder padding="sm" data-testid="workflow-step" data-index={index}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap" style={{ flex: 1 }}>
            <Text fw={700} size="sm" w={24}>
              {index + 1}.
            </Text>
            <Select
              size="xs"
              style={{ flex: 1 }}
              placeholder="Choose a script"
              searchable
              data={scripts.map((s) => ({ value: s.slug, label: `${s.name} (${s.slug})` }))}
              value={step.script}
              onChange={(slug) => {
                const s = scripts.find((x) => x.slug === slug);
                onChange({
                  ...step,
                  script: slug,
                  values: initialValues(fieldsOf(s?.parameters_schema)),
                  errors: {},
                });
              }}
              aria-label={`Script of step ${index + 1}`}
              data-testid="step-script"
            />
          </Group>
          <Group gap={2} wrap="nowrap">
            <Tooltip label="Move up">
              <ActionIcon
                variant="subtle"
                size="sm"
                disabled={index === 0}
                onClick={() => onMove(-1)}
                aria-label="Move up"
              >
                <IconArrowUp size={14} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Move down">
              <ActionIcon
                variant="subtle"
                size="sm"
                disabled={index === count - 1}
                onClick={() => onMove(1)}
                aria-label="Move down"
              >
                <IconArrowDown size={14} />
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Remove the step">
              <ActionIcon
                variant="subtle"
                color="red"
                size="sm"
                onClick={onRemove}
                aria-label="Remove the step"
              >
                <IconTrash size={14} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
        {script && fields.length > 0 && (
          <SchemaFields
            fields={fields}
            values={step.values}
            errors={step.errors}
            projectId={projectId}
            testIdPrefix={`step-${index}-param`}
            onChange={(name: string, value: FormValue) =>
              onChange({ ...step, values: { ...step.values, [name]: value } })
            }
          />
        )}
      </Stack>
    </Card>
  );
}

function CronHelp({ cron, timezone }: { cron: string; timezone: string }) {
  const preview = useCronPreview(cron, timezone, true);
  if (!cron.trim()) return null;
  if (preview.isError)
    return (
      <Text size="xs" c="red" data-testid="cron-error">
        {errorMessage(preview.error)}
      </Text>
    );
  if (!preview.data) return null;
  return (
    <Stack gap={2} data-testid="cron-preview">
      <Text size="sm" fw={500} data-testid="cron-description">
        {preview.data.description}
      </Text>
      <Text size="xs" c="dimmed">
        Next runs ({preview.data.timezone}):
      </Text>
      <List size="xs" spacing={0}>
        {preview.data.next_runs.map((t) => (
          <List.Item key={t} data-testid="cron-next">
            {formatDateTime(t)}
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}

/** Create or change a workflow: trigger, schedule, model filter, ordered steps. */
export function WorkflowEditor({
  projectId,
  workflow,
  onDone,
}: {
  projectId: number;
  workflow: Workflow | null;
  onDone: (workflow: Workflow | null) => void;
}) {
  const scripts = useScripts({});
  const list = scripts.data ?? [];
  const [name, setName] = useState(workflow?.name ?? "");
  const [description, setDescription] = useState(workflow?.description ?? "");
  const [trigger, setTrigger] = useState<Trigger>(workflow?.trigger ?? "on_upload");
  const [cron, setCron] = useState(workflow?.cron ?? "0 6 * * 1-5");
  const [timezone, setTimezone] = useState(
    workflow?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? "UTC",
  );
  const [modelFilter, setModelFilter] = useState(workflow?.model_filter ?? "*");
  const [stopOnFailure, setStopOnFailure] = useState(workflow?.stop_on_failure ?? true);
  const [active, setActive] = useState(workflow?.is_active ?? true);
  const [steps, setSteps] = useState<StepDraft[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const client = useQueryClient();

  // Existing steps become drafts once the scripts (with their schemas) are known.
  const drafts: StepDraft[] =
    steps ??
    (workflow && scripts.data
      ? workflow.steps.map((s) => {
          const script = list.find((x) => x.slug === s.script_slug);
          return {
            key: nextKey++,
            script: s.script_slug ?? null,
            values: initialValues(
              fieldsOf(script?.parameters_schema),
              (s.parameters ?? {}) as Record<string, unknown>,
            ),
            errors: {},
          };
        })
      : []);
  const update = (next: StepDraft[]) => setSteps(next);

  const save = async () => {
    setError(null);
    let ok = true;
    const checked = drafts.map((d) => {
      const script = list.find((x) => x.slug === d.script);
      const errors = validateValues(fieldsOf(script?.parameters_schema), d.values);
      if (Object.keys(errors).length || !d.script) ok = false;
      return { ...d, errors };
    });
    setSteps(checked);
    if (!name.trim()) return setError("Give the workflow a name.");
    if (checked.length === 0) return setError("Add at least one step.");
    if (!ok)
      return setError("Complete each step: choose its script and fill in the required parameters.");
    const body = {
      name: name.trim(),
      description,
      trigger,
      cron: trigger === "schedule" ? cron : "",
      timezone,
      model_filter: modelFilter || "*",
      stop_on_failure: stopOnFailure,
      is_active: active,
      steps: checked.map((d) => {
        const script = list.find((x) => x.slug === d.script);
        return {
          script: d.script,
          parameters: toParameters(fieldsOf(script?.parameters_schema), d.values),
        };
      }),
    };
    setSaving(true);
    try {
      const saved = workflow
        ? await updateWorkflow(workflow.id, body)
        : await createWorkflow(projectId, body);
      await client.invalidateQueries({ queryKey: ["projects", projectId, "workflows"] });
      onDone(saved);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Card withBorder padding="md" data-testid="workflow-editor">
      <Stack gap="sm">
        <Title order={3} size="h4">
          {workflow ? `Edit ${workflow.name}` : "New workflow"}
        </Title>
        <TextInput
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          data-testid="workflow-name"
        />
        <Textarea
          label="Description"
          autosize
          minRows={1}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
        />
        <div>
          <Text size="sm" fw={500} mb={4}>
            When it runs
          </Text>
          <SegmentedControl
            value={trigger}
            onChange={(v) => setTrigger(v as Trigger)}
            data={[
              { value: "on_upload", label: "When a version is ready" },
              { value: "schedule", label: "On a schedule" },
              { value: "manual", label: "By hand" },
            ]}
            data-testid="workflow-trigger"
          />
        </div>
        {trigger === "schedule" && (
          <Group align="flex-start" grow>
            <Stack gap={4}>
              <TextInput
                label="Cron expression"
                description="minute hour day-of-month month day-of-week"
                value={cron}
                onChange={(e) => setCron(e.currentTarget.value)}
                data-testid="workflow-cron"
              />
              <TextInput
                label="Time zone"
                value={timezone}
                onChange={(e) => setTimezone(e.currentTarget.value)}
                data-testid="workflow-timezone"
              />
            </Stack>
            <CronHelp cron={cron} timezone={timezone} />
          </Group>
        )}
        <TextInput
          label="Models"
          description="A name pattern: * for every model, ARK-* for names starting with ARK-"
          value={modelFilter}
          onChange={(e) => setModelFilter(e.currentTarget.value)}
          data-testid="workflow-filter"
        />
        <Group>
          <Switch
            label="Stop at the first failed step"
            checked={stopOnFailure}
            onChange={(e) => setStopOnFailure(e.currentTarget.checked)}
          />
          <Switch
            label="Active"
            checked={active}
            onChange={(e) => setActive(e.currentTarget.checked)}
            data-testid="workflow-active"
          />
        </Group>
        <Text size="sm" fw={500}>
          Steps, in order
        </Text>
        {drafts.map((d, i) => (
          <StepEditor
            key={d.key}
            step={d}
            index={i}
            count={drafts.length}
            scripts={list}
            projectId={projectId}
            onChange={(s) => update(drafts.map((x) => (x.key === d.key ? s : x)))}
            onMove={(delta) => {
              const next = [...drafts];
              const [moved] = next.splice(i, 1);
              next.splice(i + delta, 0, moved);
              update(next);
            }}
            onRemove={() => update(drafts.filter((x) => x.key !== d.key))}
          />
        ))}
        <Group>
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlus size={14} />}
            onClick={() =>
              update([...drafts, { key: nextKey++, script: null, values: {}, errors: {} }])
            }
            data-testid="add-step"
          >
            Add a step
          </Button>
        </Group>
        {error && (
          <Alert color="red" variant="light" data-testid="workflow-error">
            {error}
          </Alert>
        )}
        <Group>
          <Button onClick={save} loading={saving} data-testid="save-workflow">
            {workflow ? "Save" : "Create workflow"}
          </Button>
          <Button variant="subtle" onClick={() => onDone(null)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
