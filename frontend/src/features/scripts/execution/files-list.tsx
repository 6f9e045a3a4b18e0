import { Anchor, Group, Table, Text } from "@mantine/core";
import { IconDownload } from "@tabler/icons-react";
import type { ResultFile } from "@/api/types";
import { formatBytes } from "@/lib/format";

export function FilesList({ files }: { files: ResultFile[] }) {
  if (files.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="files-empty">
        The script saved no files.
      </Text>
    );
  return (
    <Table fz="sm" withTableBorder data-testid="files-list">
      <Table.Tbody>
        {files.map((f) => (
          <Table.Tr key={f.name} data-testid="result-file" data-name={f.name}>
            <Table.Td>
              {f.purged ? (
                <Text size="sm" c="dimmed">
                  {f.name} (removed by the retention policy)
                </Text>
              ) : (
                <Anchor
                  href={f.url}
                  download={f.name.split("/").pop()}
                  data-testid="result-file-link"
                >
                  <Group gap={4} wrap="nowrap">
                    <IconDownload size={14} />
                    {f.name}
                  </Group>
                </Anchor>
              )}
            </Table.Td>
            <Table.Td>{formatBytes(f.size)}</Table.Td>
            <Table.Td c="dimmed">{f.content_type}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
