import type { ElementQuery } from "@/api/catalog";
import type { ElementOrdering, ElementOrderingField } from "@/api/types";

/** The Properties tab's state as it lives in the URL (shareable, back-button friendly). */
export interface ElementFilters {
  ifcClass: string | null;
  /** A storey's GlobalId (storeys may share a name), or NO_STOREY_GUID. */
  storey: string | null;
  search: string;
  pset: string | null;
  ordering: ElementOrdering | null;
  columns: string[];
}

export const EMPTY_FILTERS: ElementFilters = {
  ifcClass: null,
  storey: null,
  search: "",
  pset: null,
  ordering: null,
  columns: [],
};

const ORDERING_FIELDS: ElementOrderingField[] = [
  "guid",
  "ifc_class",
  "name",
  "storey",
  "type_name",
];

function parseOrdering(value: string | null): ElementOrdering | null {
  if (!value) return null;
  const field = value.replace(/^-/, "") as ElementOrderingField;
  return ORDERING_FIELDS.includes(field) ? (value as ElementOrdering) : null;
}

export function filtersFromParams(params: URLSearchParams): ElementFilters {
  return {
    ifcClass: params.get("class") || null,
    storey: params.get("storey") || null,
    search: params.get("q") ?? "",
    pset: params.get("pset") || null,
    ordering: parseOrdering(params.get("ordering")),
    columns: params.getAll("col"),
  };
}

/** Writes the filters into a copy of `params`, keeping unrelated keys (e.g. `element`). */
export function filtersToParams(filters: ElementFilters, params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of ["class", "storey", "q", "pset", "ordering", "col"]) next.delete(key);
  if (filters.ifcClass) next.set("class", filters.ifcClass);
  if (filters.storey) next.set("storey", filters.storey);
  if (filters.search.trim()) next.set("q", filters.search.trim());
  if (filters.pset) next.set("pset", filters.pset);
  if (filters.ordering) next.set("ordering", filters.ordering);
  for (const column of filters.columns) next.append("col", column);
  return next;
}

/** The catalog query for the current filters (what the API receives). */
export function elementQueryFromFilters(filters: ElementFilters): ElementQuery {
  const query: ElementQuery = {};
  if (filters.ifcClass) query.ifc_class = filters.ifcClass;
  if (filters.storey) query.storey_guid = filters.storey;
  if (filters.search.trim()) query.search = filters.search.trim();
  if (filters.pset) query.has_pset = filters.pset;
  if (filters.ordering) query.ordering = filters.ordering;
  if (filters.columns.length > 0) query.withPsets = true;
  return query;
}

/** Header click: ascending, then descending, then back to the server's default order. */
export function nextOrdering(
  current: ElementOrdering | null,
  field: ElementOrderingField,
): ElementOrdering | null {
  if (current === field) return `-${field}`;
  if (current === `-${field}`) return null;
  return field;
}

export const activeFilterCount = (filters: ElementFilters): number =>
  [filters.ifcClass, filters.storey, filters.search.trim(), filters.pset].filter(Boolean).length;

/** Splits "Pset_WallCommon.FireRating" at the first dot (property names may contain dots). */
export function splitColumn(column: string): [string, string] {
  const dot = column.indexOf(".");
  return dot < 0 ? [column, ""] : [column.slice(0, dot), column.slice(dot + 1)];
}
