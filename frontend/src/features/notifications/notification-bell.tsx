import {
  Button,
  Group,
  Indicator,
  Popover,
  ScrollArea,
  Stack,
  Text,
  UnstyledButton,
} from "@mantine/core";
import { IconBell } from "@tabler/icons-react";
import { useNavigate } from "react-router";
import { useMarkNotificationsRead, useNotifications } from "@/api/automation";
import type { Notification } from "@/api/types";
import { IconButton } from "@/components/icon-button";
import { formatRelative } from "@/lib/format";

function target(n: Notification): string | null {
  const data = (n.data ?? {}) as Record<string, number>;
  if (data.execution && data.version)
    return `/versions/${data.version}/scripts?execution=${data.execution}`;
  if (data.batch && n.project) return `/projects/${n.project}/batches?batch=${data.batch}`;
  if (data.run && n.project) return `/projects/${n.project}/workflows`;
  if (data.version) return `/versions/${data.version}/overview`;
  return null;
}

/** The header's bell: unread notifications, newest first. */
export function NotificationBell() {
  const unread = useNotifications(true);
  const mark = useMarkNotificationsRead();
  const navigate = useNavigate();
  const items = unread.data?.results ?? [];
  const count = unread.data?.count ?? 0;
  return (
    <Popover width={360} position="bottom-end" shadow="md" withArrow>
      <Popover.Target>
        <Indicator
          label={count > 99 ? "99+" : count}
          size={16}
          disabled={count === 0}
          color="red"
          offset={4}
          data-testid="notification-count"
          data-count={count}
        >
          <IconButton
            label={count ? `${count} unread notifications` : "Notifications"}
            data-testid="notification-bell"
          >
            <IconBell size={18} />
          </IconButton>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown p="xs" data-testid="notification-list">
        <Group justify="space-between" mb="xs">
          <Text fw={600} size="sm">
            Notifications
          </Text>
          {count > 0 && (
            <Button size="compact-xs" variant="subtle" onClick={() => mark.mutate(undefined)}>
              Mark all read
            </Button>
          )}
        </Group>
        {items.length === 0 ? (
          <Text size="sm" c="dimmed" py="sm">
            Nothing new. Failed runs and finished batches you started show up here.
          </Text>
        ) : (
          <ScrollArea.Autosize mah={380}>
            <Stack gap={4}>
              {items.map((n) => (
                <UnstyledButton
                  key={n.id}
                  p={6}
                  style={{ borderRadius: 4 }}
                  data-testid="notification-item"
                  onClick={() => {
                    mark.mutate([n.id]);
                    const to = target(n);
                    if (to) navigate(to);
                  }}
                >
                  <Text size="sm">{n.message}</Text>
                  <Text size="xs" c="dimmed">
                    {formatRelative(n.created_at)}
                  </Text>
                </UnstyledButton>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
