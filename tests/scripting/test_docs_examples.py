"""Every example of docs/scripting.md runs through the API on a generated building, and
what it reports is checked against ifcopenshell (and openpyxl, pyarrow for its files).

An example is a fenced block opened with ```python title="example: NAME"; its parameters
schema and parameters, when it has them, are ```json blocks titled
"parameters_schema: NAME" and "parameters: NAME"."""

from __future__ import annotations

import io
import json
import re
from collections import Counter

import ifcopenshell
import ifcopenshell.util.element
import openpyxl
import pyarrow.parquet as pq
import pytest

from bimflow.ifc.generator import generate_building
from tests.conftest import REPO
from tests.scripting.conftest import upload_ready

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_worker"),
]

DOC = REPO / "docs" / "scripting.md"
BLOCK = re.compile(r'```(python|json) title="([a-z_]+): ([^"]+)"\n(.*?)\n```', re.S)


def doc_blocks() -> dict[str, dict[str, str]]:
    blocks: dict[str, dict[str, str]] = {}
    for _lang, kind, name, body in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        blocks.setdefault(name, {})[kind] = body
    return blocks


def psets(product) -> dict:
    return ifcopenshell.util.element.get_psets(product)


def check_count_by_class(model, body, scripts):
    counts = Counter(p.is_a() for p in model.by_type("IfcProduct"))
    assert body["result"] == {"by_class": dict(counts), "total": sum(counts.values())}
    log = scripts.log_text(body["id"])
    assert all(f"{cls}: {n}\n" in log for cls, n in counts.items())


def check_names_containing_a_text(model, body, scripts):
    expected = {
        p.GlobalId for p in model.by_type("IfcProduct") if "brick" in (p.Name or "").lower()
    }
    assert expected and body["result"] == {"matches": len(expected)}
    findings = scripts.findings(body["id"])
    assert {f["guid"] for f in findings} == expected
    assert {(f["severity"], f["rule"]) for f in findings} == {("info", "name-search")}
    assert body["parameters"] == {"text": "brick", "ifc_class": "IfcProduct"}


def check_load_bearing_walls(model, body, scripts):
    bearing, wrong = 0, {}
    for wall in model.by_type("IfcWall"):
        common = psets(wall).get("Pset_WallCommon", {})
        if common.get("LoadBearing") is True:
            bearing += 1
            if not (common.get("FireRating") or "").startswith("REI"):
                wrong[wall.GlobalId] = common.get("FireRating") or ""
    assert wrong and bearing > len(wrong)  # both outcomes occur in the model
    assert body["result"] == {"load_bearing": bearing}
    findings = scripts.findings(body["id"])
    assert {f["guid"]: f["details"]["found"] for f in findings} == wrong
    assert all(
        f["severity"] == "warning"
        and f["rule"] == "fire-rating"
        and f["ifc_class"] == "IfcWall"
        and f["details"]["required"] == "REI"
        for f in findings
    )


def check_doors_to_excel(model, body, scripts):
    doors = model.by_type("IfcDoor")
    (file,) = body["files"]
    assert file["name"] == "doors.xlsx" and body["result"] == {"doors": len(doors)}
    sheet = openpyxl.load_workbook(io.BytesIO(scripts.file(body["id"], "doors.xlsx"))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("guid", "name", "storey", "type_name", "fire_rating")
    got = {r[0]: (r[1], r[4]) for r in rows[1:]}
    assert got == {
        d.GlobalId: (d.Name, psets(d).get("Pset_DoorCommon", {}).get("FireRating")) for d in doors
    }


def check_storeys_from_the_model(model, body, scripts):
    contained = Counter()
    for rel in model.by_type("IfcRelContainedInSpatialStructure"):
        contained[rel.RelatingStructure.GlobalId] += len(rel.RelatedElements)
    storeys = sorted(model.by_type("IfcBuildingStorey"), key=lambda s: s.Elevation)
    assert body["result"] == {
        "storeys": [
            {"name": s.Name, "elevation": s.Elevation, "elements": contained[s.GlobalId]}
            for s in storeys
        ]
    }
    assert f"{model.schema} model with {len(storeys)} storeys" in scripts.log_text(body["id"])


def check_files_from_libraries(model, body, scripts):
    assert body["result"] == {"files": ["elements.parquet", "quantities.json"]}
    table = pq.read_table(io.BytesIO(scripts.file(body["id"], "elements.parquet")))
    assert sorted(table.column("guid").to_pylist()) == sorted(
        p.GlobalId for p in model.by_type("IfcProduct")
    )
    totals: Counter = Counter()
    for product in model.by_type("IfcProduct"):
        for props in ifcopenshell.util.element.get_psets(product, qtos_only=True).values():
            for name, value in props.items():
                if name != "id" and isinstance(value, (int, float)) and not isinstance(value, bool):
                    totals[name] += value
    got = json.loads(scripts.file(body["id"], "quantities.json"))
    assert got.keys() == totals.keys() and totals
    for name, value in totals.items():
        assert got[name] == pytest.approx(value, abs=1e-3), name


CHECKS = {
    "count by class": check_count_by_class,
    "names containing a text": check_names_containing_a_text,
    "load-bearing walls need an REI rating": check_load_bearing_walls,
    "doors to Excel": check_doors_to_excel,
    "storeys from the model": check_storeys_from_the_model,
    "files from libraries": check_files_from_libraries,
}


def test_every_example_of_the_scripting_docs_runs_and_is_right(scripts, settings, tmp_path):
    blocks = doc_blocks()
    examples = {name: b for name, b in blocks.items() if "example" in b}
    assert set(examples) == set(CHECKS), "each documented example needs a check here"
    settings.BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER = 20
    path = tmp_path / "Docs building.ifc"
    generate_building(path, products=300, seed=5)
    vid = upload_ready(scripts.client, scripts.project.pk, path)
    started = {}
    for name, block in examples.items():
        schema = json.loads(block["parameters_schema"]) if "parameters_schema" in block else None
        script = scripts.create(block["example"], name=name, schema=schema)
        params = json.loads(block.get("parameters", "{}"))
        started[name] = scripts.start(script["id"], vid, params)
    model = ifcopenshell.open(str(path))
    for name, execution in started.items():
        body = scripts.wait(execution["id"])
        assert body["status"] == "succeeded", (name, body["error"], scripts.log_text(body["id"]))
        CHECKS[name](model, body, scripts)
