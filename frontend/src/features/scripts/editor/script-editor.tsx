import { useMemo, useState } from "react";
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  FileButton,
  Grid,
  Group,
  Select,
  Stack,
  Tabs,
  Text,
  TextInput,
  Textarea,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDeviceFloppy, IconFileUpload, IconFlask, IconX } from "@tabler/icons-react";
import { errorMessage } from "@/api/client";
import {
  copyScript,
  createScript,
  testRun,
  updateScript,
  uploadScript,
  useInvalidateScripts,
  useRevisions,
  useScripts,
} from "@/api/scripts";
import type { Script, Version } from "@/api/types";
import { formatDateTime } from "@/lib/format";
import { useRunWatcher } from "@/features/notifications/watch-store";
import { ExecutionView } from "../execution/execution-view";
import { SchemaForm } from "../schema-form/schema-form";
import { CATEGORY_LABELS } from "../labels";
import { CodeEditor } from "./code-editor";
import { RevisionDiff } from "./revision-diff";
import { schemaProblems } from "./schema-check";

const STARTER = `# The model is read for you: elements, properties, model, params, report, result.
walls = elements[elements["ifc_class"] == "IfcWall"]
print(f"{len(walls)} walls")
result["walls"] = int(len(walls))
`;
const EMPTY_SCHEMA = JSON.stringify({ type: "object", properties: {} }, null, 2);

function Revisions({ script }: { script: Script }) {
  const revisions = useRevisions(script.slug);
  const list = revisions.data ?? [];
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const a = list.find((r) => String(r.number) === (from ?? String(list[1]?.number)));
  const b = list.find((r) => String(r.number) === (to ?? String(list[0]?.number)));
  const options = list.map((r) => ({
    value: String(r.number),
    label: `r${r.number} · ${r.created_by ?? "system"} · ${formatDateTime(r.created_at)}`,
  }));
  if (list.length < 2)
    return (
      <Text size="sm" c="dimmed" data-testid="revisions">
        {list.length === 1
          ? "One revision so far; save changes to compare revisions."
          : "No revisions."}
      </Text>
    );
  return (
    <Stack gap="xs" data-testid="revisions" data-count={list.length}>
      <Group gap="xs">
        <Select
          size="xs"
          label="From"
          data={options}
          value={a ? String(a.number) : null}
          onChange={setFrom}
          data-testid="diff-from"
        />
        <Select
          size="xs"
          label="To"
          data={options}
          value={b ? String(b.number) : null}
          onChange={setTo}
          data-testid="diff-to"
        />
      </Group>
      {a && b && <RevisionDiff a={a.code} b={b.code} />}
    </Stack>
  );
}

/** Write a script: code with the context's completions, its parameters schema (checked
 * and previewed as the form it makes), test runs on this version, saving revisions. */
export default function ScriptEditor({
  script,
  version,
  onSaved,
  onClose,
}: {
  script: Script | null;
  version: Version;
  onSaved: (script: Script) => void;
  onClose: () => void;
}) {
  const [name, setName] = useState(script?.name ?? "");
  const [description, setDescription] = useState(script?.description ?? "");
  const [category, setCategory] = useState<string>(script?.category ?? "custom");
  const [shared, setShared] = useState(script?.is_public ?? false);
  const [code, setCode] = useState(script?.code ?? STARTER);
  const [schemaText, setSchemaText] = useState(
    script ? JSON.stringify(script.parameters_schema ?? {}, null, 2) : EMPTY_SCHEMA,
  );
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const [testing, setTesting] = useState(false);
  const [testExecution, setTestExecution] = useState<number | null>(null);
  const invalidate = useInvalidateScripts();
  const watch = useRunWatcher();
  const builtins = useScripts({ kind: "builtin" });
  const { schema, problems } = useMemo(() => schemaProblems(schemaText), [schemaText]);

  const save = async () => {
    setSaveError(null);
    if (!name.trim()) return setSaveError("Give the script a name.");
    if (problems.length) return setSaveError("Fix the parameters schema first.");
    setSaving(true);
    try {
      const body = {
        name: name.trim(),
        description,
        category,
        code,
        parameters_schema: schema,
        project: shared ? version.project : null,
        is_public: shared,
      };
      const saved = script ? await updateScript(script.slug, body) : await createScript(body);
      await invalidate();
      notifications.show({
        color: "teal",
        title: script ? `Saved revision ${saved.revision}` : "Script created",
        message: `${saved.name} (${saved.is_public ? "shared with the project" : "private"})`,
      });
      onSaved(saved);
    } catch (error) {
      setSaveError(errorMessage(error));
    } finally {
      setSaving(false);
    }
  };

  const runTest = async (parameters: Record<string, unknown>) => {
    setTestError(null);
    setTesting(true);
    try {
      const ex = await testRun({
        version: version.id,
        code,
        parameters_schema: schema,
        parameters,
      });
      watch.execution(ex.id, `Test run on ${version.model_name} v${version.number}`);
      setTestExecution(ex.id);
    } catch (error) {
      setTestError(errorMessage(error));
    } finally {
      setTesting(false);
    }
  };

  const upload = async (file: File | null) => {
    if (!file) return;
    try {
      const made = await uploadScript(file, {
        project: shared ? version.project : null,
        is_public: shared,
      });
      await invalidate();
      notifications.show({ color: "teal", message: `Uploaded ${file.name} as "${made.name}".` });
      onSaved(made);
    } catch (error) {
      notifications.show({
        color: "red",
        title: "Could not upload the script",
        message: errorMessage(error),
      });
    }
  };

  const startFrom = async (slug: string | null) => {
    if (!slug) return;
    try {
      const made = await copyScript(slug, {});
      await invalidate();
      notifications.show({
        color: "teal",
        message: `Copied to "${made.name}"; it is yours to edit.`,
      });
      onSaved(made);
    } catch (error) {
      notifications.show({ color: "red", title: "Could not copy", message: errorMessage(error) });
    }
  };

  return (
    <Stack gap="md" data-testid="script-editor">
      <Card withBorder padding="md">
        <Stack gap="sm">
          <Group justify="space-between">
            <Group gap="xs">
              <Title order={2} size="h4">
                {script ? `Edit ${script.name}` : "New script"}
              </Title>
              {script && <Badge variant="light">revision {script.revision}</Badge>}
            </Group>
            <Group gap="xs">
              {!script && (
                <>
                  <Select
                    size="xs"
                    placeholder="Start from a built-in…"
                    data={(builtins.data ?? []).map((s) => ({ value: s.slug, label: s.name }))}
                    onChange={startFrom}
                    aria-label="Start from a built-in"
                    data-testid="copy-builtin"
                    w={220}
                  />
                  <FileButton onChange={upload} accept=".py,text/x-python">
                    {(props) => (
                      <Button
                        size="xs"
                        variant="default"
                        leftSection={<IconFileUpload size={14} />}
                        {...props}
                        data-testid="upload-script"
                      >
                        Upload .py
                      </Button>
                    )}
                  </FileButton>
                </>
              )}
              <Button
                size="xs"
                variant="subtle"
                leftSection={<IconX size={14} />}
                onClick={onClose}
              >
                Close
              </Button>
            </Group>
          </Group>
          <Grid>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <TextInput
                label="Name"
                required
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                data-testid="script-name-input"
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}>
              <Select
                label="Category"
                data={Object.entries(CATEGORY_LABELS).map(([value, label]) => ({ value, label }))}
                value={category}
                onChange={(v) => setCategory(v ?? "custom")}
                allowDeselect={false}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }} style={{ display: "flex", alignItems: "flex-end" }}>
              <Checkbox
                label="Share with the project"
                checked={shared}
                onChange={(e) => setShared(e.currentTarget.checked)}
                data-testid="share-script"
              />
            </Grid.Col>
          </Grid>
          <Textarea
            label="Description"
            autosize
            minRows={1}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          <Tabs defaultValue="code" keepMounted>
            <Tabs.List>
              <Tabs.Tab value="code">Code</Tabs.Tab>
              <Tabs.Tab value="schema" data-testid="tab-schema">
                Parameters schema{" "}
                {problems.length > 0 && (
                  <Badge size="xs" color="red">
                    {problems.length}
                  </Badge>
                )}
              </Tabs.Tab>
              {script && (
                <Tabs.Tab value="revisions" data-testid="tab-revisions">
                  Revisions
                </Tabs.Tab>
              )}
            </Tabs.List>
            <Tabs.Panel value="code" pt="xs">
              <CodeEditor value={code} onChange={setCode} language="python" testId="code-editor" />
              <Text size="xs" c="dimmed" mt={4}>
                Ctrl+Space completes the script context: model, elements, properties, entities,
                params, report, save_output, output_dir, model_path, result.
              </Text>
            </Tabs.Panel>
            <Tabs.Panel value="schema" pt="xs">
              <Grid>
                <Grid.Col span={{ base: 12, md: 7 }}>
                  <CodeEditor
                    value={schemaText}
                    onChange={setSchemaText}
                    language="json"
                    height={280}
                    testId="schema-editor"
                  />
                  {problems.map((p) => (
                    <Text key={p} size="xs" c="red" data-testid="schema-problem">
                      {p}
                    </Text>
                  ))}
                </Grid.Col>
                <Grid.Col span={{ base: 12, md: 5 }}>
                  <Text size="xs" fw={600} c="dimmed" mb={4}>
                    THE FORM IT MAKES
                  </Text>
                  {schema !== null && problems.length === 0 && (
                    <SchemaForm
                      key={schemaText}
                      schema={schema}
                      projectId={version.project}
                      submitLabel="Check the form"
                      onSubmit={() => undefined}
                    />
                  )}
                </Grid.Col>
              </Grid>
            </Tabs.Panel>
            {script && (
              <Tabs.Panel value="revisions" pt="xs">
                <Revisions script={script} />
              </Tabs.Panel>
            )}
          </Tabs>
          {saveError && (
            <Alert color="red" variant="light" data-testid="save-error">
              {saveError}
            </Alert>
          )}
          <Group justify="space-between" align="flex-start">
            <Button
              leftSection={<IconDeviceFloppy size={16} />}
              onClick={save}
              loading={saving}
              data-testid="save-script"
            >
              {script ? "Save as new revision" : "Save script"}
            </Button>
          </Group>
        </Stack>
      </Card>
      <Card withBorder padding="md" data-testid="test-run-card">
        <Stack gap="xs">
          <Group gap="xs">
            <IconFlask size={18} />
            <Text fw={600}>Test run on this version</Text>
            <Text size="xs" c="dimmed">
              Runs the code as it is now, unsaved, on {version.model_name} v{version.number}.
            </Text>
          </Group>
          {schema !== null && problems.length === 0 ? (
            <SchemaForm
              key={`test-${schemaText}`}
              schema={schema}
              projectId={version.project}
              submitLabel={`Test run on v${version.number}`}
              busy={testing}
              serverError={testError}
              onSubmit={runTest}
            />
          ) : (
            <Text size="sm" c="red">
              Fix the parameters schema to test-run.
            </Text>
          )}
        </Stack>
      </Card>
      {testExecution !== null && (
        <ExecutionView key={testExecution} executionId={testExecution} canRun />
      )}
    </Stack>
  );
}
