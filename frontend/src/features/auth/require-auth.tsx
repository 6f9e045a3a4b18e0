import type { ReactNode } from "react";
import { Center, Loader } from "@mantine/core";
import { Navigate, useLocation } from "react-router";
import { useMe } from "@/api/auth";
import { LoadError } from "@/components/query-state";

export function RequireAuth({ children }: { children: ReactNode }) {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading bimflow" />
      </Center>
    );
  }
  if (me.isError) {
    return (
      <Center h="100vh" p="md">
        <LoadError error={me.error} what="your session" onRetry={() => me.refetch()} />
      </Center>
    );
  }
  if (!me.data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return children;
}
