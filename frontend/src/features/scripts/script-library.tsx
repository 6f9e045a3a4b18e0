import { useMemo, useState } from "react";
import {
  Badge,
  Button,
  Group,
  NavLink,
  ScrollArea,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconPlus, IconSearch } from "@tabler/icons-react";
import { useScripts, type ScriptFilters } from "@/api/scripts";
import type { Script } from "@/api/types";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { CATEGORY_LABELS } from "./labels";

/** The script library: search, kind (built-in / mine / shared) and category. */
export function ScriptLibrary({
  selected,
  onSelect,
  onNew,
  canWrite,
}: {
  selected: string | null;
  onSelect: (script: Script) => void;
  onNew: () => void;
  canWrite: boolean;
}) {
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search, 200);
  const [kind, setKind] = useState<ScriptFilters["kind"]>("");
  const [category, setCategory] = useState<string | null>(null);
  const scripts = useScripts({ search: debounced, kind, category: category ?? "" });
  const grouped = useMemo(() => {
    const out = new Map<string, Script[]>();
    for (const s of scripts.data ?? []) {
      const list = out.get(s.category) ?? [];
      list.push(s);
      out.set(s.category, list);
    }
    return [...out.entries()];
  }, [scripts.data]);

  return (
    <Stack gap="xs" h="100%" data-testid="script-library">
      <TextInput
        size="xs"
        placeholder="Search scripts"
        leftSection={<IconSearch size={14} />}
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        aria-label="Search scripts"
        data-testid="script-search"
      />
      <SegmentedControl
        size="xs"
        fullWidth
        value={kind ?? ""}
        onChange={(v) => setKind(v as ScriptFilters["kind"])}
        data={[
          { value: "", label: "All" },
          { value: "builtin", label: "Built-in" },
          { value: "mine", label: "Mine" },
          { value: "shared", label: "Shared" },
        ]}
      />
      <Select
        size="xs"
        placeholder="Every category"
        clearable
        data={Object.entries(CATEGORY_LABELS).map(([value, label]) => ({ value, label }))}
        value={category}
        onChange={setCategory}
        aria-label="Category"
      />
      {canWrite && (
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={14} />}
          onClick={onNew}
          data-testid="new-script"
        >
          New script
        </Button>
      )}
      <ScrollArea style={{ flex: 1 }} offsetScrollbars>
        {scripts.isPending && <SkeletonLines lines={8} height={24} />}
        {scripts.isError && <LoadError error={scripts.error} what="the scripts" />}
        {scripts.data?.length === 0 && (
          <Text size="sm" c="dimmed" p="xs">
            No scripts match.
          </Text>
        )}
        {grouped.map(([cat, list]) => (
          <Stack key={cat} gap={0} mb="xs">
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="xs" py={4}>
              {CATEGORY_LABELS[cat] ?? cat}
            </Text>
            {list.map((s) => (
              <NavLink
                key={s.id}
                active={selected === s.slug || selected === String(s.id)}
                label={s.name}
                description={s.slug}
                onClick={() => onSelect(s)}
                data-testid="script-item"
                data-slug={s.slug}
                rightSection={
                  s.builtin ? (
                    <Badge size="xs" variant="outline" color="gray">
                      built-in
                    </Badge>
                  ) : s.is_public ? (
                    <Badge size="xs" variant="outline">
                      shared
                    </Badge>
                  ) : (
                    <Badge size="xs" variant="outline" color="grape">
                      mine
                    </Badge>
                  )
                }
                styles={{ label: { fontSize: 13 }, description: { fontSize: 11 } }}
              />
            ))}
          </Stack>
        ))}
      </ScrollArea>
      <Group />
    </Stack>
  );
}
