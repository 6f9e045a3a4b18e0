import { Card, Code, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { Metadata } from "@/api/types";
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
          <Table.Tr
            key={key}
            data-testid="metadata-row"
            data-key={key}
            data-value={JSON.stringify(value ?? null)}
          >
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

function georeferencingRows(geo: NonNullable<Metadata["georeferencing"]>): [string, unknown][] {
  if (geo.method === "IfcSite")
    return [
      ["method", "IfcSite reference latitude and longitude"],
      ["latitude", geo.latitude],
      ["longitude", geo.longitude],
      [
        "elevation",
        geo.elevation === null || geo.elevation === undefined ? null : `${geo.elevation} m`,
      ],
    ];
  const crs = geo.crs;
  return [
    ["method", geo.method],
    ["eastings", geo.eastings],
    ["northings", geo.northings],
    ["orthogonal_height", geo.orthogonal_height],
    ["x_axis_abscissa", geo.x_axis_abscissa],
    ["x_axis_ordinate", geo.x_axis_ordinate],
    ["scale", geo.scale],
    ["crs", crs?.name],
    ["crs_description", crs?.description],
    ["geodetic_datum", crs?.geodetic_datum],
    ["vertical_datum", crs?.vertical_datum],
    ["map_projection", crs?.map_projection],
    ["map_zone", crs?.map_zone],
    ["map_unit", crs?.map_unit],
  ];
}

const present = (rows: [string, unknown][]) =>
  rows.filter(([, value]) => value !== null && value !== undefined && value !== "");

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
              ["schema", m.schema_identifier || m.schema],
              ["application", m.application],
              ["model_view", m.views.join(", ")],
              ["time_stamp", m.time_stamp],
              ["author", m.author],
              ["organization", m.organization],
            ]}
          />
        </Section>
        <Section title="Project, site and building">
          <KeyValues
            testId="metadata-spatial"
            rows={present([
              ["project_name", m.project?.name],
              ["project_long_name", m.project?.long_name],
              ["project_description", m.project?.description],
              ["site_name", m.site?.name],
              ["site_description", m.site?.description],
              ["latitude", m.site?.latitude],
              ["longitude", m.site?.longitude],
              [
                "elevation",
                m.site?.elevation === null || m.site?.elevation === undefined
                  ? null
                  : `${m.site.elevation} m`,
              ],
              ["land_title_number", m.site?.land_title_number],
              ["building_name", m.building?.name],
              ["building_description", m.building?.description],
            ])}
          />
        </Section>
      </SimpleGrid>
      <Section title="IFC header">
        <KeyValues
          testId="metadata-header"
          rows={[
            ["file_name", m.file_name],
            ["time_stamp", m.time_stamp],
            ["author", m.author],
            ["organization", m.organization],
            ["originating_system", m.originating_system],
            ["preprocessor_version", m.preprocessor_version],
            ["authorization", m.authorization],
            ["implementation_level", m.implementation_level],
            ["view_definition", m.view_definition],
          ]}
        />
        {m.file_description.length > 0 && (
          <>
            <Text size="sm" fw={500} mt="sm" mb={4}>
              File description
            </Text>
            <Code block data-testid="metadata-file-description">
              {m.file_description.join("\n")}
            </Code>
          </>
        )}
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
                  <Table.Tr
                    key={`${unit.type}-${index}`}
                    data-testid="unit-row"
                    data-type={unit.type ?? ""}
                  >
                    <Table.Td>
                      <Code>{unit.type ?? "—"}</Code>
                    </Table.Td>
                    <Table.Td>{unit.name ?? "—"}</Table.Td>
                    <Table.Td>{unit.symbol ?? "—"}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </Section>
        <Section title="Georeferencing">
          {m.georeferencing ? (
            <KeyValues
              testId="metadata-georeferencing"
              rows={present(georeferencingRows(m.georeferencing))}
            />
          ) : (
            <Text size="sm" c="dimmed" data-testid="metadata-georeferencing" data-empty="true">
              The file has no georeferencing: no IfcMapConversion, and no latitude and longitude on
              its site.
            </Text>
          )}
        </Section>
      </SimpleGrid>
      <Section title="Counts">
        <Table data-testid="metadata-counts" verticalSpacing={6}>
          <Table.Tbody>
            {(
              [
                ["products", "Products (elements)", m.counts.products],
                ["entities", "Rooted entities", m.counts.entities],
                ["property_values", "Property and quantity values", m.counts.property_values],
                ["types", "Types", m.counts.types],
              ] as const
            ).map(([key, label, value]) => (
              <Table.Tr key={key} data-testid="metadata-count" data-key={key} data-value={value}>
                <Table.Th fw={500} c="dimmed">
                  {label}
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
