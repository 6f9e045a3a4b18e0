// A version's checks and findings (the Validation tab), and their exports.
import { useEffect } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { apiRequest, withQuery, type Query } from "./client";
import type {
  ChecksReport,
  FindingGroup,
  Paginated,
  RunChecksResult,
  VersionFinding,
} from "./types";

export interface FindingFilters {
  script?: string;
  rule?: string;
  severity?: string;
  state?: string;
  q?: string;
}

const clean = (filters: FindingFilters): Query => {
  const out: Query = {};
  for (const [key, value] of Object.entries(filters))
    if (value !== undefined && value !== "") out[key] = value;
  return out;
};

export const getChecks = (versionId: number) =>
  apiRequest<ChecksReport>(`/api/versions/${versionId}/checks/`);

export const listVersionFindings = (
  versionId: number,
  filters: FindingFilters,
  page: number,
  pageSize: number,
) =>
  apiRequest<Paginated<VersionFinding>>(`/api/versions/${versionId}/findings/`, {
    query: { ...clean(filters), page, page_size: pageSize },
  });

export const listFindingGroups = (versionId: number, filters: FindingFilters) =>
  apiRequest<FindingGroup[]>(`/api/versions/${versionId}/findings/groups/`, {
    query: clean({ state: filters.state, severity: filters.severity, q: filters.q }),
  });

export const runAllChecks = (versionId: number) =>
  apiRequest<RunChecksResult>(`/api/versions/${versionId}/checks/run/`, { method: "POST" });

export const findingsExportUrl = (
  versionId: number,
  format: "csv" | "xlsx" | "bcf",
  filters: FindingFilters,
) => withQuery(`/api/versions/${versionId}/findings/export.${format}`, clean(filters));

export const findingKeys = {
  checks: (versionId: number) => ["versions", versionId, "checks"] as const,
  page: (versionId: number, filters: FindingFilters, page: number, pageSize: number) =>
    ["versions", versionId, "findings", filters, page, pageSize] as const,
  groups: (versionId: number, filters: FindingFilters) =>
    ["versions", versionId, "finding-groups", filters] as const,
};

export function useChecks(versionId: number, enabled = true) {
  return useQuery({
    queryKey: findingKeys.checks(versionId),
    queryFn: () => getChecks(versionId),
    enabled,
    refetchInterval: (query) =>
      query.state.data?.checks.some((c) => ["queued", "running"].includes(c.latest_status))
        ? 2000
        : false,
  });
}

export function useVersionFindings(
  versionId: number,
  filters: FindingFilters,
  page: number,
  pageSize: number,
) {
  return useQuery({
    queryKey: findingKeys.page(versionId, filters, page, pageSize),
    queryFn: () => listVersionFindings(versionId, filters, page, pageSize),
    placeholderData: keepPreviousData,
  });
}

export function useFindingGroups(versionId: number, filters: FindingFilters) {
  return useQuery({
    queryKey: findingKeys.groups(versionId, filters),
    queryFn: () => listFindingGroups(versionId, filters),
    placeholderData: keepPreviousData,
  });
}

export function useRunAllChecks(versionId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => runAllChecks(versionId),
    onSuccess: () => client.invalidateQueries({ queryKey: ["versions", versionId] }),
  });
}

export const FINDINGS_PAGE_SIZE = 100;

/** The Validation tab's filters and page, as its URL carries them. */
export function findingFiltersFromParams(params: URLSearchParams): {
  filters: FindingFilters;
  page: number;
} {
  return {
    filters: {
      severity: params.get("severity") ?? "",
      state: params.get("state") ?? "",
      script: params.get("script") ?? "",
      rule: params.has("rule") ? (params.get("rule") ?? "") : undefined,
      q: params.get("q") ?? "",
    },
    page: Number(params.get("page") ?? "1") || 1,
  };
}

/** Asks for the Validation tab's first page as soon as its URL is known, while the
 * version and the tab's code are still loading (the page shows it within a second). */
export function usePrefetchFindings(versionId: number, active: boolean, params: URLSearchParams) {
  const client = useQueryClient();
  const { filters, page } = findingFiltersFromParams(params);
  const key = findingKeys.page(versionId, filters, page, FINDINGS_PAGE_SIZE);
  const hash = JSON.stringify(key);
  useEffect(() => {
    if (!active || !versionId) return;
    void client.prefetchQuery({
      queryKey: key,
      queryFn: () => listVersionFindings(versionId, filters, page, FINDINGS_PAGE_SIZE),
    });
    // The key's hash stands for the key, filters and page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, active, versionId, hash]);
}
