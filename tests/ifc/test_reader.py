"""sniff() and open_ifc(): real models open, broken files raise readable errors."""

from __future__ import annotations

import zipfile
from pathlib import Path

import ifcopenshell
import pytest
from ifc_oracles import IFC_DIR, LFS_POINTER, MODELS, model_id, needs_data

from bimflow.ifc.errors import IfcReadError
from bimflow.ifc.reader import open_ifc, sniff
from bimflow.ifc.testing import truncate_file, write_zip

FZK = IFC_DIR / "AC20-FZK-Haus.ifc"


def read_error(function, path: Path, **kwargs) -> IfcReadError:  # type: ignore[no-untyped-def]
    with pytest.raises(IfcReadError) as caught:
        function(path, **kwargs)
    return caught.value


def assert_plain_sentence(error: IfcReadError) -> None:
    text = str(error)
    assert text.endswith(".")
    assert "Traceback" not in text and "ifcopenshell" not in text and "\n" not in text


@needs_data
@pytest.mark.parametrize("path", MODELS, ids=model_id)
def test_every_shared_model_opens_with_its_schema(path: Path) -> None:
    sniff(path)
    model = open_ifc(path)
    expected = ifcopenshell.open(str(path))
    assert model.schema == expected.schema
    assert len(model.by_type("IfcProduct")) == len(expected.by_type("IfcProduct"))


@needs_data
@pytest.mark.parametrize("function", [sniff, open_ifc])
def test_lfs_pointer_is_not_an_ifc_file(function) -> None:  # type: ignore[no-untyped-def]
    error = read_error(function, IFC_DIR / LFS_POINTER)
    assert str(error).startswith("This is not an IFC file")
    assert "'version https://git-lfs.github.com/spec/v1'" in str(error)
    assert error.code == "not_ifc"
    assert_plain_sentence(error)


@pytest.mark.parametrize("function", [sniff, open_ifc])
@pytest.mark.parametrize("name", ["empty.ifc", "empty.ifczip", "EMPTY.IFCZIP", "blank.ifc"])
def test_empty_files_are_refused(tmp_path: Path, function, name: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(b"" if name != "blank.ifc" else b"  \n\r\n ")
    error = read_error(function, path)
    assert str(error) == "This file is empty."
    assert error.code == "empty"


@pytest.mark.parametrize("function", [sniff, open_ifc])
def test_pdf_renamed_to_ifc_is_refused(tmp_path: Path, function) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "drawing.ifc"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    error = read_error(function, path)
    assert str(error) == "This is not an IFC file: it starts with '%PDF-1.4'."
    assert_plain_sentence(error)


def test_binary_garbage_is_described_without_dumping_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.ifc"
    path.write_bytes(bytes(range(1, 32)) * 10)
    error = read_error(sniff, path)
    assert str(error) == "This is not an IFC file: it starts with unreadable binary data."


@needs_data
@pytest.mark.parametrize("function", [sniff, open_ifc])
def test_truncated_ifc_is_refused(tmp_path: Path, function) -> None:  # type: ignore[no-untyped-def]
    path = truncate_file(FZK, tmp_path / "half.ifc", fraction=0.5)
    error = read_error(function, path)
    assert str(error) == "The IFC file is truncated: it ends before END-ISO-10303-21."
    assert error.code == "truncated"


@needs_data
def test_garbage_inside_an_ifc_names_the_line(tmp_path: Path) -> None:
    data = FZK.read_bytes()
    middle = data.index(b"\n", len(data) // 2) + 1
    line = data[:middle].count(b"\n") + 1
    path = tmp_path / "damaged.ifc"
    path.write_bytes(data[:middle] + b"#999999=IFCWALL(garbage (( here;\n" + data[middle:])
    sniff(path)  # the head and the tail look fine
    error = read_error(open_ifc, path)
    assert error.code == "damaged"
    assert str(error).startswith("The IFC file is damaged: reading it found ")
    assert f"the first on line {line:,}" in str(error)
    assert "#999999=IFCWALL(garbage" in str(error)


@needs_data
def test_unsupported_schema_is_named(tmp_path: Path) -> None:
    data = FZK.read_bytes().replace(b"FILE_SCHEMA(('IFC4'))", b"FILE_SCHEMA(('IFC5'))")
    path = tmp_path / "future.ifc"
    path.write_bytes(data)
    for function in (sniff, open_ifc):
        error = read_error(function, path)
        assert str(error) == "The schema 'IFC5' is not supported (supported: IFC2X3, IFC4, IFC4X3)."


def test_ifc_without_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "headless.ifc"
    path.write_bytes(
        b"ISO-10303-21;\nDATA;\n#1=IFCWALL('x',$,$,$,$,$,$,$,$);\nENDSEC;\nEND-ISO-10303-21;\n"
    )
    error = read_error(sniff, path)
    assert error.code == "no_schema"


@pytest.mark.parametrize("function", [sniff, open_ifc])
def test_zip_with_only_a_text_file_is_refused(tmp_path: Path, function) -> None:  # type: ignore[no-untyped-def]
    path = write_zip(tmp_path / "model.ifczip", {"readme.txt": "no model here"})
    error = read_error(function, path)
    assert str(error) == "This .ifczip archive holds no .ifc file."
    assert error.code == "zip_no_ifc"


@pytest.mark.parametrize("function", [sniff, open_ifc])
@pytest.mark.parametrize(
    "member", ["../evil.ifc", "/etc/evil.ifc", "a/../../evil.ifc", "C:/evil.ifc"]
)
def test_zip_with_escaping_member_is_refused(tmp_path: Path, function, member: str) -> None:  # type: ignore[no-untyped-def]
    path = write_zip(tmp_path / "model.ifczip", {member: "ISO-10303-21;"})
    work = tmp_path / "work"
    error = read_error(function, path, **({"work_dir": work} if function is open_ifc else {}))
    assert str(error) == (
        f"This .ifczip archive contains a path that escapes its folder ('{member}') and was rejected."
    )
    assert not (tmp_path / "evil.ifc").exists()
    assert not work.exists() or not any(work.iterdir())


def test_zip_bomb_is_refused_by_declared_size(tmp_path: Path) -> None:
    path = tmp_path / "bomb.ifczip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.ifc", b"ISO-10303-21;\n" + b" " * 3_000_000)
    for function in (sniff, open_ifc):
        error = read_error(function, path, max_unzipped_bytes=1_000_000)
        assert error.code == "zip_too_big"
        assert "more than the limit of" in str(error)


def test_ifczip_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.ifczip"
    path.write_bytes(b"%PDF-1.7\nnot a zip")
    error = read_error(sniff, path)
    assert str(error) == "This .ifczip file is not a ZIP archive: it starts with '%PDF-1.7'."


def test_damaged_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    error = read_error(open_ifc, path)
    assert error.code == "bad_zip"
    assert str(error) == "This .zip archive is damaged or incomplete and cannot be unpacked."


@needs_data
def test_zip_named_ifc_and_ifc_named_ifczip_get_a_hint(tmp_path: Path) -> None:
    zipped = write_zip(tmp_path / "model.ifc", {"model.ifc": FZK})
    assert read_error(sniff, zipped).code == "zip_as_ifc"
    plain = tmp_path / "model.ifczip"
    plain.write_bytes(FZK.read_bytes()[:5000])
    assert read_error(sniff, plain).code == "ifc_as_zip"


@needs_data
def test_ifczip_picks_the_largest_ifc_and_unpacks_into_work_dir(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "Upper Case.IFCZIP",
        {
            "notes/readme.txt": "hello",
            "small.ifc": IFC_DIR / "YTONG-Kavel 01.ifc",
            "folder/FZK.IFC": FZK,
            "__MACOSX/._FZK.ifc": "junk",
        },
    )
    sniff(path)
    model = open_ifc(path, work_dir=tmp_path / "work")
    assert len(model.by_type("IfcProduct")) == len(
        ifcopenshell.open(str(FZK)).by_type("IfcProduct")
    )
    assert (tmp_path / "work" / "Upper Case.ifc").stat().st_size == FZK.stat().st_size


@needs_data
def test_ifczip_without_work_dir_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    path = write_zip(tmp_path / "m.ifczip", {"m.ifc": IFC_DIR / "YTONG-Kavel 01.ifc"})
    model = open_ifc(path)
    assert model.by_type("IfcProject")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.ifczip"]


def test_missing_file(tmp_path: Path) -> None:
    assert read_error(open_ifc, tmp_path / "nope.ifc").code == "missing"
