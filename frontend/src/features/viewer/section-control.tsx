import { Group, Paper, SegmentedControl, Slider, Switch, Text } from "@mantine/core";
import { IconArrowsExchange } from "@tabler/icons-react";
import { IconButton } from "@/components/icon-button";
import type { SectionState } from "./viewer-engine";

export function SectionControl({
  section,
  onChange,
}: {
  section: SectionState;
  onChange: (section: SectionState) => void;
}) {
  return (
    <Paper withBorder shadow="xs" p="xs" data-testid="section-control">
      <Group gap="xs" wrap="nowrap">
        <Switch
          size="xs"
          label="Section"
          checked={section.enabled}
          onChange={(event) => onChange({ ...section, enabled: event.currentTarget.checked })}
          data-testid="section-toggle"
        />
        {section.enabled && (
          <>
            <SegmentedControl
              size="xs"
              value={section.axis}
              onChange={(axis) => onChange({ ...section, axis: axis as SectionState["axis"] })}
              data={[
                { value: "y", label: "Height" },
                { value: "x", label: "X" },
                { value: "z", label: "Z" },
              ]}
              aria-label="Section axis"
            />
            <Slider
              w={140}
              size="sm"
              min={0}
              max={1}
              step={0.005}
              value={section.position}
              onChange={(position) => onChange({ ...section, position })}
              label={(v) => `${Math.round(v * 100)}%`}
              aria-label="Section position"
            />
            <IconButton
              label="Flip the cut side"
              size="sm"
              onClick={() => onChange({ ...section, flip: !section.flip })}
            >
              <IconArrowsExchange size={14} />
            </IconButton>
          </>
        )}
        {!section.enabled && (
          <Text size="xs" c="dimmed">
            Cut the model with a plane
          </Text>
        )}
      </Group>
    </Paper>
  );
}
