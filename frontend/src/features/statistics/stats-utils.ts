import type { Statistics } from "@/api/types";

export interface CountRow {
  label: string;
  count: number;
  /** True for the synthetic row that sums everything past the top N. */
  other?: boolean;
  /** How many rows the "other" row stands for. */
  members?: number;
}

/**
 * Sorts rows by count (descending, then label) and keeps the top `n`; the rest
 * are summed into one "Other (k …)" row so charts stay readable with hundreds
 * of classes. With n >= rows.length nothing is grouped.
 */
export function topN(rows: CountRow[], n: number, noun = "more"): CountRow[] {
  const sorted = [...rows].sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  if (sorted.length <= n) return sorted;
  // Grouping a single row into "Other" hides a name for no gain.
  if (sorted.length === n + 1) return sorted;
  const kept = sorted.slice(0, n);
  const rest = sorted.slice(n);
  const count = rest.reduce((sum, row) => sum + row.count, 0);
  return [
    ...kept,
    { label: `Other (${rest.length} ${noun})`, count, other: true, members: rest.length },
  ];
}

export const classRows = (stats: Statistics): CountRow[] =>
  stats.by_class.map((row) => ({ label: row.ifc_class, count: row.count }));

import { NO_STOREY, storeyLabel } from "@/lib/labels";

export { NO_STOREY };

/** Storeys keep the server's order (building order), unlike classes. */
export const storeyRows = (stats: Statistics): CountRow[] =>
  stats.by_storey.map((row) => ({ label: storeyLabel(row), count: row.count }));

export const materialRows = (stats: Statistics): CountRow[] =>
  stats.materials.map((row) => ({ label: row.name, count: row.count }));

/**
 * Property coverage as shown on the Overview: the mean, over every (class,
 * property set) pair the server reports, of the share of that class's
 * elements that carry the set. Null when the model has no property sets.
 */
export function meanPropertyCoverage(stats: Statistics): number | null {
  const rows = stats.property_coverage;
  if (rows.length === 0) return null;
  return rows.reduce((sum, row) => sum + row.share, 0) / rows.length;
}

export interface CoverageMatrix {
  classes: { name: string; count: number }[];
  psets: { name: string; count: number }[];
  share: (ifcClass: string, pset: string) => number | undefined;
  hiddenClasses: number;
  hiddenPsets: number;
}

/** The class x property set grid for the heatmap, limited to the biggest rows and columns. */
export function coverageMatrix(stats: Statistics, maxClasses = 30, maxPsets = 20): CoverageMatrix {
  const cells = new Map<string, number>();
  const psetTotals = new Map<string, number>();
  for (const row of stats.property_coverage) {
    cells.set(`${row.ifc_class}\u0000${row.pset}`, row.share);
    psetTotals.set(row.pset, (psetTotals.get(row.pset) ?? 0) + row.count);
  }
  const classesWithPsets = new Set(stats.property_coverage.map((row) => row.ifc_class));
  const allClasses = stats.by_class
    .filter((row) => classesWithPsets.has(row.ifc_class))
    .sort((a, b) => b.count - a.count || a.ifc_class.localeCompare(b.ifc_class))
    .map((row) => ({ name: row.ifc_class, count: row.count }));
  // A class may have coverage rows but no by_class row in odd data; keep it.
  for (const name of classesWithPsets) {
    if (!allClasses.some((c) => c.name === name)) allClasses.push({ name, count: 0 });
  }
  const allPsets = [...psetTotals.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, count]) => ({ name, count }));
  return {
    classes: allClasses.slice(0, maxClasses),
    psets: allPsets.slice(0, maxPsets),
    share: (ifcClass, pset) => cells.get(`${ifcClass}\u0000${pset}`),
    hiddenClasses: Math.max(0, allClasses.length - maxClasses),
    hiddenPsets: Math.max(0, allPsets.length - maxPsets),
  };
}
