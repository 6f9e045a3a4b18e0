import {
  forwardRef,
  useEffect,
  useImperativeHandle,
  useRef,
  useState,
  type ReactNode,
} from "react";
import { Alert, Box, Group, Loader, Paper, Progress, Stack, Text } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { formatBytes, formatNumber } from "@/lib/format";
import { hexToRgb } from "./colour";
import {
  ViewerEngine,
  type LoadProgress,
  type ModelSummary,
  type Rgb,
  type SectionState,
} from "./viewer-engine";

/** The imperative API other features use (e.g. Validation findings in part 2). */
export interface IfcViewerHandle {
  /** Selects one element (null clears); fit frames it. */
  select(guid: string | null, options?: { fit?: boolean }): void;
  /** Hides every element except these. */
  isolate(guids: string[]): void;
  /** Undoes isolate and class/storey filters. */
  showAll(): void;
  /** Paints elements in a colour ("#rrggbb" or [r,g,b] 0..255). */
  colour(guids: string[], colour: string | Rgb): void;
  clearColours(): void;
  /** Frames the given elements, or the visible model. */
  fit(guids?: string[]): void;
  setHiddenWhere(
    predicate: (element: { className: string; storey: string | null }) => boolean,
  ): void;
  setSection(section: SectionState): void;
  hasGuid(guid: string): boolean;
}

export type LoadState = "loading" | "ready" | "error";

export interface IfcViewerProps {
  /** URL of the plain .ifc (GET /api/versions/{id}/ifc/). */
  url: string;
  /** Controlled selection: changes select (and frame) the element. */
  selectedGuid?: string | null;
  onSelect?: (guid: string | null) => void;
  /** Elements to isolate; null or undefined shows all. */
  isolateGuids?: string[] | null;
  /** Colour groups applied after load, e.g. findings by severity. */
  colourGroups?: { guids: string[]; colour: string | Rgb }[];
  onLoaded?: (summary: ModelSummary) => void;
  children?: ReactNode;
}

const PHASE_LABEL: Record<LoadProgress["phase"], string> = {
  download: "Downloading the model",
  parse: "Reading the IFC file",
  geometry: "Building geometry",
  metadata: "Indexing elements",
};

export const IfcViewer = forwardRef<IfcViewerHandle, IfcViewerProps>(function IfcViewer(
  { url, selectedGuid, onSelect, isolateGuids, colourGroups, onLoaded, children },
  ref,
) {
  const containerRef = useRef<HTMLDivElement>(null);
  const engineRef = useRef<ViewerEngine | null>(null);
  const [state, setState] = useState<LoadState>("loading");
  const [progress, setProgress] = useState<LoadProgress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [summary, setSummary] = useState<ModelSummary | null>(null);
  const [currentGuid, setCurrentGuid] = useState<string | null>(null);
  // Milliseconds from mount to first geometry and to fully loaded (for measurements and e2e tests).
  const [timing, setTiming] = useState<{ first?: number; ready?: number }>({});
  const callbacks = useRef({ onSelect, onLoaded });
  callbacks.current = { onSelect, onLoaded };

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    let engine: ViewerEngine;
    const started = performance.now();
    performance.mark("bimflow:viewer-load-start");
    setTiming({});
    try {
      engine = new ViewerEngine(container, {
        onProgress: setProgress,
        onFirstGeometry: () =>
          setTiming((t) => ({ ...t, first: Math.round(performance.now() - started) })),
        onLoaded: (result) => {
          setTiming((t) => ({ ...t, ready: Math.round(performance.now() - started) }));
          setSummary(result);
          setState("ready");
          callbacks.current.onLoaded?.(result);
        },
        onError: (message) => {
          setError(message);
          setState("error");
        },
        onSelect: (guid) => {
          setCurrentGuid(guid);
          callbacks.current.onSelect?.(guid);
        },
      });
    } catch (cause) {
      // Usually: WebGL unavailable (no GPU driver, disabled by policy).
      setError(
        `3D is not available in this browser: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
      setState("error");
      return;
    }
    engineRef.current = engine;
    setState("loading");
    setError(null);
    setSummary(null);
    engine.load(url);
    return () => {
      engine.dispose();
      engineRef.current = null;
    };
  }, [url]);

  // Controlled selection from props (e.g. ?select=GUID or a table click).
  useEffect(() => {
    const engine = engineRef.current;
    if (!engine || state !== "ready" || selectedGuid === undefined) return;
    if (engine.selectedGuid() !== selectedGuid) {
      engine.select(selectedGuid, { fit: true });
      setCurrentGuid(engine.selectedGuid());
    }
  }, [selectedGuid, state]);

  useEffect(() => {
    const engine = engineRef.current;
    if (!engine || state !== "ready" || isolateGuids === undefined) return;
    if (isolateGuids === null) engine.showAll();
    else engine.isolate(isolateGuids);
  }, [isolateGuids, state]);

  useEffect(() => {
    const engine = engineRef.current;
    if (!engine || state !== "ready" || !colourGroups) return;
    engine.clearColours();
    for (const group of colourGroups) engine.colour(group.guids, hexToRgb(group.colour));
    return () => engine.clearColours();
  }, [colourGroups, state]);

  useImperativeHandle(
    ref,
    () => ({
      select: (guid, options) => {
        engineRef.current?.select(guid, { fit: options?.fit });
        setCurrentGuid(engineRef.current?.selectedGuid() ?? null);
      },
      isolate: (guids) => engineRef.current?.isolate(guids),
      showAll: () => engineRef.current?.showAll(),
      colour: (guids, colour) => engineRef.current?.colour(guids, hexToRgb(colour)),
      clearColours: () => engineRef.current?.clearColours(),
      fit: (guids) => (guids ? engineRef.current?.fitGuids(guids) : engineRef.current?.fit()),
      setHiddenWhere: (predicate) => engineRef.current?.setHiddenWhere(predicate),
      setSection: (section) => engineRef.current?.setSection(section),
      hasGuid: (guid) => engineRef.current?.hasGuid(guid) ?? false,
    }),
    [],
  );

  const share =
    progress?.phase === "download" && progress.total > 0
      ? (progress.loaded / progress.total) * 100
      : null;

  return (
    <Box
      pos="relative"
      h="100%"
      w="100%"
      data-testid="ifc-viewer"
      data-load-state={state}
      data-selected-guid={currentGuid ?? ""}
      data-element-count={summary?.elements ?? ""}
      data-first-geometry-ms={timing.first ?? ""}
      data-ready-ms={timing.ready ?? ""}
      data-worker-timings={summary ? JSON.stringify(summary.timings) : ""}
      data-triangles={summary?.triangles ?? ""}
      style={{ overflow: "hidden", background: "var(--mantine-color-default-hover)" }}
    >
      <div ref={containerRef} style={{ position: "absolute", inset: 0 }} />
      {state === "loading" && (
        <Paper
          withBorder
          shadow="sm"
          p="sm"
          pos="absolute"
          bottom={16}
          left="50%"
          style={{ transform: "translateX(-50%)", zIndex: 3 }}
          w={320}
          data-testid="viewer-progress"
          role="status"
        >
          <Group gap="xs" mb={6} wrap="nowrap">
            <Loader size="xs" />
            <Text size="sm">
              {progress ? PHASE_LABEL[progress.phase] : "Starting the 3D engine"}…
            </Text>
          </Group>
          <Progress
            value={share ?? 100}
            animated={share === null}
            size="sm"
            aria-label="Loading the model"
          />
          <Text size="xs" c="dimmed" mt={4}>
            {progress?.phase === "download" &&
              `${formatBytes(progress.loaded)}${progress.total ? ` of ${formatBytes(progress.total)}` : ""}`}
            {progress?.phase === "geometry" &&
              `${formatNumber(progress.loaded)} elements with geometry so far`}
            {progress?.phase === "parse" && `${formatBytes(progress.total)} in memory`}
            {progress?.phase === "metadata" && `${formatNumber(progress.total)} elements`}
          </Text>
        </Paper>
      )}
      {state === "error" && (
        <Stack
          pos="absolute"
          inset={0}
          justify="center"
          align="center"
          p="md"
          style={{ zIndex: 3 }}
        >
          <Alert
            color="red"
            icon={<IconAlertTriangle />}
            title="The 3D view could not be shown"
            maw={520}
            data-testid="viewer-error"
          >
            {error}
          </Alert>
        </Stack>
      )}
      {children}
    </Box>
  );
});
