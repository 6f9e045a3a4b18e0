import { useMemo } from "react";
import { keepPreviousData, useQueries } from "@tanstack/react-query";
import { listElements, type ElementQuery } from "@/api/catalog";
import { queryKeys } from "@/api/query-keys";
import type { ElementRow } from "@/api/types";

export const PAGE_SIZE = 500;

/**
 * Fetches only the pages of the element catalog that cover the visible rows,
 * so jumping to row 150,000 loads one page rather than 300.
 */
export function useElementPages(
  versionId: number,
  query: ElementQuery,
  range: { start: number; end: number },
  enabled = true,
) {
  const pages = useMemo(() => {
    const first = Math.floor(Math.max(0, range.start) / PAGE_SIZE) + 1;
    const last = Math.floor(Math.max(0, range.end) / PAGE_SIZE) + 1;
    const list = new Set<number>([1]);
    for (let page = first; page <= last; page += 1) list.add(page);
    return [...list];
  }, [range.start, range.end]);

  const results = useQueries({
    queries: pages.map((page) => ({
      queryKey: queryKeys.elementPage(versionId, query, page, PAGE_SIZE),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        listElements(versionId, query, page, PAGE_SIZE, signal),
      enabled,
      staleTime: 5 * 60_000,
      // Keep showing the old count while a new filter's first page loads.
      placeholderData: page === 1 ? keepPreviousData : undefined,
    })),
  });

  const byPage = new Map<number, ElementRow[]>();
  results.forEach((result, index) => {
    if (result.data && !result.isPlaceholderData) byPage.set(pages[index], result.data.results);
  });
  const firstPage = results[0];
  const count = firstPage.data?.count ?? 0;
  const getRow = (index: number): ElementRow | undefined =>
    byPage.get(Math.floor(index / PAGE_SIZE) + 1)?.[index % PAGE_SIZE];

  return {
    count,
    getRow,
    isInitialLoading: firstPage.isPending,
    isRefreshing: firstPage.isPlaceholderData || firstPage.isFetching,
    error: results.find((r) => r.error)?.error ?? null,
    refetch: () => results.forEach((r) => r.error && r.refetch()),
  };
}
