"""The built-in scripts, run through the API by a real worker, against oracles computed
here with ifcopenshell and a regex (tests/scripting/oracles.py)."""

from __future__ import annotations

import csv
import hashlib
import io
import random
from collections import Counter
from pathlib import Path

import pytest

from bimflow.ifc.generator import generate_building
from tests.conftest import require_data, shared_models
from tests.scripting import oracles
from tests.scripting.conftest import upload_many, upload_ready

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_worker"),
]

# The one shared file that is not IFC (a Git LFS pointer): its upload is refused, so no
# script can run on it.
NOT_IFC = "V_L_Constructief.ifc"
READABLE = [p for p in shared_models() if p.name != NOT_IFC]
# A varied selection for the slower property oracles: IFC2X3 and IFC4, an .ifczip,
# IFC4X3, furniture-heavy and steel models.
SELECTION = [
    "AC20-FZK-Haus.ifc",
    "ROOT-staal.ifczip",
    "ifc4x3-linear-placement-of-signal.ifc",
    "WILLEMSEN-laagbouw dakpannen.ifc",
]


def guid_check_matches_oracle(scripts, version_id: int, model, execution: dict) -> None:
    body = scripts.wait(execution["id"])
    assert body["status"] == "succeeded", (body["error"], scripts.log_text(body["id"]))
    expected, counts = oracles.guid_findings(model)
    findings = scripts.findings(body["id"])
    got = Counter((f["guid"], f["rule"], f["details"]["step_id"]) for f in findings)
    assert got == expected
    assert body["result"] == counts
    assert body["findings_count"] == sum(expected.values())
    for f in findings:
        assert f["severity"] == "error"
        assert f["ifc_class"] == model.by_id(f["details"]["step_id"]).is_a()


def test_guid_check_on_every_shared_model(scripts, settings, tmp_path):
    require_data()
    settings.BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER = 100
    for path in shared_models():
        if path.name == NOT_IFC:  # the one left out cannot become a version at all
            with open(path, "rb") as fh:
                resp = scripts.client.post(
                    f"/api/projects/{scripts.project.pk}/versions/",
                    {"file": fh},
                    format="multipart",
                )
            assert resp.status_code == 400, resp.content
    ids = upload_many(scripts.client, scripts.project.pk, READABLE)
    executions = [scripts.start("guid-check", vid) for vid in ids]
    for path, vid, execution in zip(READABLE, ids, executions, strict=True):
        model = oracles.open_model(path, tmp_path)
        guid_check_matches_oracle(scripts, vid, model, execution)


def inject_bad_guids(path: Path) -> None:
    """Break GlobalIds of rooted entities of several kinds, in place, with ifcopenshell."""
    import ifcopenshell

    model = ifcopenshell.open(str(path))
    by = {cls: model.by_type(cls) for cls in (
        "IfcWall", "IfcDoor", "IfcSlab", "IfcColumn", "IfcWindow", "IfcTypeObject",
        "IfcPropertySet", "IfcRelDefinesByProperties", "IfcRelContainedInSpatialStructure",
        "IfcElementQuantity", "IfcBuildingStorey",
    )}  # fmt: skip
    for cls, found in by.items():
        assert len(found) >= 3, cls
    wall, door, types = by["IfcWall"], by["IfcDoor"], by["IfcTypeObject"]
    psets, defines = by["IfcPropertySet"], by["IfcRelDefinesByProperties"]
    # invalid: too short, a character outside the alphabet, a first character above 3,
    # empty, a space
    wall[0].GlobalId = wall[0].GlobalId[:21]
    door[0].GlobalId = door[0].GlobalId[:10] + "-" + door[0].GlobalId[11:]
    types[0].GlobalId = "Z" + types[0].GlobalId[1:]
    psets[0].GlobalId = ""
    by["IfcRelContainedInSpatialStructure"][0].GlobalId = "3 ABCDEFGHIJKLMNOPQRST"
    by["IfcElementQuantity"][0].GlobalId = "4" + by["IfcElementQuantity"][0].GlobalId[1:]
    # duplicates: product/product, product/type, relationship/property set, three
    # windows with one GUID, an invalid GUID used twice, a storey/quantity set pair
    by["IfcSlab"][0].GlobalId = wall[1].GlobalId
    by["IfcColumn"][0].GlobalId = types[1].GlobalId
    defines[0].GlobalId = psets[1].GlobalId
    windows = by["IfcWindow"]
    windows[1].GlobalId = windows[2].GlobalId = windows[0].GlobalId
    door[1].GlobalId = door[0].GlobalId
    by["IfcElementQuantity"][1].GlobalId = by["IfcBuildingStorey"][0].GlobalId
    model.write(str(path))


def test_guid_check_finds_injected_invalid_and_duplicate_guids(scripts, tmp_path):
    import ifcopenshell

    path = tmp_path / "Broken GUIDs.ifc"
    generate_building(path, products=400, seed=11)
    inject_bad_guids(path)
    model = ifcopenshell.open(str(path))
    expected, counts = oracles.guid_findings(model)
    # The injection produced what it meant to (so the comparison below can fail).
    assert counts["invalid"] == 7 and counts["duplicate_guids"] == 6
    assert {rule for _, rule, _ in expected} == {"guid-format", "guid-duplicate"}
    assert len({model.by_id(step).is_a() for _, _, step in expected}) >= 10

    vid = upload_ready(scripts.client, scripts.project.pk, path)
    guid_check_matches_oracle(scripts, vid, model, scripts.start("guid-check", vid))
    # The parameter caps the findings listed per GUID; the counts stay complete.
    body = scripts.wait(scripts.start("guid-check", vid, {"max_findings_per_guid": 2})["id"])
    findings = scripts.findings(body["id"])
    windows = model.by_type("IfcWindow")[0].GlobalId
    assert sum(1 for f in findings if f["guid"] == windows and f["rule"] == "guid-duplicate") == 2
    assert body["result"] == counts
    assert f"GUID {windows!r} is used 3 times; listed the first 2." in scripts.log_text(body["id"])


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def check_export(scripts, vid: int, model, body: dict, *, ifc_class: str | None = None) -> list:
    assert body["status"] == "succeeded", (body["error"], scripts.log_text(body["id"]))
    (file,) = body["files"]
    assert file["name"] == "elements.csv" and file["content_type"].startswith("text/csv")
    data = scripts.file(body["id"], "elements.csv")
    assert len(data) == file["size"] and hashlib.sha256(data).hexdigest() == file["sha256"]
    rows = read_csv(data)
    query = f"?ifc_class={ifc_class}&page_size=1" if ifc_class else "?page_size=1"
    catalog = scripts.client.get(f"/api/versions/{vid}/elements/{query}").json()["count"]
    products = [p for p in model.by_type("IfcProduct") if not ifc_class or p.is_a() == ifc_class]
    assert len(rows) == catalog == len(products) == body["result"]["rows"]
    assert Counter(r["guid"] for r in rows) == Counter(p.GlobalId for p in products)
    assert Counter((r["guid"], r["class"], r["name"]) for r in rows) == Counter(
        (p.GlobalId, p.is_a(), p.Name or "") for p in products
    )
    return rows


def check_sampled_properties(rows: list[dict], model, *, seed: int = 0, n: int = 12) -> int:
    """Every scalar property value of n sampled products equals get_psets'; returns
    how many values were compared."""
    by_guid = {r["guid"]: r for r in rows}
    products = [p for p in model.by_type("IfcProduct") if p.GlobalId in by_guid]
    compared = 0
    for product in random.Random(seed).sample(products, min(n, len(products))):
        row = by_guid[product.GlobalId]
        for column, value in oracles.scalar_psets(product).items():
            assert row.get(column) == value, (product.GlobalId, column, row.get(column), value)
            compared += 1
    return compared


def test_export_csv_matches_the_catalog_and_get_psets(scripts, settings, tmp_path):
    settings.BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER = 100
    paths = [p for p in READABLE if p.name in SELECTION]
    generated = tmp_path / "Generated.ifc"
    generate_building(generated, products=300, seed=5)
    paths.append(generated)
    ids = upload_many(scripts.client, scripts.project.pk, paths)
    runs = [
        (path, vid, scripts.start("export-csv", vid)) for path, vid in zip(paths, ids, strict=True)
    ]
    compared = 0
    for path, vid, execution in runs:
        model = oracles.open_model(path, tmp_path)
        rows = check_export(scripts, vid, model, scripts.wait(execution["id"]))
        compared += check_sampled_properties(rows, model)
    assert compared > 100

    # Filter by class, choose columns, or no properties at all.
    vid, model = ids[-1], oracles.open_model(generated, tmp_path)
    body = scripts.wait(scripts.start("export-csv", vid, {"ifc_class": "IfcWall"})["id"])
    rows = check_export(scripts, vid, model, body, ifc_class="IfcWall")
    assert check_sampled_properties(rows, model, n=5) > 0
    wanted = ["Pset_WallCommon.IsExternal", "Qto_WallBaseQuantities.Length", "Nope.Nothing"]
    body = scripts.wait(
        scripts.start("export-csv", vid, {"ifc_class": "IfcWall", "properties": wanted})["id"]
    )
    rows = check_export(scripts, vid, model, body, ifc_class="IfcWall")
    assert list(rows[0]) == [
        "guid",
        "class",
        "name",
        "type",
        "storey",
        *sorted(wanted[:2]),
        wanted[2],
    ]
    for row in rows:
        cells = oracles.scalar_psets(model.by_guid(row["guid"]))
        assert [row[c] for c in wanted] == [cells.get(c, "") for c in wanted]
    body = scripts.wait(scripts.start("export-csv", vid, {"include_properties": False})["id"])
    rows = check_export(scripts, vid, model, body)
    assert list(rows[0]) == ["guid", "class", "name", "type", "storey"]


def test_lod_analyzer_matches_the_formula(scripts, settings, tmp_path):
    settings.BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER = 100
    paths = [p for p in READABLE if p.name in SELECTION]
    generated = tmp_path / "Generated.ifc"
    generate_building(generated, products=300, seed=6)
    paths.append(generated)
    ids = upload_many(scripts.client, scripts.project.pk, paths)
    runs = [
        (path, scripts.start("lod-analyzer", vid)) for path, vid in zip(paths, ids, strict=True)
    ]
    lods = set()
    for path, execution in runs:
        body = scripts.wait(execution["id"])
        assert body["status"] == "succeeded", (body["error"], scripts.log_text(body["id"]))
        expected = oracles.lod_by_class(oracles.open_model(path, tmp_path))
        got = {row["ifc_class"]: row for row in body["result"]["classes"]}
        assert got.keys() == expected.keys(), path.name
        for ifc_class, want in expected.items():
            row = got[ifc_class]
            assert row["mean_score"] == pytest.approx(want["mean_score"], abs=5e-5 + 1e-9), (
                ifc_class
            )
            assert {k: row[k] for k in ("count", "with_geometry", "with_properties", "lod")} == {
                k: want[k] for k in ("count", "with_geometry", "with_properties", "lod")
            }, (path.name, ifc_class)
            lods.add(want["lod"])
        assert body["result"]["elements"] == sum(w["count"] for w in expected.values())
        table = read_csv(scripts.file(body["id"], "lod.csv"))
        assert [(r["ifc_class"], int(r["count"]), r["lod"]) for r in table] == [
            (c, expected[c]["count"], expected[c]["lod"]) for c in sorted(expected)
        ]
    assert len(lods) >= 2  # the models exercise more than one LOD class
