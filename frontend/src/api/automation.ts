// Workflows and their runs, batch jobs, activity and notifications.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, unwrapList } from "./client";
import type { components } from "./schema";
import type {
  Activity,
  Batch,
  BatchDetail,
  BatchPreview,
  CronPreview,
  Notification,
  Paginated,
  Workflow,
  WorkflowRun,
} from "./types";

export type WorkflowWrite = components["schemas"]["WorkflowWriteRequest"];
export type Trigger = components["schemas"]["TriggerEnum"];
export type BatchVersions = "latest" | "all" | number[];

export async function listWorkflows(projectId: number): Promise<Workflow[]> {
  return unwrapList(
    await apiRequest<Workflow[] | Paginated<Workflow>>(`/api/projects/${projectId}/workflows/`, {
      query: { page_size: 1000 },
    }),
  );
}
export const getWorkflow = (id: number) => apiRequest<Workflow>(`/api/workflows/${id}/`);
export const createWorkflow = (projectId: number, input: WorkflowWrite) =>
  apiRequest<Workflow>(`/api/projects/${projectId}/workflows/`, { method: "POST", body: input });
export const updateWorkflow = (id: number, input: WorkflowWrite) =>
  apiRequest<Workflow>(`/api/workflows/${id}/`, { method: "PATCH", body: input });
export const deleteWorkflow = (id: number) =>
  apiRequest<void>(`/api/workflows/${id}/`, { method: "DELETE" });
export const runWorkflow = (id: number, versions?: number[]) =>
  apiRequest<WorkflowRun[]>(`/api/workflows/${id}/run/`, {
    method: "POST",
    body: versions ? { versions } : {},
  });
export const backfillWorkflow = (id: number) =>
  apiRequest<WorkflowRun[]>(`/api/workflows/${id}/backfill/`, { method: "POST" });
export const listRuns = (
  query: { workflow?: number; project?: number; version?: number },
  page = 1,
) =>
  apiRequest<Paginated<WorkflowRun>>("/api/workflow-runs/", {
    query: { ...query, page, page_size: 25 },
  });
export const cancelRun = (id: number) =>
  apiRequest<WorkflowRun>(`/api/workflow-runs/${id}/cancel/`, { method: "POST" });
export const getCronPreview = (cron: string, timezone: string) =>
  apiRequest<CronPreview>("/api/automation/cron-preview/", { query: { cron, timezone } });

export const listBatches = (projectId: number, page = 1) =>
  apiRequest<Paginated<Batch>>(`/api/projects/${projectId}/batches/`, {
    query: { page, page_size: 25 },
  });
export const getBatch = (id: number) => apiRequest<BatchDetail>(`/api/batches/${id}/`);
export const createBatch = (
  projectId: number,
  input: {
    script: string;
    parameters: Record<string, unknown>;
    model_filter: string;
    versions: BatchVersions;
  },
) =>
  apiRequest<BatchDetail>(`/api/projects/${projectId}/batches/`, { method: "POST", body: input });
export const previewBatch = (
  projectId: number,
  input: { model_filter: string; versions: BatchVersions },
) =>
  apiRequest<BatchPreview>(`/api/projects/${projectId}/batches/preview/`, {
    method: "POST",
    body: input,
  });
export const cancelBatch = (id: number) =>
  apiRequest<BatchDetail>(`/api/batches/${id}/cancel/`, { method: "POST" });
export const batchSummaryUrl = (id: number, format: "csv" | "xlsx") =>
  `/api/batches/${id}/summary.${format}`;

export const listActivity = (projectId: number, page = 1) =>
  apiRequest<Paginated<Activity>>(`/api/projects/${projectId}/activity/`, {
    query: { page, page_size: 50 },
  });

export const listNotifications = (unread: boolean) =>
  apiRequest<Paginated<Notification>>("/api/notifications/", {
    query: { unread: unread ? "true" : undefined, page_size: 20 },
  });
export const markNotificationsRead = (ids?: number[]) =>
  apiRequest<{ marked: number }>("/api/notifications/read/", {
    method: "POST",
    body: ids ? { ids } : {},
  });

export const automationKeys = {
  workflows: (projectId: number) => ["projects", projectId, "workflows"] as const,
  workflow: (id: number) => ["workflows", id] as const,
  runs: (query: object, page: number) => ["workflow-runs", query, page] as const,
  batches: (projectId: number, page: number) => ["projects", projectId, "batches", page] as const,
  batch: (id: number) => ["batches", id] as const,
  cron: (cron: string, tz: string) => ["cron-preview", cron, tz] as const,
  activity: (projectId: number, page: number) => ["projects", projectId, "activity", page] as const,
  notifications: (unread: boolean) => ["notifications", unread] as const,
};

export function useWorkflows(projectId: number) {
  return useQuery({
    queryKey: automationKeys.workflows(projectId),
    queryFn: () => listWorkflows(projectId),
  });
}

export function useRuns(query: { workflow?: number; project?: number }, page = 1, enabled = true) {
  return useQuery({
    queryKey: automationKeys.runs(query, page),
    queryFn: () => listRuns(query, page),
    enabled,
    placeholderData: keepPreviousData,
    refetchInterval: (q) =>
      q.state.data?.results.some((r) => r.status === "queued" || r.status === "running")
        ? 2000
        : 5000,
  });
}

export function useCronPreview(cron: string, timezone: string, enabled: boolean) {
  return useQuery({
    queryKey: automationKeys.cron(cron, timezone),
    queryFn: () => getCronPreview(cron, timezone),
    enabled: enabled && cron.trim().length > 0,
    retry: false,
    staleTime: 30_000,
  });
}

export function useBatches(projectId: number, page = 1) {
  return useQuery({
    queryKey: automationKeys.batches(projectId, page),
    queryFn: () => listBatches(projectId, page),
    placeholderData: keepPreviousData,
    refetchInterval: (q) =>
      q.state.data?.results.some((b) => b.status === "running") ? 2000 : false,
  });
}

export function useBatch(id: number | null) {
  return useQuery({
    queryKey: automationKeys.batch(id ?? 0),
    queryFn: () => getBatch(id!),
    enabled: id !== null,
    refetchInterval: (q) => (q.state.data && q.state.data.status !== "running" ? false : 1500),
  });
}

export function useActivity(projectId: number, page = 1) {
  return useQuery({
    queryKey: automationKeys.activity(projectId, page),
    queryFn: () => listActivity(projectId, page),
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
}

export function useNotifications(unread: boolean) {
  return useQuery({
    queryKey: automationKeys.notifications(unread),
    queryFn: () => listNotifications(unread),
    refetchInterval: 15_000,
  });
}

export function useMarkNotificationsRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (ids?: number[]) => markNotificationsRead(ids),
    onSuccess: () => client.invalidateQueries({ queryKey: ["notifications"] }),
  });
}
