"""Relationship scans and the per-element rules of :mod:`bimflow.ifc.extract`.

Each relationship class is read once, in step id order (the order in which
ifcopenshell lists inverse attributes, so "the first relationship" means what it
means to ``ifcopenshell.util.element``), into dicts keyed by step id. The rules
below then answer what the utility functions answer per element, without them.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from typing import Any

import ifcopenshell

from bimflow.ifc.properties import DefinitionValues, PropertyReader

Entity = ifcopenshell.entity_instance
_by_id = operator.methodcaller("id")
_NON_SYSTEM_GROUPS = ("IfcZone", "IfcStructuralAnalysisModel")


class SchemaFacts:
    """Per-class facts from the schema: inverse attributes present, attribute indices."""

    def __init__(self, model: ifcopenshell.file) -> None:
        self.schema: Any = ifcopenshell.schema_by_name(model.schema_identifier)
        self._inverses: dict[str, frozenset[str]] = {}
        self._indices: dict[tuple[str, str], int | None] = {}
        self._subtypes: dict[tuple[str, str], bool] = {}

    def inverses(self, cls: str) -> frozenset[str]:
        found = self._inverses.get(cls)
        if found is None:
            declaration = self.schema.declaration_by_name(cls)
            found = frozenset(a.name() for a in declaration.all_inverse_attributes())
            self._inverses[cls] = found
        return found

    def index(self, cls: str, attribute: str) -> int | None:
        key = (cls, attribute)
        if key not in self._indices:
            declaration = self.schema.declaration_by_name(cls)
            names = [a.name() for a in declaration.all_attributes()]
            self._indices[key] = names.index(attribute) if attribute in names else None
        return self._indices[key]

    def is_subtype(self, cls: str, supertype: str) -> bool:
        key = (cls, supertype)
        found = self._subtypes.get(key)
        if found is None:
            found = False
            declaration = self.schema.declaration_by_name(cls)
            while declaration is not None:
                if declaration.name() == supertype:
                    found = True
                    break
                declaration = declaration.supertype()
            self._subtypes[key] = found
        return found


def rels(model: ifcopenshell.file, cls: str) -> list[Entity]:
    """All relationships of a class (with subtypes) in step id order."""
    try:
        return sorted(model.by_type(cls), key=_by_id)
    except RuntimeError:
        return []  # the class does not exist in this schema


def first_by_related(rel_list: Iterable[Entity], related: int, relating: int) -> dict[int, Entity]:
    """{related object id: relating object of the first relationship naming it}."""
    first: dict[int, Entity] = {}
    for rel in rel_list:
        target = rel.get_argument(relating)
        objects = rel.get_argument(related)
        if target is None or objects is None:
            continue
        if not isinstance(objects, tuple):
            objects = (objects,)
        for obj in objects:
            first.setdefault(obj.id(), target)
    return first


class Relations:
    """What the relationships say about each object, and the rules built on it."""

    def __init__(
        self, model: ifcopenshell.file, facts: SchemaFacts, reader: PropertyReader
    ) -> None:
        self.model = model
        self.facts = facts
        self.reader = reader
        self.is_ifc2x3 = model.schema == "IFC2X3"
        self.spatial_root = "IfcSpatialStructureElement" if self.is_ifc2x3 else "IfcSpatialElement"
        self._container_memo: dict[int, Entity | None] = {}
        self._storey_memo: dict[int, Entity | None] = {}
        self._material_names: dict[int, list[str]] = {}
        self._class_labels: dict[int, tuple[str, int | None]] = {}

    # -- scanning ----------------------------------------------------------------------

    def scan(self, product_ids: set[int], report: Callable[[float], None]) -> None:
        """Read every relationship class once; ``report`` gets 0.0..1.0."""
        model = self.model
        self.type_of = first_by_related(rels(model, "IfcRelDefinesByType"), 4, 5)
        self.contained_in = first_by_related(rels(model, "IfcRelContainedInSpatialStructure"), 4, 5)
        self.aggregate_of: dict[int, Entity] = {}
        self.nest_of: dict[int, Entity] = {}
        self.decomposes: dict[int, Entity] = {}
        if self.is_ifc2x3:
            # IFC2X3 lists aggregation and nesting in one inverse, Decomposes, and the
            # utilities only look at its first relationship.
            for rel in rels(model, "IfcRelDecomposes"):
                is_aggregate = rel.is_a("IfcRelAggregates")
                parent = rel.get_argument(4)
                for obj in rel.get_argument(5) or ():
                    oid = obj.id()
                    if oid not in self.decomposes:
                        self.decomposes[oid] = parent
                        (self.aggregate_of if is_aggregate else self.nest_of)[oid] = parent
        else:
            self.aggregate_of = first_by_related(rels(model, "IfcRelAggregates"), 5, 4)
            self.nest_of = first_by_related(rels(model, "IfcRelNests"), 5, 4)
        self.fills = first_by_related(rels(model, "IfcRelFillsElement"), 5, 4)
        self.voids = first_by_related(rels(model, "IfcRelVoidsElement"), 5, 4)
        self.adheres = first_by_related(rels(model, "IfcRelAdheresToElement"), 5, 4)
        self.material_of = first_by_related(rels(model, "IfcRelAssociatesMaterial"), 4, 5)

        self.classified: dict[int, list[Entity]] = {}
        for rel in rels(model, "IfcRelAssociatesClassification"):
            reference = rel.get_argument(5)
            if reference is not None:
                for obj in rel.get_argument(4) or ():
                    self.classified.setdefault(obj.id(), []).append(reference)

        self.groups_of: dict[int, list[Entity]] = {}
        for rel in rels(model, "IfcRelAssignsToGroup"):
            group = rel.get_argument(6)
            if group is not None and is_system(group):
                for obj in rel.get_argument(4) or ():
                    self.groups_of.setdefault(obj.id(), []).append(group)
        report(0.05)

        # Property set definitions per product, read later, product by product, so
        # that each product's values exist only once (as its records) at a time.
        self.defs_of: dict[int, list[Entity]] = {}
        self.shared_defs: set[int] = set()
        defs_of = self.defs_of
        seen_defs: set[int] = set()
        rel_list = rels(model, "IfcRelDefinesByProperties")
        step = max(1, len(rel_list) // 20)
        for index, rel in enumerate(rel_list):
            if index % step == 0:
                report(0.05 + 0.95 * index / len(rel_list))
            objects = rel.get_argument(4)
            if not objects:
                continue
            targets = [oid for obj in objects if (oid := obj.id()) in product_ids]
            if not targets:
                continue
            definition = rel.get_argument(5)
            if definition is None:
                continue
            if definition.is_a() == "IfcPropertySetDefinitionSet":
                definitions = definition.wrappedValue or ()
            else:
                definitions = (definition,)
            for item in definitions:
                did = item.id()
                if len(targets) > 1 or did in seen_defs:
                    self.shared_defs.add(did)
                seen_defs.add(did)
                for oid in targets:
                    found = defs_of.get(oid)
                    if found is None:
                        defs_of[oid] = [item]
                    else:
                        found.append(item)
        report(1.0)

    def own_sets(self, definitions: list[Entity]) -> list[DefinitionValues]:
        """Values of an element's own set definitions (cached when shared)."""
        read = self.reader.read
        shared = self.shared_defs
        return [read(d, "shared" if d.id() in shared else "own") for d in definitions]

    # -- spatial structure ----------------------------------------------------------------

    def container(self, element: Entity) -> Entity | None:
        """ifcopenshell.util.element.get_container(element), memoised along the chain."""
        chain: list[int] = []
        current: Entity | None = element
        result: Entity | None = None
        memo = self._container_memo
        while current is not None:
            cid = current.id()
            if cid in memo:
                result = memo[cid]
                break
            if cid in chain:  # a cycle in a broken file: no container
                break
            chain.append(cid)
            inverses = self.facts.inverses(current.is_a())
            if "ContainedInStructure" in inverses and cid in self.contained_in:
                result = self.contained_in[cid]
                break
            current = self.parent(current, inverses)
        for cid in chain:
            memo[cid] = result
        return result

    def parent(self, element: Entity, inverses: frozenset[str]) -> Entity | None:
        """get_parent without the direct container (callers check that first)."""
        eid = element.id()
        if self.is_ifc2x3:
            if "Decomposes" in inverses and eid in self.decomposes:
                return self.decomposes[eid]
        else:
            if "Decomposes" in inverses and eid in self.aggregate_of:
                return self.aggregate_of[eid]
            if "Nests" in inverses and eid in self.nest_of:
                return self.nest_of[eid]
        if "FillsVoids" in inverses and eid in self.fills:
            return self.fills[eid]
        if "VoidsElements" in inverses and eid in self.voids:
            return self.voids[eid]
        if "AdheresToElement" in inverses and eid in self.adheres:
            return self.adheres[eid]
        return None

    def storey_above(self, start: Entity | None) -> Entity | None:
        """Walk up aggregates from a container to the first IfcBuildingStorey."""
        if start is None:
            return None
        sid = start.id()
        if sid in self._storey_memo:
            return self._storey_memo[sid]
        current: Entity | None = start
        seen: set[int] = set()
        while current is not None and not current.is_a("IfcBuildingStorey"):
            cid = current.id()
            if cid in seen or "Decomposes" not in self.facts.inverses(current.is_a()):
                current = None
                break
            seen.add(cid)
            current = self.aggregate_of.get(cid)
        self._storey_memo[sid] = current
        return current

    def storey(self, element: Entity, cls: str) -> Entity | None:
        """The element's storey (see the module docstring of bimflow.ifc.extract)."""
        container = self.container(element)
        if container is None and self.facts.is_subtype(cls, self.spatial_root):
            container = self.parent(element, self.facts.inverses(cls))
        return self.storey_above(container)

    # -- materials and classification --------------------------------------------------------

    def material_names(self, material: Entity) -> list[str]:
        mid = material.id()
        names = self._material_names.get(mid)
        if names is None:
            names = self._material_names[mid] = material_names(material)
        return names

    def classification_labels(self, own: list[Entity], inherited: list[Entity]) -> list[str]:
        """Labels as ifcopenshell.util.classification.get_references picks references:
        a classification system the element uses itself replaces the type's
        references of that system."""
        if inherited:
            by_system: dict[int | None, list[Entity]] = {}
            for reference in inherited:
                by_system.setdefault(self._label(reference)[1], []).append(reference)
            own_by_system: dict[int | None, list[Entity]] = {}
            for reference in own:
                own_by_system.setdefault(self._label(reference)[1], []).append(reference)
            by_system.update(own_by_system)
            references = [r for refs in by_system.values() for r in refs]
        else:
            references = own
        return sorted({self._label(r)[0] for r in references})

    def _label(self, reference: Entity) -> tuple[str, int | None]:
        rid = reference.id()
        found = self._class_labels.get(rid)
        if found is None:
            found = self._class_labels[rid] = (
                classification_text(reference),
                classification_system(reference),
            )
        return found


def is_system(group: Entity) -> bool:
    """Systems as ifcopenshell.util.system.get_element_systems counts them."""
    return bool(group.is_a("IfcSystem")) and group.is_a() not in _NON_SYSTEM_GROUPS


def material_names(material: Entity) -> list[str]:
    """Names of the individual materials of an associated material definition, as
    ifcopenshell.util.element.get_materials lists them (usages resolved to their set),
    unnamed and repeated ones left out."""
    if material.is_a("IfcMaterialLayerSetUsage"):
        material = material.ForLayerSet
    elif material.is_a("IfcMaterialProfileSetUsage"):
        material = material.ForProfileSet
    if material is None:
        return []
    cls = material.is_a()
    parts: Iterable[Any]
    if cls == "IfcMaterial":
        parts = [material]
    elif cls == "IfcMaterialLayerSet":
        parts = [layer.Material for layer in material.MaterialLayers or ()]
    elif cls == "IfcMaterialProfileSet":
        parts = [profile.Material for profile in material.MaterialProfiles or ()]
    elif cls == "IfcMaterialConstituentSet":
        parts = [part.Material for part in material.MaterialConstituents or ()]
    elif cls == "IfcMaterialList":
        parts = material.Materials or ()
    elif cls in ("IfcMaterialLayer", "IfcMaterialProfile", "IfcMaterialConstituent"):
        # get_materials fails on a single layer associated directly; its material is
        # the sensible answer.
        parts = [material.Material]
    else:
        parts = []
    names: list[str] = []
    for part in parts:
        if part is not None and part.Name and part.Name not in names:
            names.append(part.Name)
    return names


def classification_text(reference: Entity) -> str:
    """ "<identification> <name>" of a classification reference (ItemReference in
    IFC2X3), the name of a classification, the facets of an IFC2X3 notation."""
    if reference.is_a("IfcClassification"):
        return str(reference.Name or "")
    if reference.is_a("IfcClassificationNotation"):
        facets = [f.NotationValue for f in reference.NotationFacets or () if f.NotationValue]
        return "; ".join(facets)
    identification = getattr(reference, "Identification", None)
    if identification is None:
        identification = getattr(reference, "ItemReference", None)
    parts = [str(p) for p in (identification, reference.Name) if p]
    if not parts and getattr(reference, "Location", None):
        parts = [str(reference.Location)]
    return " ".join(parts)


def classification_system(reference: Entity) -> int | None:
    """Step id of the IfcClassification a reference belongs to
    (ifcopenshell.util.classification.get_classification)."""
    seen: set[int] = set()
    current: Entity | None = reference
    while current is not None and current.id() not in seen:
        if current.is_a("IfcClassification"):
            return int(current.id())
        seen.add(current.id())
        current = getattr(current, "ReferencedSource", None)
    return None
