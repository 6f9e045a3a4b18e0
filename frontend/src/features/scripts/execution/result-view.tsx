import { useMemo, useState } from "react";
import { Pagination, ScrollArea, Stack, Table, Text, Title } from "@mantine/core";
import { formatValue } from "@/lib/format";
import { JsonTree } from "./json-tree";
import { isRecord, recordTables, type Row } from "./result-tables";

const PAGE = 50;

function RecordTable({ name, rows }: { name: string; rows: Row[] }) {
  const [page, setPage] = useState(1);
  const columns = useMemo(() => {
    const seen = new Set<string>();
    for (const row of rows.slice(0, 500)) for (const key of Object.keys(row)) seen.add(key);
    return [...seen];
  }, [rows]);
  const pages = Math.ceil(rows.length / PAGE);
  return (
    <Stack gap={4} data-testid="result-table" data-name={name} data-rows={rows.length}>
      <Title order={4} size="h6">
        {name}{" "}
        <Text span c="dimmed" size="xs">
          {rows.length} rows
        </Text>
      </Title>
      <ScrollArea>
        <Table striped withTableBorder fz="xs" stickyHeader>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c}>{c}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.slice((page - 1) * PAGE, page * PAGE).map((row, i) => (
              <Table.Tr key={i}>
                {columns.map((c) => (
                  <Table.Td key={c}>{formatValue(row[c])}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {pages > 1 && <Pagination size="xs" total={pages} value={page} onChange={setPage} />}
    </Stack>
  );
}

/** The result: a table for each list of records, and the whole as a JSON tree. */
export function ResultView({ result }: { result: unknown }) {
  const tables = useMemo(() => recordTables(result), [result]);
  const empty = result === null || (isRecord(result) && Object.keys(result).length === 0);
  if (empty)
    return (
      <Text size="sm" c="dimmed" data-testid="result-empty">
        The script left no result.
      </Text>
    );
  return (
    <Stack gap="md" data-testid="result-view">
      {tables.map((t) => (
        <RecordTable key={t.name} name={t.name} rows={t.rows} />
      ))}
      <JsonTree value={result} />
    </Stack>
  );
}
