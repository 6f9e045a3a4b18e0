import { Card, Group, ScrollArea, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useStatistics } from "@/api/versions";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatNumber } from "@/lib/format";
import { NotReady } from "@/features/versions/not-ready";
import { useVersionContext } from "@/features/versions/version-context";
import { CountBars } from "./count-bars";
import { CoverageHeatmap } from "./coverage-heatmap";
import { classRows, materialRows, storeyRows } from "./stats-utils";

function Section({
  title,
  description,
  children,
}: {
  title: string;
  description?: string;
  children: React.ReactNode;
}) {
  return (
    <Card withBorder padding="md">
      <Title order={2} size="h5" mb={2}>
        {title}
      </Title>
      {description && (
        <Text size="xs" c="dimmed" mb="sm">
          {description}
        </Text>
      )}
      {children}
    </Card>
  );
}

export default function StatisticsTab() {
  const { version } = useVersionContext();
  const ready = version.status === "ready";
  const stats = useStatistics(version.id, ready);
  if (!ready) return <NotReady version={version} what="Statistics" />;
  if (stats.isPending) return <SkeletonLines lines={10} height={36} />;
  if (stats.isError)
    return <LoadError error={stats.error} what="statistics" onRetry={() => stats.refetch()} />;
  const data = stats.data;
  const totals = data.totals;
  return (
    <Stack gap="md" data-testid="statistics-tab">
      <Group gap="xl" data-testid="statistics-totals">
        {(
          [
            ["Elements", totals.elements],
            ["Classes", totals.classes],
            ["Storeys", totals.storeys],
            ["Property values", totals.property_values],
            ["Materials", totals.materials],
            ["Systems", totals.systems],
            ["With geometry", totals.with_geometry],
          ] as const
        ).map(([label, value]) => (
          <div key={label}>
            <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
              {label}
            </Text>
            <Text
              fw={650}
              size="lg"
              className="tabular-nums"
              data-testid={`total-${label.toLowerCase().replace(/ /g, "-")}`}
            >
              {formatNumber(value)}
            </Text>
          </div>
        ))}
      </Group>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Section
          title="Elements by class"
          description="The biggest classes; the rest are summed as Other."
        >
          <CountBars
            rows={classRows(data)}
            noun="classes"
            testId="chart-by-class"
            label="IFC class"
          />
        </Section>
        <Section title="Elements by storey" description="In the building's storey order.">
          <CountBars
            rows={storeyRows(data)}
            keepOrder
            limit={20}
            noun="storeys"
            color="teal.6"
            testId="chart-by-storey"
            expandLabel={`Show all ${formatNumber(totals.storeys)} storeys${
              data.by_storey.some((row) => !row.storey_guid) ? " and elements outside any" : ""
            }`}
            label="Storey"
          />
        </Section>
      </SimpleGrid>
      <Section
        title="Property set coverage"
        description="Which classes carry which property sets, and how completely."
      >
        <CoverageHeatmap stats={data} />
      </Section>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Section
          title="Material usage"
          description="Elements per material (an element may use several)."
        >
          <CountBars
            rows={materialRows(data)}
            noun="materials"
            color="orange.6"
            testId="chart-materials"
            label="Material"
          />
        </Section>
        <Section title="System membership" description="Elements assigned to each system.">
          {data.systems.length === 0 ? (
            <Text size="sm" c="dimmed" data-testid="systems-table" data-empty="true">
              No systems (IfcSystem, IfcDistributionSystem…) in this model.
            </Text>
          ) : (
            <ScrollArea.Autosize mah={420}>
              <Table striped data-testid="systems-table" stickyHeader>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>System</Table.Th>
                    <Table.Th>Class</Table.Th>
                    <Table.Th ta="right">Elements</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {[...data.systems]
                    .sort((a, b) => b.count - a.count)
                    .map((system, index) => (
                      <Table.Tr key={`${system.name}-${index}`} data-testid="system-row">
                        <Table.Td>{system.name || "(unnamed)"}</Table.Td>
                        <Table.Td>
                          <Text size="xs" ff="monospace">
                            {system.ifc_class}
                          </Text>
                        </Table.Td>
                        <Table.Td ta="right" className="tabular-nums">
                          {formatNumber(system.count)}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
          )}
        </Section>
      </SimpleGrid>
    </Stack>
  );
}
