"""The script and execution API without running anything: scripts and their revisions,
upload, built-ins, who sees what, parameters, the per-user limit, filters, permissions.

These tests are not transactional, so nothing reaches the broker: executions created
here stay `queued` (the worker tests in this folder run them)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import api_client, ingest
from tests.ifc_factory import small_building

pytestmark = pytest.mark.django_db

BUILTINS = {"guid-check", "export-csv", "lod-analyzer"}


def create(client, **body):
    body.setdefault("name", "My check")
    body.setdefault("code", "print('hello')\n")
    return client.post("/api/scripts/", body, format="json")


def start(client, script, version, parameters=None):
    return client.post(
        "/api/executions/",
        {"script": script, "version": version, "parameters": parameters or {}},
        format="json",
    )


def test_script_crud_and_revisions(personas):
    carol = api_client(personas["coordinator"])
    resp = create(carol, name="Wall check", code="print(1)\n", description="d")
    assert resp.status_code == 201, resp.content
    script = resp.json()
    assert script["owner"] == "carol" and script["builtin"] is False
    assert script["revision"] == 1 and script["code"] == "print(1)\n"
    assert script["is_public"] is False and script["can_edit"] is True
    sid = script["id"]

    # Metadata changes keep the revision; new code makes one; the same code does not.
    resp = carol.patch(f"/api/scripts/{sid}/", {"name": "Wall check 2"}, format="json")
    assert resp.status_code == 200 and resp.json()["revision"] == 1
    assert resp.json()["name"] == "Wall check 2"
    resp = carol.patch(f"/api/scripts/{sid}/", {"code": "print(2)\n"}, format="json")
    assert resp.status_code == 200 and resp.json()["revision"] == 2
    assert resp.json()["code"] == "print(2)\n"
    resp = carol.patch(f"/api/scripts/{sid}/", {"code": "print(2)\n"}, format="json")
    assert resp.json()["revision"] == 2
    schema = {"type": "object", "properties": {"n": {"type": "integer", "default": 3}}}
    resp = carol.patch(f"/api/scripts/{sid}/", {"parameters_schema": schema}, format="json")
    assert resp.json()["revision"] == 3 and resp.json()["parameters_schema"] == schema

    revisions = carol.get(f"/api/scripts/{sid}/revisions/").json()
    assert [(r["number"], r["code"]) for r in revisions] == [
        (3, "print(2)\n"),
        (2, "print(2)\n"),
        (1, "print(1)\n"),
    ]
    assert (
        revisions[0]["parameters_schema"] == schema and revisions[1]["parameters_schema"] != schema
    )
    assert len({r["sha256"] for r in revisions}) == 3
    assert all(r["created_by"] == "carol" for r in revisions)

    # Reading by slug as well as id; a syntax error in new code is refused.
    assert carol.get(f"/api/scripts/{script['slug']}/").json()["id"] == sid
    resp = carol.patch(f"/api/scripts/{sid}/", {"code": "x = (\n"}, format="json")
    assert resp.status_code == 400 and "line 1" in resp.json()["code"][0]
    assert carol.get(f"/api/scripts/{sid}/").json()["revision"] == 3

    assert carol.delete(f"/api/scripts/{sid}/").status_code == 204
    assert carol.get(f"/api/scripts/{sid}/").status_code == 404


def test_create_refuses_bad_input_with_the_field(personas):
    carol = api_client(personas["coordinator"])
    cases = [
        ({"code": ""}, "code"),
        ({"code": "def f(:\n    pass\n"}, "code"),
        ({"name": ""}, "name"),
        ({"category": "magic"}, "category"),
        ({"parameters_schema": {"type": "array"}}, "parameters_schema"),
        ({"parameters_schema": {"type": "object", "properties": {"n": {"type": 5}}}},
         "parameters_schema"),
        ({"limits": {"timeout_s": 10**9}}, "limits"),
        ({"limits": {"cpu_hours": 1}}, "limits"),
        ({"is_public": True}, "project"),
    ]  # fmt: skip
    for body, field in cases:
        resp = create(carol, **body)
        assert resp.status_code == 400, (body, resp.content)
        assert field in resp.json(), (body, resp.json())
    resp = create(carol, limits={"timeout_s": 10**9})
    assert resp.json()["limits"] == ["Limit 'timeout_s' may be at most 3600 on this server."]


def test_upload_a_python_file(personas):
    carol = api_client(personas["coordinator"])

    def up(name: str, content: bytes, **extra):
        f = SimpleUploadedFile(name, content, content_type="text/x-python")
        return carol.post("/api/scripts/upload/", {"file": f, **extra}, format="multipart")

    resp = up("count_walls.py", "# Zählt Wände\nprint(len(elements))\n".encode())
    assert resp.status_code == 201, resp.content
    assert resp.json()["name"] == "count_walls"
    assert resp.json()["code"] == "# Zählt Wände\nprint(len(elements))\n"

    # A byte-order mark (Windows editors write one) is not part of the code.
    resp = up("with_bom.py", b"\xef\xbb\xbfprint('bom')\r\n")
    assert resp.status_code == 201 and resp.json()["code"] == "print('bom')\r\n"

    resp = up("bad.py", b"import os\n\nfor x in range(3)\n    print(x)\n")
    assert resp.status_code == 400
    message = resp.json()["code"][0]
    assert message.startswith("Syntax error on line 3: expected ':'"), message

    resp = up("notes.txt", b"print(1)\n")
    assert resp.status_code == 400 and resp.json() == {"file": ["Upload a Python file (.py)."]}
    resp = up("latin1.py", "# utf-8 only\n# Straße\nprint(1)\n".encode("latin-1"))
    assert resp.status_code == 400
    assert resp.json() == {
        "file": [
            "The file is not UTF-8 text (line 2 has a byte that is not valid UTF-8); "
            "save it as UTF-8 and upload it again."
        ]
    }
    big = b"# " + b"x" * (5 * 1024 * 1024) + b"\n"
    resp = up("big.py", big)
    assert resp.status_code == 400 and resp.json() == {"file": ["The script is larger than 5 MB."]}
    just_under = b"#" * (5 * 1024 * 1024 - 20) + b"\nprint(1)\n"
    assert up("edge.py", just_under).status_code == 201

    resp = up("shared.py", b"print(2)\n", project=personas["project"].pk, is_public="true")
    assert resp.status_code == 201 and resp.json()["is_public"] is True
    assert resp.json()["project"] == personas["project"].pk


def test_builtins_are_readable_and_copyable_by_anyone_and_changeable_by_no_one(personas, make_user):
    root = make_user("root-admin", is_superuser=True, is_staff=True)
    for user in (personas["outsider"], personas["viewer"], root):
        client = api_client(user)
        listed = client.get("/api/scripts/?kind=builtin&page_size=100").json()["results"]
        assert BUILTINS <= {s["slug"] for s in listed}
        for slug in BUILTINS:
            body = client.get(f"/api/scripts/{slug}/").json()
            assert body["builtin"] is True and body["can_edit"] is False
            assert "META = {" in body["code"]
            resp = client.patch(f"/api/scripts/{slug}/", {"code": "print(1)\n"}, format="json")
            assert resp.status_code == 403
            assert resp.json()["detail"].startswith("Built-in scripts cannot be changed")
            resp = client.patch(f"/api/scripts/{slug}/", {"name": "Mine"}, format="json")
            assert resp.status_code == 403
            assert client.delete(f"/api/scripts/{slug}/").status_code == 403
            assert client.get(f"/api/scripts/{slug}/").json()["name"] != "Mine"

    oscar = api_client(personas["outsider"])
    original = oscar.get("/api/scripts/guid-check/").json()
    resp = oscar.post("/api/scripts/guid-check/copy/", {}, format="json")
    assert resp.status_code == 201, resp.content
    copy = resp.json()
    assert copy["builtin"] is False and copy["owner"] == "oscar" and copy["can_edit"] is True
    assert copy["code"] == original["code"]
    assert copy["parameters_schema"] == original["parameters_schema"]
    assert copy["name"] == "GUID check (copy)" and copy["slug"] != "guid-check"
    resp = oscar.patch(f"/api/scripts/{copy['id']}/", {"code": "print(3)\n"}, format="json")
    assert resp.status_code == 200 and resp.json()["revision"] == 2
    # The built-in itself is unchanged.
    assert oscar.get("/api/scripts/guid-check/").json()["code"] == original["code"]

    # A copy can be named and shared with a project at once (by a coordinator of it).
    carol = api_client(personas["coordinator"])
    resp = carol.post(
        "/api/scripts/export-csv/copy/",
        {"name": "Our export", "project": personas["project"].pk, "is_public": True},
        format="json",
    )
    assert resp.status_code == 201 and resp.json()["name"] == "Our export"
    assert (
        api_client(personas["viewer"]).get(f"/api/scripts/{resp.json()['id']}/").status_code == 200
    )


def test_private_scripts_are_their_owners_and_shared_ones_their_projects(personas, make_user):
    project = personas["project"]
    carol = api_client(personas["coordinator"])
    private = create(carol, name="Private").json()
    shared = create(carol, name="Shared", project=project.pk, is_public=True).json()
    stranger_private = create(api_client(personas["outsider"]), name="Oscar's").json()

    def visible(user) -> set[str]:
        rows = api_client(user).get("/api/scripts/?kind=mine&page_size=100").json()["results"]
        rows += api_client(user).get("/api/scripts/?kind=shared&page_size=100").json()["results"]
        return {s["name"] for s in rows}

    assert visible(personas["coordinator"]) == {"Private", "Shared"}
    assert visible(personas["admin"]) == {"Shared"}
    assert visible(personas["viewer"]) == {"Shared"}
    assert visible(personas["outsider"]) == {"Oscar's"}
    for user in (personas["admin"], personas["viewer"], personas["outsider"]):
        assert api_client(user).get(f"/api/scripts/{private['id']}/").status_code == 404
        assert api_client(user).get(f"/api/scripts/{private['slug']}/").status_code == 404
    assert api_client(personas["outsider"]).get(f"/api/scripts/{shared['id']}/").status_code == 404
    assert carol.get(f"/api/scripts/{stranger_private['id']}/").status_code == 404
    # Seeing a shared script is not owning it.
    resp = api_client(personas["admin"]).patch(
        f"/api/scripts/{shared['id']}/", {"code": "print(9)\n"}, format="json"
    )
    assert resp.status_code == 403
    # Sharing needs a coordinator role in the project.
    resp = create(api_client(personas["viewer"]), name="V", project=project.pk, is_public=True)
    assert resp.status_code == 403
    resp = create(api_client(personas["outsider"]), name="O", project=project.pk, is_public=True)
    assert resp.status_code == 404


def test_parameters_are_validated_with_defaults_and_name_the_field(personas, quiet_version):
    carol = api_client(personas["coordinator"])
    resp = start(carol, "guid-check", quiet_version)
    assert resp.status_code == 201, resp.content
    assert resp.json()["status"] == "queued"
    assert resp.json()["parameters"] == {"max_findings_per_guid": 1000}

    resp = start(carol, "guid-check", quiet_version, {"max_findings_per_guid": "many"})
    assert resp.status_code == 400
    assert resp.json() == {"parameters": ["max_findings_per_guid: 'many' is not of type 'integer'"]}
    resp = start(carol, "guid-check", quiet_version, {"max_findings_per_guid": 0})
    assert resp.status_code == 400 and "max_findings_per_guid" in resp.json()["parameters"][0]

    schema = {
        "type": "object",
        "required": ["threshold"],
        "properties": {
            "threshold": {"type": "number", "minimum": 0},
            "label": {"type": "string", "default": "walls"},
            "classes": {"type": "array", "items": {"type": "string"}, "default": ["IfcWall"]},
        },
        "additionalProperties": False,
    }
    script = create(carol, name="Param", parameters_schema=schema).json()
    resp = start(carol, script["id"], quiet_version)
    assert resp.status_code == 400 and resp.json() == {"parameters": ["'threshold' is required"]}
    resp = start(carol, script["id"], quiet_version, {"threshold": -1})
    assert resp.json() == {"parameters": ["threshold: -1 is less than the minimum of 0"]}
    resp = start(carol, script["id"], quiet_version, {"threshold": 1, "colour": "red"})
    assert resp.status_code == 400 and "colour" in resp.json()["parameters"][0]
    resp = start(carol, script["id"], quiet_version, {"threshold": 2.5})
    assert resp.status_code == 201
    assert resp.json()["parameters"] == {"threshold": 2.5, "label": "walls", "classes": ["IfcWall"]}
    resp = start(carol, script["id"], quiet_version, ["not", "an", "object"])
    assert resp.status_code == 400

    # Unknown script or version: 400 naming the field, not a 500.
    assert start(carol, "no-such-script", quiet_version).json().keys() == {"script"}
    assert start(carol, "guid-check", 999999).json().keys() == {"version"}


def test_five_active_executions_per_user_then_429(personas, quiet_version, settings):
    carol = api_client(personas["coordinator"])
    ids = []
    for _ in range(5):
        resp = start(carol, "guid-check", quiet_version)
        assert resp.status_code == 201
        ids.append(resp.json()["id"])
    resp = start(carol, "guid-check", quiet_version)
    assert resp.status_code == 429
    assert resp.json()["detail"] == (
        "You already have 5 executions queued or running (the limit); "
        "wait for one to finish or cancel one."
    )
    # Another user has their own allowance; a cancelled one frees a place.
    assert start(api_client(personas["admin"]), "guid-check", quiet_version).status_code == 201
    assert carol.post(f"/api/executions/{ids[0]}/cancel/").status_code == 202
    assert start(carol, "guid-check", quiet_version).status_code == 201
    assert start(carol, "guid-check", quiet_version).status_code == 429

    settings.BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER = 7
    assert start(carol, "guid-check", quiet_version).status_code == 201


def test_cancel_a_queued_execution(personas, quiet_version):
    carol = api_client(personas["coordinator"])
    eid = start(carol, "guid-check", quiet_version).json()["id"]
    resp = carol.post(f"/api/executions/{eid}/cancel/")
    assert resp.status_code == 202
    body = resp.json()
    assert body["status"] == "cancelled" and body["error"] == "Cancelled before it started."
    assert body["finished_at"] is not None
    resp = carol.post(f"/api/executions/{eid}/cancel/")
    assert resp.status_code == 409
    assert resp.json() == {"detail": "This execution already ended (cancelled)."}


def test_execution_filters(personas, quiet_version, tmp_path):
    from bimflow.projects.services import project_create

    carol = api_client(personas["coordinator"])
    other_project = project_create(name="Tower B", description="", user=personas["coordinator"])
    path = tmp_path / "B.ifc"
    small_building(path, walls=1)
    with open(path, "rb") as fh:
        resp = carol.post(
            f"/api/projects/{other_project.pk}/versions/", {"file": fh}, format="multipart"
        )
    other_version = ingest(resp.json()["id"]).pk
    mine = create(carol, name="Mine").json()

    a = start(carol, "guid-check", quiet_version).json()["id"]
    b = start(carol, "lod-analyzer", quiet_version).json()["id"]
    c = start(carol, mine["id"], other_version).json()["id"]
    d = start(carol, "guid-check", other_version).json()["id"]
    carol.post(f"/api/executions/{d}/cancel/")

    def ids(query: str) -> set[int]:
        resp = carol.get(f"/api/executions/?{query}")
        assert resp.status_code == 200
        return {e["id"] for e in resp.json()["results"]}

    assert ids("") == {a, b, c, d}
    assert ids(f"version={quiet_version}") == {a, b}
    assert ids(f"version={other_version}") == {c, d}
    assert ids("script=guid-check") == {a, d}
    assert ids(f"script={mine['id']}") == {c}
    assert ids("status=cancelled") == {d}
    assert ids("status=queued") == {a, b, c}
    assert ids("status=queued,cancelled") == {a, b, c, d}
    assert ids(f"project={personas['project'].pk}") == {a, b}
    assert ids(f"project={other_project.pk}") == {c, d}
    assert ids(f"project={other_project.pk}&script=guid-check") == {d}
    # The viewer of the first project sees its executions only.
    viewer = api_client(personas["viewer"])
    assert {e["id"] for e in viewer.get("/api/executions/").json()["results"]} == {a, b}


def test_permissions_on_executions(personas, quiet_version):
    carol = api_client(personas["coordinator"])
    eid = start(carol, "guid-check", quiet_version).json()["id"]
    urls = [
        f"/api/executions/{eid}/",
        f"/api/executions/{eid}/logs/",
        f"/api/executions/{eid}/logs.txt",
        f"/api/executions/{eid}/events/",
        f"/api/executions/{eid}/findings/",
        f"/api/executions/{eid}/files/elements.csv",
    ]
    oscar = api_client(personas["outsider"])
    for url in urls:
        assert oscar.get(url).status_code == 404, url
    assert oscar.post(f"/api/executions/{eid}/cancel/").status_code == 404
    assert oscar.get("/api/executions/").json()["results"] == []
    assert start(oscar, "guid-check", quiet_version).status_code == 400  # cannot see it

    anonymous = api_client(None)
    for url in urls[:5]:
        assert anonymous.get(url).status_code in (401, 403), url

    viewer = api_client(personas["viewer"])
    assert viewer.get(f"/api/executions/{eid}/").json()["id"] == eid
    assert viewer.get(f"/api/executions/{eid}/logs/").status_code == 200
    assert viewer.get(f"/api/executions/{eid}/findings/").status_code == 200
    resp = start(viewer, "guid-check", quiet_version)
    assert resp.status_code == 403
    resp = viewer.post(f"/api/executions/{eid}/cancel/")
    assert resp.status_code == 403
    assert carol.get(f"/api/executions/{eid}/").json()["status"] == "queued"
    # A file the execution does not have is a 404 for a member too.
    assert carol.get(f"/api/executions/{eid}/files/nothing.csv").status_code == 404


def test_running_a_private_script_of_someone_else_is_refused(personas, quiet_version):
    oscar_script = create(api_client(personas["outsider"]), name="Oscar's").json()
    resp = start(api_client(personas["coordinator"]), oscar_script["id"], quiet_version)
    assert resp.status_code == 400
    assert resp.json() == {"script": ["There is no script you can run by that id or slug."]}


def test_a_script_with_executions_is_kept(personas, quiet_version):
    carol = api_client(personas["coordinator"])
    script = create(carol, name="Used").json()
    start(carol, script["id"], quiet_version)
    resp = carol.delete(f"/api/scripts/{script['id']}/")
    assert resp.status_code == 409
    assert "kept for their history" in resp.json()["detail"]


def test_an_upload_body_that_is_not_a_file(personas):
    carol = api_client(personas["coordinator"])
    resp = carol.post("/api/scripts/upload/", {"file": io.BytesIO(b"")}, format="multipart")
    assert resp.status_code == 400 and "file" in resp.json()
