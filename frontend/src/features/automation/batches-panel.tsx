import { useState } from "react";
import { Button, Group, Pagination, Progress, ScrollArea, Stack, Table, Text } from "@mantine/core";
import { IconPlus, IconStack2 } from "@tabler/icons-react";
import { useSearchParams } from "react-router";
import { useBatches } from "@/api/automation";
import { EmptyState } from "@/components/empty-state";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatRelative } from "@/lib/format";
import { BatchCreate } from "./batch-create";
import { BatchDetailView } from "./batch-detail";

/** Batch jobs of the project: the list, a new batch, and one batch's matrix. */
export function BatchesPanel({ projectId, canEdit }: { projectId: number; canEdit: boolean }) {
  const [params, setParams] = useSearchParams();
  const [page, setPage] = useState(1);
  const batches = useBatches(projectId, page);
  const current = params.get("batch");
  const set = (value: string | null) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (value) next.set("batch", value);
      else next.delete("batch");
      return next;
    });

  return (
    <Stack gap="lg" data-testid="batches-panel">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          A batch runs one script over many versions and collects the results in one matrix.
        </Text>
        {canEdit && (
          <Button
            size="xs"
            leftSection={<IconPlus size={14} />}
            onClick={() => set("new")}
            data-testid="new-batch"
          >
            New batch
          </Button>
        )}
      </Group>
      {current === "new" && (
        <BatchCreate projectId={projectId} onCreated={(b) => set(String(b.id))} />
      )}
      {current && /^\d+$/.test(current) && (
        <BatchDetailView batchId={Number(current)} canEdit={canEdit} />
      )}
      {batches.isPending && <SkeletonLines lines={4} />}
      {batches.isError && <LoadError error={batches.error} what="the batches" />}
      {batches.data?.count === 0 && current !== "new" && (
        <EmptyState icon={<IconStack2 />} title="No batches yet" testId="batches-empty">
          Run a check or an export over every model of the project at once.
        </EmptyState>
      )}
      {batches.data && batches.data.count > 0 && (
        <ScrollArea>
          <Table fz="sm" highlightOnHover withTableBorder data-testid="batches-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Batch</Table.Th>
                <Table.Th>Script</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th w={200}>Progress</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>When</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {batches.data.results.map((b) => (
                <Table.Tr
                  key={b.id}
                  style={{ cursor: "pointer" }}
                  onClick={() => set(String(b.id))}
                  data-testid="batch-row"
                  data-batch-id={b.id}
                >
                  <Table.Td>#{b.id}</Table.Td>
                  <Table.Td>{b.script_slug}</Table.Td>
                  <Table.Td>{b.status}</Table.Td>
                  <Table.Td>
                    <Progress
                      value={b.total ? (100 * b.finished) / b.total : 0}
                      color={b.failed ? "red" : "teal"}
                    />
                    <Text size="xs" c="dimmed">
                      {b.finished} / {b.total}
                    </Text>
                  </Table.Td>
                  <Table.Td>{b.created_by ?? "—"}</Table.Td>
                  <Table.Td>{formatRelative(b.created_at)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
      {batches.data && batches.data.count > 25 && (
        <Pagination
          size="sm"
          total={Math.ceil(batches.data.count / 25)}
          value={page}
          onChange={setPage}
        />
      )}
    </Stack>
  );
}
