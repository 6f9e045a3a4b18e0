import { useMemo, useState } from "react";
import {
  Accordion,
  Badge,
  Button,
  CopyButton,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconCheck, IconCopy, IconSearch, IconView360 } from "@tabler/icons-react";
import { Link } from "react-router";
import { useElement } from "@/api/catalog";
import type { ElementDetail, ElementProperty } from "@/api/types";
import { IconButton } from "@/components/icon-button";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatValue } from "@/lib/format";

function groupProperties(properties: ElementProperty[]) {
  const groups = new Map<
    string,
    { pset: string; kind: ElementProperty["kind"]; rows: ElementProperty[] }
  >();
  for (const property of properties) {
    const key = `${property.kind}:${property.pset}`;
    if (!groups.has(key)) groups.set(key, { pset: property.pset, kind: property.kind, rows: [] });
    groups.get(key)!.rows.push(property);
  }
  return [...groups.values()].sort((a, b) =>
    a.kind === b.kind ? a.pset.localeCompare(b.pset) : a.kind === "pset" ? -1 : 1,
  );
}

function Attributes({ element }: { element: ElementDetail }) {
  const rows: [string, unknown][] = [
    ["Description", element.description],
    ["Object type", element.object_type],
    ["Predefined type", element.predefined_type],
    ["Type", element.type_name ? `${element.type_name} (${element.type_class ?? "type"})` : null],
    ["Storey", element.storey],
    ["Materials", element.materials],
    ["Systems", element.systems],
    ["Classifications", element.classifications],
    ["Has geometry", element.has_geometry],
  ];
  return (
    <Table verticalSpacing={4} data-testid="element-attributes">
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Th w="38%" fw={500} c="dimmed">
              {label}
            </Table.Th>
            <Table.Td style={{ wordBreak: "break-word" }}>{formatValue(value)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ElementDetails({
  versionId,
  guid,
  showInViewer = true,
}: {
  versionId: number;
  guid: string;
  showInViewer?: boolean;
}) {
  const element = useElement(versionId, guid);
  const [filter, setFilter] = useState("");
  const groups = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const properties = element.data?.properties ?? [];
    const filtered = needle
      ? properties.filter((p) =>
          `${p.pset} ${p.name} ${formatValue(p.value)}`.toLowerCase().includes(needle),
        )
      : properties;
    return groupProperties(filtered);
  }, [element.data, filter]);

  if (element.isPending) return <SkeletonLines lines={8} />;
  if (element.isError)
    return (
      <LoadError error={element.error} what="this element" onRetry={() => element.refetch()} />
    );
  const e = element.data;

  return (
    <Stack gap="sm" data-testid="element-details" data-guid={e.guid}>
      <div>
        <Group gap="xs" justify="space-between" wrap="nowrap">
          <Title order={3} size="h5" style={{ wordBreak: "break-word" }} data-testid="element-name">
            {e.name || "(unnamed)"}
          </Title>
          {showInViewer && e.has_geometry && (
            <Button
              component={Link}
              to={`/versions/${versionId}/viewer?select=${encodeURIComponent(e.guid)}`}
              size="compact-sm"
              variant="light"
              leftSection={<IconView360 size={14} />}
              data-testid="show-in-3d"
            >
              Show in 3D
            </Button>
          )}
        </Group>
        <Group gap={6} mt={4}>
          <Badge variant="light" data-testid="element-class">
            {e.ifc_class}
          </Badge>
          <Text size="xs" ff="monospace" c="dimmed" data-testid="element-guid">
            {e.guid}
          </Text>
          <CopyButton value={e.guid}>
            {({ copied, copy }) => (
              <IconButton label={copied ? "Copied" : "Copy GlobalId"} size="sm" onClick={copy}>
                {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
              </IconButton>
            )}
          </CopyButton>
        </Group>
      </div>
      <Attributes element={e} />
      <Group justify="space-between" mt="xs">
        <Text fw={600} size="sm">
          Property sets and quantities
        </Text>
        <Text size="xs" c="dimmed">
          {e.properties.length} values
        </Text>
      </Group>
      {e.properties.length > 8 && (
        <TextInput
          size="xs"
          placeholder="Filter properties"
          aria-label="Filter properties"
          leftSection={<IconSearch size={14} />}
          value={filter}
          onChange={(event) => setFilter(event.currentTarget.value)}
        />
      )}
      {e.properties.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="element-no-properties">
          This element has no property sets or quantities, neither its own nor from its type.
        </Text>
      ) : (
        <Accordion
          multiple
          defaultValue={groups.slice(0, 6).map((g) => `${g.kind}:${g.pset}`)}
          variant="separated"
          chevronPosition="left"
        >
          {groups.map((group) => (
            <Accordion.Item
              key={`${group.kind}:${group.pset}`}
              value={`${group.kind}:${group.pset}`}
              data-testid="pset-group"
              data-pset={group.pset}
            >
              <Accordion.Control>
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" fw={500} truncate>
                    {group.pset}
                  </Text>
                  {group.kind === "qto" && (
                    <Badge size="xs" color="violet" variant="light">
                      quantities
                    </Badge>
                  )}
                  <Text size="xs" c="dimmed">
                    {group.rows.length}
                  </Text>
                </Group>
              </Accordion.Control>
              <Accordion.Panel>
                <Table verticalSpacing={3} fz="sm">
                  <Table.Tbody>
                    {group.rows.map((property) => (
                      <Table.Tr
                        key={`${property.name}-${property.source}`}
                        data-testid="property-row"
                        data-source={property.source}
                        data-pset={property.pset}
                        data-name={property.name}
                        data-value={JSON.stringify(property.value)}
                      >
                        <Table.Td w="45%" c="dimmed" style={{ wordBreak: "break-word" }}>
                          {property.name}
                        </Table.Td>
                        <Table.Td style={{ wordBreak: "break-word" }}>
                          {formatValue(property.value)}
                          {property.unit ? ` ${property.unit}` : ""}
                        </Table.Td>
                        <Table.Td w={56} ta="right">
                          {property.source === "type" && (
                            <Tooltip label="Inherited from the element's type">
                              <Badge size="xs" variant="outline" color="gray">
                                type
                              </Badge>
                            </Tooltip>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      )}
    </Stack>
  );
}
