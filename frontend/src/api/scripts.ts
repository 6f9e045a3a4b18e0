// Scripts, revisions, executions (runs), their findings, logs and files; project files.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiErrorFrom, apiRequest, ensureCsrf, unwrapList, type Query } from "./client";
import {
  isFinalStatus,
  type Execution,
  type ExecutionSummary,
  type Finding,
  type Paginated,
  type ProjectFile,
  type Revision,
  type Script,
} from "./types";

export interface ScriptFilters {
  search?: string;
  category?: string;
  kind?: "builtin" | "mine" | "shared" | "";
}

export async function listScripts(filters: ScriptFilters = {}): Promise<Script[]> {
  const data = await apiRequest<Paginated<Script> | Script[]>("/api/scripts/", {
    query: { ...filters, page_size: 1000 } as Query,
  });
  return unwrapList(data);
}

export const getScript = (ref: string | number) => apiRequest<Script>(`/api/scripts/${ref}/`);

export async function listRevisions(ref: string | number): Promise<Revision[]> {
  return unwrapList(
    await apiRequest<Revision[] | Paginated<Revision>>(`/api/scripts/${ref}/revisions/`),
  );
}

export interface ScriptWrite {
  name?: string;
  description?: string;
  category?: string;
  code?: string;
  parameters_schema?: unknown;
  project?: number | null;
  is_public?: boolean;
}

export const createScript = (input: ScriptWrite) =>
  apiRequest<Script>("/api/scripts/", { method: "POST", body: input });

export const updateScript = (ref: string | number, input: ScriptWrite) =>
  apiRequest<Script>(`/api/scripts/${ref}/`, { method: "PATCH", body: input });

export const copyScript = (
  ref: string | number,
  input: { name?: string; project?: number | null; is_public?: boolean },
) => apiRequest<Script>(`/api/scripts/${ref}/copy/`, { method: "POST", body: input });

/** Creates a script from a .py file (multipart). */
export async function uploadScript(
  file: File,
  options: { name?: string; project?: number | null; is_public?: boolean } = {},
): Promise<Script> {
  const form = new FormData();
  form.append("file", file);
  if (options.name) form.append("name", options.name);
  if (options.project) form.append("project", String(options.project));
  form.append("is_public", options.is_public ? "true" : "false");
  const response = await fetch("/api/scripts/upload/", {
    method: "POST",
    body: form,
    credentials: "same-origin",
    headers: { "X-CSRFToken": await ensureCsrf(), Accept: "application/json" },
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!response.ok) throw apiErrorFrom(response.status, body);
  return body as Script;
}

export interface RunInput {
  script: string | number;
  version: number;
  parameters: Record<string, unknown>;
}

export const createExecution = (input: RunInput) =>
  apiRequest<Execution>("/api/executions/", { method: "POST", body: input });

export const testRun = (input: {
  version: number;
  code: string;
  parameters_schema: unknown;
  parameters: Record<string, unknown>;
}) => apiRequest<Execution>("/api/scripts/test-run/", { method: "POST", body: input });

export const getExecution = (id: number, signal?: AbortSignal) =>
  apiRequest<Execution>(`/api/executions/${id}/`, { signal });

export const cancelExecution = (id: number) =>
  apiRequest<Execution>(`/api/executions/${id}/cancel/`, { method: "POST" });

export interface ExecutionFilters {
  version?: number;
  project?: number;
  script?: string | number;
  status?: string;
}

export const listExecutions = (filters: ExecutionFilters, page = 1, pageSize = 50) =>
  apiRequest<Paginated<ExecutionSummary>>("/api/executions/", {
    query: { ...filters, page, page_size: pageSize } as Query,
  });

export const listExecutionFindings = (id: number, page: number, pageSize: number) =>
  apiRequest<Paginated<Finding>>(`/api/executions/${id}/findings/`, {
    query: { page, page_size: pageSize },
  });

export const executionLogsUrl = (id: number) => `/api/executions/${id}/logs.txt`;
export const executionEventsUrl = (id: number) => `/api/executions/${id}/events/`;

export async function listProjectFiles(projectId: number): Promise<ProjectFile[]> {
  return unwrapList(
    await apiRequest<ProjectFile[] | Paginated<ProjectFile>>(`/api/projects/${projectId}/files/`),
  );
}

// --- hooks -----------------------------------------------------------------------------

export const scriptKeys = {
  all: ["scripts"] as const,
  list: (filters: ScriptFilters) => ["scripts", "list", filters] as const,
  one: (ref: string | number) => ["scripts", "one", String(ref)] as const,
  revisions: (ref: string | number) => ["scripts", "revisions", String(ref)] as const,
  executions: (filters: ExecutionFilters, page: number) => ["executions", filters, page] as const,
  execution: (id: number) => ["execution", id] as const,
  findings: (id: number, page: number, pageSize: number) =>
    ["execution", id, "findings", page, pageSize] as const,
  projectFiles: (projectId: number) => ["projects", projectId, "files"] as const,
};

export function useScripts(filters: ScriptFilters) {
  return useQuery({
    queryKey: scriptKeys.list(filters),
    queryFn: () => listScripts(filters),
    placeholderData: keepPreviousData,
  });
}

export function useScript(ref: string | number | null | undefined) {
  return useQuery({
    queryKey: scriptKeys.one(ref ?? ""),
    queryFn: () => getScript(ref!),
    enabled: ref !== null && ref !== undefined && ref !== "",
  });
}

export function useRevisions(ref: string | number | null | undefined) {
  return useQuery({
    queryKey: scriptKeys.revisions(ref ?? ""),
    queryFn: () => listRevisions(ref!),
    enabled: ref !== null && ref !== undefined && ref !== "",
  });
}

export function useExecutions(filters: ExecutionFilters, page = 1, enabled = true) {
  return useQuery({
    queryKey: scriptKeys.executions(filters, page),
    queryFn: () => listExecutions(filters, page),
    enabled,
    placeholderData: keepPreviousData,
    // Follows runs that are queued or running.
    refetchInterval: (query) =>
      query.state.data?.results.some((e) => !isFinalStatus(e.status)) ? 2000 : false,
  });
}

export function useExecution(id: number | null) {
  return useQuery({
    queryKey: scriptKeys.execution(id ?? 0),
    queryFn: ({ signal }) => getExecution(id!, signal),
    enabled: id !== null,
    refetchInterval: (query) =>
      query.state.data && isFinalStatus(query.state.data.status) ? false : 1500,
  });
}

export function useExecutionFindings(
  id: number | null,
  page: number,
  pageSize = 50,
  enabled = true,
) {
  return useQuery({
    queryKey: scriptKeys.findings(id ?? 0, page, pageSize),
    queryFn: () => listExecutionFindings(id!, page, pageSize),
    enabled: id !== null && enabled,
    placeholderData: keepPreviousData,
  });
}

export function useProjectFiles(projectId: number | undefined) {
  return useQuery({
    queryKey: scriptKeys.projectFiles(projectId ?? 0),
    queryFn: () => listProjectFiles(projectId!),
    enabled: projectId !== undefined,
  });
}

export function useRunScript() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createExecution,
    onSuccess: () => client.invalidateQueries({ queryKey: ["executions"] }),
  });
}

export function useCancelExecution() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: cancelExecution,
    onSuccess: (execution) => {
      client.setQueryData(scriptKeys.execution(execution.id), execution);
      return client.invalidateQueries({ queryKey: ["executions"] });
    },
  });
}

export function useInvalidateScripts() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: scriptKeys.all });
}
