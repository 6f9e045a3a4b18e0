import { Button, Group, Paper, Progress, Stack, Text, ThemeIcon } from "@mantine/core";
import { Dropzone } from "@mantine/dropzone";
import {
  IconAlertCircle,
  IconCheck,
  IconCloudUpload,
  IconExternalLink,
  IconFile3d,
  IconRefresh,
  IconUpload,
  IconX,
} from "@tabler/icons-react";
import { IconButton } from "@/components/icon-button";
import { formatBytes } from "@/lib/format";
import { canRetry, type UploadItem } from "./upload-queue";
import { useUploadItems, useUploadQueue } from "./use-upload-queue";

const STATE_LABEL: Record<UploadItem["state"], string> = {
  queued: "Waiting to upload",
  uploading: "Uploading",
  processing: "Processing",
  ready: "Ready",
  failed: "Processing failed",
  error: "Upload failed",
};

function stateLine(item: UploadItem): string {
  if (item.state === "uploading") return `Uploading… ${Math.round(item.uploadProgress * 100)}%`;
  if (item.state === "processing") {
    const status = item.version?.status === "uploaded" ? "Waiting for a worker" : "Processing";
    return `${status}… ${Math.round(item.processingProgress)}%`;
  }
  if (item.state === "ready" && item.version)
    return `Ready: ${item.version.model_name} version ${item.version.number}`;
  return STATE_LABEL[item.state];
}

export function UploadRow({ item }: { item: UploadItem }) {
  const queue = useUploadQueue();
  const failed = item.state === "error" || item.state === "failed";
  const busy = item.state === "uploading" || item.state === "processing";
  const value =
    item.state === "uploading"
      ? item.uploadProgress * 100
      : item.state === "processing"
        ? item.processingProgress
        : item.state === "ready"
          ? 100
          : 0;
  return (
    <Paper
      withBorder
      p="sm"
      data-testid="upload-row"
      data-state={item.state}
      data-file-name={item.file.name}
      data-error-status={item.errorStatus ?? undefined}
      data-version-id={item.version?.id}
      aria-label={`Upload of ${item.file.name}: ${STATE_LABEL[item.state]}`}
    >
      <Group wrap="nowrap" align="flex-start" gap="sm">
        <ThemeIcon
          variant="light"
          color={failed ? "red" : item.state === "ready" ? "teal" : "blue"}
          size="lg"
        >
          {failed ? (
            <IconAlertCircle size={18} />
          ) : item.state === "ready" ? (
            <IconCheck size={18} />
          ) : (
            <IconFile3d size={18} />
          )}
        </ThemeIcon>
        <Stack gap={4} style={{ flex: 1, minWidth: 0 }}>
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm" fw={500} truncate title={item.file.name}>
              {item.file.name}
              {item.model && (
                <Text span size="xs" c="dimmed" fw={400}>
                  {" "}
                  as a new version of {item.model}
                </Text>
              )}
            </Text>
            <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
              {formatBytes(item.file.size)}
            </Text>
          </Group>
          {!failed && (
            <>
              <Progress
                value={value}
                size="sm"
                color={
                  item.state === "ready" ? "teal" : item.state === "processing" ? "violet" : "blue"
                }
                animated={busy}
                aria-label={`${STATE_LABEL[item.state]} ${Math.round(value)}%`}
                data-testid="upload-progress"
                data-value={Math.round(value)}
              />
              <Text size="xs" c="dimmed" data-testid="upload-status">
                {stateLine(item)}
              </Text>
            </>
          )}
          {failed && (
            <Text size="sm" c="red" data-testid="upload-error" role="alert">
              {item.error}
            </Text>
          )}
        </Stack>
        <Group gap={2} wrap="nowrap">
          {item.state === "ready" && item.version && (
            <IconButton label="Open this version" to={`/versions/${item.version.id}/overview`}>
              <IconExternalLink size={16} />
            </IconButton>
          )}
          {item.state === "failed" && item.version && (
            <IconButton
              label="Open the failed version"
              to={`/versions/${item.version.id}/overview`}
            >
              <IconExternalLink size={16} />
            </IconButton>
          )}
          {canRetry(item) && (
            <IconButton
              label="Retry upload"
              onClick={() => queue.retry(item.id)}
              data-testid="upload-retry"
            >
              <IconRefresh size={16} />
            </IconButton>
          )}
          <IconButton
            label={item.state === "uploading" ? "Cancel upload" : "Dismiss"}
            onClick={() => queue.dismiss(item.id)}
            data-testid="upload-dismiss"
          >
            <IconX size={16} />
          </IconButton>
        </Group>
      </Group>
    </Paper>
  );
}

export function UploadPanel({ projectId, canUpload }: { projectId: number; canUpload: boolean }) {
  const queue = useUploadQueue();
  const items = useUploadItems(projectId);
  const finished = items.filter((item) => item.state === "ready").length;

  return (
    <Stack gap="sm">
      {canUpload ? (
        <Dropzone
          onDrop={(files) => queue.add(projectId, files)}
          multiple
          // .ifc has no registered MIME type; the queue checks names case-insensitively.
          accept={undefined}
          maxSize={Number.POSITIVE_INFINITY}
          data-testid="upload-dropzone"
          aria-label="Upload IFC files: drop them here or press Enter to browse"
          radius="md"
          p="lg"
        >
          <Group justify="center" gap="lg" mih={90} style={{ pointerEvents: "none" }} wrap="nowrap">
            <Dropzone.Accept>
              <IconUpload size={40} stroke={1.5} color="var(--mantine-color-blue-6)" />
            </Dropzone.Accept>
            <Dropzone.Reject>
              <IconX size={40} stroke={1.5} color="var(--mantine-color-red-6)" />
            </Dropzone.Reject>
            <Dropzone.Idle>
              <IconCloudUpload size={40} stroke={1.5} color="var(--mantine-color-dimmed)" />
            </Dropzone.Idle>
            <div>
              <Text size="md" fw={500}>
                Drop IFC files here or click to browse
              </Text>
              <Text size="sm" c="dimmed">
                .ifc and .ifczip, several at once. A file named like an existing model becomes its
                next version.
              </Text>
            </div>
          </Group>
        </Dropzone>
      ) : (
        <Text size="sm" c="dimmed" data-testid="upload-not-allowed">
          You are a viewer in this project: ask a project admin for the coordinator role to upload
          models.
        </Text>
      )}
      {items.length > 0 && (
        <Stack gap="xs" data-testid="upload-list" aria-label="Uploads">
          {finished > 0 && (
            <Group justify="flex-end">
              <Button
                size="compact-xs"
                variant="subtle"
                onClick={() => queue.clearFinished(projectId)}
              >
                Clear finished
              </Button>
            </Group>
          )}
          {items.map((item) => (
            <UploadRow key={item.id} item={item} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
