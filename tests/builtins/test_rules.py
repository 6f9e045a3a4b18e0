"""required-properties and naming-convention on shared models, against oracles computed
here with ifcopenshell (get_psets, is_a) on the IFC file itself."""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.ifcopenshell_wrapper
import ifcopenshell.util.element
import pytest

from tests.conftest import shared_model

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PROPERTY_RULES = {
    "AC20-FZK-Haus.ifc": [
        {"ifc_class": "IfcMember", "pset": "ArchiCADProperties", "property": "Raumname",
         "pattern": "[A-Z].*"},
        {"ifc_class": "IfcMember", "pset": "Pset_BeamCommon", "property": "LoadBearing",
         "allowed_values": [True]},
        {"ifc_class": "IfcBuildingElement", "pset": "Pset_WallCommon", "property": "IsExternal"},
        {"ifc_class": "*", "pset": "ArchiCADProperties", "property": "Umbau-Status",
         "allowed_values": ["Neu"], "required": False},
    ],
    "MULTICOM-Prefab.ifc": [
        {"ifc_class": "IfcBeam", "pset": "Tekla Common", "property": "Part mark",
         "pattern": "[A-Z]+[0-9]+"},
        {"ifc_class": "IfcBeam", "pset": "Tekla Common", "property": "Grade",
         "allowed_values": ["C53/65", "C45/55"]},
        {"ifc_class": "IfcBeam", "pset": "Default", "property": "commentaar"},
        {"ifc_class": "IfcElementAssembly", "pset": "Tekla Common", "property": "Name"},
    ],
}  # fmt: skip


def property_oracle(model, rules):
    import re

    findings, counts = set(), {}
    products = model.by_type("IfcProduct")
    for rule in rules:
        label = f"{rule['ifc_class']}.{rule['pset']}.{rule['property']}"
        scope = products if rule["ifc_class"] == "*" else model.by_type(rule["ifc_class"])
        failed = 0
        for element in scope:
            values = ifcopenshell.util.element.get_psets(element).get(rule["pset"], {})
            problem = None
            if rule["property"] not in values:
                problem = "missing" if rule.get("required", True) else None
            else:
                value = values[rule["property"]]
                if value is None or value == "":
                    problem = "no value" if rule.get("required", True) else None
                elif rule.get("pattern") and not re.fullmatch(rule["pattern"], str(value)):
                    problem = "pattern"
                elif "allowed_values" in rule and value not in rule["allowed_values"]:
                    problem = "not allowed"
            if problem:
                failed += 1
                findings.add((element.GlobalId, label, problem))
        counts[label] = (len(scope), len(scope) - failed, failed)
    return findings, counts


@pytest.mark.parametrize("model_name", sorted(PROPERTY_RULES))
def test_required_properties_equal_the_ifcopenshell_oracle(workspace, model_name):
    source = shared_model(model_name)
    rules = PROPERTY_RULES[model_name]
    expected, counts = property_oracle(ifcopenshell.open(str(source)), rules)
    assert expected, "the rules should find something to report"
    vid = workspace.version(source)
    body = workspace.run("required-properties", vid, {"rules": rules})
    got = {(f["guid"], f["rule"], f["details"]["problem"]) for f in workspace.findings(body["id"])}
    assert got == expected
    assert {
        r["rule"]: (r["applicable"], r["passed"], r["failed"]) for r in body["result"]["rules"]
    } == counts


NAMING_RULES = {
    "AC20-FZK-Haus.ifc": [
        {"ifc_class": "IfcWall", "pattern": "Wand-.*"},
        {"ifc_class": "IfcWindow", "pattern": "Fenster-[0-9]+"},
        {"ifc_class": "*", "pattern": "[A-Z][A-Za-z0-9 -]*"},
    ],
    "MULTICOM-Prefab.ifc": [
        {"ifc_class": "IfcBeam", "pattern": "[a-z]+"},
        {"ifc_class": "IfcElementAssembly", "pattern": "[A-Za-z]+"},
    ],
}


def naming_oracle(model, rules, skip=("IfcOpeningElement",)):
    import re

    by_class = {r["ifc_class"]: r for r in rules if r["ifc_class"] != "*"}
    star = next((r for r in rules if r["ifc_class"] == "*"), None)

    schema = ifcopenshell.ifcopenshell_wrapper.schema_by_name(model.schema)

    def depth(cls):
        decl, n = schema.declaration_by_name(cls), 0
        while decl is not None:
            decl, n = decl.supertype(), n + 1
        return n

    def rule_for(element):
        # Every matching class is an ancestor of the element: the deepest is the nearest.
        matching = [c for c in by_class if element.is_a(c)]
        if matching:
            return by_class[max(matching, key=depth)]
        return None if element.is_a() in skip else star

    findings, not_covered, type_rules = set(), 0, {}
    for element in sorted(model.by_type("IfcProduct"), key=lambda e: e.id()):
        rule = rule_for(element)
        if rule is None:
            not_covered += 1
            continue
        if not (element.Name and re.fullmatch(rule["pattern"], element.Name)):
            findings.add((element.GlobalId, f"name:{rule['ifc_class']}"))
        element_type = ifcopenshell.util.element.get_type(element)
        if element_type is not None and element_type.GlobalId not in type_rules:
            type_rules[element_type.GlobalId] = (element_type, rule)
    for guid, (element_type, rule) in type_rules.items():
        if not (element_type.Name and re.fullmatch(rule["pattern"], element_type.Name)):
            findings.add((guid, f"type-name:{rule['ifc_class']}"))
    return findings, not_covered


@pytest.mark.parametrize("model_name", sorted(NAMING_RULES))
def test_naming_convention_equals_the_ifcopenshell_oracle(workspace, model_name):
    source = shared_model(model_name)
    rules = NAMING_RULES[model_name]
    model = ifcopenshell.open(str(source))
    expected, not_covered = naming_oracle(model, rules)
    assert expected
    vid = workspace.version(source)
    body = workspace.run("naming-convention", vid, {"rules": rules, "check_types": True})
    got = {(f["guid"], f["rule"]) for f in workspace.findings(body["id"])}
    assert got == expected
    assert body["result"]["not_covered"] == not_covered
    assert body["result"]["failed"] == len(expected)
