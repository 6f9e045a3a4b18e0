import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, unwrapList } from "./client";
import { queryKeys } from "./query-keys";
import type { Diff, Metadata, Model, Paginated, Statistics, Version } from "./types";

export const getVersion = (id: number, signal?: AbortSignal) =>
  apiRequest<Version>(`/api/versions/${id}/`, { signal });

export const getModel = (id: number) => apiRequest<Model>(`/api/models/${id}/`);

export async function listModelVersions(modelId: number): Promise<Version[]> {
  const data = await apiRequest<Version[] | Paginated<Version>>(
    `/api/models/${modelId}/versions/`,
    {
      query: { page_size: 1000 },
    },
  );
  return unwrapList(data);
}

export const deleteVersion = (id: number) =>
  apiRequest<void>(`/api/versions/${id}/`, { method: "DELETE" });

export const getStatistics = (id: number) =>
  apiRequest<Statistics>(`/api/versions/${id}/statistics/`);

export const getMetadata = (id: number) => apiRequest<Metadata>(`/api/versions/${id}/metadata/`);

export const getDiff = (from: number, to: number) =>
  apiRequest<Diff>(`/api/versions/${from}/diff/`, { query: { to } });

export const versionDownloadUrl = (id: number) => `/api/versions/${id}/download/`;
export const versionIfcUrl = (id: number) => `/api/versions/${id}/ifc/`;

export const isProcessing = (version: Pick<Version, "status"> | undefined | null) =>
  version?.status === "uploaded" || version?.status === "processing";

export function useVersion(id: number) {
  return useQuery({
    queryKey: queryKeys.version(id),
    queryFn: ({ signal }) => getVersion(id, signal),
    refetchInterval: (query) => (isProcessing(query.state.data) ? 1000 : false),
  });
}

export function useModel(id: number | undefined) {
  return useQuery({
    queryKey: queryKeys.model(id ?? 0),
    queryFn: () => getModel(id!),
    enabled: id !== undefined,
  });
}

export function useModelVersions(modelId: number | undefined) {
  return useQuery({
    queryKey: queryKeys.modelVersions(modelId ?? 0),
    queryFn: () => listModelVersions(modelId!),
    enabled: modelId !== undefined,
    refetchInterval: (query) => (query.state.data?.some(isProcessing) ? 2000 : false),
  });
}

export function useStatistics(id: number, enabled = true) {
  return useQuery({
    queryKey: queryKeys.statistics(id),
    queryFn: () => getStatistics(id),
    enabled,
    staleTime: Infinity,
  });
}

export function useMetadata(id: number, enabled = true) {
  return useQuery({
    queryKey: queryKeys.metadata(id),
    queryFn: () => getMetadata(id),
    enabled,
    staleTime: Infinity,
  });
}

export function useDiff(from: number | null, to: number | null) {
  return useQuery({
    queryKey: queryKeys.diff(from ?? 0, to ?? 0),
    queryFn: () => getDiff(from!, to!),
    enabled: from !== null && to !== null && from !== to,
    staleTime: Infinity,
  });
}

export function useDeleteVersion() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteVersion,
    onSuccess: () => client.invalidateQueries(),
  });
}
