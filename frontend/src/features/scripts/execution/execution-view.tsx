import { Alert, Button, Card, Group, Stack, Tabs, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPlayerStop, IconRefresh } from "@tabler/icons-react";
import { errorMessage } from "@/api/client";
import { executionLogsUrl, useCancelExecution, useExecution } from "@/api/scripts";
import { isFinalStatus } from "@/api/types";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatDateTime, formatNumber } from "@/lib/format";
import { LogViewer } from "../logs/log-viewer";
import { useLogStream } from "../logs/use-log-stream";
import { ExecutionStatusBadge } from "./execution-status";
import { formatDuration } from "../labels";
import { ExecutionFindings } from "./findings-table";
import { FilesList } from "./files-list";
import { ResultView } from "./result-view";

/** One run: live status and log, then its result, findings and files. */
export function ExecutionView({
  executionId,
  onRerun,
  canRun,
}: {
  executionId: number;
  onRerun?: () => void;
  canRun?: boolean;
}) {
  const execution = useExecution(executionId);
  const stream = useLogStream(executionId);
  const cancel = useCancelExecution();
  const ex = execution.data;
  // The stream's status is the freshest; the polled detail fills in the rest.
  const status =
    (ex && isFinalStatus(ex.status) ? ex.status : stream.status?.status) ?? ex?.status ?? "queued";
  const final = isFinalStatus(status);

  if (execution.isPending) return <SkeletonLines lines={6} />;
  if (execution.isError || !ex)
    return (
      <LoadError error={execution.error} what="this run" onRetry={() => execution.refetch()} />
    );

  return (
    <Card
      withBorder
      padding="md"
      data-testid="execution-view"
      data-execution-id={ex.id}
      data-status={status}
    >
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Group gap="sm">
            <Text fw={600}>
              Run #{ex.id} · {ex.script_name}
            </Text>
            <ExecutionStatusBadge status={status} />
            <Text size="xs" c="dimmed">
              revision {ex.revision} · by {ex.triggered_by ?? "automation"} ·{" "}
              {formatDateTime(ex.queued_at)}
              {ex.duration_ms !== null && ` · ${formatDuration(ex.duration_ms)}`}
            </Text>
          </Group>
          <Group gap="xs">
            {!final && canRun && (
              <Button
                size="xs"
                color="red"
                variant="light"
                leftSection={<IconPlayerStop size={14} />}
                loading={cancel.isPending}
                disabled={ex.cancel_requested}
                onClick={() =>
                  cancel.mutate(ex.id, {
                    onError: (e) => notifications.show({ color: "red", message: errorMessage(e) }),
                  })
                }
                data-testid="cancel-execution"
              >
                {ex.cancel_requested ? "Cancelling…" : "Cancel"}
              </Button>
            )}
            {final && onRerun && canRun && (
              <Tooltip label="Run again with the same parameters">
                <Button
                  size="xs"
                  variant="default"
                  leftSection={<IconRefresh size={14} />}
                  onClick={onRerun}
                  data-testid="rerun-execution"
                >
                  Re-run
                </Button>
              </Tooltip>
            )}
          </Group>
        </Group>
        {final && ex.error && (
          <Alert
            color={status === "cancelled" ? "yellow" : "red"}
            variant="light"
            data-testid="execution-error"
          >
            {ex.error}
          </Alert>
        )}
        <Tabs defaultValue="log" keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="log">Log</Tabs.Tab>
            <Tabs.Tab value="result" disabled={!final} data-testid="tab-result">
              Result
            </Tabs.Tab>
            <Tabs.Tab value="findings" disabled={!final} data-testid="tab-findings">
              Findings {final ? `(${formatNumber(ex.findings_count)})` : ""}
            </Tabs.Tab>
            <Tabs.Tab value="files" disabled={!final} data-testid="tab-files">
              Files {final ? `(${ex.files.length})` : ""}
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="log" pt="sm">
            {ex.logs_purged ? (
              <Text size="sm" c="dimmed">
                The log was removed by the retention policy.
              </Text>
            ) : (
              <LogViewer
                lines={stream.buffer.lines}
                counts={stream.buffer.counts}
                revision={stream.revision}
                downloadUrl={executionLogsUrl(ex.id)}
                live={!final}
              />
            )}
          </Tabs.Panel>
          <Tabs.Panel value="result" pt="sm">
            <ResultView result={ex.result} />
          </Tabs.Panel>
          <Tabs.Panel value="findings" pt="sm">
            <Stack gap="xs">
              <ExecutionFindings executionId={ex.id} versionId={ex.version} />
            </Stack>
          </Tabs.Panel>
          <Tabs.Panel value="files" pt="sm">
            <FilesList files={ex.files} />
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </Card>
  );
}
