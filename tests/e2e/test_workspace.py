"""End to end: each tab of a version's workspace shows what the API (and, where it can be
computed independently, ifcopenshell) says about the model; the 3D viewer selects what
is clicked. Screenshots of each tab go to test-artifacts/e2e/."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from urllib.parse import parse_qs, urlparse

import ifcopenshell
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.util.element
import pytest
from playwright.sync_api import expect

from tests.conftest import shared_model
from tests.e2e.conftest import (
    RECORD_UPLOAD_STATES,
    assert_fits_the_screen,
    screenshot,
    version_of,
    wait_for_uploads,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]

FZK = "AC20-FZK-Haus.ifc"
# Software rendering (no GPU here) makes the first load of the viewer slow.
VIEWER_TIMEOUT_MS = 120_000


def open_tab(ui, site, version_id: int, tab: str, ready_test_id: str, query: str = ""):
    """Opens a tab by its URL (a reload of a deep link, served by Django's fallback)."""
    page = ui.page
    page.goto(f"{site.url}/versions/{version_id}/{tab}{query}")
    page.get_by_test_id(ready_test_id).first.wait_for()
    expect(page.get_by_test_id(f"tab-{tab}")).to_have_attribute("aria-selected", "true")
    assert_fits_the_screen(page, f"the {tab} tab")
    return page


def rows_of(locator) -> list[tuple[str, int]]:
    """The (label, count) rows a chart carries for assistive technology and tests."""
    return [
        (row["label"], int(row["count"]))
        for row in locator.get_by_test_id("chart-row").evaluate_all(
            "rows => rows.map(r => ({label: r.dataset.label, count: r.dataset.count}))"
        )
    ]


def format_bytes(size: int) -> str:
    value, unit = size / 1024, 0
    units = ["KB", "MB", "GB", "TB"]
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    return f"{value:.{1 if value < 10 else 0}f} {units[unit]}"


def test_overview(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    version = site.json("alice", f"/api/versions/{vid}/")
    stats = site.json("alice", f"/api/versions/{vid}/statistics/")
    page = open_tab(ui, site, vid, "overview", "overview-tab")
    totals = stats["totals"]
    expect(page.get_by_test_id("metric-elements")).to_have_text(f"{totals['elements']:,}")
    expect(page.get_by_test_id("metric-classes")).to_have_text(f"{totals['classes']:,}")
    expect(page.get_by_test_id("metric-storeys")).to_have_text(f"{totals['storeys']:,}")
    coverage = sum(r["share"] for r in stats["property_coverage"]) / len(stats["property_coverage"])
    expect(page.get_by_test_id("metric-property-coverage")).to_have_text(f"{coverage * 100:.0f}%")
    header = page.get_by_test_id("version-header")
    expect(header.get_by_test_id("version-schema")).to_have_text(version["schema"])
    expect(header.get_by_test_id("version-application")).to_have_text(version["application"])
    expect(header.get_by_test_id("version-file-size")).to_have_text(
        format_bytes(version["file_size"])
    )
    expect(header.get_by_test_id("version-uploaded-by")).to_have_text("alice")
    # The class chart: the ten biggest classes, the rest summed.
    top = stats["by_class"][:10]
    rest = stats["by_class"][10:]
    shown = rows_of(page.get_by_test_id("overview-class-chart"))
    assert dict(shown[:10]) == {r["ifc_class"]: r["count"] for r in top}
    assert shown[10:] == ([(f"Other ({len(rest)} classes)", sum(r["count"] for r in rest))])
    # The validation card lists what the checks API says (none, unless the scripts
    # tests of this package ran first).
    checks = site.json("alice", f"/api/versions/{vid}/checks/")["checks"]
    if not checks:
        expect(page.get_by_test_id("validation-status")).to_contain_text("No checks run yet")
    for check in checks:
        shown = page.locator(f'[data-testid="overview-check"][data-slug="{check["script_slug"]}"]')
        expect(shown).to_have_attribute("data-outcome", check["outcome"])
    # Download gives back the uploaded bytes, with the page's session.
    href = page.get_by_test_id("download-version").get_attribute("href")
    assert href == f"/api/versions/{vid}/download/"
    body = page.request.get(f"{site.url}{href}").body()
    assert hashlib.sha256(body).hexdigest() == version["sha256"]
    assert body == shared_model(FZK).read_bytes()
    screenshot(page, "tab-overview")


def test_statistics_tab_matches_the_api_and_ifcopenshell(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    stats = site.json("alice", f"/api/versions/{vid}/statistics/")
    model = ifcopenshell.open(str(shared_model(FZK)))
    by_class = Counter(product.is_a() for product in model.by_type("IfcProduct"))
    page = open_tab(ui, site, vid, "statistics", "statistics-tab")
    for key in ("elements", "classes", "storeys", "property_values", "materials", "systems"):
        testid = f"total-{key.replace('_', '-')}"
        expect(page.get_by_test_id(testid)).to_have_text(f"{stats['totals'][key]:,}")
    chart = page.get_by_test_id("chart-by-class")
    chart.get_by_role("button", name=re.compile(r"^Show all \d+ classes$")).click()
    shown = rows_of(chart)
    assert dict(shown) == {r["ifc_class"]: r["count"] for r in stats["by_class"]}
    assert dict(shown) == dict(by_class)
    assert [count for _, count in shown] == sorted(by_class.values(), reverse=True)
    # Storeys in building order, elements outside any storey last.
    storeys = rows_of(page.get_by_test_id("chart-by-storey"))
    assert storeys == [
        (r["storey"] if r["storey_guid"] else "(not in a storey)", r["count"])
        for r in stats["by_storey"]
    ]
    storey_names = [s.Name for s in sorted(model.by_type("IfcBuildingStorey"), key=_elevation)]
    assert [name for name, _ in storeys[: len(storey_names)]] == storey_names
    materials = rows_of(page.get_by_test_id("chart-materials"))
    assert dict(materials) == {m["name"]: m["count"] for m in stats["materials"]}
    # Every heatmap cell is the API's share for that class and property set.
    cells = page.get_by_test_id("coverage-heatmap").locator("td[data-pset]")
    shares = {(r["ifc_class"], r["pset"]): r["share"] for r in stats["property_coverage"]}
    seen = cells.evaluate_all(
        """cells => cells.map(c => [c.closest('tr').dataset.ifcClass, c.dataset.pset,
                                   Number(c.dataset.share)])"""
    )
    assert len(seen) > 20
    for ifc_class, pset, share in seen:
        assert share == pytest.approx(shares.get((ifc_class, pset), 0)), (ifc_class, pset)
    expect(page.get_by_test_id("systems-table")).to_have_attribute("data-empty", "true")
    screenshot(page, "tab-statistics")


def _elevation(storey) -> float:
    return storey.Elevation or 0.0


def test_properties_search_filters_and_element_drawer(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    stats = site.json("alice", f"/api/versions/{vid}/statistics/")
    model = ifcopenshell.open(str(shared_model(FZK)))
    window = min(model.by_type("IfcWindow"), key=lambda e: e.id())
    detail = site.json("alice", f"/api/versions/{vid}/elements/{window.GlobalId}/")
    page = open_tab(ui, site, vid, "properties", "elements-table")
    count = page.get_by_test_id("elements-count")
    expect(count).to_have_attribute("data-count", str(stats["totals"]["elements"]))

    # Search by GUID, open the element: its properties are the API's, every one.
    page.get_by_label("Search").fill(window.GlobalId)
    expect(count).to_have_attribute("data-count", "1")
    row = page.locator(f'[data-testid="element-row"][data-guid="{window.GlobalId}"]')
    row.click()
    details = page.get_by_test_id("element-details")
    expect(details).to_have_attribute("data-guid", window.GlobalId)
    expect(details.get_by_test_id("element-name")).to_have_text(detail["name"])
    expect(details.get_by_test_id("element-class")).to_have_text("IfcWindow")
    shown = {
        (pset, name, source): json.loads(value)
        for pset, name, value, source in details.get_by_test_id("property-row").evaluate_all(
            """rows => rows.map(r => [r.dataset.pset, r.dataset.name, r.dataset.value,
                                     r.dataset.source])"""
        )
    }
    expected = {(p["pset"], p["name"], p["source"]): p["value"] for p in detail["properties"]}
    assert len(expected) == len(detail["properties"]) > 10
    assert shown == expected
    # ... and the API's are ifcopenshell's (own and inherited from the type).
    psets = ifcopenshell.util.element.get_psets(window)
    assert {(p, n) for p, props in psets.items() for n in props if n != "id"} == {
        (p["pset"], p["name"]) for p in detail["properties"]
    }
    screenshot(page, "tab-properties-element")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("element-details")).to_have_count(0)

    page.get_by_test_id("filter-reset").click()
    expect(count).to_have_attribute("data-count", str(stats["totals"]["elements"]))
    # Search matches names, GlobalIds and type names (counted here with ifcopenshell).
    needle = "fenster"
    matching = 0
    for product in model.by_type("IfcProduct"):
        element_type = ifcopenshell.util.element.get_type(product)
        texts = [product.Name, product.GlobalId, element_type.Name if element_type else None]
        matching += any(needle in (text or "").lower() for text in texts)
    assert matching > 0
    page.get_by_label("Search").fill(needle)
    expect(count).to_have_attribute("data-count", str(matching))
    page.get_by_test_id("filter-reset").click()
    # Filters: each count is what /statistics/ says it must be.
    page.get_by_role("textbox", name="Class").click()
    biggest = stats["by_class"][0]
    page.get_by_role("option", name=f"{biggest['ifc_class']} ({biggest['count']:,})").click()
    expect(count).to_have_attribute("data-count", str(biggest["count"]))
    expect(page.get_by_test_id("element-row").first).to_contain_text(biggest["ifc_class"])
    page.get_by_test_id("filter-reset").click()

    outside = next(r for r in stats["by_storey"] if r["storey_guid"] is None)
    page.get_by_role("textbox", name="Storey").click()
    page.get_by_role("option", name=f"(not in a storey) ({outside['count']})").click()
    expect(count).to_have_attribute("data-count", str(outside["count"]))
    page.get_by_test_id("filter-reset").click()

    pset = "Pset_WallCommon"
    having = sum(r["count"] for r in stats["property_coverage"] if r["pset"] == pset)
    page.get_by_role("textbox", name="Has property set").click()
    page.get_by_role("option", name=pset, exact=True).click()
    expect(count).to_have_attribute("data-count", str(having))
    page.get_by_test_id("filter-reset").click()

    # Sorting by name happens on the server: the first row is the API's first.
    page.get_by_test_id("sort-name").click()
    first = site.json("alice", f"/api/versions/{vid}/elements/", ordering="name", page_size=1)
    expect(page.get_by_test_id("element-row").first).to_have_attribute(
        "data-guid", first["results"][0]["guid"]
    )
    sort_header = page.locator("[role=columnheader]", has=page.get_by_test_id("sort-name"))
    page.get_by_test_id("sort-name").click()
    expect(sort_header).to_have_attribute("aria-sort", "descending")
    page.get_by_test_id("sort-name").click()
    expect(sort_header).not_to_have_attribute("aria-sort", re.compile("."))
    # A property column shows each row's value.
    wall = site.json(
        "alice", f"/api/versions/{vid}/elements/", fields="psets", has_pset="Pset_WallCommon"
    )["results"][0]
    prop, value = sorted(wall["psets"]["Pset_WallCommon"].items())[0]
    page.get_by_test_id("filter-columns").fill(f"Pset_WallCommon.{prop}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("columnheader", name=f"Pset_WallCommon.{prop}")).to_be_visible()
    cells = page.locator(f'[data-testid="element-row"][data-guid="{wall["guid"]}"] [role=cell]')
    shown = {True: "True", False: "False"}.get(value, str(value))
    expect(cells.last).to_have_text(shown)
    # Keyboard: rows take focus, arrows move between them, Enter opens one.
    first_rows = page.get_by_test_id("element-row")
    first_rows.first.focus()
    page.keyboard.press("ArrowDown")
    second = first_rows.nth(1)
    expect(second).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("element-details")).to_have_attribute(
        "data-guid", second.get_attribute("data-guid")
    )
    page.keyboard.press("Escape")
    # The last row is reachable by scrolling the virtualised table.
    page.get_by_test_id("elements-table").locator("div").first.evaluate(
        "el => el.scrollTo(0, el.scrollHeight)"
    )
    last = site.json(
        "alice", f"/api/versions/{vid}/elements/", page=stats["totals"]["elements"], page_size=1
    )["results"][0]
    expect(page.locator(f'[data-testid="element-row"][data-guid="{last["guid"]}"]')).to_be_visible()
    screenshot(page, "tab-properties")


def test_metadata_tab(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    meta = site.json("alice", f"/api/versions/{vid}/metadata/")
    model = ifcopenshell.open(str(shared_model(FZK)))
    page = open_tab(ui, site, vid, "metadata", "metadata-tab")

    def section(test_id: str) -> dict[str, object]:
        rows = page.get_by_test_id(test_id).get_by_test_id("metadata-row")
        return dict(
            rows.evaluate_all("rows => rows.map(r => [r.dataset.key, JSON.parse(r.dataset.value)])")
        )

    file = section("metadata-file")
    assert file["schema"] == meta["schema_identifier"] == model.schema_identifier
    assert file["application"] == meta["application"]
    spatial = section("metadata-spatial")
    project = model.by_type("IfcProject")[0]
    site_entity = model.by_type("IfcSite")[0]
    assert spatial["project_name"] == meta["project"]["name"] == project.Name
    assert spatial["site_name"] == meta["site"]["name"] == site_entity.Name
    assert spatial["latitude"] == pytest.approx(meta["site"]["latitude"])
    assert spatial["building_name"] == model.by_type("IfcBuilding")[0].Name
    header = section("metadata-header")
    assert header["file_name"] == meta["file_name"] == model.header.file_name.name
    assert header["originating_system"] == model.header.file_name.originating_system
    units = page.get_by_test_id("unit-row").evaluate_all("rows => rows.map(r => r.dataset.type)")
    assert units == [u["type"] for u in meta["units"]]
    assert "LENGTHUNIT" in units
    geo = section("metadata-georeferencing")
    assert geo["method"].startswith(meta["georeferencing"]["method"])
    counts = dict(
        page.get_by_test_id("metadata-count").evaluate_all(
            "rows => rows.map(r => [r.dataset.key, Number(r.dataset.value)])"
        )
    )
    assert counts == meta["counts"]
    assert counts["products"] == len(model.by_type("IfcProduct"))
    screenshot(page, "tab-metadata")


def test_viewer_click_selects_an_element_and_shows_its_properties(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    stats = site.json("alice", f"/api/versions/{vid}/statistics/")
    page = open_tab(ui, site, vid, "viewer", "ifc-viewer")
    viewer = page.get_by_test_id("ifc-viewer")
    expect(viewer).to_have_attribute("data-load-state", "ready", timeout=VIEWER_TIMEOUT_MS)
    loaded = int(viewer.get_attribute("data-element-count"))
    assert 0 < loaded <= stats["totals"]["with_geometry"]
    # The storeys panel lists the model's storeys.
    names = page.get_by_test_id("visibility-item").evaluate_all(
        "items => items.map(i => i.dataset.name)"
    )
    assert {r["storey"] for r in stats["by_storey"] if r["storey_guid"]} <= set(names)

    box = viewer.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(viewer).not_to_have_attribute("data-selected-guid", "")
    guid = viewer.get_attribute("data-selected-guid")
    element = site.json("alice", f"/api/versions/{vid}/elements/{guid}/")
    assert element["has_geometry"]
    panel = page.get_by_test_id("viewer-properties")
    details = panel.get_by_test_id("element-details")
    expect(details).to_have_attribute("data-guid", guid)
    expect(details.get_by_test_id("element-class")).to_have_text(element["ifc_class"])
    expect(details.get_by_test_id("property-row")).to_have_count(len(element["properties"]))
    # The selection is in the URL (shareable).
    assert parse_qs(urlparse(page.url).query) == {"select": [guid]}
    screenshot(page, "tab-viewer-selected")

    # Escape clears the selection.
    page.keyboard.press("Escape")
    expect(viewer).to_have_attribute("data-selected-guid", "")
    expect(panel).to_have_count(0)


def test_show_in_3d_from_the_properties_drawer(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    door = site.json("alice", f"/api/versions/{vid}/elements/", ifc_class="IfcDoor")["results"][0]
    page = open_tab(
        ui, site, vid, "properties", "element-details", query=f"?element={door['guid']}"
    )
    page.get_by_test_id("show-in-3d").click()
    page.wait_for_url(re.compile(rf"/versions/{vid}/viewer\?select="))
    viewer = page.get_by_test_id("ifc-viewer")
    expect(viewer).to_have_attribute("data-load-state", "ready", timeout=VIEWER_TIMEOUT_MS)
    expect(viewer).to_have_attribute("data-selected-guid", door["guid"])
    expect(
        page.get_by_test_id("viewer-properties").get_by_test_id("element-details")
    ).to_have_attribute("data-guid", door["guid"])


def test_history_compares_two_versions(ui, site, project, uploaded, tmp_path):
    """Version 2 of the house, edited with ifcopenshell: one window removed, one door
    renamed, one wall added; the comparison must find exactly that."""
    v1 = version_of(uploaded, FZK)
    model = ifcopenshell.open(str(shared_model(FZK)))
    window = min(model.by_type("IfcWindow"), key=lambda e: e.id())
    door = min(model.by_type("IfcDoor"), key=lambda e: e.id())
    removed = window.GlobalId
    ifcopenshell.api.root.remove_product(model, product=window)
    door.Name = "Renamed by the e2e test"
    wall = ifcopenshell.api.root.create_entity(model, ifc_class="IfcWall", name="New e2e wall")
    storey = model.by_type("IfcBuildingStorey")[0]
    ifcopenshell.api.spatial.assign_container(model, products=[wall], relating_structure=storey)
    revised = tmp_path / "FZK-Haus revised.ifc"
    model.write(str(revised))

    # "Upload a new version" on the model's row: the file name does not matter then.
    page = ui.page
    page.goto(f"{site.url}/projects/{project['id']}/models")
    page.evaluate(RECORD_UPLOAD_STATES)
    row = page.locator('[data-testid="model-row"][data-model-name="AC20-FZK-Haus"]')
    with page.expect_file_chooser() as chooser:
        row.get_by_test_id("upload-new-version").click()
    chooser.value.set_files(str(revised))
    upload = wait_for_uploads(page, [revised.name])[revised.name]
    assert upload["state"] == "ready", upload
    v2 = int(upload["version"])
    version = site.json("alice", f"/api/versions/{v2}/")
    assert (version["model_name"], version["number"]) == ("AC20-FZK-Haus", 2)

    # The overview's quick action leads to the comparison with the previous version.
    open_tab(ui, site, v2, "overview", "overview-tab")
    page.get_by_test_id("compare-previous").click()
    page.wait_for_url(re.compile(rf"/versions/{v2}/history\?from={v1}&to={v2}$"))
    page.get_by_test_id("diff-view").wait_for()
    diff = site.json("alice", f"/api/versions/{v1}/diff/", to=v2)
    expected = {"added": 1, "removed": 1, "changed": 1, "unchanged": 125}
    assert diff["counts"] == expected
    for kind, number in expected.items():
        expect(page.get_by_test_id(f"diff-count-{kind}")).to_have_attribute(
            "data-count", str(number)
        )
    versions = page.get_by_test_id("version-row")
    expect(versions).to_have_count(2)
    # The changed element is the renamed door, and the change is listed.
    changed = page.locator('[data-testid="diff-row"][data-kind="changed"]')
    expect(changed).to_have_attribute("data-guid", door.GlobalId)
    changed.get_by_role("button").click()
    expect(page.get_by_test_id("diff-changes")).to_contain_text("Renamed by the e2e test")
    page.get_by_text("Added (1)").click()
    expect(page.locator('[data-testid="diff-row"][data-kind="added"]')).to_have_attribute(
        "data-guid", wall.GlobalId
    )
    page.get_by_text("Removed (1)").click()
    expect(page.locator('[data-testid="diff-row"][data-kind="removed"]')).to_have_attribute(
        "data-guid", removed
    )
    screenshot(page, "tab-history")


def test_validation_and_scripts_tabs_open_and_tabs_follow_the_keyboard(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    page = open_tab(ui, site, vid, "validation", "validation-tab")
    screenshot(page, "tab-validation")
    page.get_by_test_id("tab-validation").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"{site.url}/versions/{vid}/statistics")
    page.get_by_test_id("statistics-tab").wait_for()
    page = open_tab(ui, site, vid, "scripts", "scripts-tab")
    screenshot(page, "tab-scripts")


def test_a_version_that_does_not_exist_says_so(ui, site, uploaded):
    page = ui.page
    page.goto(f"{site.url}/versions/999999/overview")
    expect(page.get_by_test_id("load-error")).to_contain_text("Not found.")
