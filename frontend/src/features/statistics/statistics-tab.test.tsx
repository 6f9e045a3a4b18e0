// Only fetch is faked; the tab, charts' data tables and API layer are real.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { screen, within } from "@testing-library/react";
import { Outlet } from "react-router";
import { mockFetch } from "@/testing/network";
import { makeStatistics, makeVersion } from "@/testing/fixtures";
import { renderWithApp } from "@/testing/render";
import StatisticsTab from "./statistics-tab";

const classes = Array.from({ length: 40 }, (_, i) => ({
  ifc_class: `IfcClass${String(i).padStart(2, "0")}`,
  count: 100 - i,
}));

beforeEach(() => {
  mockFetch().on("GET", "/api/versions/11/statistics/", {
    body: makeStatistics({
      by_class: classes,
      systems: [
        {
          name: "Heating",
          guid: "3mJ0a1b2c3d4e5f6g7h8i9",
          ifc_class: "IfcDistributionSystem",
          count: 9,
        },
      ],
    }),
  });
});
afterEach(() => vi.unstubAllGlobals());

function renderTab(status: "ready" | "processing" = "ready") {
  const version = makeVersion({ status, progress: status === "ready" ? 100 : 35 });
  return renderWithApp(<></>, {
    routes: [
      {
        path: "/versions/:versionId",
        element: <Outlet context={{ version }} />,
        children: [{ path: "statistics", element: <StatisticsTab /> }],
      },
    ],
    route: "/versions/11/statistics",
  });
}

describe("StatisticsTab", () => {
  it("groups 40 classes into the top 12 plus Other and shows totals", async () => {
    renderTab();
    const chart = await screen.findByTestId("chart-by-class");
    const rows = within(chart).getAllByTestId("chart-row");
    expect(rows).toHaveLength(13);
    expect(rows[0]).toHaveAttribute("data-label", "IfcClass00");
    expect(rows[12]).toHaveAttribute("data-label", "Other (28 classes)");
    const otherTotal = classes.slice(12).reduce((s, c) => s + c.count, 0);
    expect(rows[12]).toHaveAttribute("data-count", String(otherTotal));
    expect(screen.getByTestId("total-elements")).toHaveTextContent("107");
    // Storeys keep the building order; elements outside any storey come last, labelled.
    const storeys = within(screen.getByTestId("chart-by-storey")).getAllByTestId("chart-row");
    expect(storeys.map((r) => [r.dataset.label, r.dataset.count])).toEqual([
      ["Erdgeschoss", "58"],
      ["Dachgeschoss", "42"],
      ["(not in a storey)", "7"],
    ]);
    expect(screen.getAllByTestId("coverage-row").map((r) => r.dataset.ifcClass)).toEqual([
      "IfcWall",
      "IfcDoor",
    ]);
    expect(within(screen.getByTestId("systems-table")).getByText("Heating")).toBeInTheDocument();
  });

  it("says statistics come after processing while the version is processing", () => {
    renderTab("processing");
    expect(screen.getByTestId("version-not-ready")).toHaveTextContent("35% done");
  });
});
