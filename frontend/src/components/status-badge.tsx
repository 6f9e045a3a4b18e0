import { Badge, Group, Progress, Stack, Text, Tooltip } from "@mantine/core";
import type { VersionStatus } from "@/api/types";

const COLORS: Record<VersionStatus, string> = {
  uploaded: "gray",
  processing: "blue",
  ready: "teal",
  failed: "red",
};

const LABELS: Record<VersionStatus, string> = {
  uploaded: "Queued",
  processing: "Processing",
  ready: "Ready",
  failed: "Failed",
};

export function StatusBadge({ status, error }: { status: VersionStatus; error?: string | null }) {
  const badge = (
    <Badge color={COLORS[status]} variant="light" data-testid="version-status" data-status={status}>
      {LABELS[status]}
    </Badge>
  );
  return error && status === "failed" ? (
    <Tooltip label={error} multiline maw={360} withArrow>
      {badge}
    </Tooltip>
  ) : (
    badge
  );
}

/** Status badge plus a progress bar while the version is queued or processing. */
export function VersionProgress({
  status,
  progress,
  error,
  width = 140,
}: {
  status: VersionStatus;
  progress: number;
  error?: string | null;
  width?: number;
}) {
  const busy = status === "uploaded" || status === "processing";
  return (
    <Stack gap={4} w={busy ? width : undefined}>
      <Group gap={6} wrap="nowrap">
        <StatusBadge status={status} error={error} />
        {busy && (
          <Text size="xs" c="dimmed" data-testid="version-progress">
            {Math.round(progress)}%
          </Text>
        )}
      </Group>
      {busy && (
        <Progress
          value={status === "uploaded" ? 0 : progress}
          size="xs"
          animated
          aria-label="Processing progress"
        />
      )}
    </Stack>
  );
}
