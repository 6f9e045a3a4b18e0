import { useQuery } from "@tanstack/react-query";
import { apiRequest, type Query } from "./client";
import { queryKeys } from "./query-keys";
import type { ElementDetail, ElementOrdering, ElementRow, Paginated } from "./types";

/** Filters and ordering of the element catalog, as the API names them. */
export interface ElementQuery {
  ifc_class?: string;
  /** A storey's GlobalId, or NO_STOREY_GUID for elements outside any storey. */
  storey_guid?: string;
  search?: string;
  has_pset?: string;
  ordering?: ElementOrdering;
  withPsets?: boolean;
}

export function elementQueryParams(query: ElementQuery, page: number, pageSize: number): Query {
  return {
    page,
    page_size: pageSize,
    ifc_class: query.ifc_class,
    storey_guid: query.storey_guid,
    search: query.search?.trim(),
    has_pset: query.has_pset,
    ordering: query.ordering,
    fields: query.withPsets ? "psets" : undefined,
  };
}

export const listElements = (
  versionId: number,
  query: ElementQuery,
  page: number,
  pageSize: number,
  signal?: AbortSignal,
) =>
  apiRequest<Paginated<ElementRow>>(`/api/versions/${versionId}/elements/`, {
    query: elementQueryParams(query, page, pageSize),
    signal,
  });

export const getElement = (versionId: number, guid: string) =>
  apiRequest<ElementDetail>(`/api/versions/${versionId}/elements/${encodeURIComponent(guid)}/`);

export function useElement(versionId: number, guid: string | null) {
  return useQuery({
    queryKey: queryKeys.element(versionId, guid ?? ""),
    queryFn: () => getElement(versionId, guid!),
    enabled: Boolean(guid),
    staleTime: Infinity,
  });
}
