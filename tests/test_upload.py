"""Uploads: numbering, duplicates, and every kind of bad input gets a clear answer."""

import hashlib
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from tests.conftest import api_client, ingest, shared_model
from tests.ifc_factory import small_building


@pytest.fixture
def coord(personas):
    return api_client(personas["coordinator"])


@pytest.fixture
def good(personas, coord, upload, tmp_path):
    """A first ready version, to check that bad uploads never touch it."""
    path = tmp_path / "Tower.ifc"
    small_building(path)
    resp = upload(coord, personas["project"].pk, path)
    assert resp.status_code == 201
    version = ingest(resp.json()["id"])
    assert version.status == "ready"
    return version


def stored_sha(name):
    with default_storage.open(name, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def assert_untouched(version):
    from bimflow.catalog.models import Element
    from bimflow.projects.models import ModelVersion

    fresh = ModelVersion.objects.get(pk=version.pk)
    assert fresh.status == "ready" and fresh.number == version.number
    assert stored_sha(fresh.file) == version.sha256
    assert Element.objects.filter(version=fresh).count() == version.element_count


def test_versions_are_numbered_per_model(personas, coord, upload, tmp_path):
    p = personas["project"].pk
    paths = []
    for walls in (1, 2, 3):
        path = tmp_path / f"v{walls}" / "Tower.ifc"
        path.parent.mkdir()
        small_building(path, walls=walls)
        paths.append(path)
    numbers = [upload(coord, p, path).json()["number"] for path in paths]
    assert numbers == [1, 2, 3]
    other = upload(coord, p, paths[0], model="Other").json()
    assert (other["model_name"], other["number"]) == ("Other", 1)
    models = coord.get(f"/api/projects/{p}/models/").json()
    summary = {m["name"]: (m["version_count"], m["latest_version"]["number"]) for m in models}
    assert summary == {"Tower": (3, 3), "Other": (1, 1)}
    body = upload(coord, p, paths[0]).json()
    assert body["status"] == "uploaded" and body["file_name"] == "Tower.ifc"
    assert body["sha256"] == hashlib.sha256(paths[0].read_bytes()).hexdigest()
    assert body["file_size"] == paths[0].stat().st_size


def test_identical_upload_is_409_naming_the_version(personas, coord, upload, good):
    path = default_storage.path(good.file)
    resp = upload(coord, personas["project"].pk, __import__("pathlib").Path(path))
    assert resp.status_code == 409
    assert "identical to version 1 of model 'Tower'" in resp.json()["detail"]
    assert_untouched(good)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.ifc", b"", "This file is empty."),
        ("empty.ifczip", b"", "This file is empty."),
        (
            "report.ifc",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n",
            "This is not an IFC file: it starts with '%PDF-1.4",
        ),
        ("notes.pdf", b"%PDF-1.4\n", "Only .ifc and .ifczip files can be uploaded"),
    ],
)
def test_plainly_bad_files_are_400(personas, coord, upload, good, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    resp = upload(coord, personas["project"].pk, path)
    assert resp.status_code == 400, resp.content
    assert message in resp.json()["file"][0]
    assert_untouched(good)


def test_lfs_pointer_is_refused_with_its_first_words(personas, coord, upload, good):
    path = shared_model("V_L_Constructief.ifc")
    resp = upload(coord, personas["project"].pk, path)
    assert resp.status_code == 400
    assert resp.json()["file"][0].startswith(
        "This is not an IFC file: it starts with 'version https://git-lfs"
    )


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return path


def test_missing_file_field_is_400(personas, coord, good):
    resp = coord.post(
        f"/api/projects/{personas['project'].pk}/versions/", {"model": "x"}, format="multipart"
    )
    assert resp.status_code == 400
    assert resp.json() == {"file": ["Attach the IFC file in the form field 'file'."]}


def test_over_the_size_limit_is_413(personas, coord, upload, good, tmp_path):
    p = personas["project"].pk
    big = tmp_path / "big.ifc"
    body = big.with_suffix(".src")
    small_building(body)
    data = body.read_bytes()
    with override_settings(BIMFLOW_MAX_UPLOAD_MB=1):
        # Refused from the Content-Length, before the body is read.
        big.write_bytes(data + b"/*" + b"x" * (3 * 1024 * 1024) + b"*/")
        resp = upload(coord, p, big)
        assert resp.status_code == 413
        assert resp.json()["detail"] == "The file is larger than the 1 MB upload limit."
        # Refused after reading, when only the file itself is over the limit.
        big.write_bytes(data + b"/*" + b"x" * (1024 * 1024 + 10) + b"*/")
        resp = upload(coord, p, big)
        assert resp.status_code == 413
    assert_untouched(good)


@pytest.mark.parametrize(
    "case, message",
    [
        ("truncated", "The IFC file is truncated: it ends before END-ISO-10303-21."),
        ("zip-text-only", "holds no .ifc file"),
        ("zip-escaping", "escapes"),
    ],
)
def test_bad_content_found_at_upload_is_400(personas, coord, upload, good, tmp_path, case, message):
    source = tmp_path / "src.ifc"
    small_building(source, walls=5)
    data = source.read_bytes()
    if case == "truncated":
        path = tmp_path / "Tower.ifc"
        path.write_bytes(data[: len(data) // 2])
    elif case == "zip-text-only":
        path = _zip(tmp_path / "Tower.ifczip", {"readme.txt": "hello"})
    else:
        path = _zip(tmp_path / "Tower.ifczip", {"../../evil.ifc": data})
    resp = upload(coord, personas["project"].pk, path)
    assert resp.status_code == 400, resp.content
    assert message in resp.json()["file"][0]
    assert "Traceback" not in resp.json()["file"][0]
    assert_untouched(good)


@pytest.mark.parametrize("case", ["damaged", "zipped-truncated"])
def test_bad_content_found_at_ingest_fails_with_a_reason(
    personas, coord, upload, good, tmp_path, case
):
    """What only the full read can find: the version ends `failed` with a sentence."""
    source = tmp_path / "src.ifc"
    small_building(source, walls=5)
    data = source.read_bytes()
    if case == "damaged":
        # Intact head and tail, an unparseable instance in the middle.
        marker = b"IFCWALL("
        at = data.index(marker)
        path = tmp_path / "Tower.ifc"
        path.write_bytes(data[:at] + b"IFCWALL(#@!garbage" + data[at + len(marker) :])
        expected = "damaged"
    else:
        path = _zip(tmp_path / "Tower.ifczip", {"inner.ifc": data[: len(data) // 2]})
        expected = "truncated"
    resp = upload(coord, personas["project"].pk, path)
    assert resp.status_code == 201, resp.content
    version = ingest(resp.json()["id"])
    assert version.status == "failed"
    assert expected in version.error
    assert "Traceback" not in version.error
    api = coord.get(f"/api/versions/{version.pk}/").json()
    assert api["status"] == "failed" and api["error"] == version.error
    # The catalog of a failed version is not served, with a reason.
    resp = coord.get(f"/api/versions/{version.pk}/statistics/")
    assert resp.status_code == 409 and "failed" in resp.json()["detail"]
    assert_untouched(good)


def test_zipped_upload_is_read(personas, coord, upload, tmp_path):
    source = tmp_path / "inner.ifc"
    guids = small_building(source, walls=4)
    path = _zip(tmp_path / "Zipped.IFCZIP", {"inner.ifc": source.read_bytes()})
    resp = upload(coord, personas["project"].pk, path)
    assert resp.status_code == 201
    version = ingest(resp.json()["id"])
    assert version.status == "ready", version.error
    rows = coord.get(f"/api/versions/{version.pk}/elements/?ifc_class=IfcWall").json()
    assert sorted(r["guid"] for r in rows["results"]) == sorted(guids["walls"])
    plain = coord.get(f"/api/versions/{version.pk}/ifc/")
    assert plain.status_code == 200
    assert b"".join(plain.streaming_content) == source.read_bytes()
    original = coord.get(f"/api/versions/{version.pk}/download/")
    assert b"".join(original.streaming_content) == path.read_bytes()


def test_model_name_defaults_to_file_stem_and_can_be_given(personas, coord, upload, tmp_path):
    path = tmp_path / "GEELEN Breedplaat V1.IFC"
    small_building(path)
    body = upload(coord, personas["project"].pk, path).json()
    assert body["model_name"] == "GEELEN Breedplaat V1"
    path2 = tmp_path / "x.ifc"
    small_building(path2, walls=2)
    body = upload(coord, personas["project"].pk, path2, model="Structure").json()
    assert body["model_name"] == "Structure"
