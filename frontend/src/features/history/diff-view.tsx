import { Fragment, useMemo, useState } from "react";
import {
  Badge,
  Code,
  Group,
  Pagination,
  SegmentedControl,
  Table,
  Text,
  TextInput,
  UnstyledButton,
} from "@mantine/core";
import { IconChevronDown, IconChevronRight, IconSearch } from "@tabler/icons-react";
import type { Diff, DiffEntry, FieldChange } from "@/api/types";
import { formatNumber, formatValue } from "@/lib/format";

type Kind = "added" | "removed" | "changed";
const PAGE_SIZE = 50;
const COLORS: Record<Kind | "unchanged", string> = {
  added: "teal",
  removed: "red",
  changed: "orange",
  unchanged: "gray",
};

export function DiffView({ diff }: { diff: Diff }) {
  const firstNonEmpty = (["changed", "added", "removed"] as Kind[]).find((k) => diff[k].length > 0);
  const [kind, setKind] = useState<Kind>(firstNonEmpty ?? "changed");
  const [page, setPage] = useState(1);
  const [filter, setFilter] = useState("");
  const [open, setOpen] = useState<Set<string>>(new Set());

  const rows = useMemo(() => {
    const list: (DiffEntry & { changes?: FieldChange[] })[] = diff[kind];
    const needle = filter.trim().toLowerCase();
    return needle
      ? list.filter((row) =>
          `${row.guid} ${row.ifc_class} ${row.name ?? ""}`.toLowerCase().includes(needle),
        )
      : list;
  }, [diff, kind, filter]);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const shown = rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);

  const toggle = (guid: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(guid)) next.delete(guid);
      else next.add(guid);
      return next;
    });

  return (
    <div data-testid="diff-view">
      <Group gap="xs" mb="sm" data-testid="diff-counts">
        {(["added", "removed", "changed", "unchanged"] as const).map((k) => (
          <Badge
            key={k}
            color={COLORS[k]}
            variant="light"
            size="lg"
            data-testid={`diff-count-${k}`}
            data-count={diff.counts[k]}
          >
            {formatNumber(diff.counts[k])} {k}
          </Badge>
        ))}
      </Group>
      <Group justify="space-between" mb="sm">
        <SegmentedControl
          value={kind}
          onChange={(value) => {
            setKind(value as Kind);
            setPage(1);
          }}
          data={(["changed", "added", "removed"] as Kind[]).map((k) => ({
            value: k,
            label: `${k[0].toUpperCase()}${k.slice(1)} (${diff[k].length})`,
          }))}
          aria-label="Which differences to list"
        />
        <TextInput
          aria-label="Filter differences"
          placeholder="Filter by GUID, class or name"
          leftSection={<IconSearch size={16} />}
          value={filter}
          onChange={(event) => {
            setFilter(event.currentTarget.value);
            setPage(1);
          }}
          w={280}
        />
      </Group>
      {rows.length === 0 ? (
        <Text c="dimmed" size="sm" py="lg" ta="center" data-testid="diff-empty">
          {filter
            ? "No difference matches the filter."
            : `No ${kind} elements between these versions.`}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table verticalSpacing={6} data-testid="diff-table">
            <Table.Thead>
              <Table.Tr>
                {kind === "changed" && <Table.Th w={32} />}
                <Table.Th>GUID</Table.Th>
                <Table.Th>Class</Table.Th>
                <Table.Th>Name</Table.Th>
                {kind === "changed" && <Table.Th ta="right">Fields</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((row) => {
                const expanded = open.has(row.guid);
                return (
                  <Fragment key={row.guid}>
                    <Table.Tr data-testid="diff-row" data-guid={row.guid} data-kind={kind}>
                      {kind === "changed" && (
                        <Table.Td>
                          <UnstyledButton
                            onClick={() => toggle(row.guid)}
                            aria-expanded={expanded}
                            aria-label={`${expanded ? "Hide" : "Show"} changes of ${row.guid}`}
                          >
                            {expanded ? (
                              <IconChevronDown size={16} />
                            ) : (
                              <IconChevronRight size={16} />
                            )}
                          </UnstyledButton>
                        </Table.Td>
                      )}
                      <Table.Td>
                        <Code>{row.guid}</Code>
                      </Table.Td>
                      <Table.Td>{row.ifc_class}</Table.Td>
                      <Table.Td>{row.name || "—"}</Table.Td>
                      {kind === "changed" && (
                        <Table.Td ta="right">{row.changes?.length ?? 0}</Table.Td>
                      )}
                    </Table.Tr>
                    {kind === "changed" && expanded && (
                      <Table.Tr data-testid="diff-changes">
                        <Table.Td colSpan={5} bg="var(--mantine-color-default-hover)">
                          <Table verticalSpacing={4} withRowBorders={false}>
                            <Table.Thead>
                              <Table.Tr>
                                <Table.Th>Field</Table.Th>
                                <Table.Th>Before</Table.Th>
                                <Table.Th>After</Table.Th>
                              </Table.Tr>
                            </Table.Thead>
                            <Table.Tbody>
                              {(row.changes ?? []).map((change, index) => (
                                <Table.Tr key={`${change.field}-${index}`}>
                                  <Table.Td>
                                    <Code>{change.field}</Code>
                                  </Table.Td>
                                  <Table.Td
                                    c="red.7"
                                    style={{
                                      textDecoration: "line-through",
                                      wordBreak: "break-word",
                                    }}
                                  >
                                    {formatValue(change.old)}
                                  </Table.Td>
                                  <Table.Td c="teal.7" style={{ wordBreak: "break-word" }}>
                                    {formatValue(change.new)}
                                  </Table.Td>
                                </Table.Tr>
                              ))}
                            </Table.Tbody>
                          </Table>
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Fragment>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 && (
        <Group justify="center" mt="sm">
          <Pagination total={pages} value={page} onChange={setPage} size="sm" />
        </Group>
      )}
    </div>
  );
}
