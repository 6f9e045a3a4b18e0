import { useEffect, useRef, useState } from "react";
import { Button, Group, Select, TagsInput, TextInput, Tooltip } from "@mantine/core";
import { useDebouncedValue, useHotkeys } from "@mantine/hooks";
import { IconColumns, IconFilterOff, IconSearch } from "@tabler/icons-react";
import { activeFilterCount, EMPTY_FILTERS, type ElementFilters } from "./element-filters";

export const SEARCH_DEBOUNCE_MS = 300;

export interface FilterOptions {
  classes: { value: string; label: string }[];
  storeys: { value: string; label: string }[];
  psets: string[];
  columns: string[];
}

export function ElementFilterBar({
  filters,
  onChange,
  options,
}: {
  filters: ElementFilters;
  onChange: (filters: ElementFilters) => void;
  options: FilterOptions;
}) {
  const [search, setSearch] = useState(filters.search);
  const [debounced] = useDebouncedValue(search, SEARCH_DEBOUNCE_MS);
  const searchRef = useRef<HTMLInputElement>(null);
  const latest = useRef({ filters, onChange });
  latest.current = { filters, onChange };
  useHotkeys([["/", () => searchRef.current?.focus()]]);

  // Push the debounced search text into the filters (and so the URL and query).
  useEffect(() => {
    const { filters: current, onChange: change } = latest.current;
    if (debounced.trim() !== current.search.trim()) change({ ...current, search: debounced });
  }, [debounced]);

  // Follow outside changes (reset, back button).
  useEffect(() => {
    setSearch((value) => (value.trim() === filters.search.trim() ? value : filters.search));
  }, [filters.search]);

  const set = (patch: Partial<ElementFilters>) => onChange({ ...filters, ...patch });
  const active = activeFilterCount(filters);

  return (
    <Group gap="sm" align="flex-end" wrap="wrap" data-testid="element-filters">
      <TextInput
        ref={searchRef}
        label="Search"
        placeholder="Name, GUID, type…  ( / )"
        leftSection={<IconSearch size={16} />}
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
        w={240}
        data-testid="filter-search"
      />
      <Select
        label="Class"
        placeholder="All classes"
        data={options.classes}
        value={filters.ifcClass}
        onChange={(value) => set({ ifcClass: value })}
        searchable
        clearable
        w={220}
        data-testid="filter-class"
        nothingFoundMessage="No class matches"
      />
      <Select
        label="Storey"
        placeholder="All storeys"
        data={options.storeys}
        value={filters.storey}
        onChange={(value) => set({ storey: value })}
        searchable
        clearable
        w={200}
        data-testid="filter-storey"
        nothingFoundMessage="No storey matches"
      />
      <Select
        label="Has property set"
        placeholder="Any"
        data={options.psets}
        value={filters.pset}
        onChange={(value) => set({ pset: value })}
        searchable
        clearable
        w={220}
        data-testid="filter-pset"
        nothingFoundMessage="No property set matches"
      />
      <Tooltip label="Add property columns as PropertySet.Property" openDelay={300}>
        <TagsInput
          label="Property columns"
          placeholder={filters.columns.length ? "" : "Pset.Property"}
          leftSection={<IconColumns size={16} />}
          data={options.columns}
          value={filters.columns}
          onChange={(columns) => set({ columns: columns.filter((c) => c.includes(".")) })}
          clearable
          w={300}
          maxDropdownHeight={280}
          data-testid="filter-columns"
          comboboxProps={{ withinPortal: true }}
        />
      </Tooltip>
      <Button
        variant="subtle"
        leftSection={<IconFilterOff size={16} />}
        disabled={active === 0 && !filters.ordering}
        onClick={() => {
          setSearch("");
          onChange({ ...EMPTY_FILTERS, columns: filters.columns });
        }}
        data-testid="filter-reset"
      >
        Reset filters
      </Button>
    </Group>
  );
}
