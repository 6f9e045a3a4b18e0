import { useCallback, useEffect, useRef, useState } from "react";
import { Box, Group, Paper, ScrollArea, Text } from "@mantine/core";
import { useDisclosure, useHotkeys, useMediaQuery } from "@mantine/hooks";
import {
  IconEye,
  IconFocusCentered,
  IconLayoutSidebarLeftCollapse,
  IconLayoutSidebarLeftExpand,
  IconX,
} from "@tabler/icons-react";
import { useSearchParams } from "react-router";
import { versionIfcUrl } from "@/api/versions";
import { IconButton } from "@/components/icon-button";
import { ElementDetails } from "@/features/properties/element-details";
import { NotReady } from "@/features/versions/not-ready";
import { useVersionContext } from "@/features/versions/version-context";
import { IfcViewer, type IfcViewerHandle } from "./ifc-viewer";
import { SectionControl } from "./section-control";
import type { ModelSummary, SectionState } from "./viewer-engine";
import { VisibilityPanel } from "./visibility-panel";

export default function ViewerTab() {
  const { version } = useVersionContext();
  const viewer = useRef<IfcViewerHandle>(null);
  const [params, setParams] = useSearchParams();
  const selected = params.get("select");
  const [summary, setSummary] = useState<ModelSummary | null>(null);
  const [hiddenClasses, setHiddenClasses] = useState<Set<string>>(new Set());
  const [hiddenStoreys, setHiddenStoreys] = useState<Set<string>>(new Set());
  const [section, setSection] = useState<SectionState>({
    enabled: false,
    axis: "y",
    position: 0.5,
    flip: false,
  });
  const wide = useMediaQuery("(min-width: 75em)", true);
  const [panelOpen, panel] = useDisclosure(true);
  const showPanel = panelOpen && wide !== false;

  const onSelect = useCallback(
    (guid: string | null) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (guid) next.set("select", guid);
          else next.delete("select");
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  useEffect(() => {
    viewer.current?.setHiddenWhere(
      (element) => hiddenClasses.has(element.className) || hiddenStoreys.has(element.storey ?? ""),
    );
  }, [hiddenClasses, hiddenStoreys, summary]);

  useEffect(() => {
    viewer.current?.setSection(section);
  }, [section, summary]);

  useHotkeys([
    ["F", () => viewer.current?.fit()],
    ["Escape", () => onSelect(null)],
  ]);

  if (version.status !== "ready") return <NotReady version={version} what="The 3D view" />;

  return (
    <Box h="100%" style={{ display: "flex", minHeight: 360 }} data-testid="viewer-tab">
      {showPanel && summary && (
        <Box
          w={270}
          style={{ borderRight: "1px solid var(--mantine-color-default-border)", flexShrink: 0 }}
        >
          <VisibilityPanel
            classes={summary.classes}
            storeys={summary.storeys}
            hiddenClasses={hiddenClasses}
            hiddenStoreys={hiddenStoreys}
            onChange={(classes, storeys) => {
              setHiddenClasses(classes);
              setHiddenStoreys(storeys);
            }}
          />
        </Box>
      )}
      <Box style={{ flex: 1, minWidth: 0, position: "relative" }}>
        <IfcViewer
          ref={viewer}
          url={versionIfcUrl(version.id)}
          selectedGuid={selected}
          onSelect={onSelect}
          onLoaded={setSummary}
        >
          <Group pos="absolute" top={10} left={10} gap={6} style={{ zIndex: 2 }} align="flex-start">
            <Paper withBorder shadow="xs" p={4}>
              <Group gap={2}>
                <IconButton
                  label={
                    panelOpen
                      ? "Hide the storeys and classes panel"
                      : "Show the storeys and classes panel"
                  }
                  onClick={panel.toggle}
                  disabled={!summary}
                >
                  {panelOpen ? (
                    <IconLayoutSidebarLeftCollapse size={18} />
                  ) : (
                    <IconLayoutSidebarLeftExpand size={18} />
                  )}
                </IconButton>
                <IconButton
                  label="Fit the view (F)"
                  onClick={() => viewer.current?.fit()}
                  disabled={!summary}
                  data-testid="viewer-fit"
                >
                  <IconFocusCentered size={18} />
                </IconButton>
                <IconButton
                  label="Show all elements"
                  onClick={() => {
                    setHiddenClasses(new Set());
                    setHiddenStoreys(new Set());
                    viewer.current?.showAll();
                  }}
                  disabled={!summary}
                >
                  <IconEye size={18} />
                </IconButton>
              </Group>
            </Paper>
            {summary && <SectionControl section={section} onChange={setSection} />}
          </Group>
          {summary && (
            <Text
              size="xs"
              c="dimmed"
              pos="absolute"
              bottom={8}
              left={12}
              style={{ zIndex: 2, pointerEvents: "none" }}
            >
              Drag to orbit · right-drag or Shift-drag to pan · wheel to zoom · click to select · F
              to fit
            </Text>
          )}
        </IfcViewer>
      </Box>
      {selected && (
        <Box
          w={wide ? 380 : 320}
          style={{
            borderLeft: "1px solid var(--mantine-color-default-border)",
            flexShrink: 0,
            display: "flex",
            flexDirection: "column",
          }}
          data-testid="viewer-properties"
        >
          <Group
            justify="space-between"
            px="sm"
            py={6}
            style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}
          >
            <Text fw={600} size="sm">
              Selected element
            </Text>
            <IconButton label="Clear the selection (Esc)" onClick={() => onSelect(null)}>
              <IconX size={16} />
            </IconButton>
          </Group>
          <ScrollArea style={{ flex: 1 }} p="sm">
            <ElementDetails versionId={version.id} guid={selected} showInViewer={false} />
          </ScrollArea>
        </Box>
      )}
    </Box>
  );
}
