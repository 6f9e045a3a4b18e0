import { useEffect, useMemo, useState } from "react";
import {
  Alert,
  Badge,
  Button,
  Chip,
  Grid,
  Group,
  Menu,
  Pagination,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { IconChecklist, IconDownload, IconPlayerPlay, IconSearch } from "@tabler/icons-react";
import { useSearchParams } from "react-router";
import { errorMessage } from "@/api/client";
import {
  FINDINGS_PAGE_SIZE,
  findingFiltersFromParams,
  findingsExportUrl,
  useChecks,
  useFindingGroups,
  useRunAllChecks,
  useVersionFindings,
} from "@/api/findings";
import { useProject } from "@/api/projects";
import { EmptyState } from "@/components/empty-state";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatNumber } from "@/lib/format";
import { useRunWatcher } from "@/features/notifications/watch-store";
import { SEVERITY_COLORS, STATE_COLORS } from "@/features/scripts/labels";
import { NotReady } from "@/features/versions/not-ready";
import { useVersionContext } from "@/features/versions/version-context";
import { CheckList } from "./check-list";
import { FindingViewer } from "./finding-viewer";

const PAGE_SIZE = FINDINGS_PAGE_SIZE;
const SEVERITIES = ["error", "warning", "info"];

export default function ValidationTab() {
  const { version } = useVersionContext();
  const project = useProject(version.project);
  const [params, setParams] = useSearchParams();
  const { filters, page } = findingFiltersFromParams(params);
  const selected = params.get("finding");
  const [text, setText] = useState(filters.q ?? "");
  const [debounced] = useDebouncedValue(text, 250);
  const ready = version.status === "ready";
  // The first page of findings is asked for first: the server answers in order.
  const findings = useVersionFindings(version.id, filters, page, PAGE_SIZE);
  const checks = useChecks(version.id, ready);
  const groups = useFindingGroups(version.id, filters);
  const runAll = useRunAllChecks(version.id);
  const watch = useRunWatcher();
  const canRun = project.data?.role !== undefined && project.data.role !== "viewer";

  const set = (changes: Record<string, string | null>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [k, v] of Object.entries(changes)) {
          if (v === null || v === "") next.delete(k);
          else next.set(k, v);
        }
        if (!("page" in changes)) next.delete("page");
        return next;
      },
      { replace: true },
    );

  useEffect(() => {
    if ((debounced || "") !== (params.get("q") ?? "")) set({ q: debounced || null });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  const selectedRow = useMemo(
    () => findings.data?.results.find((f) => `${f.id}:${f.state}` === selected) ?? null,
    [findings.data, selected],
  );
  const selectedGuids = useMemo(() => (selectedRow?.guid ? [selectedRow.guid] : []), [selectedRow]);
  const scriptNames = useMemo(
    () => new Map((checks.data?.checks ?? []).map((c) => [c.script_slug, c.script_name])),
    [checks.data],
  );

  if (!ready) return <NotReady version={version} what="Validation" />;

  const run = () =>
    runAll.mutate(undefined, {
      onSuccess: (body) => {
        for (const id of body.executions) watch.execution(id, "Validation check");
        for (const id of body.workflow_runs) watch.workflowRun(id, "Validation workflow");
        const skipped = body.skipped.length
          ? ` Skipped (they need parameters): ${body.skipped.map((s) => s.script).join(", ")}.`
          : "";
        notifications.show({
          color: "blue",
          title: body.workflow
            ? "The project's validation workflow started"
            : `${body.executions.length} checks started`,
          message: `Results appear here as each check finishes.${skipped}`,
        });
      },
      onError: (error) =>
        notifications.show({
          color: "red",
          title: "Could not run the checks",
          message: errorMessage(error),
        }),
    });

  const totals = checks.data?.totals;
  return (
    <Stack gap="md" data-testid="validation-tab">
      <Group justify="space-between">
        <Group gap="sm">
          <Title order={2} size="h4">
            Checks
          </Title>
          {totals && (
            <Group gap={6}>
              <Badge color="teal" variant="light">
                {totals.pass ?? 0} pass
              </Badge>
              <Badge color="orange" variant="light">
                {totals.warning ?? 0} warning
              </Badge>
              <Badge color="red" variant="light">
                {totals.fail ?? 0} fail
              </Badge>
            </Group>
          )}
          {checks.data?.previous_version && (
            <Text size="xs" c="dimmed">
              compared with v{checks.data.previous_version.number}
            </Text>
          )}
        </Group>
        <Group gap="xs">
          <Menu position="bottom-end">
            <Menu.Target>
              <Button
                size="xs"
                variant="default"
                leftSection={<IconDownload size={14} />}
                data-testid="export-findings"
              >
                Export
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {(["csv", "xlsx", "bcf"] as const).map((fmt) => (
                <Menu.Item
                  key={fmt}
                  component="a"
                  href={findingsExportUrl(version.id, fmt, filters)}
                  download
                  data-testid={`export-${fmt}`}
                >
                  {fmt === "bcf" ? "BCF 2.1 (one topic per finding)" : fmt.toUpperCase()}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          {canRun && (
            <Button
              size="xs"
              leftSection={<IconPlayerPlay size={14} />}
              onClick={run}
              loading={runAll.isPending}
              data-testid="run-all-checks"
            >
              Run all validation checks
            </Button>
          )}
        </Group>
      </Group>
      {checks.isPending && <SkeletonLines lines={3} />}
      {checks.isError && (
        <LoadError error={checks.error} what="the checks" onRetry={() => checks.refetch()} />
      )}
      {checks.data && checks.data.checks.length === 0 && (
        <EmptyState
          icon={<IconChecklist />}
          title="No checks have run on this version"
          testId="validation-empty"
        >
          Run the validation checks, or a script of your own that reports findings, and every
          problem found on this version is listed here by check and rule.
        </EmptyState>
      )}
      {checks.data && checks.data.checks.length > 0 && (
        <CheckList checks={checks.data.checks} versionId={version.id} />
      )}

      {((checks.data?.checks.length ?? 0) > 0 || (findings.data?.count ?? 0) > 0) && (
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, lg: selected ? 7 : 12 }}>
            <Stack gap="sm">
              <Group gap="xs" wrap="wrap">
                <TextInput
                  size="xs"
                  w={220}
                  placeholder="Message, GUID or class"
                  leftSection={<IconSearch size={14} />}
                  value={text}
                  onChange={(e) => setText(e.currentTarget.value)}
                  aria-label="Search findings"
                  data-testid="findings-search"
                />
                <Chip.Group
                  multiple
                  value={filters.severity ? filters.severity.split(",") : []}
                  onChange={(v) => set({ severity: v.join(",") || null })}
                >
                  <Group gap={4}>
                    {SEVERITIES.map((s) => (
                      <Chip key={s} value={s} size="xs" color={SEVERITY_COLORS[s]}>
                        {s}
                      </Chip>
                    ))}
                  </Group>
                </Chip.Group>
                <Select
                  size="xs"
                  w={150}
                  placeholder="Any state"
                  clearable
                  data={["new", "open", "reopened", "resolved"]}
                  value={filters.state || null}
                  onChange={(v) => set({ state: v })}
                  aria-label="State"
                  data-testid="findings-state"
                />
                <Select
                  size="xs"
                  w={200}
                  placeholder="Every check"
                  clearable
                  data={[...scriptNames.entries()].map(([value, label]) => ({ value, label }))}
                  value={filters.script || null}
                  onChange={(v) => set({ script: v, rule: null })}
                  aria-label="Check"
                  data-testid="findings-script"
                />
                {filters.rule !== undefined && (
                  <Chip checked size="xs" onChange={() => set({ rule: null })}>
                    rule: {filters.rule || "(none)"} ✕
                  </Chip>
                )}
              </Group>
              {groups.data && groups.data.length > 0 && (
                <ScrollArea.Autosize mah={220}>
                  <Table fz="xs" withTableBorder highlightOnHover data-testid="finding-groups">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Check</Table.Th>
                        <Table.Th>Rule</Table.Th>
                        <Table.Th>Errors</Table.Th>
                        <Table.Th>Warnings</Table.Th>
                        <Table.Th>Info</Table.Th>
                        <Table.Th>New</Table.Th>
                        <Table.Th>Resolved</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {groups.data.map((g) => (
                        <Table.Tr
                          key={`${g.script_slug}/${g.rule}`}
                          style={{ cursor: "pointer" }}
                          onClick={() => set({ script: g.script_slug, rule: g.rule })}
                          data-testid="group-row"
                          data-script={g.script_slug}
                          data-rule={g.rule}
                          data-total={g.total}
                        >
                          <Table.Td>{scriptNames.get(g.script_slug) ?? g.script_slug}</Table.Td>
                          <Table.Td>{g.rule || "—"}</Table.Td>
                          <Table.Td c={g.error ? "red" : undefined}>
                            {formatNumber(g.error)}
                          </Table.Td>
                          <Table.Td c={g.warning ? "orange" : undefined}>
                            {formatNumber(g.warning)}
                          </Table.Td>
                          <Table.Td>{formatNumber(g.info)}</Table.Td>
                          <Table.Td>{formatNumber(g.state_new)}</Table.Td>
                          <Table.Td>{formatNumber(g.state_resolved)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </ScrollArea.Autosize>
              )}
              {findings.isPending && <SkeletonLines lines={6} />}
              {findings.isError && <LoadError error={findings.error} what="the findings" />}
              {findings.data && (
                <>
                  <Text size="sm" data-testid="findings-count" data-count={findings.data.count}>
                    {formatNumber(findings.data.count)} findings
                  </Text>
                  <ScrollArea>
                    <Table fz="xs" highlightOnHover withTableBorder data-testid="version-findings">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Severity</Table.Th>
                          <Table.Th>Check</Table.Th>
                          <Table.Th>Rule</Table.Th>
                          <Table.Th>Element</Table.Th>
                          <Table.Th>Message</Table.Th>
                          <Table.Th>State</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {findings.data.results.map((f) => {
                          const key = `${f.id}:${f.state}`;
                          return (
                            <Table.Tr
                              key={key}
                              onClick={() =>
                                set({ finding: key === selected ? null : key, page: String(page) })
                              }
                              style={{ cursor: "pointer" }}
                              bg={
                                key === selected ? "var(--mantine-primary-color-light)" : undefined
                              }
                              data-testid="vfinding-row"
                              data-guid={f.guid ?? ""}
                              data-rule={f.rule}
                              data-script={f.script}
                              data-state={f.state}
                              data-severity={f.severity}
                            >
                              <Table.Td>
                                <Badge
                                  size="xs"
                                  variant="light"
                                  color={SEVERITY_COLORS[f.severity]}
                                >
                                  {f.severity}
                                </Badge>
                              </Table.Td>
                              <Table.Td>{scriptNames.get(f.script) ?? f.script}</Table.Td>
                              <Table.Td>{f.rule}</Table.Td>
                              <Table.Td>
                                <Text span size="xs" ff="monospace">
                                  {f.guid ?? "—"}
                                </Text>{" "}
                                <Text span size="xs" c="dimmed">
                                  {f.ifc_class}
                                </Text>
                              </Table.Td>
                              <Table.Td style={{ maxWidth: 380 }}>{f.message}</Table.Td>
                              <Table.Td>
                                {f.state && (
                                  <Badge size="xs" variant="outline" color={STATE_COLORS[f.state]}>
                                    {f.state}
                                  </Badge>
                                )}
                              </Table.Td>
                            </Table.Tr>
                          );
                        })}
                      </Table.Tbody>
                    </Table>
                  </ScrollArea>
                  {findings.data.count > PAGE_SIZE && (
                    <Pagination
                      size="sm"
                      total={Math.ceil(findings.data.count / PAGE_SIZE)}
                      value={page}
                      onChange={(p) => set({ page: String(p) })}
                      data-testid="findings-pagination"
                    />
                  )}
                </>
              )}
            </Stack>
          </Grid.Col>
          {selected && (
            <Grid.Col span={{ base: 12, lg: 5 }}>
              {selectedRow ? (
                <FindingViewer versionId={version.id} guids={selectedGuids} />
              ) : (
                <Alert color="gray">This finding is not on the current page.</Alert>
              )}
            </Grid.Col>
          )}
        </Grid>
      )}
    </Stack>
  );
}
