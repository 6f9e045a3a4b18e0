import { Avatar, Menu, Text, UnstyledButton } from "@mantine/core";
import { IconLogout, IconShieldLock } from "@tabler/icons-react";
import { useNavigate } from "react-router";
import { useLogout, useMe } from "@/api/auth";

export function UserMenu() {
  const me = useMe();
  const logout = useLogout();
  const navigate = useNavigate();
  const user = me.data;
  if (!user) return null;
  return (
    <Menu position="bottom-end" withArrow>
      <Menu.Target>
        <UnstyledButton aria-label={`Account menu for ${user.username}`} data-testid="user-menu">
          <Avatar radius="xl" size={32} color="blue" name={user.username} />
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="sm" fw={600} c="var(--mantine-color-text)">
            {user.username}
          </Text>
          {user.email && <Text size="xs">{user.email}</Text>}
        </Menu.Label>
        {user.is_superuser && (
          <Menu.Item component="a" href="/admin/" leftSection={<IconShieldLock size={16} />}>
            Administration
          </Menu.Item>
        )}
        <Menu.Item
          leftSection={<IconLogout size={16} />}
          data-testid="logout"
          onClick={() =>
            logout.mutate(undefined, { onSettled: () => navigate("/login", { replace: true }) })
          }
        >
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
