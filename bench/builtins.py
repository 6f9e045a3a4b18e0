"""Built-in library vs a bare script doing the same check, on a generated building.

Usage (as root, like the workers)::

    PYTHONPATH=. .venv/bin/python bench/builtins.py [--products 50000] [--runs 1]

For `ids-check`, `required-properties` and `quantity-takeoff`: the built-in's code run
in the sandbox (`sandbox.run_job`, as the worker runs it, with the model, its data pack
and the IDS as inputs) against a bare script in a fresh process doing the same check
with ifctester (IDS) or ifcopenshell (`get_psets` per element). Both are cold
processes, imports included. The data pack is written once before (it is ingest's
output, not the check's). Targets: IDS at most 1.2x, data-pack checks under 0.5x. The sandbox gets the
machine's two cores (`--cpus`), as the bare script has them.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILTIN = REPO / "bimflow" / "scripting" / "builtin"

RULES = [
    {"ifc_class": "IfcWall", "pset": "Pset_WallCommon", "property": "FireRating",
     "pattern": "(R?EI) [0-9]+"},
    {"ifc_class": "IfcDoor", "pset": "Pset_DoorCommon", "property": "FireRating",
     "allowed_values": ["EI 30", "EI 60"]},
    {"ifc_class": "IfcSlab", "pset": "Pset_SlabCommon", "property": "Reference"},
    {"ifc_class": "IfcBeam", "pset": "Pset_BeamCommon", "property": "LoadBearing"},
]  # fmt: skip

BARE_IDS = r"""
import sys, ifcopenshell
from ifctester import ids
spec = ids.open(sys.argv[2])
spec.validate(ifcopenshell.open(sys.argv[1]))
print(sum(len(s.failed_entities) for s in spec.specifications))
"""

BARE_RULES = r"""
import json, re, sys, ifcopenshell, ifcopenshell.util.element as ue
model = ifcopenshell.open(sys.argv[1])
failed = 0
for rule in json.loads(sys.argv[2]):
    for element in model.by_type(rule["ifc_class"]):
        values = ue.get_psets(element).get(rule["pset"], {})
        value = values.get(rule["property"])
        if value is None or value == "":
            failed += 1
        elif rule.get("pattern") and not re.fullmatch(rule["pattern"], str(value)):
            failed += 1
        elif "allowed_values" in rule and value not in rule["allowed_values"]:
            failed += 1
print(failed)
"""

BARE_QUANTITIES = r"""
import sys, collections, ifcopenshell, ifcopenshell.util.element as ue
model = ifcopenshell.open(sys.argv[1])
names = {"length": ["Length"], "area": ["NetArea", "NetSideArea", "NetFloorArea", "GrossArea"],
         "volume": ["NetVolume", "GrossVolume"]}
sums = collections.defaultdict(float)
for element in model.by_type("IfcProduct"):
    if element.is_a("IfcOpeningElement") or element.is_a("IfcSpatialStructureElement"):
        continue
    qtos = ue.get_psets(element, qtos_only=True)
    element_type = ue.get_type(element)
    container = ue.get_container(element)
    keys = (element.is_a(), element_type.Name if element_type else None,
            container.Name if container else None)
    for kind, wanted in names.items():
        for qto in qtos.values():
            value = next((qto[n] for n in wanted if n in qto), None)
            if value is not None:
                for key in keys:
                    sums[(kind, key)] += value
                break
print(len(sums))
"""


def meta_of(path: Path) -> dict:
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "META":
            return ast.literal_eval(node.value)
    raise ValueError(path)


def with_defaults(schema: dict, params: dict) -> dict:
    params = copy.deepcopy(params)
    for key, sub in (schema.get("properties") or {}).items():
        if key not in params and "default" in sub:
            params[key] = copy.deepcopy(sub["default"])
    return params


def write_ids(path: Path) -> None:
    from ifctester import ids

    spec_file = ids.Ids(title="Bench")
    checks = [
        ("Walls have a fire rating", "IFCWALL", ids.Property("Pset_WallCommon", "FireRating")),
        ("Doors have a fire rating", "IFCDOOR", ids.Property("Pset_DoorCommon", "FireRating")),
        ("Slabs have a material", "IFCSLAB", ids.Material()),
        ("Windows are named", "IFCWINDOW", ids.Attribute("Name")),
        ("Columns are classified", "IFCCOLUMN", ids.Classification(system=ids.Restriction(
            options={"pattern": ".*"}))),
        ("Beams are in a storey", "IFCBEAM", ids.PartOf(
            "IFCBUILDINGSTOREY", relation="IFCRELCONTAINEDINSPATIALSTRUCTURE")),
    ]  # fmt: skip
    for name, entity, requirement in checks:
        spec = ids.Specification(name=name, ifcVersion=["IFC4"])
        spec.applicability.append(ids.Entity(entity))
        spec.requirements.append(requirement)
        spec_file.specifications.append(spec)
    spec_file.to_xml(str(path))


def bare(script: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


CPUS = [2.0]


def builtin(slug_file: str, params: dict, inputs: dict, param_inputs: dict, work: Path):
    from bimflow.scripting import sandbox
    from bimflow.scripting.sandbox import Limits, SandboxJob

    path = BUILTIN / slug_file
    params = with_defaults(meta_of(path)["parameters_schema"], params)
    result_dir = Path(tempfile.mkdtemp(dir=work))
    os.chmod(result_dir, 0o755)
    job = SandboxJob(
        code=path.read_text(), params=params, inputs=inputs, model_name="model.ifc",
        datapack_name="datapack.bfpack", limits=Limits(timeout_s=3600, memory_mb=8192,
        output_mb=2048, cpus=CPUS[0]), result_dir=result_dir, slot=0,
        extra={"param_inputs": param_inputs, "versions": {}},
    )  # fmt: skip
    for slot in range(40, 64):  # the machine is shared: take a slot nobody is using
        job.slot = slot
        started = time.perf_counter()
        outcome = sandbox.run_job(job, on_line=lambda s, t: None, on_system=lambda t: None)
        seconds = time.perf_counter() - started
        if "already in use" not in (outcome.error or ""):
            break
    if outcome.status != "succeeded":
        raise SystemExit(f"{slug_file} {outcome.status}: {outcome.error}")
    return seconds, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--work", default=None, help="folder to keep the generated model in")
    parser.add_argument("--only", nargs="*", help="run only these checks (slugs)")
    parser.add_argument(
        "--cpus", type=float, default=2.0,
        help="the sandbox's CPU quota; the bare script has none, so give the same cores",
    )  # fmt: skip
    args = parser.parse_args()
    CPUS[0] = args.cpus
    os.environ.setdefault("BIMFLOW_DATA_DIR", tempfile.mkdtemp(prefix="bimflow-bench-"))
    from bimflow.ifc.datapack import write_datapack
    from bimflow.ifc.extract import extract
    from bimflow.ifc.generator import generate_building

    work = Path(args.work or tempfile.mkdtemp(prefix="bimflow-bench-builtins-", dir="/tmp"))
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o755)
    model = work / f"building-{args.products}.ifc"
    pack = work / f"building-{args.products}.bfpack"
    if not model.exists():
        print(f"Generating {args.products} products...", flush=True)
        generate_building(model, products=args.products, seed=0)
    if not pack.exists():
        print("Writing the data pack (ingest's output)...", flush=True)
        write_datapack(pack, extract(model))
    ids_path = work / "bench.ids"
    write_ids(ids_path)
    for p in (model, pack, ids_path):
        os.chmod(p, 0o644)
    inputs = {"model.ifc": model, "datapack.bfpack": pack}
    cases = [
        (
            "ids-check",
            lambda: builtin(
                "ids_check.py", {"ids": 0}, {**inputs, "bench.ids": ids_path},
                {"ids": "bench.ids"}, work,
            ),
            lambda: bare(BARE_IDS, str(model), str(ids_path)),
            1.2,
        ),
        (
            "required-properties",
            lambda: builtin("required_properties.py", {"rules": RULES}, inputs, {}, work),
            lambda: bare(BARE_RULES, str(model), json.dumps(RULES)),
            0.5,
        ),
        (
            "quantity-takeoff",
            lambda: builtin(
                "quantity_takeoff.py", {"geometry_fallback": False}, inputs, {}, work
            ),
            lambda: bare(BARE_QUANTITIES, str(model)),
            0.5,
        ),
    ]  # fmt: skip
    rows = []
    for name, ours, theirs, target in cases:
        if args.only and name not in args.only:
            continue
        mine, base, details = [], [], None
        for _ in range(args.runs):
            seconds, outcome = ours()
            mine.append(seconds)
            details = outcome
            base.append(theirs())
        m, b = statistics.median(mine), statistics.median(base)
        rows.append((name, m, b, m / b, target, len(details.findings)))
        print(
            f"{name}: built-in {m:.1f} s, bare script {b:.1f} s, ratio {m / b:.2f}x "
            f"(target {'<=' if target >= 1 else '<'} {target}x), {len(details.findings)} findings",
            flush=True,
        )
    print("\n| check | built-in (s) | bare script (s) | ratio | target |")
    print("|---|---|---|---|---|")
    for name, m, b, ratio, target, _n in rows:
        print(f"| {name} | {m:.1f} | {b:.1f} | {ratio:.2f}x | {target}x |")


if __name__ == "__main__":
    main()
