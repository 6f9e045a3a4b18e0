import { useState } from "react";
import { Badge, Group, Pagination, Stack, Text, Timeline } from "@mantine/core";
import { IconActivity } from "@tabler/icons-react";
import { useActivity } from "@/api/automation";
import { EmptyState } from "@/components/empty-state";
import { LoadError, SkeletonLines } from "@/components/query-state";
import { formatDateTime, formatRelative } from "@/lib/format";
import { STATUS_COLORS } from "@/features/scripts/labels";

/** The project's activity: uploads, versions ready or failed, runs, batches. */
export function ActivityFeed({ projectId }: { projectId: number }) {
  const [page, setPage] = useState(1);
  const activity = useActivity(projectId, page);
  if (activity.isPending) return <SkeletonLines lines={6} />;
  if (activity.isError) return <LoadError error={activity.error} what="the activity" />;
  if (activity.data.count === 0)
    return (
      <EmptyState icon={<IconActivity />} title="Nothing has happened yet" testId="activity-empty">
        Uploads, processed versions, script runs, workflow runs and batches appear here.
      </EmptyState>
    );
  return (
    <Stack gap="md" data-testid="activity-feed">
      <Timeline bulletSize={12} lineWidth={2}>
        {activity.data.results.map((a) => (
          <Timeline.Item
            key={a.id}
            color={STATUS_COLORS[a.status] ?? "gray"}
            data-testid="activity-item"
            data-kind={a.kind}
          >
            <Group gap="xs">
              <Badge size="xs" variant="light">
                {a.kind.replace("_", " ")}
              </Badge>
              <Text size="xs" c="dimmed" title={formatDateTime(a.created_at)}>
                {formatRelative(a.created_at)}
              </Text>
            </Group>
            <Text size="sm">{a.message}</Text>
          </Timeline.Item>
        ))}
      </Timeline>
      {activity.data.count > 50 && (
        <Pagination
          size="sm"
          total={Math.ceil(activity.data.count / 50)}
          value={page}
          onChange={setPage}
        />
      )}
    </Stack>
  );
}
