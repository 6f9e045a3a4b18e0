import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  Progress,
  ScrollArea,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconDownload, IconPlayerStop } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { batchSummaryUrl, cancelBatch, useBatch } from "@/api/automation";
import { errorMessage } from "@/api/client";
import type { MatrixRow } from "@/api/types";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatDateTime } from "@/lib/format";
import { ExecutionStatusBadge } from "@/features/scripts/execution/execution-status";
import { formatDuration } from "@/features/scripts/labels";

const SEVERITY_RGB: Record<string, string> = {
  error: "250, 82, 82",
  warning: "253, 126, 20",
  info: "34, 139, 230",
};

/** A findings count, shaded by how many of the batch's largest count it is. */
function CountCell({ n, max, severity }: { n: number; max: number; severity: string }) {
  const alpha = n === 0 || max === 0 ? 0 : 0.15 + 0.6 * (n / max);
  return (
    <Table.Td
      ta="right"
      style={{ background: `rgba(${SEVERITY_RGB[severity]}, ${alpha})` }}
      data-severity={severity}
      data-count={n}
    >
      {n}
    </Table.Td>
  );
}

const ROW_STATUS_BG: Record<string, string> = {
  failed: "var(--mantine-color-red-light)",
  timed_out: "var(--mantine-color-orange-light)",
  cancelled: "var(--mantine-color-yellow-light)",
  running: "var(--mantine-color-blue-light)",
};

export function BatchDetailView({ batchId, canEdit }: { batchId: number; canEdit: boolean }) {
  const batch = useBatch(batchId);
  const client = useQueryClient();
  if (batch.isPending) return <SkeletonLines lines={6} />;
  if (batch.isError) return <LoadError error={batch.error} what="this batch" />;
  const b = batch.data;
  const rows: MatrixRow[] = b.matrix;
  const max = Math.max(
    0,
    ...rows.flatMap((r) => [r.findings.error ?? 0, r.findings.warning ?? 0, r.findings.info ?? 0]),
  );
  const cancel = async () => {
    try {
      await cancelBatch(b.id);
      await client.invalidateQueries({ queryKey: ["batches", b.id] });
    } catch (e) {
      notifications.show({ color: "red", message: errorMessage(e) });
    }
  };
  return (
    <Card
      withBorder
      padding="md"
      data-testid="batch-detail"
      data-batch-id={b.id}
      data-status={b.status}
      data-finished={b.finished}
      data-total={b.total}
    >
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="xs">
            <Title order={3} size="h4">
              Batch #{b.id} · {b.script_slug}
            </Title>
            <Badge
              variant="light"
              color={
                b.status === "running"
                  ? "blue"
                  : b.status === "succeeded"
                    ? "teal"
                    : b.status === "cancelled"
                      ? "yellow"
                      : "red"
              }
              data-testid="batch-status"
            >
              {b.status}
            </Badge>
          </Group>
          <Group gap="xs">
            <Button
              size="xs"
              variant="default"
              component="a"
              href={batchSummaryUrl(b.id, "csv")}
              download
              leftSection={<IconDownload size={14} />}
              data-testid="batch-csv"
            >
              Summary CSV
            </Button>
            <Button
              size="xs"
              variant="default"
              component="a"
              href={batchSummaryUrl(b.id, "xlsx")}
              download
              leftSection={<IconDownload size={14} />}
            >
              XLSX
            </Button>
            {canEdit && b.status === "running" && (
              <Button
                size="xs"
                color="red"
                variant="light"
                leftSection={<IconPlayerStop size={14} />}
                onClick={cancel}
                data-testid="batch-cancel"
              >
                Cancel
              </Button>
            )}
          </Group>
        </Group>
        <Text size="xs" c="dimmed">
          {b.created_by ?? "someone"} · {formatDateTime(b.created_at)} · models {b.model_filter} ·{" "}
          {b.versions} versions
        </Text>
        <Stack gap={2}>
          <Progress.Root
            size="lg"
            data-testid="batch-progress"
            data-value={b.total ? Math.round((100 * b.finished) / b.total) : 0}
          >
            <Progress.Section value={b.total ? (100 * b.done) / b.total : 0} color="teal" />
            <Progress.Section value={b.total ? (100 * b.failed) / b.total : 0} color="red" />
            <Progress.Section value={b.total ? (100 * b.cancelled) / b.total : 0} color="yellow" />
            <Progress.Section
              value={b.total ? (100 * b.running) / b.total : 0}
              color="blue"
              animated
            />
          </Progress.Root>
          <Text size="xs">
            {b.finished} of {b.total} finished: {b.done} succeeded, {b.failed} failed, {b.cancelled}{" "}
            cancelled, {b.running} running, {b.queued} queued
          </Text>
        </Stack>
        <ScrollArea>
          <Table fz="xs" withTableBorder data-testid="batch-matrix">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Model</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th ta="right">Errors</Table.Th>
                <Table.Th ta="right">Warnings</Table.Th>
                <Table.Th ta="right">Info</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Run</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr
                  key={r.execution}
                  style={{ background: ROW_STATUS_BG[r.status] }}
                  data-testid="matrix-row"
                  data-model={r.model}
                  data-version-id={r.version}
                  data-status={r.status}
                  data-findings={r.findings_total}
                >
                  <Table.Td>{r.model}</Table.Td>
                  <Table.Td>v{r.version_number}</Table.Td>
                  <Table.Td>
                    <ExecutionStatusBadge status={r.status} testId="matrix-status" />
                    {r.error && (
                      <Text size="xs" c="dimmed" lineClamp={1} title={r.error}>
                        {r.error}
                      </Text>
                    )}
                  </Table.Td>
                  <CountCell n={r.findings.error ?? 0} max={max} severity="error" />
                  <CountCell n={r.findings.warning ?? 0} max={max} severity="warning" />
                  <CountCell n={r.findings.info ?? 0} max={max} severity="info" />
                  <Table.Td>{formatDuration(r.duration_ms)}</Table.Td>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      size="xs"
                      to={`/versions/${r.version}/scripts?execution=${r.execution}`}
                    >
                      #{r.execution}
                    </Anchor>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      </Stack>
    </Card>
  );
}
