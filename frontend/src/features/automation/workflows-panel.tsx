import { useState } from "react";
import {
  Anchor,
  Badge,
  Button,
  Group,
  Pagination,
  ScrollArea,
  Stack,
  Switch,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconEdit, IconHistory, IconPlayerPlay, IconPlus, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useSearchParams } from "react-router";
import {
  backfillWorkflow,
  deleteWorkflow,
  runWorkflow,
  updateWorkflow,
  useRuns,
  useWorkflows,
} from "@/api/automation";
import { errorMessage } from "@/api/client";
import type { Workflow, WorkflowRun } from "@/api/types";
import { confirmDestructive } from "@/components/confirm";
import { IconButton } from "@/components/icon-button";
import { EmptyState } from "@/components/empty-state";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatDateTime, formatRelative } from "@/lib/format";
import { useRunWatcher } from "@/features/notifications/watch-store";
import { ExecutionStatusBadge } from "@/features/scripts/execution/execution-status";
import { WorkflowEditor } from "./workflow-editor";

const TRIGGER_LABELS: Record<string, string> = {
  on_upload: "On upload",
  schedule: "Scheduled",
  manual: "By hand",
};

function RunRow({ run }: { run: WorkflowRun }) {
  return (
    <Table.Tr
      data-testid="workflow-run"
      data-run-id={run.id}
      data-workflow={run.workflow_name}
      data-status={run.status}
      data-version={run.version ?? ""}
    >
      <Table.Td>#{run.id}</Table.Td>
      <Table.Td>{run.workflow_name}</Table.Td>
      <Table.Td>
        {run.version ? (
          <Anchor component={Link} to={`/versions/${run.version}/overview`} size="xs">
            {run.model_name} v{run.version_number}
          </Anchor>
        ) : (
          "—"
        )}
      </Table.Td>
      <Table.Td>{run.source}</Table.Td>
      <Table.Td>
        <ExecutionStatusBadge status={run.status} testId="run-status" />
        {run.reason && (
          <Text size="xs" c="dimmed">
            {run.reason}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Stack gap={2}>
          {run.steps.map((s) => (
            <Group
              key={s.position}
              gap={4}
              wrap="nowrap"
              data-testid="run-step"
              data-status={s.status}
            >
              <Text size="xs">
                {s.position + 1}. {s.script_slug ?? "deleted script"}
              </Text>
              <ExecutionStatusBadge status={s.status} testId="step-status" />
              {s.execution && run.version && (
                <Anchor
                  component={Link}
                  size="xs"
                  to={`/versions/${run.version}/scripts?execution=${s.execution}`}
                >
                  #{s.execution}
                </Anchor>
              )}
              {s.findings_count !== null && s.findings_count !== undefined && (
                <Text size="xs" c="dimmed">
                  {s.findings_count} findings
                </Text>
              )}
            </Group>
          ))}
        </Stack>
      </Table.Td>
      <Table.Td title={formatDateTime(run.created_at)}>{formatRelative(run.created_at)}</Table.Td>
    </Table.Tr>
  );
}

export function RunHistory({ projectId, workflow }: { projectId: number; workflow?: number }) {
  const [page, setPage] = useState(1);
  const runs = useRuns(workflow ? { workflow } : { project: projectId }, page);
  return (
    <Stack gap="xs" data-testid="workflow-runs">
      <Group gap="xs">
        <IconHistory size={18} />
        <Title order={3} size="h5">
          Run history
        </Title>
      </Group>
      {runs.isPending && <SkeletonLines lines={3} />}
      {runs.isError && <LoadError error={runs.error} what="the runs" />}
      {runs.data?.count === 0 && (
        <Text size="sm" c="dimmed">
          No runs yet.
        </Text>
      )}
      {runs.data && runs.data.count > 0 && (
        <ScrollArea>
          <Table fz="xs" withTableBorder>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Run</Table.Th>
                <Table.Th>Workflow</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Steps</Table.Th>
                <Table.Th>When</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.results.map((r) => (
                <RunRow key={r.id} run={r} />
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
      {runs.data && runs.data.count > 25 && (
        <Pagination
          size="sm"
          total={Math.ceil(runs.data.count / 25)}
          value={page}
          onChange={setPage}
        />
      )}
    </Stack>
  );
}

/** The project's workflows: list, editor, run now, backfill, and their runs. */
export function WorkflowsPanel({ projectId, canEdit }: { projectId: number; canEdit: boolean }) {
  const workflows = useWorkflows(projectId);
  const [params, setParams] = useSearchParams();
  const editing = params.get("workflow");
  const client = useQueryClient();
  const watch = useRunWatcher();
  const setEditing = (value: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (value) next.set("workflow", value);
      else next.delete("workflow");
      return next;
    });
  const refresh = () =>
    client.invalidateQueries({ queryKey: ["projects", projectId, "workflows"] });

  const act = async (label: string, fn: () => Promise<WorkflowRun[] | unknown>, wf: Workflow) => {
    try {
      const made = await fn();
      if (Array.isArray(made)) {
        for (const r of made as WorkflowRun[])
          watch.workflowRun(r.id, `${wf.name} on ${r.model_name} v${r.version_number}`);
        notifications.show({
          color: "blue",
          message: `${label}: ${made.length} run${made.length === 1 ? "" : "s"} started.`,
        });
      }
      await client.invalidateQueries({ queryKey: ["workflow-runs"] });
      await refresh();
    } catch (error) {
      notifications.show({ color: "red", title: `${label} failed`, message: errorMessage(error) });
    }
  };

  if (editing) {
    const wf = editing === "new" ? null : workflows.data?.find((w) => String(w.id) === editing);
    if (editing !== "new" && !wf) return <SkeletonLines lines={6} />;
    return (
      <WorkflowEditor
        key={editing}
        projectId={projectId}
        workflow={wf ?? null}
        onDone={(saved) => {
          setEditing(null);
          if (saved)
            notifications.show({ color: "teal", message: `Workflow "${saved.name}" saved.` });
        }}
      />
    );
  }

  return (
    <Stack gap="lg" data-testid="workflows-panel">
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          Workflows run scripts on the project's models when a version is ready, on a schedule, or
          by hand.
        </Text>
        {canEdit && (
          <Button
            size="xs"
            leftSection={<IconPlus size={14} />}
            onClick={() => setEditing("new")}
            data-testid="new-workflow"
          >
            New workflow
          </Button>
        )}
      </Group>
      {workflows.isPending && <SkeletonLines lines={4} />}
      {workflows.isError && <LoadError error={workflows.error} what="the workflows" />}
      {workflows.data?.length === 0 && (
        <EmptyState icon={<IconPlayerPlay />} title="No workflows yet" testId="workflows-empty">
          Create one to run checks on every upload, every night, or whenever you press Run.
        </EmptyState>
      )}
      {workflows.data && workflows.data.length > 0 && (
        <ScrollArea>
          <Table fz="sm" withTableBorder data-testid="workflows-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Trigger</Table.Th>
                <Table.Th>Models</Table.Th>
                <Table.Th>Steps</Table.Th>
                <Table.Th>Active</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {workflows.data.map((wf) => (
                <Table.Tr
                  key={wf.id}
                  data-testid="workflow-row"
                  data-name={wf.name}
                  data-id={wf.id}
                >
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {wf.name}
                    </Text>
                    {wf.description && (
                      <Text size="xs" c="dimmed">
                        {wf.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light">{TRIGGER_LABELS[wf.trigger]}</Badge>
                    {wf.trigger === "schedule" && (
                      <Text size="xs" c="dimmed">
                        {wf.cron || `every ${wf.interval_seconds} s`} · next{" "}
                        {formatDateTime(wf.next_run_at)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs" ff="monospace">
                      {wf.model_filter}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">
                      {wf.steps.map((s) => s.script_slug ?? "deleted").join(" → ")}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      checked={wf.is_active}
                      disabled={!canEdit}
                      aria-label="Active"
                      onChange={(e) =>
                        act(
                          "Saving",
                          () => updateWorkflow(wf.id, { is_active: e.currentTarget.checked }),
                          wf,
                        )
                      }
                    />
                  </Table.Td>
                  <Table.Td>
                    {canEdit && (
                      <Group gap={2} wrap="nowrap">
                        <IconButton
                          label="Run now on the latest versions"
                          onClick={() => act("Run now", () => runWorkflow(wf.id), wf)}
                          data-testid="run-workflow"
                        >
                          <IconPlayerPlay size={16} />
                        </IconButton>
                        <IconButton
                          label="Backfill: run on every existing version"
                          onClick={() => act("Backfill", () => backfillWorkflow(wf.id), wf)}
                          data-testid="backfill-workflow"
                        >
                          <IconHistory size={16} />
                        </IconButton>
                        <IconButton
                          label="Edit"
                          onClick={() => setEditing(String(wf.id))}
                          data-testid="edit-workflow"
                        >
                          <IconEdit size={16} />
                        </IconButton>
                        <IconButton
                          label="Delete"
                          color="red"
                          onClick={() =>
                            confirmDestructive({
                              title: `Delete "${wf.name}"?`,
                              message: "Its runs stay in the history; it will not run again.",
                              confirmLabel: "Delete workflow",
                              onConfirm: () => act("Delete", () => deleteWorkflow(wf.id), wf),
                            })
                          }
                        >
                          <IconTrash size={16} />
                        </IconButton>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </ScrollArea>
      )}
      <RunHistory projectId={projectId} />
    </Stack>
  );
}
