"""Generate synthetic buildings of any size, deterministically, for tests and benchmarks.

``generate_building(path, products=N)`` writes an IFC file in which
``len(model.by_type("IfcProduct")) == N`` exactly: the site, the building and the
storeys count, as do spaces and opening elements. The rest is a grid of 6 x 6 m
bays per storey; a bay holds a slab, two columns, three beams, four walls (one with
a door, one with two windows, each in an opening), a space and a pipe segment, 18
products, all extruded rectangles that touch but do not overlap (doors and windows
sit in the openings that cut their walls). Storeys scale with size
(``round(sqrt(N / 40))``, 1 to 80). The last bay may be cut short to hit N.

Every field the catalog reads is exercised: types for every class but openings
(with type property sets, one USERDEFINED type), own property sets that override
type values on some elements, quantity sets, enumerated/list/bounded values,
materials (layer sets via usages on walls, layer sets only on the slab type, single
materials, constituent sets in IFC4 / material lists in IFC2X3 on windows), two
distribution systems, NL-SfB classification references on types and on some doors,
IfcMapConversion (IFC4+) and site latitude/longitude.

Same seed, same bytes: GUIDs come from the seeded generator and the header carries
a fixed time stamp. Hot loops use ``file.create_entity`` directly (measured: the
``ifcopenshell.api`` calls are an order of magnitude slower per element); the API
sets up units, contexts and materials.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import ifcopenshell
import ifcopenshell.api.context
import ifcopenshell.api.material
import ifcopenshell.api.project
import ifcopenshell.api.unit
import ifcopenshell.guid

from bimflow.ifc import _building as spec
from bimflow.ifc._building_spec import TIME_STAMP

SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")


def storey_count(products: int) -> int:
    """Storeys for a building of ``products`` products."""
    return max(1, min(80, round(math.sqrt(products / 40)), products - 2))


class _Writer:
    """Creates entities, dropping attributes the schema does not have."""

    def __init__(self, schema: str, seed: int) -> None:
        self.file = ifcopenshell.api.project.create_file(version=cast(Any, schema))
        self.schema = self.file.schema
        self.is_ifc2x3 = self.schema == "IFC2X3"
        self.declarations: Any = ifcopenshell.schema_by_name(self.file.schema_identifier)
        self._attributes: dict[str, frozenset[str]] = {}
        self._guids = random.Random(f"guid-{seed}")
        self._values: dict[tuple[str, Any], ifcopenshell.entity_instance] = {}
        self.owner_history: ifcopenshell.entity_instance | None = None

    def has_class(self, cls: str) -> bool:
        try:
            self.declarations.declaration_by_name(cls)
        except (RuntimeError, IndexError):
            return False
        return True

    def attributes(self, cls: str) -> frozenset[str]:
        found = self._attributes.get(cls)
        if found is None:
            declaration = self.declarations.declaration_by_name(cls)
            found = frozenset(a.name() for a in declaration.all_attributes())
            self._attributes[cls] = found
        return found

    def create(self, cls: str, **attributes: Any) -> ifcopenshell.entity_instance:
        allowed = self.attributes(cls)
        return self.file.create_entity(
            cls, **{k: v for k, v in attributes.items() if v is not None and k in allowed}
        )

    def guid(self) -> str:
        value = uuid.UUID(int=self._guids.getrandbits(128), version=4)
        return ifcopenshell.guid.compress(value.hex)

    def root(self, cls: str, **attributes: Any) -> ifcopenshell.entity_instance:
        return self.create(cls, GlobalId=self.guid(), OwnerHistory=self.owner_history, **attributes)

    def value(self, measure: str, value: Any) -> ifcopenshell.entity_instance:
        """A wrapped value (IfcLabel('x')); they are copied on assignment, so cached."""
        key = (measure, value)
        found = self._values.get(key)
        if found is None:
            found = self._values[key] = self.file.create_entity(measure, value)
        return found


def generate_building(
    path: str | Path,
    *,
    products: int,
    seed: int = 0,
    schema: str = "IFC4",
    progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Write a synthetic building with exactly ``products`` IfcProducts to ``path``.

    1. Set up the file: owner, units, contexts, project, site, building, storeys,
       georeferencing, materials, types with their property sets, classification,
       systems.
    2. Create the bays, product by product, with placement, shape, own property and
       quantity sets.
    3. Create the grouped relationships (containment, aggregation, types,
       materials, systems, classification).
    4. Write to a temporary name next to ``path`` and rename.

    Returns a summary: counts by class, storeys, types, property values (effective
    per product, own plus inherited), entities, bytes and seconds.
    """
    schema = schema.upper()
    if schema not in SCHEMAS:
        raise ValueError(f"schema must be one of {', '.join(SCHEMAS)}, not {schema!r}")
    if products < 3:
        raise ValueError("products must be at least 3 (site, building and one storey)")
    started = time.perf_counter()
    report = progress or (lambda fraction: None)
    last = [-1.0]

    def tick(fraction: float) -> None:
        if fraction >= 1.0 or fraction - last[0] >= 0.01:
            last[0] = fraction
            report(min(1.0, fraction))

    tick(0.0)
    model, building, bays = _build(schema, seed, products, tick)
    _set_header(model, products, seed)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        model.write(str(temporary))
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    tick(1.0)

    by_class: dict[str, int] = {}
    for product in model.by_type("IfcProduct"):
        by_class[product.is_a()] = by_class.get(product.is_a(), 0) + 1
    return {
        "path": str(target),
        "schema": model.schema,
        "seed": seed,
        "products": sum(by_class.values()),
        "by_class": dict(sorted(by_class.items())),
        "storeys": len(building.storeys),
        "bays": bays.bay_count,
        "types": len(model.by_type("IfcTypeObject")),
        "property_values": bays.property_values,
        "entities": len(model.by_type("IfcRoot")),
        "bytes": target.stat().st_size,
        "seconds": round(time.perf_counter() - started, 3),
    }


def _build(
    schema: str, seed: int, products: int, tick: Callable[[float], None]
) -> tuple[ifcopenshell.file, spec.Skeleton, spec.Bays]:
    writer = _Writer(schema, seed)
    rng = random.Random(f"values-{seed}")
    building = spec.Skeleton(writer, storey_count(products), seed)
    bays = spec.Bays(writer, building, rng)
    budget = products - 2 - len(building.storeys)
    bays.plan(budget)
    step = max(1, budget // 90)
    for index in range(budget):
        bays.add(index)
        if index % step == 0:
            tick(0.9 * index / max(1, budget))
    bays.finish()
    tick(0.9)
    return writer.file, building, bays


def _set_header(model: ifcopenshell.file, products: int, seed: int) -> None:
    header = model.header
    header.file_name.name = f"bimflow-generated-{products}-{seed}.ifc"
    header.file_name.time_stamp = TIME_STAMP
    header.file_name.author = ("bimflow",)
    header.file_name.organization = ("bimflow",)
    header.file_name.originating_system = "bimflow generator"
    header.file_name.authorization = "none"
    view = "CoordinationView_V2.0" if model.schema == "IFC2X3" else "ReferenceView_V1.2"
    header.file_description.description = (f"ViewDefinition [{view}]",)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bimflow.ifc.generator",
        description="Write a synthetic IFC building with exactly N products.",
    )
    parser.add_argument("out", type=Path, help="output .ifc path")
    parser.add_argument("--products", type=int, required=True, help="number of IfcProducts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--schema", default="IFC4", choices=SCHEMAS)
    args = parser.parse_args(argv)
    summary = generate_building(
        args.out, products=args.products, seed=args.seed, schema=args.schema
    )
    print(
        f"{summary['path']}: {summary['products']:,} products, {summary['storeys']} storeys, "
        f"{summary['property_values']:,} property values, {summary['bytes'] / 1e6:,.1f} MB "
        f"in {summary['seconds']:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
