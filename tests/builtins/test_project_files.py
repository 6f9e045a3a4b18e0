"""Project files through the API, and the parameters that refer to project data:
files, versions and executions of the same project only, each refusal a clear 400."""

from __future__ import annotations

import hashlib

import pytest
from ifctester import ids

from tests.conftest import api_client, ingest
from tests.ifc_factory import small_building

pytestmark = pytest.mark.django_db


def write_ids(path, *, title="Walls"):
    spec_file = ids.Ids(title=title)
    spec = ids.Specification(name="walls named", ifcVersion=["IFC4"])
    spec.applicability.append(ids.Entity(name="IFCWALL"))
    spec.requirements.append(ids.Attribute(name="Name"))
    spec_file.specifications.append(spec)
    spec_file.to_xml(str(path))
    return path


def post_file(client, project_id, path, kind):
    with open(path, "rb") as fh:
        return client.post(
            f"/api/projects/{project_id}/files/", {"file": fh, "kind": kind}, format="multipart"
        )


def ready_version(personas, tmp_path, upload, name="Small.ifc", project=None):
    path = tmp_path / name
    small_building(path, walls=2)
    client = api_client(personas["admin"])
    resp = upload(client, (project or personas["project"]).pk, path)
    assert resp.status_code == 201, resp.content
    return ingest(resp.json()["id"])


def test_upload_list_get_download_delete(personas, tmp_path):
    path = write_ids(tmp_path / "walls.ids")
    client = api_client(personas["coordinator"])
    pid = personas["project"].pk
    resp = post_file(client, pid, path, "ids")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["kind"] == "ids" and body["name"] == "walls.ids"
    assert body["size"] == path.stat().st_size
    assert body["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    listed = api_client(personas["viewer"]).get(f"/api/projects/{pid}/files/").json()
    assert [f["id"] for f in listed] == [body["id"]]
    assert api_client(personas["viewer"]).get(f"/api/projects/{pid}/files/?kind=bcf").json() == []
    got = client.get(f"/api/project-files/{body['id']}/")
    assert got.status_code == 200 and got.json()["name"] == "walls.ids"
    download = client.get(f"/api/project-files/{body['id']}/download/")
    assert b"".join(download.streaming_content) == path.read_bytes()
    assert (
        api_client(personas["viewer"]).delete(f"/api/project-files/{body['id']}/").status_code
        == 403
    )
    assert client.delete(f"/api/project-files/{body['id']}/").status_code == 204
    assert client.get(f"/api/project-files/{body['id']}/").status_code == 404


def test_outsiders_see_nothing_and_viewers_cannot_upload(personas, tmp_path):
    path = write_ids(tmp_path / "walls.ids")
    pid = personas["project"].pk
    fid = post_file(api_client(personas["coordinator"]), pid, path, "ids").json()["id"]
    outsider = api_client(personas["outsider"])
    assert outsider.get(f"/api/projects/{pid}/files/").status_code == 404
    assert outsider.get(f"/api/project-files/{fid}/").status_code == 404
    assert outsider.get(f"/api/project-files/{fid}/download/").status_code == 404
    assert outsider.delete(f"/api/project-files/{fid}/").status_code == 404
    assert post_file(outsider, pid, path, "ids").status_code == 404
    assert post_file(api_client(personas["viewer"]), pid, path, "ids").status_code == 403
    assert api_client(None).get(f"/api/projects/{pid}/files/").status_code in (401, 403)


def test_an_ids_that_does_not_parse_is_refused_with_the_parsers_message(personas, tmp_path):
    client = api_client(personas["coordinator"])
    pid = personas["project"].pk
    broken = tmp_path / "broken.ids"
    broken.write_text(
        '<ids xmlns="http://standards.buildingsmart.org/IDS"><info><title>x</title></info>'
        '<specifications><specification name="a"><applicability/></specification>'
        "</specifications></ids>"
    )
    # The oracle: ifctester's own reason for refusing the file.
    with pytest.raises(ids.IdsXmlValidationError) as caught:
        ids.open(str(broken))
    reason = caught.value.xml_error.reason
    resp = post_file(client, pid, broken, "ids")
    assert resp.status_code == 400
    message = resp.json()["file"][0]
    assert "not a valid IDS file" in message and reason in message
    not_xml = tmp_path / "notes.ids"
    not_xml.write_text("just some notes")
    resp = post_file(client, pid, not_xml, "ids")
    assert resp.status_code == 400 and "syntax" in resp.json()["file"][0].lower()
    # A text file is fine as "other", and a zip without bcf.version is no BCF.
    assert post_file(client, pid, not_xml, "other").status_code == 201
    resp = post_file(client, pid, not_xml, "bcf")
    assert resp.status_code == 400 and "not a BCF file" in resp.json()["file"][0]
    resp = post_file(client, pid, not_xml, "pdf")
    assert resp.status_code == 400


def test_parameters_accept_only_this_projects_files_versions_and_executions(
    personas, tmp_path, upload
):
    from bimflow.projects.services import project_create

    version = ready_version(personas, tmp_path, upload)
    other_project = project_create(name="Tower B", user=personas["admin"])
    foreign_version = ready_version(
        personas, tmp_path, upload, name="Other.ifc", project=other_project
    )
    client = api_client(personas["coordinator"])
    admin = api_client(personas["admin"])
    ids_path = write_ids(tmp_path / "walls.ids")
    own = post_file(client, personas["project"].pk, ids_path, "ids").json()["id"]
    other_kind = post_file(client, personas["project"].pk, ids_path, "other").json()["id"]
    foreign = post_file(admin, other_project.pk, ids_path, "ids").json()["id"]

    def start(slug, params):
        return client.post(
            "/api/executions/",
            {"script": slug, "version": version.pk, "parameters": params},
            format="json",
        )

    resp = start("ids-check", {})
    assert resp.status_code == 400 and "ids" in str(resp.json())
    for bad, words in (
        (foreign, f"no project file {foreign} in this project"),
        (999999, "no project file 999999 in this project"),
        (other_kind, "is a other file"),
    ):
        resp = start("ids-check", {"ids": bad})
        assert resp.status_code == 400, resp.content
        assert resp.json()["parameters"][0].startswith("ids: ")
        assert words in resp.json()["parameters"][0]
    resp = start("ids-check", {"ids": "walls.ids"})
    assert resp.status_code == 400 and "ids" in str(resp.json())
    assert start("ids-check", {"ids": own}).status_code == 201

    # Versions: another project's version, a missing one, and no previous version.
    resp = start("version-diff", {"compare_to": foreign_version.pk})
    assert resp.status_code == 400
    assert resp.json()["parameters"][0] == (
        f"compare_to: there is no model version {foreign_version.pk} in this project."
    )
    resp = start("version-diff", {"compare_to": 987654})
    assert resp.status_code == 400 and "compare_to" in resp.json()["parameters"][0]
    resp = start("version-diff", {})
    assert resp.status_code == 400
    assert "has no earlier ready version" in resp.json()["parameters"][0]
    resp = start(
        "clash-check",
        {"a_classes": ["IfcWall"], "b_classes": ["IfcWall"], "b_version": foreign_version.pk},
    )
    assert resp.status_code == 400 and resp.json()["parameters"][0].startswith("b_version: ")

    # Executions: another project's, and one that has not finished.
    from bimflow.scripting.models import Execution, Script

    script = Script.objects.get(slug="guid-check")
    theirs = Execution.objects.create(
        script=script,
        revision=script.current_revision,
        version=foreign_version,
        project=other_project,
        status="succeeded",
    )
    resp = start("bcf-export", {"execution": theirs.pk})
    assert resp.status_code == 400
    assert resp.json()["parameters"][0] == (
        f"execution: there is no execution {theirs.pk} in this project."
    )
    queued = start("guid-check", {}).json()["id"]
    resp = start("bcf-export", {"execution": queued})
    assert resp.status_code == 400 and "wait until it has finished" in resp.json()["parameters"][0]
