import { useState } from "react";
import {
  ActionIcon,
  Group,
  Pagination,
  ScrollArea,
  Switch,
  Table,
  Text,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlayerStop, IconRefresh } from "@tabler/icons-react";
import { errorMessage } from "@/api/client";
import { useCancelExecution, useExecutions, useRunScript } from "@/api/scripts";
import { isFinalStatus, type ExecutionSummary } from "@/api/types";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useRunWatcher } from "@/features/notifications/watch-store";
import { ExecutionStatusBadge } from "./execution/execution-status";
import { formatDuration } from "./labels";

/** The runs on this version (of the selected script, or all), newest first. */
export function ExecutionHistory({
  versionId,
  script,
  selected,
  onOpen,
  canRun,
}: {
  versionId: number;
  script: string | null;
  selected: number | null;
  onOpen: (execution: ExecutionSummary) => void;
  canRun: boolean;
}) {
  const [page, setPage] = useState(1);
  const [onlyThis, setOnlyThis] = useState(true);
  const filters = { version: versionId, script: onlyThis && script ? script : undefined };
  const runs = useExecutions(filters, page);
  const cancel = useCancelExecution();
  const run = useRunScript();
  const watch = useRunWatcher();

  const rerun = (e: ExecutionSummary) =>
    run.mutate(
      {
        script: e.script,
        version: e.version,
        parameters: (e.parameters as Record<string, unknown>) ?? {},
      },
      {
        onSuccess: (created) => {
          watch.execution(created.id, created.script_name);
          onOpen(created);
        },
        onError: (error) =>
          notifications.show({
            color: "red",
            title: "Could not run",
            message: errorMessage(error),
          }),
      },
    );

  return (
    <div data-testid="execution-history">
      <Group justify="space-between" mb="xs">
        <Text fw={600} size="sm">
          Runs on this version
        </Text>
        {script && (
          <Switch
            size="xs"
            label="This script only"
            checked={onlyThis}
            onChange={(e) => setOnlyThis(e.currentTarget.checked)}
          />
        )}
      </Group>
      {runs.isPending && <SkeletonLines lines={3} />}
      {runs.isError && <LoadError error={runs.error} what="the runs" />}
      {runs.data && runs.data.count === 0 && (
        <Text size="sm" c="dimmed">
          No runs yet.
        </Text>
      )}
      {runs.data && runs.data.count > 0 && (
        <ScrollArea>
          <Table fz="xs" highlightOnHover withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>#</Table.Th>
                <Table.Th>Script</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Findings</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Who</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.results.map((e) => (
                <Table.Tr
                  key={e.id}
                  onClick={() => onOpen(e)}
                  style={{ cursor: "pointer" }}
                  bg={selected === e.id ? "var(--mantine-primary-color-light)" : undefined}
                  data-testid="history-row"
                  data-execution-id={e.id}
                  data-status={e.status}
                >
                  <Table.Td>{e.id}</Table.Td>
                  <Table.Td>{e.script_name}</Table.Td>
                  <Table.Td>
                    <ExecutionStatusBadge status={e.status} testId="history-status" />
                  </Table.Td>
                  <Table.Td>{isFinalStatus(e.status) ? e.findings_count : "—"}</Table.Td>
                  <Table.Td>{formatDuration(e.duration_ms)}</Table.Td>
                  <Table.Td>{e.triggered_by ?? "automation"}</Table.Td>
                  <Table.Td title={formatDateTime(e.queued_at)}>
                    {formatRelative(e.queued_at)}
                  </Table.Td>
                  <Table.Td onClick={(ev) => ev.stopPropagation()}>
                    {canRun &&
                      (isFinalStatus(e.status) ? (
                        <Tooltip label="Re-run with the same parameters">
                          <ActionIcon
                            size="sm"
                            variant="subtle"
                            aria-label="Re-run"
                            onClick={() => rerun(e)}
                            data-testid="history-rerun"
                          >
                            <IconRefresh size={14} />
                          </ActionIcon>
                        </Tooltip>
                      ) : (
                        <Tooltip label="Cancel">
                          <ActionIcon
                            size="sm"
                            variant="subtle"
                            color="red"
                            aria-label="Cancel"
                            onClick={() =>
                              cancel.mutate(e.id, {
                                onError: (error) =>
                                  notifications.show({
                                    color: "red",
                                    message: errorMessage(error),
                                  }),
                              })
                            }
                            data-testid="history-cancel"
                          >
                            <IconPlayerStop size={14} />
                          </ActionIcon>
                        </Tooltip>
                      ))}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
      {runs.data && runs.data.count > 50 && (
        <Pagination
          mt="xs"
          size="sm"
          total={Math.ceil(runs.data.count / 50)}
          value={page}
          onChange={setPage}
        />
      )}
    </div>
  );
}
