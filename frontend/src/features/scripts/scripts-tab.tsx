import { lazy, Suspense, useCallback } from "react";
import { Box, Grid, Stack, Text } from "@mantine/core";
import { IconCode } from "@tabler/icons-react";
import { useSearchParams } from "react-router";
import { useProject } from "@/api/projects";
import { useExecution, useScript } from "@/api/scripts";
import { EmptyState } from "@/components/empty-state";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { useVersionContext } from "@/features/versions/version-context";
import { ExecutionHistory } from "./execution-history";
import { ExecutionView } from "./execution/execution-view";
import { ScriptDetails } from "./script-details";
import { ScriptLibrary } from "./script-library";

// The editor (CodeMirror) is its own chunk, loaded when someone opens it.
const ScriptEditor = lazy(() => import("./editor/script-editor"));

export default function ScriptsTab() {
  const { version } = useVersionContext();
  const project = useProject(version.project);
  const [params, setParams] = useSearchParams();
  const scriptRef = params.get("script");
  const executionParam = params.get("execution");
  const executionId =
    executionParam && /^\d+$/.test(executionParam) ? Number(executionParam) : null;
  const mode = params.get("mode");
  const script = useScript(scriptRef);
  const execution = useExecution(executionId);
  const canRun =
    version.status === "ready" &&
    project.data?.role !== undefined &&
    project.data.role !== "viewer";

  const update = useCallback(
    (changes: Record<string, string | null>) =>
      setParams((current) => {
        const next = new URLSearchParams(current);
        for (const [k, v] of Object.entries(changes)) {
          if (v === null) next.delete(k);
          else next.set(k, v);
        }
        return next;
      }),
    [setParams],
  );

  // With only a run in the URL (a link from elsewhere), show its script.
  const effectiveScript = scriptRef ?? execution.data?.script_slug ?? null;

  return (
    <Grid gutter="md" data-testid="scripts-tab">
      <Grid.Col span={{ base: 12, md: 3 }}>
        <Box h={{ md: "calc(100dvh - 200px)" }}>
          <ScriptLibrary
            selected={effectiveScript}
            canWrite={canRun}
            onSelect={(s) => update({ script: s.slug, execution: null, mode: null })}
            onNew={() => update({ script: null, execution: null, mode: "new" })}
          />
        </Box>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 9 }}>
        <Stack gap="md">
          {mode === "new" || (mode === "edit" && script.data) ? (
            <Suspense fallback={<SkeletonLines lines={10} />}>
              <ScriptEditor
                key={mode === "new" ? "new" : script.data!.slug}
                script={mode === "new" ? null : script.data!}
                version={version}
                onSaved={(s) => update({ script: s.slug, mode: "edit" })}
                onClose={() => update({ mode: null })}
              />
            </Suspense>
          ) : effectiveScript ? (
            script.isPending && scriptRef ? (
              <SkeletonLines lines={6} />
            ) : script.isError ? (
              <LoadError error={script.error} what="this script" />
            ) : script.data ? (
              <ScriptDetails
                script={script.data}
                version={version}
                canRun={canRun}
                rerunOf={
                  execution.data && execution.data.script_slug === script.data.slug
                    ? (execution.data.parameters as Record<string, unknown>)
                    : undefined
                }
                onStarted={(e) => update({ execution: String(e.id) })}
                onEdit={() => update({ mode: "edit" })}
                onCopied={(s) => update({ script: s.slug, mode: "edit", execution: null })}
              />
            ) : (
              <Text size="sm" c="dimmed">
                Loading…
              </Text>
            )
          ) : (
            <EmptyState
              icon={<IconCode />}
              title="Run a script on this version"
              testId="scripts-empty"
            >
              Pick a script from the library: built-in checks and exports, your own scripts, and the
              ones shared with this project. Or start a new one in the editor.
            </EmptyState>
          )}
          {executionId !== null && mode !== "new" && mode !== "edit" && (
            <ExecutionView key={executionId} executionId={executionId} canRun={canRun} />
          )}
          {mode !== "new" && mode !== "edit" && (
            <ExecutionHistory
              versionId={version.id}
              script={effectiveScript}
              selected={executionId}
              canRun={canRun}
              onOpen={(e) => update({ execution: String(e.id), script: e.script_slug })}
            />
          )}
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
