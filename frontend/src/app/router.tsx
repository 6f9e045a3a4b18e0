import { Center, Loader } from "@mantine/core";
import { createBrowserRouter, Navigate, type RouteObject } from "react-router";
import { RouteError } from "./routes/route-error";
import { AppShellLayout } from "./shell/app-shell";
import { RequireAuth } from "@/features/auth/require-auth";

// Shown while the first page's lazy chunk loads (the router renders nothing otherwise).
const pageLoader = (
  <Center h="100vh">
    <Loader aria-label="Loading bimflow" />
  </Center>
);

/** Lazy route modules keep the initial bundle small; each page is its own chunk. */
export const routes: RouteObject[] = [
  {
    path: "/login",
    hydrateFallbackElement: pageLoader,
    lazy: () => import("./routes/login").then((m) => ({ Component: m.LoginRoute })),
    errorElement: <RouteError />,
  },
  {
    element: (
      <RequireAuth>
        <AppShellLayout />
      </RequireAuth>
    ),
    errorElement: <RouteError />,
    hydrateFallbackElement: pageLoader,
    children: [
      { index: true, element: <Navigate to="/projects" replace /> },
      {
        path: "projects",
        lazy: () => import("./routes/projects").then((m) => ({ Component: m.ProjectsRoute })),
      },
      {
        path: "projects/:projectId",
        lazy: () => import("./routes/project").then((m) => ({ Component: m.ProjectRoute })),
        children: [
          { index: true, element: <Navigate to="models" replace /> },
          { path: ":tab", element: null },
        ],
      },
      {
        path: "versions/:versionId",
        lazy: () => import("./routes/version").then((m) => ({ Component: m.VersionRoute })),
        children: [
          { index: true, element: <Navigate to="overview" replace /> },
          {
            path: ":tab",
            lazy: () =>
              import("./routes/version-tab").then((m) => ({ Component: m.VersionTabRoute })),
          },
        ],
      },
      {
        path: "*",
        lazy: () => import("./routes/not-found").then((m) => ({ Component: m.NotFoundRoute })),
      },
    ],
  },
];

export const router = createBrowserRouter(routes);
