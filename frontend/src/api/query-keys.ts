import type { ElementQuery } from "./catalog";

export const queryKeys = {
  me: ["auth", "me"] as const,
  projects: ["projects"] as const,
  project: (id: number) => ["projects", id] as const,
  members: (projectId: number) => ["projects", projectId, "members"] as const,
  models: (projectId: number) => ["projects", projectId, "models"] as const,
  model: (id: number) => ["models", id] as const,
  modelVersions: (modelId: number) => ["models", modelId, "versions"] as const,
  version: (id: number) => ["versions", id] as const,
  statistics: (id: number) => ["versions", id, "statistics"] as const,
  metadata: (id: number) => ["versions", id, "metadata"] as const,
  elements: (id: number) => ["versions", id, "elements"] as const,
  elementPage: (id: number, query: ElementQuery, page: number, pageSize: number) =>
    ["versions", id, "elements", "page", query, page, pageSize] as const,
  element: (id: number, guid: string) => ["versions", id, "element", guid] as const,
  diff: (from: number, to: number) => ["versions", from, "diff", to] as const,
  users: (prefix: string) => ["users", prefix] as const,
};
