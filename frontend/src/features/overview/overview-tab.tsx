import {
  Button,
  Card,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import {
  IconCode,
  IconDownload,
  IconGitCompare,
  IconTrash,
  IconView360,
} from "@tabler/icons-react";
import { Link, useNavigate } from "react-router";
import { errorMessage } from "@/api/client";
import { useProject } from "@/api/projects";
import type { Version } from "@/api/types";
import {
  useDeleteVersion,
  useModelVersions,
  useStatistics,
  versionDownloadUrl,
} from "@/api/versions";
import { confirmDestructive } from "@/components/confirm";
import { LoadError } from "@/components/query-state";
import { VersionProgress } from "@/components/status-badge";
import {
  formatBytes,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatRelative,
} from "@/lib/format";
import { CountBars } from "@/features/statistics/count-bars";
import { classRows, meanPropertyCoverage } from "@/features/statistics/stats-utils";
import { useVersionContext } from "@/features/versions/version-context";
import { ValidationCard } from "@/features/validation/validation-card";

function Field({
  label,
  children,
  testId,
}: {
  label: string;
  children: React.ReactNode;
  testId?: string;
}) {
  return (
    <div>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text size="sm" data-testid={testId} style={{ wordBreak: "break-word" }}>
        {children}
      </Text>
    </div>
  );
}

function Metric({
  label,
  value,
  hint,
  testId,
  loading,
}: {
  label: string;
  value: string;
  hint: string;
  testId: string;
  loading: boolean;
}) {
  return (
    <Card withBorder padding="md">
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      {loading ? (
        <Skeleton height={32} mt={6} w="60%" />
      ) : (
        <Text
          fz={28}
          fw={700}
          className="tabular-nums"
          data-testid={testId}
          aria-label={`${label}: ${value}`}
        >
          {value}
        </Text>
      )}
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
    </Card>
  );
}

function HeaderCard({ version }: { version: Version }) {
  const project = useProject(version.project);
  const remove = useDeleteVersion();
  const navigate = useNavigate();
  const isAdmin = project.data?.role === "admin";
  return (
    <Card withBorder padding="lg" data-testid="version-header">
      <Group justify="space-between" align="flex-start" mb="md">
        <div>
          <Title order={2} size="h4">
            {version.model_name}
          </Title>
          <Text size="sm" c="dimmed">
            Version {version.number} · {version.file_name}
          </Text>
        </div>
        <Group gap="xs">
          <Button
            component="a"
            href={versionDownloadUrl(version.id)}
            variant="default"
            leftSection={<IconDownload size={16} />}
            data-testid="download-version"
          >
            Download
          </Button>
          {isAdmin && (
            <Tooltip label="Delete this version (project admins only)">
              <Button
                variant="subtle"
                color="red"
                leftSection={<IconTrash size={16} />}
                loading={remove.isPending}
                onClick={() =>
                  confirmDestructive({
                    title: `Delete version ${version.number}?`,
                    message: `This deletes version ${version.number} of ${version.model_name}, its uploaded file and everything computed from it. It cannot be undone.`,
                    confirmLabel: "Delete version",
                    onConfirm: () =>
                      remove.mutate(version.id, {
                        onSuccess: () => {
                          notifications.show({
                            color: "teal",
                            message: `Version ${version.number} deleted.`,
                          });
                          navigate(`/projects/${version.project}/models`);
                        },
                        onError: (error) =>
                          notifications.show({
                            color: "red",
                            title: "Could not delete the version",
                            message: errorMessage(error),
                          }),
                      }),
                  })
                }
              >
                Delete
              </Button>
            </Tooltip>
          )}
        </Group>
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="md">
        <Field label="Status">
          <VersionProgress
            status={version.status}
            progress={version.progress}
            error={version.error}
          />
        </Field>
        <Field label="Schema" testId="version-schema">
          {version.schema || "—"}
        </Field>
        <Field label="Authoring application" testId="version-application">
          {version.application || "—"}
        </Field>
        <Field label="File size" testId="version-file-size">
          {formatBytes(version.file_size)}
        </Field>
        <Field label="Uploaded by" testId="version-uploaded-by">
          {version.uploaded_by ?? "—"}
        </Field>
        <Field label="Uploaded">
          <Tooltip label={formatDateTime(version.created_at)}>
            <span>{formatRelative(version.created_at)}</span>
          </Tooltip>
        </Field>
      </SimpleGrid>
    </Card>
  );
}

function QuickActions({ version }: { version: Version }) {
  const versions = useModelVersions(version.model);
  const previous = versions.data
    ?.filter((v) => v.number < version.number && v.status === "ready")
    .sort((a, b) => b.number - a.number)[0];
  const ready = version.status === "ready";
  return (
    <Card withBorder padding="md">
      <Title order={2} size="h5" mb="sm">
        Quick actions
      </Title>
      <Stack gap="xs">
        <Button
          component={Link}
          to={`/versions/${version.id}/viewer`}
          variant="light"
          leftSection={<IconView360 size={16} />}
          disabled={!ready}
          justify="flex-start"
        >
          Open in 3D
        </Button>
        <Tooltip
          label={
            previous
              ? `Compare with version ${previous.number}`
              : "There is no earlier processed version of this model to compare with."
          }
        >
          <Button
            component={Link}
            to={
              previous
                ? `/versions/${version.id}/history?from=${previous.id}&to=${version.id}`
                : "#"
            }
            variant="light"
            leftSection={<IconGitCompare size={16} />}
            disabled={!previous || !ready}
            justify="flex-start"
            data-testid="compare-previous"
          >
            Compare with previous version
          </Button>
        </Tooltip>
        <Button
          component={Link}
          to={`/versions/${version.id}/scripts`}
          variant="light"
          leftSection={<IconCode size={16} />}
          justify="flex-start"
        >
          Run a script
        </Button>
      </Stack>
    </Card>
  );
}

export function OverviewTab() {
  const { version } = useVersionContext();
  const ready = version.status === "ready";
  const stats = useStatistics(version.id, ready);
  const coverage = stats.data ? meanPropertyCoverage(stats.data) : null;
  const loading = ready && stats.isPending;
  const dash = ready ? "—" : "…";

  return (
    <Stack gap="md" data-testid="overview-tab">
      <HeaderCard version={version} />
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <Metric
          label="Elements"
          value={stats.data ? formatNumber(stats.data.totals.elements) : dash}
          hint={
            stats.data
              ? `${formatNumber(stats.data.totals.with_geometry)} with geometry`
              : "IFC products"
          }
          testId="metric-elements"
          loading={loading}
        />
        <Metric
          label="Classes"
          value={stats.data ? formatNumber(stats.data.totals.classes) : dash}
          hint="distinct IFC classes"
          testId="metric-classes"
          loading={loading}
        />
        <Metric
          label="Storeys"
          value={stats.data ? formatNumber(stats.data.totals.storeys) : dash}
          hint="IfcBuildingStorey"
          testId="metric-storeys"
          loading={loading}
        />
        <Metric
          label="Property coverage"
          value={stats.data ? (coverage === null ? "None" : formatPercent(coverage)) : dash}
          hint="mean share of a class's elements carrying each of its property sets"
          testId="metric-property-coverage"
          loading={loading}
        />
      </SimpleGrid>
      {stats.isError && (
        <LoadError error={stats.error} what="statistics" onRetry={() => stats.refetch()} />
      )}
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Card withBorder padding="md" style={{ gridColumn: "span 2" }}>
          <Group justify="space-between" mb="sm">
            <Title order={2} size="h5">
              Elements by class
            </Title>
            {ready && (
              <Button
                component={Link}
                to={`/versions/${version.id}/statistics`}
                size="compact-sm"
                variant="subtle"
              >
                All statistics
              </Button>
            )}
          </Group>
          {!ready && (
            <Text size="sm" c="dimmed">
              Available when processing has finished.
            </Text>
          )}
          {loading && <Skeleton height={260} />}
          {stats.data && (
            <CountBars
              rows={classRows(stats.data)}
              limit={10}
              noun="classes"
              testId="overview-class-chart"
              label="IFC class"
            />
          )}
        </Card>
        <Stack gap="md">
          <QuickActions version={version} />
          <ValidationCard version={version} />
        </Stack>
      </SimpleGrid>
    </Stack>
  );
}
