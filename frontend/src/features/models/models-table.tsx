import { Anchor, Badge, FileButton, Skeleton, Table, Text, Tooltip } from "@mantine/core";
import { IconBox, IconUpload } from "@tabler/icons-react";
import { Link } from "react-router";
import { useModels } from "@/api/projects";
import { EmptyState } from "@/components/empty-state";
import { IconButton } from "@/components/icon-button";
import { useUploadQueue } from "@/features/upload/use-upload-queue";
import { LoadError } from "@/components/query-state";
import { VersionProgress } from "@/components/status-badge";
import { formatDateTime, formatNumber, formatRelative } from "@/lib/format";

export function ModelsTable({ projectId, canUpload }: { projectId: number; canUpload: boolean }) {
  const models = useModels(projectId);
  const queue = useUploadQueue();

  if (models.isPending) {
    return (
      <div data-testid="models-loading">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} height={44} mb={6} />
        ))}
      </div>
    );
  }
  if (models.isError) {
    return <LoadError error={models.error} what="models" onRetry={() => models.refetch()} />;
  }
  if (models.data.length === 0) {
    return (
      <EmptyState icon={<IconBox />} title="No models in this project yet" testId="models-empty">
        {canUpload
          ? "Drop .ifc or .ifczip files on the upload area above. Each file becomes a model; uploading a file with the same name later adds a new version."
          : "A coordinator of this project has not uploaded any model yet."}
      </EmptyState>
    );
  }

  return (
    <Table.ScrollContainer minWidth={760}>
      <Table highlightOnHover verticalSpacing="sm" data-testid="models-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Model</Table.Th>
            <Table.Th>Latest version</Table.Th>
            <Table.Th ta="right">Elements</Table.Th>
            <Table.Th>Last upload</Table.Th>
            <Table.Th>Uploaded by</Table.Th>
            {canUpload && <Table.Th aria-label="Actions" />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {models.data.map((model) => {
            const latest = model.latest_version;
            return (
              <Table.Tr key={model.id} data-testid="model-row" data-model-name={model.name}>
                <Table.Td>
                  {latest ? (
                    <Anchor component={Link} to={`/versions/${latest.id}/overview`} fw={500}>
                      {model.name}
                    </Anchor>
                  ) : (
                    <Text fw={500}>{model.name}</Text>
                  )}
                  <Text size="xs" c="dimmed">
                    {model.version_count} version{model.version_count === 1 ? "" : "s"}
                  </Text>
                </Table.Td>
                <Table.Td>
                  {latest ? (
                    <div style={{ display: "flex", gap: 8, alignItems: "flex-start" }}>
                      <Badge variant="default" data-testid="model-version-number">
                        v{latest.number}
                      </Badge>
                      <VersionProgress
                        status={latest.status}
                        progress={latest.progress}
                        error={latest.error}
                      />
                    </div>
                  ) : (
                    <Text c="dimmed">—</Text>
                  )}
                </Table.Td>
                <Table.Td ta="right" className="tabular-nums" data-testid="model-element-count">
                  {formatNumber(latest?.element_count)}
                </Table.Td>
                <Table.Td>
                  <Tooltip label={formatDateTime(latest?.created_at)} disabled={!latest}>
                    <Text size="sm">{formatRelative(latest?.created_at)}</Text>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{latest?.uploaded_by ?? "—"}</Text>
                </Table.Td>
                {canUpload && (
                  <Table.Td w={56}>
                    <FileButton
                      onChange={(file) =>
                        file && queue.add(projectId, [file], { model: model.name })
                      }
                      accept=".ifc,.ifczip"
                    >
                      {(props) => (
                        <IconButton
                          {...props}
                          label={`Upload a new version of ${model.name}`}
                          data-testid="upload-new-version"
                        >
                          <IconUpload size={16} />
                        </IconButton>
                      )}
                    </FileButton>
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
