import { useMemo, useState } from "react";
import { Button, Checkbox, Group, ScrollArea, Stack, Tabs, Text, TextInput } from "@mantine/core";
import { IconEye, IconFocus2, IconSearch } from "@tabler/icons-react";
import { IconButton } from "@/components/icon-button";
import { formatNumber } from "@/lib/format";
import { NO_STOREY as NO_STOREY_LABEL } from "@/lib/labels";

function CheckList({
  items,
  hidden,
  onToggle,
  onOnly,
  testId,
}: {
  items: { name: string; count: number }[];
  hidden: Set<string>;
  onToggle: (name: string, visible: boolean) => void;
  onOnly: (name: string) => void;
  testId: string;
}) {
  const [filter, setFilter] = useState("");
  const shown = useMemo(
    () =>
      items.filter((item) =>
        (item.name || NO_STOREY_LABEL).toLowerCase().includes(filter.toLowerCase()),
      ),
    [items, filter],
  );
  return (
    <Stack gap={6} data-testid={testId} style={{ minHeight: 0, flex: 1 }}>
      {items.length > 8 && (
        <TextInput
          size="xs"
          placeholder="Filter"
          aria-label="Filter list"
          leftSection={<IconSearch size={14} />}
          value={filter}
          onChange={(event) => setFilter(event.currentTarget.value)}
        />
      )}
      <ScrollArea style={{ flex: 1 }} type="auto" offsetScrollbars>
        <Stack gap={2}>
          {shown.map((item) => (
            <Group
              key={item.name}
              gap={4}
              wrap="nowrap"
              justify="space-between"
              data-testid="visibility-item"
              data-name={item.name}
            >
              <Checkbox
                size="xs"
                checked={!hidden.has(item.name)}
                onChange={(event) => onToggle(item.name, event.currentTarget.checked)}
                label={
                  <Text size="xs" truncate maw={150} title={item.name || NO_STOREY_LABEL}>
                    {item.name || NO_STOREY_LABEL}
                  </Text>
                }
              />
              <Group gap={2} wrap="nowrap">
                <Text size="xs" c="dimmed" className="tabular-nums">
                  {formatNumber(item.count)}
                </Text>
                <IconButton
                  label={`Show only ${item.name || NO_STOREY_LABEL}`}
                  size="xs"
                  onClick={() => onOnly(item.name)}
                >
                  <IconFocus2 size={12} />
                </IconButton>
              </Group>
            </Group>
          ))}
        </Stack>
      </ScrollArea>
    </Stack>
  );
}

export function VisibilityPanel({
  classes,
  storeys,
  hiddenClasses,
  hiddenStoreys,
  onChange,
}: {
  classes: { name: string; count: number }[];
  storeys: { name: string; count: number }[];
  hiddenClasses: Set<string>;
  hiddenStoreys: Set<string>;
  onChange: (hiddenClasses: Set<string>, hiddenStoreys: Set<string>) => void;
}) {
  const toggle = (set: Set<string>, name: string, visible: boolean) => {
    const next = new Set(set);
    if (visible) next.delete(name);
    else next.add(name);
    return next;
  };
  const only = (items: { name: string }[], name: string) =>
    new Set(items.map((i) => i.name).filter((n) => n !== name));
  return (
    <Stack gap="xs" h="100%" p="xs" data-testid="visibility-panel">
      <Tabs
        defaultValue="storeys"
        style={{ display: "flex", flexDirection: "column", flex: 1, minHeight: 0 }}
      >
        <Tabs.List grow>
          <Tabs.Tab value="storeys">Storeys ({storeys.length})</Tabs.Tab>
          <Tabs.Tab value="classes">Classes ({classes.length})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="storeys" pt="xs" style={{ flex: 1, minHeight: 0, display: "flex" }}>
          {storeys.length === 0 ? (
            <Text size="xs" c="dimmed">
              No storeys in this model.
            </Text>
          ) : (
            <CheckList
              items={storeys}
              hidden={hiddenStoreys}
              testId="storey-visibility"
              onToggle={(name, visible) =>
                onChange(hiddenClasses, toggle(hiddenStoreys, name, visible))
              }
              onOnly={(name) => onChange(hiddenClasses, only(storeys, name))}
            />
          )}
        </Tabs.Panel>
        <Tabs.Panel value="classes" pt="xs" style={{ flex: 1, minHeight: 0, display: "flex" }}>
          <CheckList
            items={classes}
            hidden={hiddenClasses}
            testId="class-visibility"
            onToggle={(name, visible) =>
              onChange(toggle(hiddenClasses, name, visible), hiddenStoreys)
            }
            onOnly={(name) => onChange(only(classes, name), hiddenStoreys)}
          />
        </Tabs.Panel>
      </Tabs>
      <Button
        size="xs"
        variant="light"
        leftSection={<IconEye size={14} />}
        disabled={hiddenClasses.size === 0 && hiddenStoreys.size === 0}
        onClick={() => onChange(new Set(), new Set())}
      >
        Show everything
      </Button>
    </Stack>
  );
}
