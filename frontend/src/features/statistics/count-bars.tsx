import { useState } from "react";
import { BarChart } from "@mantine/charts";
import { Button, Group, ScrollArea, Table, Text, VisuallyHidden } from "@mantine/core";
import { formatNumber } from "@/lib/format";
import { topN, type CountRow } from "./stats-utils";

interface CountBarsProps {
  rows: CountRow[];
  /** Rows shown before "Other"; the user can expand to all. */
  limit?: number;
  /** Keep the given order instead of sorting by count (storeys). */
  keepOrder?: boolean;
  noun: string;
  color?: string;
  testId: string;
  label: string;
  valueLabel?: string;
  /** The "show all" button's words, when "all N {noun}" would miscount (storeys). */
  expandLabel?: string;
}

const BAR_HEIGHT = 26;

/** Horizontal bars readable with many categories: top N + "Other", expandable and scrollable. */
export function CountBars({
  rows,
  limit = 12,
  keepOrder = false,
  noun,
  color = "blue.6",
  testId,
  label,
  valueLabel = "Elements",
  expandLabel,
}: CountBarsProps) {
  const [expanded, setExpanded] = useState(false);
  const shown = keepOrder
    ? expanded
      ? rows
      : rows.slice(0, limit)
    : topN(rows, expanded ? Number.POSITIVE_INFINITY : limit, noun);
  const hiddenInOrder = keepOrder && !expanded ? rows.length - shown.length : 0;
  const data = shown.map((row) => ({ label: row.label, [valueLabel]: row.count }));
  const height = Math.max(80, data.length * BAR_HEIGHT + 30);
  // Recharts wraps a tick label at spaces when it is wider than the axis minus its tick
  // margins (about 20 px), so leave room for those too.
  const longest = Math.min(260, Math.max(72, ...shown.map((row) => row.label.length * 7.4 + 28)));

  if (rows.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid={testId} data-empty="true">
        Nothing to show: the model has no {noun}.
      </Text>
    );
  }

  const chart = (
    <BarChart
      h={height}
      data={data}
      dataKey="label"
      orientation="vertical"
      series={[{ name: valueLabel, color }]}
      yAxisProps={{ width: longest, interval: 0, tick: { fontSize: 12 } }}
      gridAxis="none"
      withTooltip
      tooltipAnimationDuration={100}
      barProps={{ radius: 3 }}
      valueFormatter={(value) => formatNumber(value)}
    />
  );

  return (
    <div data-testid={testId} aria-label={label} role="figure">
      {expanded ? (
        <ScrollArea.Autosize mah={520} type="auto" scrollbars="y">
          {chart}
        </ScrollArea.Autosize>
      ) : (
        chart
      )}
      {(rows.length > limit || hiddenInOrder > 0) && (
        <Group justify="center" mt={4}>
          <Button size="compact-xs" variant="subtle" onClick={() => setExpanded((e) => !e)}>
            {expanded ? `Show top ${limit}` : (expandLabel ?? `Show all ${rows.length} ${noun}`)}
          </Button>
        </Group>
      )}
      <VisuallyHidden>
        <Table data-testid={`${testId}-table`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{label}</Table.Th>
              <Table.Th>{valueLabel}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {shown.map((row) => (
              <Table.Tr
                key={row.label}
                data-testid="chart-row"
                data-label={row.label}
                data-count={row.count}
              >
                <Table.Td>{row.label}</Table.Td>
                <Table.Td>{row.count}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </VisuallyHidden>
    </div>
  );
}
