import {
  Alert,
  Anchor,
  Box,
  Breadcrumbs,
  Group,
  Progress,
  ScrollArea,
  Skeleton,
  Stack,
  Tabs,
  Text,
  Title,
} from "@mantine/core";
import { useDocumentTitle } from "@mantine/hooks";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useEffect } from "react";
import { Link, Outlet, useLocation, useNavigate, useParams, useSearchParams } from "react-router";
import { usePrefetchFindings } from "@/api/findings";
import { useProject } from "@/api/projects";
import { isProcessing, useVersion } from "@/api/versions";
import { ErrorBoundary } from "@/components/error-boundary";
import { LoadError } from "@/components/query-state";
import { StatusBadge } from "@/components/status-badge";
import {
  VERSION_TABS,
  isVersionTab,
  type VersionContext,
} from "@/features/versions/version-context";
import { useNumericParam } from "@/lib/use-numeric-param";

export function VersionRoute() {
  const versionId = useNumericParam("versionId");
  const { tab } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const [search] = useSearchParams();
  // The Validation tab's first page is asked for with the version, not after it.
  usePrefetchFindings(versionId, tab === "validation", search);
  useEffect(() => {
    // and its code too, instead of after the version answered
    if (tab === "validation") void import("@/features/validation/validation-tab");
  }, [tab]);
  const version = useVersion(versionId);
  const project = useProject(version.data?.project);
  const v = version.data;
  const activeTab = isVersionTab(tab) ? tab : "overview";
  const tabLabel = VERSION_TABS.find((t) => t.value === activeTab)?.label;
  useDocumentTitle(
    v ? `${v.model_name} v${v.number} · ${tabLabel} · bimflow` : "Version · bimflow",
  );

  if (version.isPending) {
    return (
      <Stack p="md" gap="md">
        <Skeleton height={20} w={300} />
        <Skeleton height={36} w={420} />
        <Skeleton height={36} />
        <Skeleton height={300} />
      </Stack>
    );
  }
  if (version.isError || !v) {
    return (
      <Box p="md">
        <LoadError error={version.error} what="this version" onRetry={() => version.refetch()} />
      </Box>
    );
  }

  const context: VersionContext = { version: v };
  const fullHeight = activeTab === "viewer";

  return (
    <Stack
      gap={0}
      h={fullHeight ? "calc(100dvh - 56px)" : undefined}
      data-testid="version-workspace"
      data-version-id={v.id}
      data-version-status={v.status}
    >
      <Box
        px="md"
        pt="sm"
        style={{ borderBottom: "1px solid var(--mantine-color-default-border)" }}
      >
        <Breadcrumbs separatorMargin={6} mb={4}>
          <Anchor component={Link} to="/projects" size="xs">
            Projects
          </Anchor>
          <Anchor component={Link} to={`/projects/${v.project}/models`} size="xs">
            {project.data?.name ?? "Project"}
          </Anchor>
          <Text size="xs">{v.model_name}</Text>
        </Breadcrumbs>
        <Group gap="sm" mb={6} wrap="nowrap">
          <Title
            order={1}
            size="h3"
            style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
            data-testid="version-title"
          >
            {v.model_name}{" "}
            <Text span c="dimmed" inherit fw={500}>
              v{v.number}
            </Text>
          </Title>
          <StatusBadge status={v.status} error={v.error} />
        </Group>
        <ScrollArea type="never">
          <Tabs
            value={activeTab}
            onChange={(value) =>
              value && navigate({ pathname: `/versions/${v.id}/${value}`, search: "" })
            }
            activateTabWithKeyboard
          >
            <Tabs.List style={{ flexWrap: "nowrap" }}>
              {VERSION_TABS.map((t) => (
                <Tabs.Tab key={t.value} value={t.value} data-testid={`tab-${t.value}`}>
                  {t.label}
                </Tabs.Tab>
              ))}
            </Tabs.List>
          </Tabs>
        </ScrollArea>
      </Box>
      {isProcessing(v) && activeTab !== "overview" && (
        <Box px="md" pt="sm">
          <Group gap="sm">
            <Text size="sm">Processing… {Math.round(v.progress)}%</Text>
            <Progress value={v.progress} animated style={{ flex: 1 }} maw={320} />
          </Group>
        </Box>
      )}
      {v.status === "failed" && activeTab === "overview" && (
        <Box px="md" pt="md">
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle />}
            title="Processing failed"
            data-testid="version-error"
          >
            {v.error || "The server did not say why."}
          </Alert>
        </Box>
      )}
      <Box style={{ flex: 1, minHeight: 0 }} p={fullHeight ? 0 : "md"}>
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet context={context} />
        </ErrorBoundary>
      </Box>
    </Stack>
  );
}
