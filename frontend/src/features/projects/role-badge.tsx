import { Badge } from "@mantine/core";
import type { Role } from "@/api/types";

const COLORS: Record<Role, string> = { admin: "grape", coordinator: "blue", viewer: "gray" };

export function RoleBadge({ role }: { role: Role | null }) {
  if (!role) return null;
  return (
    <Badge variant="outline" color={COLORS[role]} size="sm" data-testid="role-badge">
      {role}
    </Badge>
  );
}
