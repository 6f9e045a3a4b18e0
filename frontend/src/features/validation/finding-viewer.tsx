import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { Box, Card, Group, Stack, Switch, Text } from "@mantine/core";
import { versionIfcUrl } from "@/api/versions";
import { SkeletonLines } from "@/components/query-state";
import { ElementDetails } from "@/features/properties/element-details";
import type { IfcViewerHandle } from "@/features/viewer/ifc-viewer";

// three.js and web-ifc load only when a finding is first opened in 3D.
const IfcViewer = lazy(() =>
  import("@/features/viewer/ifc-viewer").then((m) => ({ default: m.IfcViewer })),
);

const HIGHLIGHT = "#e03131";

/** The 3D view beside the findings: the chosen finding's element isolated (or not),
 * highlighted and selected, its properties below. */
export function FindingViewer({ versionId, guids }: { versionId: number; guids: string[] }) {
  const viewer = useRef<IfcViewerHandle>(null);
  const [isolate, setIsolate] = useState(true);
  const [loaded, setLoaded] = useState(false);
  const primary = guids[0] ?? null;

  useEffect(() => {
    const v = viewer.current;
    if (!v || !loaded) return;
    v.clearColours();
    if (guids.length === 0) {
      v.showAll();
      return;
    }
    if (isolate) v.isolate(guids);
    else v.showAll();
    v.colour(guids, HIGHLIGHT);
    v.fit(guids);
  }, [guids, isolate, loaded]);

  return (
    <Stack gap="sm" data-testid="finding-viewer">
      <Card withBorder padding={0} h={380} style={{ overflow: "hidden" }}>
        <Suspense fallback={<SkeletonLines lines={6} />}>
          <IfcViewer
            ref={viewer}
            url={versionIfcUrl(versionId)}
            selectedGuid={primary}
            onLoaded={() => setLoaded(true)}
          />
        </Suspense>
      </Card>
      <Group justify="space-between">
        <Switch
          size="xs"
          label="Isolate the element"
          checked={isolate}
          onChange={(e) => setIsolate(e.currentTarget.checked)}
        />
        {primary && (
          <Text size="xs" ff="monospace" c="dimmed">
            {primary}
          </Text>
        )}
      </Group>
      {primary ? (
        <Box>
          <ElementDetails versionId={versionId} guid={primary} showInViewer={false} />
        </Box>
      ) : (
        <Text size="sm" c="dimmed">
          This finding is about the whole model, not one element.
        </Text>
      )}
    </Stack>
  );
}
