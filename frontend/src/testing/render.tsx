import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { MantineProvider } from "@mantine/core";
import { ModalsProvider } from "@mantine/modals";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router";
import { theme } from "@/app/theme";
import { UploadQueueProvider } from "@/features/upload/upload-queue-context";

export function createTestQueryClient() {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } },
  });
}

/** Renders with the app's real providers and a memory router. */
export function renderWithApp(
  element: ReactElement,
  {
    path = "/",
    route = "/",
    routes,
    queryClient = createTestQueryClient(),
    uploadOptions,
  }: {
    path?: string;
    route?: string;
    routes?: RouteObject[];
    queryClient?: QueryClient;
    uploadOptions?: { concurrency?: number; pollInterval?: number };
  } = {},
) {
  const router = createMemoryRouter(routes ?? [{ path, element }], { initialEntries: [route] });
  const utils = render(
    <MantineProvider theme={theme} env="test">
      <QueryClientProvider client={queryClient}>
        <ModalsProvider>
          <Notifications />
          <UploadQueueProvider options={uploadOptions}>
            <RouterProvider router={router} />
          </UploadQueueProvider>
        </ModalsProvider>
      </QueryClientProvider>
    </MantineProvider>,
  );
  return { ...utils, router, queryClient };
}
