import { Card, Code, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useMetadata } from "@/api/versions";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatNumber, formatValue } from "@/lib/format";
import { NotReady } from "@/features/versions/not-ready";
import { useVersionContext } from "@/features/versions/version-context";

function humanize(key: string): string {
  const text = key.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function KeyValues({ rows, testId }: { rows: [string, unknown][]; testId: string }) {
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid={testId} data-empty="true">
        Not present in the file.
      </Text>
    );
  return (
    <Table data-testid={testId} verticalSpacing={6}>
      <Table.Tbody>
        {rows.map(([key, value]) => (
          <Table.Tr key={key} data-testid="metadata-row" data-key={key}>
            <Table.Th w="40%" fw={500} c="dimmed" style={{ verticalAlign: "top" }}>
              {humanize(key)}
            </Table.Th>
            <Table.Td style={{ wordBreak: "break-word" }}>{formatValue(value)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card withBorder padding="md">
      <Title order={2} size="h5" mb="xs">
        {title}
      </Title>
      {children}
    </Card>
  );
}

export default function MetadataTab() {
  const { version } = useVersionContext();
  const ready = version.status === "ready";
  const meta = useMetadata(version.id, ready);
  if (!ready) return <NotReady version={version} what="Metadata" />;
  if (meta.isPending) return <SkeletonLines lines={10} />;
  if (meta.isError)
    return <LoadError error={meta.error} what="metadata" onRetry={() => meta.refetch()} />;
  const m = meta.data;
  return (
    <Stack gap="md" data-testid="metadata-tab">
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Section title="File">
          <KeyValues
            testId="metadata-file"
            rows={[
              ["schema", m.schema],
              ["application", m.application],
            ]}
          />
        </Section>
        <Section title="Project, site and building">
          <KeyValues
            testId="metadata-spatial"
            rows={[
              ["project_name", m.project?.name],
              ["project_description", m.project?.description],
              ["site_name", m.site?.name],
              ["latitude", m.site?.latitude],
              ["longitude", m.site?.longitude],
              ["elevation", m.site?.elevation],
              ["building_name", m.building?.name],
            ]}
          />
        </Section>
      </SimpleGrid>
      <Section title="IFC header">
        <KeyValues testId="metadata-header" rows={Object.entries(m.header ?? {})} />
      </Section>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Section title="Units">
          {m.units.length === 0 ? (
            <Text size="sm" c="dimmed">
              No units assigned in the file.
            </Text>
          ) : (
            <Table data-testid="metadata-units" verticalSpacing={6}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Type</Table.Th>
                  <Table.Th>Unit</Table.Th>
                  <Table.Th>Symbol</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {m.units.map((unit, index) => (
                  <Table.Tr key={`${unit.type}-${index}`}>
                    <Table.Td>
                      <Code>{unit.type}</Code>
                    </Table.Td>
                    <Table.Td>{unit.name}</Table.Td>
                    <Table.Td>{unit.symbol ?? "—"}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Section>
        <Section title="Georeferencing">
          {m.georeferencing ? (
            <KeyValues testId="metadata-georeferencing" rows={Object.entries(m.georeferencing)} />
          ) : (
            <Text size="sm" c="dimmed" data-testid="metadata-georeferencing" data-empty="true">
              The file has no georeferencing (no IfcMapConversion / IfcProjectedCRS).
            </Text>
          )}
        </Section>
      </SimpleGrid>
      <Section title="Counts">
        <Table data-testid="metadata-counts" verticalSpacing={6}>
          <Table.Tbody>
            {Object.entries(m.counts ?? {}).map(([key, value]) => (
              <Table.Tr key={key} data-key={key}>
                <Table.Th fw={500} c="dimmed">
                  {humanize(key)}
                </Table.Th>
                <Table.Td ta="right" className="tabular-nums">
                  {formatNumber(value)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Section>
    </Stack>
  );
}
