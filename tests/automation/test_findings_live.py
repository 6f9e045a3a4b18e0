"""Findings across versions, through a real worker: the new / open / resolved /
reopened sets of each version equal an oracle computed here from ifcopenshell and the
defects the test put in (generated models), and from the shared GEELEN-Breedplaat
V1 -> V2 -> V3 uploaded as three versions of one model."""

import re
from collections import Counter

import ifcopenshell
import pytest

from bimflow.ifc.generator import generate_building
from bimflow.ifc.testing import duplicate_guid, invalidate_guid
from tests.automation.conftest import shared_script, upload_live, wait_ready
from tests.conftest import api_client, shared_model
from tests.live import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

GUID = re.compile(r"^[0-3][0-9A-Za-z_$]{21}$")
STATES = ("new", "open", "reopened", "resolved")


def expected_states(versions: list[set]) -> list[dict[str, set]]:
    """The definition, applied to identity sets of consecutive versions."""
    out = []
    for i, current in enumerate(versions):
        previous = versions[i - 1] if i else set()
        history = set().union(*versions[: i - 1]) if i > 1 else set()
        out.append(
            {
                "new": current - previous - history,
                "open": current & previous,
                "reopened": (current - previous) & history,
                "resolved": previous - current,
            }
        )
    return out


def served_states(client, model_id: int, number: int, script: str) -> dict[str, set]:
    rows, page = [], 1
    while True:
        data = client.get(
            f"/api/models/{model_id}/findings/?version={number}&script={script}"
            f"&page_size=1000&page={page}"
        ).json()
        rows += data["results"]
        if not data["next"]:
            break
        page += 1
    states: dict[str, set] = {s: set() for s in STATES}
    for r in rows:
        assert r["version_number"] == number and r["script"] == script
        states[r["state"]].add((r["rule"], r["guid"]))
    return states


def wait_tracked(execution_ids: list[int]):
    """Until each run is compared with the run of the version before it (runs finish
    in any order; a later version is compared again when an earlier one finishes)."""
    from bimflow.automation.models import FindingTracking

    def done():
        tracked = {
            t.execution_id: t.previous_id
            for t in FindingTracking.objects.filter(execution_id__in=execution_ids)
        }
        expected = {e: (execution_ids[i - 1] if i else None) for i, e in enumerate(execution_ids)}
        return tracked == expected

    wait_for(done, timeout=120, what="findings to be compared across versions")


def run_on_all_versions(client, project_id, script_slug, model_id) -> list[int]:
    """A batch over every version (they run in parallel, so they may finish out of
    order); returns the execution ids by version number."""
    batch = client.post(
        f"/api/projects/{project_id}/batches/",
        {"script": script_slug, "versions": "all"},
        format="json",
    ).json()
    final = wait_for(
        lambda: (
            (b := client.get(f"/api/batches/{batch['id']}/").json())["status"] != "running" and b
        ),
        timeout=240,
        what="the batch",
    )
    assert final["status"] == "succeeded", final["matrix"]
    rows = sorted(
        (r for r in final["matrix"] if r["model_id"] == model_id), key=lambda r: r["version_number"]
    )
    return [r["execution"] for r in rows]


def guid_check_identities(path) -> set:
    """guid-check's findings of a file as (rule, guid), from ifcopenshell directly."""
    guids = [e.GlobalId for e in ifcopenshell.open(str(path)).by_type("IfcRoot")]
    found = {("guid-format", g) for g in guids if not GUID.match(g)}
    return found | {("guid-duplicate", g) for g, n in Counter(guids).items() if n > 1}


def test_generated_models_with_defects_removed_and_added(
    personas, upload, live_worker, builtins, tmp_path
):
    base = tmp_path / "base.ifc"
    generate_building(base, products=40, seed=11)
    products = [e.id() for e in ifcopenshell.open(str(base)).by_type("IfcProduct")]
    p = products
    # Which entities get which defect in each version (by step id).
    plan = [
        {"invalid": {p[5]: "length", p[6]: "characters", p[7]: "first_char"},
         "duplicate": [(p[10], p[11])]},
        {"invalid": {p[6]: "characters", p[8]: "length"},
         "duplicate": [(p[10], p[11]), (p[12], p[13])]},
        {"invalid": {p[5]: "length", p[8]: "length", p[9]: "first_char"},
         "duplicate": [(p[12], p[13])]},
    ]  # fmt: skip
    paths = []
    for n, defects in enumerate(plan, start=1):
        model = ifcopenshell.open(str(base))
        for step_id, kind in defects["invalid"].items():
            invalidate_guid(model, step_id, kind=kind)
        for source, target in defects["duplicate"]:
            duplicate_guid(model, source, target)
        paths.append(tmp_path / f"Block-v{n}.ifc")
        model.write(str(paths[-1]))

    project = personas["project"]
    carol = api_client(personas["coordinator"])
    ids = [upload_live(carol, upload, project.pk, path, model="Block") for path in paths]
    wait_ready(ids)
    from bimflow.projects.models import ModelVersion

    model_id = ModelVersion.objects.get(pk=ids[0]).model_id
    executions = run_on_all_versions(carol, project.pk, "guid-check", model_id)
    wait_tracked(executions)

    oracle = expected_states([guid_check_identities(path) for path in paths])
    # The oracle is not trivial: every state occurs.
    assert oracle[1]["new"] and oracle[1]["open"] and oracle[1]["resolved"]
    assert oracle[2]["reopened"] and oracle[2]["open"] and oracle[2]["resolved"]
    for number, expected in enumerate(oracle, start=1):
        assert served_states(carol, model_id, number, "guid-check") == expected, number
    # Without ?version the model's findings are those of its latest version's run.
    latest = carol.get(f"/api/models/{model_id}/findings/?page_size=1000").json()
    assert {r["version_number"] for r in latest["results"]} == {3}
    resolved = carol.get(f"/api/models/{model_id}/findings/?state=resolved").json()["results"]
    assert {(r["rule"], r["guid"]) for r in resolved} == oracle[2]["resolved"]
    assert {r["found_in_execution"] for r in resolved} == {executions[1]}
    # Each execution's own findings carry their state.
    findings = carol.get(f"/api/executions/{executions[2]}/findings/?page_size=1000").json()
    by_state = {}
    for f in findings["results"]:
        by_state.setdefault(f["state"], set()).add((f["rule"], f["guid"]))
    assert by_state == {s: ids for s, ids in oracle[2].items() if s != "resolved" and ids}
    rule = carol.get(f"/api/models/{model_id}/findings/?version=3&rule=guid-duplicate").json()
    assert {r["rule"] for r in rule["results"]} == {"guid-duplicate"}


GEELEN_SCRIPT = """
proxies = int((elements.ifc_class == "IfcBuildingElementProxy").sum())
slabs = int((elements.ifc_class == "IfcSlab").sum())
for row in elements.itertuples():
    if not isinstance(row.name, str) or not row.name.strip():
        report.warning("Element without a name.", guid=row.guid, rule="no-name")
if proxies > params["max_proxies"]:
    report.error(f"{proxies} proxies.", rule="too-many-proxies")
if slabs > 20:
    report.info(f"{slabs} slabs.", rule="many-slabs")
report.info("Checked.", rule="checked")
"""


def geelen_identities(path) -> set:
    """GEELEN_SCRIPT's findings of a file, from ifcopenshell directly."""
    products = ifcopenshell.open(str(path)).by_type("IfcProduct")
    found = {
        ("no-name", p.GlobalId)
        for p in products
        if not (isinstance(p.Name, str) and p.Name.strip())
    }
    if sum(1 for p in products if p.is_a() == "IfcBuildingElementProxy") > 175:
        found.add(("too-many-proxies", None))
    if sum(1 for p in products if p.is_a() == "IfcSlab") > 20:
        found.add(("many-slabs", None))
    return found | {("checked", None)}


def test_geelen_v1_v2_v3_as_versions_of_one_model(personas, upload, live_worker, builtins):
    paths = [shared_model(f"GEELEN-Breedplaat V{n}.ifc") for n in (1, 2, 3)]
    project = personas["project"]
    carol = api_client(personas["coordinator"])
    script = shared_script(
        personas["coordinator"],
        project,
        "GEELEN check",
        GEELEN_SCRIPT,
        {"type": "object", "properties": {"max_proxies": {"type": "integer", "default": 175}}},
    )
    # Uploaded one after the other; an on_upload workflow runs the check on each.
    resp = carol.post(
        f"/api/projects/{project.pk}/workflows/",
        {"name": "Check", "trigger": "on_upload", "steps": [{"script": script.slug}]},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    ids = [
        upload_live(carol, upload, project.pk, path, model="GEELEN-Breedplaat") for path in paths
    ]
    wait_ready(ids)
    from bimflow.automation.models import WorkflowRunStep
    from bimflow.projects.models import ModelVersion

    def executions():
        steps = {
            s.run.version_id: s.execution
            for s in WorkflowRunStep.objects.select_related("run", "execution").filter(
                run__version_id__in=ids
            )
        }
        return (
            len(steps) == 3
            and all(e is not None and e.is_final for e in steps.values())
            and [steps[v].pk for v in ids]
        )

    execution_ids = wait_for(executions, timeout=240, what="the workflow runs")
    wait_tracked(execution_ids)

    oracle = expected_states([geelen_identities(path) for path in paths])
    # The exporter gave every element new GlobalIds in each version, so element
    # findings are new and resolved; the model-level ones show open and reopened.
    assert oracle[1]["open"] == {("checked", None)}
    assert oracle[2]["reopened"] == {("too-many-proxies", None)}
    assert ("many-slabs", None) in oracle[1]["resolved"]
    model_id = ModelVersion.objects.get(pk=ids[0]).model_id
    for number, expected in enumerate(oracle, start=1):
        assert served_states(carol, model_id, number, script.slug) == expected, number
    counts = carol.get(f"/api/models/{model_id}/findings/?state=reopened").json()
    assert [(r["rule"], r["guid"]) for r in counts["results"]] == [("too-many-proxies", None)]
