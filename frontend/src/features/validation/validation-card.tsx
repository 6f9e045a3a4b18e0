import { Anchor, Badge, Card, Group, Skeleton, Stack, Table, Text, Title } from "@mantine/core";
import { IconChecklist } from "@tabler/icons-react";
import { Link } from "react-router";
import { useChecks } from "@/api/findings";
import type { Version } from "@/api/types";
import { OUTCOME_COLORS, OUTCOME_LABELS } from "@/features/scripts/labels";
import { Trend } from "./check-list";

/** The Overview's validation card: each check's outcome, counts and trend. */
export function ValidationCard({ version }: { version: Version }) {
  const checks = useChecks(version.id, version.status === "ready");
  const list = checks.data?.checks ?? [];
  const totals = checks.data?.totals;
  const worst = totals
    ? totals.fail
      ? "fail"
      : totals.warning
        ? "warning"
        : list.length
          ? "pass"
          : null
    : null;
  return (
    <Card withBorder padding="md" data-testid="validation-status" data-outcome={worst ?? "none"}>
      <Group justify="space-between" mb={4}>
        <Title order={2} size="h5">
          <Anchor component={Link} to={`/versions/${version.id}/validation`} inherit c="inherit">
            Validation
          </Anchor>
        </Title>
        {worst ? (
          <Badge variant="light" color={OUTCOME_COLORS[worst]}>
            {totals?.pass ?? 0} pass · {totals?.warning ?? 0} warning · {totals?.fail ?? 0} fail
          </Badge>
        ) : (
          <Badge variant="light" color="gray">
            Not checked
          </Badge>
        )}
      </Group>
      {checks.isPending && version.status === "ready" && <Skeleton height={60} />}
      {checks.data && list.length === 0 && (
        <Group gap="xs" wrap="nowrap" align="flex-start">
          <IconChecklist size={18} style={{ flexShrink: 0, marginTop: 2 }} />
          <Text size="sm" c="dimmed">
            No checks run yet. Run them from the{" "}
            <Anchor component={Link} to={`/versions/${version.id}/validation`} size="sm">
              Validation
            </Anchor>{" "}
            tab; each check's outcome is listed here.
          </Text>
        </Group>
      )}
      {list.length > 0 && (
        <Stack gap={4}>
          <Table fz="xs" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Check</Table.Th>
                <Table.Th />
                <Table.Th ta="right">Findings</Table.Th>
                <Table.Th ta="right">vs v{checks.data?.previous_version?.number ?? "—"}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((c) => (
                <Table.Tr
                  key={c.script}
                  data-testid="overview-check"
                  data-slug={c.script_slug}
                  data-outcome={c.outcome}
                  data-total={c.counts.total}
                >
                  <Table.Td>{c.script_name}</Table.Td>
                  <Table.Td>
                    <Badge size="xs" variant="light" color={OUTCOME_COLORS[c.outcome]}>
                      {OUTCOME_LABELS[c.outcome]}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text span size="xs" c="red">
                      {c.counts.error}
                    </Text>{" "}
                    /{" "}
                    <Text span size="xs" c="orange">
                      {c.counts.warning}
                    </Text>{" "}
                    /{" "}
                    <Text span size="xs">
                      {c.counts.info}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group justify="flex-end">
                      <Trend trend={c.trend ?? null} testId="overview-trend" />
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Text size="xs" c="dimmed">
            errors / warnings / info; trend: findings compared with the previous version
          </Text>
        </Stack>
      )}
    </Card>
  );
}
