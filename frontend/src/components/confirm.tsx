import { Text } from "@mantine/core";
import { modals } from "@mantine/modals";

/** Asks before a destructive action; the confirm button is red and named. */
export function confirmDestructive({
  title,
  message,
  confirmLabel,
  onConfirm,
}: {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
}) {
  modals.openConfirmModal({
    title,
    centered: true,
    children: <Text size="sm">{message}</Text>,
    labels: { confirm: confirmLabel, cancel: "Cancel" },
    confirmProps: { color: "red", "data-testid": "confirm-button" } as Record<string, string>,
    onConfirm,
  });
}
