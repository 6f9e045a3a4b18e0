import { useEffect, useState } from "react";
import {
  Alert,
  Badge,
  Card,
  Group,
  ScrollArea,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { createBatch, previewBatch } from "@/api/automation";
import { errorMessage } from "@/api/client";
import { useScripts } from "@/api/scripts";
import type { BatchDetail } from "@/api/types";
import { useRunWatcher } from "@/features/notifications/watch-store";
import { SchemaForm } from "@/features/scripts/schema-form/schema-form";

/** A new batch: script, parameters, model filter and selection, with a preview of
 * the versions it will run on. */
export function BatchCreate({
  projectId,
  onCreated,
}: {
  projectId: number;
  onCreated: (b: BatchDetail) => void;
}) {
  const scripts = useScripts({});
  const [slug, setSlug] = useState<string | null>(null);
  const [filter, setFilter] = useState("*");
  const [selection, setSelection] = useState<"latest" | "all">("latest");
  const [debouncedFilter] = useDebouncedValue(filter, 250);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const watch = useRunWatcher();
  const script = scripts.data?.find((s) => s.slug === slug);
  const preview = useQuery({
    queryKey: ["batch-preview", projectId, debouncedFilter, selection],
    queryFn: () =>
      previewBatch(projectId, { model_filter: debouncedFilter || "*", versions: selection }),
    retry: false,
  });
  useEffect(() => setError(null), [slug, filter, selection]);

  const create = async (parameters: Record<string, unknown>) => {
    if (!slug) return setError("Choose the script to run.");
    setBusy(true);
    try {
      const batch = await createBatch(projectId, {
        script: slug,
        parameters,
        model_filter: filter || "*",
        versions: selection,
      });
      watch.batch(batch.id, `Batch ${batch.id} (${slug})`);
      onCreated(batch);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card withBorder padding="md" data-testid="batch-create">
      <Stack gap="sm">
        <Title order={3} size="h4">
          New batch
        </Title>
        <Select
          label="Script"
          required
          searchable
          data={(scripts.data ?? []).map((s) => ({
            value: s.slug,
            label: `${s.name} (${s.slug})`,
          }))}
          value={slug}
          onChange={setSlug}
          data-testid="batch-script"
        />
        <Group grow align="flex-start">
          <TextInput
            label="Models"
            description="A name pattern; * for every model"
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value)}
            data-testid="batch-filter"
          />
          <div>
            <Text size="sm" fw={500}>
              Versions
            </Text>
            <SegmentedControl
              mt={4}
              value={selection}
              onChange={(v) => setSelection(v as "latest" | "all")}
              data={[
                { value: "latest", label: "Latest of each model" },
                { value: "all", label: "Every ready version" },
              ]}
              data-testid="batch-selection"
            />
          </div>
        </Group>
        <Stack gap={4} data-testid="batch-preview" data-count={preview.data?.count ?? ""}>
          {preview.isError && (
            <Text size="xs" c="red">
              {errorMessage(preview.error)}
            </Text>
          )}
          {preview.data && (
            <>
              <Group gap="xs">
                <Text size="sm">
                  It will run on <b>{preview.data.count}</b> version
                  {preview.data.count === 1 ? "" : "s"}
                </Text>
                {preview.data.count > preview.data.max_batch_versions && (
                  <Badge color="red">
                    more than the limit of {preview.data.max_batch_versions}
                  </Badge>
                )}
              </Group>
              <ScrollArea.Autosize mah={160}>
                <Table fz="xs" withTableBorder>
                  <Table.Tbody>
                    {preview.data.versions.map((v) => (
                      <Table.Tr key={v.id} data-testid="preview-version" data-version-id={v.id}>
                        <Table.Td>{v.model_name}</Table.Td>
                        <Table.Td>v{v.number}</Table.Td>
                        <Table.Td c="dimmed">{v.element_count ?? "—"} elements</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </ScrollArea.Autosize>
            </>
          )}
        </Stack>
        {script ? (
          <SchemaForm
            key={script.slug}
            schema={script.parameters_schema}
            projectId={projectId}
            submitLabel="Start the batch"
            busy={busy}
            serverError={error}
            onSubmit={create}
          />
        ) : (
          error && <Alert color="red">{error}</Alert>
        )}
      </Stack>
    </Card>
  );
}
