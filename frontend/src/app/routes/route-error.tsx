import { isRouteErrorResponse, useRouteError } from "react-router";
import { Container } from "@mantine/core";
import { ErrorFallback } from "@/components/error-boundary";

export function RouteError() {
  const error = useRouteError();
  const shown = isRouteErrorResponse(error)
    ? new Error(`${error.status} ${error.statusText}`)
    : error;
  // A failed lazy chunk usually means a new build was deployed: reloading fixes it.
  return (
    <Container size="sm" py="xl">
      <ErrorFallback error={shown} title="This page failed to load" />
    </Container>
  );
}
