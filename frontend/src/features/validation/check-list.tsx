import { Anchor, Badge, Group, ScrollArea, Table, Text, Tooltip } from "@mantine/core";
import { IconArrowDownRight, IconArrowUpRight, IconEqual } from "@tabler/icons-react";
import { Link } from "react-router";
import type { Check } from "@/api/types";
import { formatRelative } from "@/lib/format";
import { ExecutionStatusBadge } from "@/features/scripts/execution/execution-status";
import { OUTCOME_COLORS, OUTCOME_LABELS } from "@/features/scripts/labels";

export function Trend({ trend, testId }: { trend: number | null; testId?: string }) {
  if (trend === null)
    return (
      <Text span size="xs" c="dimmed" data-testid={testId} data-trend="">
        —
      </Text>
    );
  const Icon = trend > 0 ? IconArrowUpRight : trend < 0 ? IconArrowDownRight : IconEqual;
  const color = trend > 0 ? "red" : trend < 0 ? "teal" : "dimmed";
  return (
    <Tooltip label="Findings compared with the previous version">
      <Group gap={2} wrap="nowrap" c={color} data-testid={testId} data-trend={trend}>
        <Icon size={14} />
        <Text span size="xs">
          {trend > 0 ? `+${trend}` : trend}
        </Text>
      </Group>
    </Tooltip>
  );
}

/** The latest run of each check on the version, with outcome, counts and trend. */
export function CheckList({ checks, versionId }: { checks: Check[]; versionId: number }) {
  return (
    <ScrollArea>
      <Table fz="sm" withTableBorder data-testid="check-list">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Check</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Errors</Table.Th>
            <Table.Th>Warnings</Table.Th>
            <Table.Th>Info</Table.Th>
            <Table.Th>New / resolved</Table.Th>
            <Table.Th>Trend</Table.Th>
            <Table.Th>Latest run</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {checks.map((c) => (
            <Table.Tr
              key={c.script}
              data-testid="check-row"
              data-slug={c.script_slug}
              data-outcome={c.outcome}
              data-total={c.counts.total}
            >
              <Table.Td>{c.script_name}</Table.Td>
              <Table.Td>
                <Badge color={OUTCOME_COLORS[c.outcome]} variant="light">
                  {OUTCOME_LABELS[c.outcome]}
                </Badge>
              </Table.Td>
              <Table.Td c={c.counts.error ? "red" : undefined}>{c.counts.error}</Table.Td>
              <Table.Td c={c.counts.warning ? "orange" : undefined}>{c.counts.warning}</Table.Td>
              <Table.Td>{c.counts.info}</Table.Td>
              <Table.Td>
                {c.states.new} / {c.states.resolved}
              </Table.Td>
              <Table.Td>
                <Trend trend={c.trend ?? null} />
              </Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <ExecutionStatusBadge status={c.latest_status} testId="check-status" />
                  <Anchor
                    component={Link}
                    size="xs"
                    to={`/versions/${versionId}/scripts?execution=${c.latest_execution}`}
                  >
                    #{c.latest_execution}
                  </Anchor>
                  {c.finished_at && (
                    <Text span size="xs" c="dimmed">
                      {formatRelative(c.finished_at)}
                    </Text>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea>
  );
}
