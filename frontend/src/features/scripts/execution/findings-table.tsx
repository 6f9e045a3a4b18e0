import { useState } from "react";
import { Anchor, Badge, Group, Pagination, ScrollArea, Table, Text } from "@mantine/core";
import { Link } from "react-router";
import { useExecutionFindings } from "@/api/scripts";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatNumber } from "@/lib/format";
import { SEVERITY_COLORS, STATE_COLORS } from "../labels";

const PAGE = 50;

/** One execution's findings, paginated (every one reachable). */
export function ExecutionFindings({
  executionId,
  versionId,
}: {
  executionId: number;
  versionId: number;
}) {
  const [page, setPage] = useState(1);
  const findings = useExecutionFindings(executionId, page, PAGE);
  if (findings.isPending) return <SkeletonLines lines={4} />;
  if (findings.isError) return <LoadError error={findings.error} what="the findings" />;
  const data = findings.data;
  if (data.count === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="findings-total" data-count={0}>
        No findings.
      </Text>
    );
  return (
    <>
      <Text size="sm" data-testid="findings-total" data-count={data.count}>
        {formatNumber(data.count)} findings
      </Text>
      <ScrollArea>
        <Table fz="xs" striped withTableBorder data-testid="findings-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Severity</Table.Th>
              <Table.Th>Rule</Table.Th>
              <Table.Th>Element</Table.Th>
              <Table.Th>Message</Table.Th>
              <Table.Th>State</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.results.map((f) => (
              <Table.Tr
                key={f.id}
                data-testid="finding-row"
                data-guid={f.guid ?? ""}
                data-severity={f.severity}
                data-rule={f.rule}
              >
                <Table.Td>
                  <Badge size="xs" color={SEVERITY_COLORS[f.severity]} variant="light">
                    {f.severity}
                  </Badge>
                </Table.Td>
                <Table.Td>{f.rule}</Table.Td>
                <Table.Td>
                  {f.guid ? (
                    <Anchor
                      component={Link}
                      to={`/versions/${versionId}/validation?guid=${f.guid}`}
                      size="xs"
                      ff="monospace"
                    >
                      {f.guid}
                    </Anchor>
                  ) : (
                    "—"
                  )}{" "}
                  <Text span size="xs" c="dimmed">
                    {f.ifc_class}
                  </Text>
                </Table.Td>
                <Table.Td style={{ maxWidth: 420 }}>{f.message}</Table.Td>
                <Table.Td>
                  {f.state && (
                    <Badge size="xs" color={STATE_COLORS[f.state]} variant="outline">
                      {f.state}
                    </Badge>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {data.count > PAGE && (
        <Group>
          <Pagination
            size="sm"
            total={Math.ceil(data.count / PAGE)}
            value={page}
            onChange={setPage}
          />
        </Group>
      )}
    </>
  );
}
