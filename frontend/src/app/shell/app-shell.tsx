import { AppShell, Group } from "@mantine/core";
import { Outlet, useLocation } from "react-router";
import { ErrorBoundary } from "@/components/error-boundary";
import { NotificationBell } from "@/features/notifications/notification-bell";
import { RunWatcher } from "@/features/notifications/run-watcher";
import { Logo } from "./logo";
import { ProjectSwitcher } from "./project-switcher";
import { ThemeToggle } from "./theme-toggle";
import { UserMenu } from "./user-menu";

export function AppShellLayout() {
  const location = useLocation();
  return (
    <AppShell header={{ height: 56 }} padding={0}>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Logo />
            <ProjectSwitcher />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <NotificationBell />
            <ThemeToggle />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <RunWatcher />
      <AppShell.Main>
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}
