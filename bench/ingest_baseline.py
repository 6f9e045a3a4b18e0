"""Ingest baseline: bare ifcopenshell extraction, and bimflow's extraction against it.

The baseline, as the ingest issue defines it: open the file, then for every product
read its attributes with ``ifcopenshell.util.element``: ``get_psets``, ``get_type``,
``get_container``, ``get_materials``, plus name, class and predefined type.

Run ``python bench/ingest_baseline.py`` (options: ``--products``, ``--repeat``,
``--model``): it generates a building (50,000 products by default) into a temporary
folder and prints, for it and for the largest shared model, the baseline's time and
peak memory (each measured in a fresh process) and bimflow's ``extract()`` +
``write_datapack()`` as ratios to them. Targets: time <= 0.8x, memory <= 1.5x.
The full ingest benchmark (with the database) builds on ``bare_extraction`` and
``bimflow_ingest``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.util.element as element_util

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent.parent))

from bench._common import measure_median  # noqa: E402


def bare_extraction(path: str | Path) -> dict[str, Any]:
    """Open with ifcopenshell and read every product with the util functions."""
    model = ifcopenshell.open(str(path))
    products = 0
    property_values = 0
    typed = 0
    contained = 0
    material_names = 0
    for product in model.by_type("IfcProduct"):
        products += 1
        _name = product.Name
        _cls = product.is_a()
        _predefined = element_util.get_predefined_type(product)
        psets = element_util.get_psets(product)
        property_values += sum(len(values) - ("id" in values) for values in psets.values())
        typed += element_util.get_type(product) is not None
        contained += element_util.get_container(product) is not None
        material_names += len(element_util.get_materials(product))
    return {
        "products": products,
        "property_values": property_values,
        "typed": typed,
        "contained": contained,
        "material_names": material_names,
    }


def bimflow_ingest(path: str | Path) -> dict[str, Any]:
    """bimflow's ingest without the database: extract() then write_datapack()."""
    from bimflow.ifc.datapack import write_datapack
    from bimflow.ifc.extract import extract

    extraction = extract(path)
    with tempfile.TemporaryDirectory(prefix="bimflow-bench-") as folder:
        pack = Path(folder) / "pack.zip"
        write_datapack(pack, extraction)
        size = pack.stat().st_size
    return {**extraction.meta["counts"], "pack_bytes": size}


def read_entities(path: str | Path) -> dict[str, Any]:
    """Time to read a data pack's entities table into pandas (fresh process)."""
    from bimflow.ifc.datapack import read_datapack

    started = time.perf_counter()
    entities = read_datapack(path).entities
    return {"rows": len(entities), "seconds_inside": time.perf_counter() - started}


def _import_bimflow() -> None:
    # Run by the worker before the clock starts: the baseline's imports (ifcopenshell)
    # happen at module load, outside its timing, so bimflow's must too. The memory of
    # both still counts.
    import bimflow.ifc.datapack
    import bimflow.ifc.extract  # noqa: F401


def _import_pandas() -> None:
    import pandas  # noqa: F401

    import bimflow.ifc.datapack  # noqa: F401


bimflow_ingest.prepare = _import_bimflow  # type: ignore[attr-defined]
read_entities.prepare = _import_pandas  # type: ignore[attr-defined]


def largest_shared_model() -> Path | None:
    from bimflow.ifc.testing import shared_data_dir

    data = shared_data_dir()
    models = [
        p
        for p in (data / "ifc").glob("*")
        if p.suffix.lower() in (".ifc", ".ifczip") and p.stat().st_size > 1024
    ]
    return max(models, key=lambda p: p.stat().st_size) if models else None


def compare(path: Path, repeat: int) -> dict[str, Any]:
    baseline = measure_median(f"{HERE}:bare_extraction", path, repeat)
    ours = measure_median(f"{HERE}:bimflow_ingest", path, repeat)
    return {
        "model": path.name,
        "products": baseline["result"]["products"],
        "baseline_seconds": baseline["seconds"],
        "baseline_peak_mb": baseline["peak_rss_mb"],
        "bimflow_seconds": ours["seconds"],
        "bimflow_peak_mb": ours["peak_rss_mb"],
        "time_ratio": ours["seconds"] / baseline["seconds"],
        "memory_ratio": ours["peak_rss_mb"] / baseline["peak_rss_mb"],
        "baseline": baseline["result"],
        "bimflow": ours["result"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1, help="fresh-process runs, median")
    parser.add_argument("--model", type=Path, action="append", help="extra model(s) to compare")
    args = parser.parse_args(argv)

    from bimflow.ifc.generator import generate_building

    rows = []
    with tempfile.TemporaryDirectory(prefix="bimflow-bench-") as folder:
        generated = Path(folder) / f"generated-{args.products}.ifc"
        summary = generate_building(generated, products=args.products, seed=0)
        print(
            f"generated {summary['products']:,} products, {summary['property_values']:,} "
            f"property values, {summary['bytes'] / 1e6:.1f} MB in {summary['seconds']:.1f} s",
            flush=True,
        )
        models = [generated]
        shared = largest_shared_model()
        if shared is not None:
            models.append(shared)
        models += args.model or []
        for model in models:
            rows.append(compare(model, args.repeat))
            row = rows[-1]
            print(
                f"{row['model']:<42} {row['products']:>8,} products  baseline "
                f"{row['baseline_seconds']:7.2f} s {row['baseline_peak_mb']:7.0f} MB  bimflow "
                f"{row['bimflow_seconds']:7.2f} s {row['bimflow_peak_mb']:7.0f} MB  ratios time "
                f"{row['time_ratio']:.2f}x memory {row['memory_ratio']:.2f}x",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
