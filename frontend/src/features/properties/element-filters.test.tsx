// Only the network (fetch) is faked; filters, URL state, the virtualised
// table and the API layer are the real code.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { mockFetch, type FetchMock } from "@/testing/network";
import { makeStatistics } from "@/testing/fixtures";
import { renderWithApp } from "@/testing/render";
import type { ElementRow } from "@/api/types";
import {
  elementQueryFromFilters,
  EMPTY_FILTERS,
  filtersFromParams,
  filtersToParams,
  nextOrdering,
} from "./element-filters";
import { elementQueryParams } from "@/api/catalog";
import { PropertiesView } from "./properties-tab";
import { SEARCH_DEBOUNCE_MS } from "./element-filter-bar";

const row = (i: number): ElementRow => ({
  guid: `guid-${i}`,
  step_id: 100 + i,
  ifc_class: i % 2 ? "IfcWall" : "IfcDoor",
  name: `Element ${i}`,
  description: null,
  object_type: null,
  predefined_type: null,
  type_guid: null,
  type_name: null,
  type_class: null,
  storey: "Erdgeschoss",
  storey_guid: "2eyxpyOx95m90jmsXLOuR0",
  materials: [],
  systems: [],
  classifications: [],
  has_geometry: true,
  psets: { Pset_WallCommon: { FireRating: `F${i}` } },
});

describe("element filter state", () => {
  it("builds the catalog query parameters from the filter state", () => {
    const filters = {
      ...EMPTY_FILTERS,
      ifcClass: "IfcWall",
      storey: "2eyxpyOx95m90jmsXLOuR0",
      search: "  door  ",
      pset: "Pset_WallCommon",
      ordering: "-name" as const,
      columns: ["Pset_WallCommon.FireRating"],
    };
    expect(elementQueryParams(elementQueryFromFilters(filters), 3, 500)).toEqual({
      page: 3,
      page_size: 500,
      ifc_class: "IfcWall",
      storey_guid: "2eyxpyOx95m90jmsXLOuR0",
      search: "door",
      has_pset: "Pset_WallCommon",
      ordering: "-name",
      fields: "psets",
    });
    expect(elementQueryFromFilters(EMPTY_FILTERS)).toEqual({});
  });

  it("round-trips through the URL and keeps unrelated parameters", () => {
    const base = new URLSearchParams("element=guid-1");
    const filters = { ...EMPTY_FILTERS, ifcClass: "IfcDoor", columns: ["A.B", "C.D.E"] };
    const params = filtersToParams(filters, base);
    expect(params.get("element")).toBe("guid-1");
    expect(filtersFromParams(params)).toEqual(filters);
    expect(filtersFromParams(new URLSearchParams("ordering=-bogus")).ordering).toBeNull();
  });

  it("cycles sorting ascending, descending, off", () => {
    expect(nextOrdering(null, "name")).toBe("name");
    expect(nextOrdering("name", "name")).toBe("-name");
    expect(nextOrdering("-name", "name")).toBeNull();
    expect(nextOrdering("-name", "storey")).toBe("storey");
  });
});

describe("Properties table filters", () => {
  let net: FetchMock;

  beforeEach(() => {
    net = mockFetch();
    net.on("GET", "/api/versions/7/statistics/", { body: makeStatistics() });
    net.on("GET", "/api/versions/7/elements/", (request) => {
      const page = Number(request.url.searchParams.get("page"));
      const size = Number(request.url.searchParams.get("page_size"));
      const total = request.url.searchParams.get("search") ? 3 : 1200;
      const rows = Array.from(
        { length: Math.max(0, Math.min(size, total - (page - 1) * size)) },
        (_, i) => row((page - 1) * size + i),
      );
      return { body: { count: total, next: null, previous: null, results: rows } };
    });
    // Give the virtualiser a viewport in jsdom.
    vi.spyOn(HTMLElement.prototype, "clientHeight", "get").mockReturnValue(600);
    vi.spyOn(HTMLElement.prototype, "clientWidth", "get").mockReturnValue(1000);
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  const elementCalls = () =>
    net
      .calls("/api/versions/7/elements/")
      .filter((r) => r.url.searchParams.get("page_size") === "500");

  it("queries the first page, filters by class, debounces search and resets", async () => {
    const { router } = renderWithApp(<PropertiesView versionId={7} />, {
      path: "/versions/:versionId/properties",
      route: "/versions/7/properties",
    });
    await waitFor(() =>
      expect(screen.getByTestId("elements-count")).toHaveTextContent("1,200 elements"),
    );
    expect(elementCalls()[0].url.searchParams.get("page")).toBe("1");
    expect(elementCalls()[0].url.searchParams.has("ifc_class")).toBe(false);
    await waitFor(() => expect(screen.getAllByTestId("element-row").length).toBeGreaterThan(5));

    // Class filter: picking an option re-queries with ifc_class and updates the URL.
    fireEvent.click(screen.getByRole("textbox", { name: "Class" }));
    fireEvent.click(await screen.findByRole("option", { name: /IfcDoor/ }));
    await waitFor(() =>
      expect(elementCalls().at(-1)!.url.searchParams.get("ifc_class")).toBe("IfcDoor"),
    );
    expect(router.state.location.search).toContain("class=IfcDoor");

    // Search: typing fast sends one request, after the debounce.
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const before = elementCalls().length;
    const search = screen.getByRole("textbox", { name: "Search" });
    for (const text of ["d", "do", "doo", "door"])
      fireEvent.change(search, { target: { value: text } });
    await act(async () => vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS / 2));
    expect(elementCalls().filter((c) => c.url.searchParams.get("search")).length).toBe(0);
    await act(async () => vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS));
    vi.useRealTimers();
    await waitFor(() =>
      expect(screen.getByTestId("elements-count")).toHaveTextContent("3 elements"),
    );
    const searches = elementCalls()
      .slice(before)
      .map((c) => c.url.searchParams.get("search"));
    expect(searches.filter(Boolean)).toEqual(["door"]);
    expect(elementCalls().at(-1)!.url.searchParams.get("ifc_class")).toBe("IfcDoor");

    // Reset clears every filter and the URL.
    fireEvent.click(screen.getByTestId("filter-reset"));
    await waitFor(() =>
      expect(screen.getByTestId("elements-count")).toHaveTextContent("1,200 elements"),
    );
    expect(router.state.location.search).toBe("");
    expect(screen.getByRole("textbox", { name: "Search" })).toHaveValue("");
  });

  it("filters by storey GlobalId, and by 'not in a storey' for elements outside any", async () => {
    const { router } = renderWithApp(<PropertiesView versionId={7} />, {
      path: "/versions/:versionId/properties",
      route: "/versions/7/properties",
    });
    await waitFor(() => expect(screen.getByTestId("elements-count")).toHaveTextContent("1,200"));
    fireEvent.click(screen.getByRole("textbox", { name: "Storey" }));
    // Options come from /statistics/, in building order, with their counts.
    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual([
      "Erdgeschoss (58)",
      "Dachgeschoss (42)",
      "(not in a storey) (7)",
    ]);
    fireEvent.click(options[2]);
    await waitFor(() =>
      expect(elementCalls().at(-1)!.url.searchParams.get("storey_guid")).toBe("none"),
    );
    expect(elementCalls().at(-1)!.url.searchParams.has("storey")).toBe(false);
    expect(router.state.location.search).toContain("storey=none");
    fireEvent.click(screen.getByRole("textbox", { name: "Storey" }));
    fireEvent.click(await screen.findByRole("option", { name: "Dachgeschoss (42)" }));
    await waitFor(() =>
      expect(elementCalls().at(-1)!.url.searchParams.get("storey_guid")).toBe(
        "273g3wqLzDtfYIl7qqkgcO",
      ),
    );
  });

  it("sorts on the server when a column title is clicked", async () => {
    renderWithApp(<PropertiesView versionId={7} />, {
      path: "/versions/:versionId/properties",
      route: "/versions/7/properties",
    });
    await waitFor(() => expect(screen.getByTestId("elements-count")).toHaveTextContent("1,200"));
    fireEvent.click(screen.getByTestId("sort-name"));
    await waitFor(() =>
      expect(elementCalls().at(-1)!.url.searchParams.get("ordering")).toBe("name"),
    );
    fireEvent.click(screen.getByTestId("sort-name"));
    await waitFor(() =>
      expect(elementCalls().at(-1)!.url.searchParams.get("ordering")).toBe("-name"),
    );
  });

  it("asks for property sets when a property column is chosen and shows the values", async () => {
    renderWithApp(<PropertiesView versionId={7} />, {
      path: "/versions/:versionId/properties",
      route: "/versions/7/properties?col=Pset_WallCommon.FireRating",
    });
    await waitFor(() => expect(elementCalls()[0].url.searchParams.get("fields")).toBe("psets"));
    const rows = await screen.findAllByTestId("element-row");
    expect(rows[0]).toHaveTextContent("F0");
  });
});
