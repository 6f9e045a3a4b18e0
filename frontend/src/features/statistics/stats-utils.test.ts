import { describe, expect, it } from "vitest";
import { makeStatistics } from "@/testing/fixtures";
import { classRows, coverageMatrix, meanPropertyCoverage, topN } from "./stats-utils";

const rows = (counts: number[]) => counts.map((count, i) => ({ label: `C${i}`, count }));

describe("topN", () => {
  it("keeps the N biggest rows and sums the rest into one Other row", () => {
    const result = topN(rows([5, 50, 7, 1, 30, 2]), 3, "classes");
    expect(result.map((r) => [r.label, r.count])).toEqual([
      ["C1", 50],
      ["C4", 30],
      ["C2", 7],
      ["Other (3 classes)", 8],
    ]);
    expect(result.at(-1)).toMatchObject({ other: true, members: 3 });
  });

  it("does not group when everything fits, or when only one row would be hidden", () => {
    expect(topN(rows([1, 2]), 5)).toHaveLength(2);
    expect(topN(rows([1, 2, 3, 4]), 3).map((r) => r.label)).toEqual(["C3", "C2", "C1", "C0"]);
  });

  it("breaks ties by name so the order is stable", () => {
    const tied = [
      { label: "IfcWall", count: 3 },
      { label: "IfcBeam", count: 3 },
    ];
    expect(topN(tied, 5).map((r) => r.label)).toEqual(["IfcBeam", "IfcWall"]);
  });

  it("keeps the total when grouping a model with hundreds of classes", () => {
    const many = rows(Array.from({ length: 300 }, (_, i) => i + 1));
    const grouped = topN(many, 12);
    expect(grouped).toHaveLength(13);
    expect(grouped.reduce((s, r) => s + r.count, 0)).toBe(many.reduce((s, r) => s + r.count, 0));
  });
});

describe("statistics JSON to chart data", () => {
  it("maps classes and the coverage metric", () => {
    const stats = makeStatistics();
    expect(classRows(stats)).toContainEqual({ label: "IfcWindow", count: 55 });
    expect(meanPropertyCoverage(stats)).toBeCloseTo(0.75);
    expect(meanPropertyCoverage(makeStatistics({ property_coverage: [] }))).toBeNull();
  });

  it("builds the class x property set heatmap, biggest first, with limits", () => {
    const stats = makeStatistics();
    const matrix = coverageMatrix(stats);
    expect(matrix.classes.map((c) => c.name)).toEqual(["IfcWall", "IfcDoor"]);
    expect(matrix.psets.map((p) => p.name)).toEqual(["Pset_WallCommon", "Pset_DoorCommon"]);
    expect(matrix.share("IfcDoor", "Pset_DoorCommon")).toBe(0.5);
    expect(matrix.share("IfcWall", "Pset_DoorCommon")).toBeUndefined();
    const limited = coverageMatrix(stats, 1, 1);
    expect(limited.hiddenClasses).toBe(1);
    expect(limited.hiddenPsets).toBe(1);
  });
});
