"""Every project endpoint hides a project from non-members (404) and enforces roles."""

import pytest

from tests.conftest import api_client, ingest
from tests.ifc_factory import small_building


@pytest.fixture
def ready_version(personas, upload, tmp_path):
    path = tmp_path / "small.ifc"
    guids = small_building(path)
    resp = upload(api_client(personas["coordinator"]), personas["project"].pk, path)
    assert resp.status_code == 201, resp.content
    version = ingest(resp.json()["id"])
    assert version.status == "ready", version.error
    return version, guids


def project_urls(project_id, model_id, version_id, guid, admin_id):
    """Every read endpoint of one project's objects."""
    return [
        f"/api/projects/{project_id}/",
        f"/api/projects/{project_id}/members/",
        f"/api/projects/{project_id}/models/",
        f"/api/models/{model_id}/",
        f"/api/models/{model_id}/versions/",
        f"/api/versions/{version_id}/",
        f"/api/versions/{version_id}/download/",
        f"/api/versions/{version_id}/ifc/",
        f"/api/versions/{version_id}/elements/",
        f"/api/versions/{version_id}/elements/{guid}/",
        f"/api/versions/{version_id}/statistics/",
        f"/api/versions/{version_id}/metadata/",
        f"/api/versions/{version_id}/diff/?to={version_id}",
    ]


def test_outsider_gets_404_everywhere(personas, ready_version, tmp_path):
    version, guids = ready_version
    p, m = personas["project"].pk, version.model_id
    outsider = api_client(personas["outsider"])
    for url in project_urls(p, m, version.pk, guids["walls"][0], personas["admin"].pk):
        resp = outsider.get(url)
        assert resp.status_code == 404, (url, resp.status_code)
        assert guids["walls"][0] not in resp.content.decode(errors="replace")
    # Writes too: no hint that the project exists.
    path = tmp_path / "x.ifc"
    small_building(path)
    with open(path, "rb") as fh:
        assert outsider.post(f"/api/projects/{p}/versions/", {"file": fh}).status_code == 404
    assert outsider.patch(f"/api/projects/{p}/", {"name": "hacked"}).status_code == 404
    assert outsider.delete(f"/api/projects/{p}/").status_code == 404
    assert outsider.delete(f"/api/versions/{version.pk}/").status_code == 404
    assert (
        outsider.post(
            f"/api/projects/{p}/members/", {"username": "oscar", "role": "admin"}
        ).status_code
        == 404
    )
    assert outsider.delete(f"/api/projects/{p}/members/{personas['admin'].pk}/").status_code == 404
    # And the project is not listed.
    assert outsider.get("/api/projects/").json()["count"] == 0


def test_members_read_everything(personas, ready_version):
    version, guids = ready_version
    p, m = personas["project"].pk, version.model_id
    for who in ("viewer", "coordinator", "admin"):
        client = api_client(personas[who])
        for url in project_urls(p, m, version.pk, guids["walls"][0], personas["admin"].pk):
            assert client.get(url).status_code == 200, (who, url)


def test_viewer_cannot_upload_or_delete(personas, ready_version, upload, tmp_path):
    version, _ = ready_version
    p = personas["project"].pk
    viewer = api_client(personas["viewer"])
    path = tmp_path / "other.ifc"
    small_building(path, walls=4)
    resp = upload(viewer, p, path)
    assert resp.status_code == 403
    assert "viewer" in resp.json()["detail"]
    assert viewer.delete(f"/api/versions/{version.pk}/").status_code == 403
    assert viewer.delete(f"/api/projects/{p}/").status_code == 403
    assert viewer.patch(f"/api/projects/{p}/", {"name": "x"}).status_code == 403
    # A coordinator may upload but not delete.
    coord = api_client(personas["coordinator"])
    assert upload(coord, p, path).status_code == 201
    assert coord.delete(f"/api/versions/{version.pk}/").status_code == 403


def test_superuser_sees_all(personas, ready_version, django_user_model):
    root = django_user_model.objects.create_superuser("root", "r@example.com", "pw-12345678")
    version, _ = ready_version
    client = api_client(root)
    assert client.get(f"/api/versions/{version.pk}/").status_code == 200
    assert personas["project"].name in [
        p["name"] for p in client.get("/api/projects/").json()["results"]
    ]


def test_admin_deletes_version_and_its_files(personas, ready_version):
    from django.core.files.storage import default_storage

    from bimflow.catalog.models import Element

    version, _ = ready_version
    assert Element.objects.filter(version=version).count() > 0
    assert default_storage.exists(version.file) and default_storage.exists(version.datapack)
    admin = api_client(personas["admin"])
    assert admin.delete(f"/api/versions/{version.pk}/").status_code == 204
    assert Element.objects.filter(version_id=version.pk).count() == 0
    assert not default_storage.exists(version.file)
    assert not default_storage.exists(version.datapack)
    assert admin.get(f"/api/versions/{version.pk}/").status_code == 404


def test_admin_deletes_project_and_every_stored_file(personas, ready_version):
    from django.conf import settings

    from bimflow.projects.models import ModelVersion

    version, _ = ready_version
    project = personas["project"]
    folder = settings.MEDIA_ROOT / "projects" / str(project.pk)
    assert any(folder.rglob("*.bfpack"))
    admin = api_client(personas["admin"])
    assert admin.delete(f"/api/projects/{project.pk}/").status_code == 204
    assert not folder.exists()
    assert not ModelVersion.objects.filter(pk=version.pk).exists()
    assert admin.get(f"/api/projects/{project.pk}/").status_code == 404
