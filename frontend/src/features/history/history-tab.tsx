import { Anchor, Badge, Card, Group, Select, Stack, Table, Text, Title } from "@mantine/core";
import { IconArrowRight } from "@tabler/icons-react";
import { Link, useSearchParams } from "react-router";
import { useDiff, useModelVersions } from "@/api/versions";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { VersionProgress } from "@/components/status-badge";
import { formatBytes, formatDateTime, formatNumber } from "@/lib/format";
import { useVersionContext } from "@/features/versions/version-context";
import { DiffView } from "./diff-view";

export default function HistoryTab() {
  const { version } = useVersionContext();
  const versions = useModelVersions(version.model);
  const [params, setParams] = useSearchParams();

  const list = versions.data ?? [];
  const ready = list.filter((v) => v.status === "ready");
  const previous = ready
    .filter((v) => v.number < version.number)
    .sort((a, b) => b.number - a.number)[0];
  const fromParam = Number(params.get("from")) || null;
  const toParam = Number(params.get("to")) || null;
  const from = fromParam ?? previous?.id ?? null;
  const to = toParam ?? (version.status === "ready" && previous ? version.id : null);
  const diff = useDiff(from, to);

  const setPair = (key: "from" | "to", value: string | null) => {
    const next = new URLSearchParams(params);
    if (from !== null) next.set("from", String(from));
    if (to !== null) next.set("to", String(to));
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  const options = ready.map((v) => ({
    value: String(v.id),
    label: `Version ${v.number} · ${formatDateTime(v.created_at)}`,
  }));
  const label = (id: number | null) => list.find((v) => v.id === id)?.number;

  return (
    <Stack gap="md" data-testid="history-tab">
      <Card withBorder padding="md">
        <Title order={2} size="h5" mb="sm">
          Versions of {version.model_name}
        </Title>
        {versions.isPending && <SkeletonLines lines={3} />}
        {versions.isError && (
          <LoadError
            error={versions.error}
            what="the versions"
            onRetry={() => versions.refetch()}
          />
        )}
        {versions.data && (
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing={6} highlightOnHover data-testid="versions-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Version</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Uploaded by</Table.Th>
                  <Table.Th>Uploaded</Table.Th>
                  <Table.Th ta="right">Size</Table.Th>
                  <Table.Th ta="right">Elements</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((v) => (
                  <Table.Tr
                    key={v.id}
                    data-testid="version-row"
                    data-version-number={v.number}
                    aria-current={v.id === version.id ? "page" : undefined}
                  >
                    <Table.Td>
                      <Group gap={6}>
                        <Anchor component={Link} to={`/versions/${v.id}/overview`} fw={500}>
                          Version {v.number}
                        </Anchor>
                        {v.id === version.id && (
                          <Badge size="xs" variant="light">
                            this version
                          </Badge>
                        )}
                      </Group>
                      <Text size="xs" c="dimmed" truncate maw={260}>
                        {v.file_name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <VersionProgress status={v.status} progress={v.progress} error={v.error} />
                    </Table.Td>
                    <Table.Td>{v.uploaded_by ?? "—"}</Table.Td>
                    <Table.Td>{formatDateTime(v.created_at)}</Table.Td>
                    <Table.Td ta="right" className="tabular-nums">
                      {formatBytes(v.file_size)}
                    </Table.Td>
                    <Table.Td ta="right" className="tabular-nums">
                      {formatNumber(v.element_count)}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
      <Card withBorder padding="md" data-testid="comparison">
        <Title order={2} size="h5" mb="sm">
          Compare two versions
        </Title>
        {versions.data && ready.length < 2 ? (
          <Text size="sm" c="dimmed" data-testid="comparison-unavailable">
            Comparison needs two processed versions of this model; upload a newer file with the same
            model name to get one.
          </Text>
        ) : (
          <>
            <Group align="flex-end" mb="md">
              <Select
                label="From (older)"
                data={options}
                value={from ? String(from) : null}
                onChange={(value) => setPair("from", value)}
                placeholder="Pick a version"
                w={300}
                data-testid="compare-from"
              />
              <IconArrowRight size={18} style={{ marginBottom: 10 }} />
              <Select
                label="To (newer)"
                data={options}
                value={to ? String(to) : null}
                onChange={(value) => setPair("to", value)}
                placeholder="Pick a version"
                w={300}
                data-testid="compare-to"
              />
            </Group>
            {from !== null && to !== null && from === to && (
              <Text size="sm" c="dimmed">
                Pick two different versions.
              </Text>
            )}
            {(from === null || to === null) && (
              <Text size="sm" c="dimmed">
                Pick the two versions to compare.
              </Text>
            )}
            {diff.isFetching && !diff.data && <SkeletonLines lines={4} />}
            {diff.isError && (
              <LoadError error={diff.error} what="the comparison" onRetry={() => diff.refetch()} />
            )}
            {diff.data && (
              <>
                <Text size="sm" c="dimmed" mb="xs">
                  Differences by GlobalId from version {label(diff.data.from)} to version{" "}
                  {label(diff.data.to)}.
                </Text>
                <DiffView key={`${diff.data.from}-${diff.data.to}`} diff={diff.data} />
              </>
            )}
          </>
        )}
      </Card>
    </Stack>
  );
}
