import { Center, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useMe } from "@/api/auth";
import { LoginForm } from "@/features/auth/login-form";
import { Logo } from "../shell/logo";
import { ThemeToggle } from "../shell/theme-toggle";
import { safeNext } from "@/lib/safe-next";

export function LoginRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const me = useMe();
  const next = safeNext(params.get("next"));
  if (me.data) return <Navigate to={next} replace />;
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-body)">
      <Stack w={380} maw="100%">
        <Group justify="space-between">
          <Logo />
          <ThemeToggle />
        </Group>
        <Paper withBorder shadow="sm" p="xl" radius="lg">
          <Title order={1} size="h3" mb={4}>
            Sign in
          </Title>
          <Text c="dimmed" size="sm" mb="lg">
            Use the account an administrator created for you.
          </Text>
          <LoginForm onSuccess={() => navigate(next, { replace: true })} />
        </Paper>
      </Stack>
    </Center>
  );
}
