import { useCallback, useMemo, useState } from "react";
import { Drawer, Group, Stack, Text } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { listElements } from "@/api/catalog";
import { queryKeys } from "@/api/query-keys";
import { NO_STOREY_GUID, type ElementOrdering } from "@/api/types";
import { useStatistics } from "@/api/versions";
import { formatNumber } from "@/lib/format";
import { storeyLabel } from "@/lib/labels";
import { NotReady } from "@/features/versions/not-ready";
import { useVersionContext } from "@/features/versions/version-context";
import { ElementDetails } from "./element-details";
import { ElementFilterBar, type FilterOptions } from "./element-filter-bar";
import {
  elementQueryFromFilters,
  filtersFromParams,
  filtersToParams,
  type ElementFilters,
} from "./element-filters";
import { ElementsTable } from "./elements-table";

/** Property column suggestions: the Pset.Prop keys found on a sample of elements. */
function useColumnSuggestions(versionId: number, enabled: boolean) {
  return useQuery({
    queryKey: [...queryKeys.elements(versionId), "column-suggestions"],
    enabled,
    staleTime: Infinity,
    queryFn: async () => {
      const page = await listElements(versionId, { withPsets: true }, 1, 300);
      const keys = new Set<string>();
      for (const row of page.results) {
        for (const [pset, props] of Object.entries(row.psets ?? {})) {
          for (const prop of Object.keys(props)) keys.add(`${pset}.${prop}`);
        }
      }
      return [...keys].sort();
    },
  });
}

export function PropertiesView({ versionId }: { versionId: number }) {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const query = useMemo(() => elementQueryFromFilters(filters), [filters]);
  const stats = useStatistics(versionId);
  const suggestions = useColumnSuggestions(versionId, true);
  const [count, setCount] = useState<number | null>(null);
  const selected = params.get("element");
  const narrow = useMediaQuery("(max-width: 62em)");

  const options: FilterOptions = useMemo(() => {
    const data = stats.data;
    return {
      classes: (data?.by_class ?? [])
        .slice()
        .sort((a, b) => a.ifc_class.localeCompare(b.ifc_class))
        .map((row) => ({
          value: row.ifc_class,
          label: `${row.ifc_class} (${formatNumber(row.count)})`,
        })),
      storeys: (data?.by_storey ?? []).map((row) => ({
        value: row.storey_guid ?? NO_STOREY_GUID,
        label: `${storeyLabel(row)} (${formatNumber(row.count)})`,
      })),
      psets: [...new Set((data?.property_coverage ?? []).map((row) => row.pset))].sort(),
      columns: suggestions.data ?? [],
    };
  }, [stats.data, suggestions.data]);

  const setFilters = useCallback(
    (next: ElementFilters) =>
      setParams((current) => filtersToParams(next, current), { replace: true }),
    [setParams],
  );
  const setOrdering = (ordering: ElementOrdering | null) => setFilters({ ...filters, ordering });
  const openElement = (guid: string | null) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (guid) next.set("element", guid);
        else next.delete("element");
        return next;
      },
      { replace: true },
    );

  return (
    <Stack gap="sm" h="calc(100dvh - 56px - 140px)" mih={420} data-testid="properties-tab">
      <ElementFilterBar filters={filters} onChange={setFilters} options={options} />
      <Group justify="space-between">
        <Text size="sm" c="dimmed" data-testid="elements-count" data-count={count ?? ""}>
          {count === null
            ? "Loading elements…"
            : `${formatNumber(count)} element${count === 1 ? "" : "s"}`}
        </Text>
        <Text size="xs" c="dimmed">
          Click a row (or press Enter) for all its properties. Sort by clicking a column title.
        </Text>
      </Group>
      <ElementsTable
        versionId={versionId}
        query={query}
        ordering={filters.ordering}
        onOrderingChange={setOrdering}
        propertyColumns={filters.columns}
        selectedGuid={selected}
        onOpen={openElement}
        onCountChange={setCount}
      />
      <Drawer
        opened={Boolean(selected)}
        onClose={() => openElement(null)}
        position="right"
        size={narrow ? "100%" : 520}
        title="Element"
        data-testid="element-drawer"
      >
        {selected && <ElementDetails versionId={versionId} guid={selected} />}
      </Drawer>
    </Stack>
  );
}

export default function PropertiesTab() {
  const { version } = useVersionContext();
  if (version.status !== "ready") return <NotReady version={version} what="Element properties" />;
  return <PropertiesView versionId={version.id} />;
}
