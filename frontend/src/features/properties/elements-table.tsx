import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { Box, Group, Skeleton, Text, UnstyledButton } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useVirtualizer } from "@tanstack/react-virtual";
import { IconArrowDown, IconArrowUp, IconArrowsSort } from "@tabler/icons-react";
import type { ElementQuery } from "@/api/catalog";
import type { ElementOrdering, ElementOrderingField, ElementRow } from "@/api/types";
import { formatValue } from "@/lib/format";
import { nextOrdering, splitColumn } from "./element-filters";
import classes from "./elements-table.module.css";
import { useElementPages } from "./use-element-pages";

const ROW_HEIGHT = 36;

interface Column {
  key: string;
  label: string;
  /** Minimum width in px; with `grow`, the column takes a share of the spare width. */
  min: number;
  grow?: number;
  sort?: ElementOrderingField;
  value: (row: ElementRow) => string;
  mono?: boolean;
}

const BASE_COLUMNS: Column[] = [
  {
    key: "guid",
    label: "GlobalId",
    min: 210,
    sort: "guid",
    value: (r) => r.guid,
    mono: true,
  },
  {
    key: "ifc_class",
    label: "Class",
    min: 180,
    sort: "ifc_class",
    value: (r) => r.ifc_class,
  },
  {
    key: "name",
    label: "Name",
    min: 220,
    grow: 2,
    sort: "name",
    value: (r) => r.name ?? "",
  },
  { key: "storey", label: "Storey", min: 160, sort: "storey", value: (r) => r.storey ?? "" },
  {
    key: "type_name",
    label: "Type",
    min: 160,
    grow: 1,
    sort: "type_name",
    value: (r) => r.type_name ?? "",
  },
  {
    key: "materials",
    label: "Materials",
    min: 140,
    grow: 1,
    value: (r) => r.materials.join(", "),
  },
];

function propertyColumn(column: string): Column {
  const [pset, prop] = splitColumn(column);
  return {
    key: `p:${column}`,
    label: column,
    min: 170,
    value: (row) => {
      const value = row.psets?.[pset]?.[prop];
      return value === undefined ? "" : formatValue(value);
    },
  };
}

function SortIcon({
  ordering,
  field,
}: {
  ordering: ElementOrdering | null;
  field: ElementOrderingField;
}) {
  if (ordering === field) return <IconArrowUp size={14} />;
  if (ordering === `-${field}`) return <IconArrowDown size={14} />;
  return <IconArrowsSort size={14} opacity={0.35} />;
}

export function ElementsTable({
  versionId,
  query,
  ordering,
  onOrderingChange,
  propertyColumns,
  selectedGuid,
  onOpen,
  onCountChange,
}: {
  versionId: number;
  query: ElementQuery;
  ordering: ElementOrdering | null;
  onOrderingChange: (ordering: ElementOrdering | null) => void;
  propertyColumns: string[];
  selectedGuid: string | null;
  onOpen: (guid: string) => void;
  onCountChange?: (count: number | null) => void;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const columnKey = propertyColumns.join("\u0000");
  const layout = useMemo(() => {
    const columns = [...BASE_COLUMNS, ...propertyColumns.map(propertyColumn)];
    // Every row is its own grid: the tracks must not depend on a row's content, or the
    // columns of long-named rows would shift. Fixed minimums, shares of the spare width.
    const template = columns
      .map((c) => (c.grow ? `minmax(${c.min}px, ${c.grow}fr)` : `${c.min}px`))
      .join(" ");
    const minWidth = columns.reduce((sum, c) => sum + c.min, 0);
    return { columns, template, minWidth };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the column names
  }, [columnKey]);
  const { columns, template, minWidth } = layout;

  const [visibleRange, setVisibleRange] = useState("0:60");
  const [debouncedRange] = useDebouncedValue(visibleRange, 80);
  const [start, end] = debouncedRange.split(":").map(Number);
  // Page 1 is always part of the set: it carries the total count.
  const pages = useElementPages(versionId, query, { start, end });

  const virtualizer = useVirtualizer({
    count: pages.count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    onChange: (instance) => {
      const items = instance.getVirtualItems();
      if (items.length > 0) setVisibleRange(`${items[0].index}:${items[items.length - 1].index}`);
    },
  });
  const virtualItems = virtualizer.getVirtualItems();

  useEffect(() => {
    onCountChange?.(pages.isInitialLoading ? null : pages.count);
  }, [pages.count, pages.isInitialLoading, onCountChange]);

  // Back to the top when the filters or sort change.
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [queryKey]);

  // Stable handlers, so that rows already on screen do not re-render while scrolling.
  const latest = useRef({ onOpen, count: pages.count, virtualizer });
  latest.current = { onOpen, count: pages.count, virtualizer };
  const openRow = useCallback((guid: string) => latest.current.onOpen(guid), []);
  const onRowKey = useCallback(
    (event: KeyboardEvent<HTMLDivElement>, index: number, guid?: string) => {
      if ((event.key === "Enter" || event.key === " ") && guid) {
        event.preventDefault();
        latest.current.onOpen(guid);
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const target = index + (event.key === "ArrowDown" ? 1 : -1);
        if (target < 0 || target >= latest.current.count) return;
        latest.current.virtualizer.scrollToIndex(target, { align: "auto" });
        requestAnimationFrame(() =>
          scrollRef.current?.querySelector<HTMLElement>(`[data-index="${target}"]`)?.focus(),
        );
      }
    },
    [],
  );

  const error = pages.error;

  return (
    <Box
      className={classes.wrapper}
      data-testid="elements-table"
      role="table"
      aria-rowcount={pages.count + 1}
    >
      <div ref={scrollRef} className={classes.scroller}>
        <div
          className={classes.header}
          style={{ gridTemplateColumns: template, minWidth }}
          role="row"
        >
          {columns.map((column) => (
            <div
              key={column.key}
              role="columnheader"
              className={classes.headerCell}
              aria-sort={
                column.sort && ordering === column.sort
                  ? "ascending"
                  : column.sort && ordering === `-${column.sort}`
                    ? "descending"
                    : undefined
              }
            >
              {column.sort ? (
                <UnstyledButton
                  className={classes.sortButton}
                  onClick={() => onOrderingChange(nextOrdering(ordering, column.sort!))}
                  data-testid={`sort-${column.sort}`}
                  aria-label={`Sort by ${column.label}`}
                >
                  <Group gap={4} wrap="nowrap">
                    <span>{column.label}</span>
                    <SortIcon ordering={ordering} field={column.sort} />
                  </Group>
                </UnstyledButton>
              ) : (
                <span title={column.label}>{column.label}</span>
              )}
            </div>
          ))}
        </div>
        {pages.isInitialLoading && (
          <Box p="sm">
            {Array.from({ length: 12 }, (_, i) => (
              <Skeleton key={i} height={24} mb={10} />
            ))}
          </Box>
        )}
        {!pages.isInitialLoading && pages.count === 0 && !error && (
          <Text c="dimmed" ta="center" py={48} data-testid="elements-empty">
            No element matches these filters. Reset the filters to see every element.
          </Text>
        )}
        <div style={{ height: virtualizer.getTotalSize(), position: "relative", minWidth }}>
          {/* One moving window of rows in normal flow: scrolling moves the window, and
              rows already on screen keep their props, so only new rows render. */}
          <div
            className={classes.window}
            style={{ transform: `translateY(${virtualItems[0]?.start ?? 0}px)`, minWidth }}
          >
            {virtualItems.map((item) => {
              const row = pages.getRow(item.index);
              return (
                <ElementRowView
                  key={item.key}
                  index={item.index}
                  row={row}
                  columns={columns}
                  template={template}
                  selected={Boolean(row && row.guid === selectedGuid)}
                  onOpen={openRow}
                  onKey={onRowKey}
                />
              );
            })}
          </div>
        </div>
      </div>
      {error && (
        <Text size="sm" c="red" p="xs" role="alert">
          Some rows could not be loaded: {error.message}
        </Text>
      )}
    </Box>
  );
}

const ElementRowView = memo(function ElementRowView({
  index,
  row,
  columns,
  template,
  selected,
  onOpen,
  onKey,
}: {
  index: number;
  row: ElementRow | undefined;
  columns: Column[];
  template: string;
  selected: boolean;
  onOpen: (guid: string) => void;
  onKey: (event: KeyboardEvent<HTMLDivElement>, index: number, guid?: string) => void;
}) {
  return (
    <div
      data-index={index}
      role="row"
      aria-rowindex={index + 2}
      tabIndex={0}
      className={classes.row}
      data-testid={row ? "element-row" : "element-row-loading"}
      data-guid={row?.guid}
      data-selected={selected ? "true" : undefined}
      onClick={() => row && onOpen(row.guid)}
      onKeyDown={(event) => onKey(event, index, row?.guid)}
      style={{ gridTemplateColumns: template, height: ROW_HEIGHT }}
    >
      {columns.map((column) => {
        const value = row ? column.value(row) : "";
        return (
          <div
            key={column.key}
            role="cell"
            className={column.mono ? `${classes.cell} ${classes.mono}` : classes.cell}
            title={value || undefined}
          >
            {row ? (
              value || <span className={classes.empty}>—</span>
            ) : (
              <span className={classes.placeholder} />
            )}
          </div>
        );
      })}
    </div>
  );
});
