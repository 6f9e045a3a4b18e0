import { Badge, Loader } from "@mantine/core";
import { STATUS_COLORS, statusLabel } from "../labels";

export function ExecutionStatusBadge({
  status,
  testId = "execution-status",
}: {
  status: string;
  testId?: string;
}) {
  const busy = status === "running" || status === "queued";
  return (
    <Badge
      color={STATUS_COLORS[status] ?? "gray"}
      variant="light"
      data-testid={testId}
      data-status={status}
      leftSection={busy ? <Loader size={10} color={STATUS_COLORS[status]} /> : undefined}
    >
      {statusLabel(status)}
    </Badge>
  );
}
