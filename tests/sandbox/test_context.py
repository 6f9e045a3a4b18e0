"""The script context: the contract with script authors, exercised end to end."""

from __future__ import annotations

import json
import os

import pandas as pd
import pytest

from bimflow.scripting.sandbox import Limits


def test_trivial_script_imports_neither_pandas_nor_ifcopenshell(run_script, ifc_model, datapack):
    run = run_script(
        "import sys, json\n"
        "print('hi')\n"
        "print(json.dumps({'pandas': 'pandas' in sys.modules, 'ifc': 'ifcopenshell' in sys.modules,"
        " 'model_path': str(model_path), 'output_dir': str(output_dir)}))\n",
        inputs={"model.ifc": ifc_model.path, "pack.json": datapack},
        model_name="model.ifc",
        datapack_name="pack.json",
    )
    assert run.result.status == "succeeded", run.result.error
    assert run.stdout.startswith("hi")
    assert run.json_line() == {
        "pandas": False,
        "ifc": False,
        "model_path": "/job/inputs/model.ifc",
        "output_dir": "/job/output",
    }


def test_model_is_opened_lazily_and_is_the_real_ifcopenshell_file(run_script, ifc_model):
    code = """
import sys, json, ifcopenshell
before = type(model).__name__
is_file = isinstance(model, ifcopenshell.file)   # opens it
walls = sorted(w.GlobalId for w in model.by_type("IfcWall"))
print(json.dumps({"before": before, "isinstance": is_file, "walls": walls,
                  "schema": model.schema, "rebound": type(model).__name__}))
"""
    run = run_script(code, inputs={"model.ifc": ifc_model.path}, model_name="model.ifc")
    assert run.result.status == "succeeded", run.stderr
    seen = run.json_line()
    assert seen["before"] == "LazyModel"
    assert seen["isinstance"] is True
    assert seen["walls"] == sorted(ifc_model.wall_guids)
    assert seen["schema"] == ifc_model.schema
    assert seen["rebound"] == "file"


def test_elements_and_properties_are_dataframes_from_the_data_pack(run_script, ifc_model, datapack):
    import ifcopenshell

    oracle = ifcopenshell.open(str(ifc_model.path))
    code = """
import json
import os
import pandas as pd
print(json.dumps({"type": isinstance(elements, pd.DataFrame) and isinstance(properties, pd.DataFrame),
                  "walls": sorted(elements[elements.ifc_class == "IfcWall"].guid),
                  "external": sorted(properties[(properties.name == "IsExternal") & properties.value].guid)}))
"""
    run = run_script(
        code, inputs={"model.ifc": ifc_model.path, "pack.json": datapack},
        model_name="model.ifc", datapack_name="pack.json",
    )  # fmt: skip
    assert run.result.status == "succeeded", run.stderr
    seen = run.json_line()
    assert seen["type"] is True
    assert seen["walls"] == sorted(w.GlobalId for w in oracle.by_type("IfcWall"))
    assert seen["external"] == [ifc_model.wall_guids[0]]


def test_missing_data_pack_explains_itself(run_script):
    run = run_script("print(len(elements))")
    assert run.result.status == "failed"
    assert run.result.error == (
        "The script raised RuntimeError: `elements` is not available: this run has no data pack. (line 1)."
    )


def test_params_result_and_findings(run_script, ifc_model):
    code = """
model.schema  # open the model, so that findings get their IFC class
for guid in params["guids"]:
    report.error("Wall without fire rating", guid=guid, rule="FR-1", expected="EI60")
report.warning("Just a warning")
report.info("Info", rule="I", count=3)
result["checked"] = len(params["guids"])
result["nested"] = {"ok": True, "values": [1, 2.5, None]}
"""
    guids = ifc_model.wall_guids[:2]
    run = run_script(
        code, params={"guids": guids}, inputs={"m.ifc": ifc_model.path}, model_name="m.ifc"
    )
    assert run.result.status == "succeeded", run.stderr
    assert run.result.result == {"checked": 2, "nested": {"ok": True, "values": [1, 2.5, None]}}
    assert run.result.findings[:2] == [
        {
            "severity": "error",
            "message": "Wall without fire rating",
            "guid": guid,
            "rule": "FR-1",
            "ifc_class": "IfcWall",
            "details": {"expected": "EI60"},
        }  # fmt: skip
        for guid in guids
    ]
    assert run.result.findings[2]["severity"] == "warning"
    assert run.result.findings[3] == {
        "severity": "info", "message": "Info", "guid": None, "rule": "I", "ifc_class": None,
        "details": {"count": 3},
    }  # fmt: skip
    assert run.stdout == ""  # findings never go through stdout


def test_save_output_with_each_kind_of_data(run_script):
    code = """
import pandas as pd
frame = pd.DataFrame({"guid": ["a", "b"], "area": [1.5, 2.0]})
save_output("notes.txt", "héllo\\n")
save_output("blob.bin", b"\\x00\\x01\\x02")
save_output("table.csv", frame)
save_output("table", frame)
save_output("sheets/table.xlsx", frame)
save_output("table.json", frame)
save_output("table.parquet", frame)
save_output("data.json", {"a": [1, 2]})
save_output("list", [1, "two"])
(output_dir / "direct.txt").write_text("written by a library")
print(type(output_dir).__name__, type(model_path).__name__)
"""
    run = run_script(code)
    assert run.result.status == "succeeded", run.stderr
    files = {f.name: f for f in run.result.files}
    assert sorted(files) == sorted(
        ["notes.txt", "blob.bin", "table.csv", "sheets/table.xlsx", "table.json", "table.parquet",
         "data.json", "list.json", "direct.txt"]
    )  # fmt: skip
    assert files["notes.txt"].path.read_text(encoding="utf-8") == "héllo\n"
    assert files["blob.bin"].path.read_bytes() == b"\x00\x01\x02"
    expected = pd.DataFrame({"guid": ["a", "b"], "area": [1.5, 2.0]})
    pd.testing.assert_frame_equal(pd.read_csv(files["table.csv"].path), expected)
    pd.testing.assert_frame_equal(pd.read_excel(files["sheets/table.xlsx"].path), expected)
    pd.testing.assert_frame_equal(pd.read_json(files["table.json"].path), expected)
    pd.testing.assert_frame_equal(pd.read_parquet(files["table.parquet"].path), expected)
    assert json.loads(files["data.json"].path.read_text()) == {"a": [1, 2]}
    assert json.loads(files["list.json"].path.read_text()) == [1, "two"]
    assert files["table.csv"].content_type == "text/csv"
    assert files["sheets/table.xlsx"].content_type.endswith("spreadsheetml.sheet")
    import hashlib

    for output in files.values():
        assert output.size == output.path.stat().st_size
        assert output.sha256 == hashlib.sha256(output.path.read_bytes()).hexdigest()
    assert run.stdout == "PosixPath NoneType"


def test_save_output_refuses_bad_names_and_types(run_script):
    code = """
for name in ["../x.txt", "/etc/x", "a/../../b", "bad\\nname"]:
    try:
        save_output(name, "x")
    except ValueError as exc:
        print("refused", repr(name))
save_output("obj", object())
"""
    run = run_script(code)
    assert run.stdout.count("refused") == 4
    assert run.result.status == "failed"
    assert run.result.error.startswith(
        "The script raised TypeError: save_output() takes str, bytes"
    )
    assert run.result.error.endswith("(line 7).")
    assert run.result.files == []


def test_non_json_result_fails_with_a_clear_message(run_script):
    run = run_script("result['s'] = {1, 2}")
    assert run.result.status == "failed"
    assert (
        run.result.error
        == "The script's result is not JSON-serialisable: Object of type set is not JSON serializable."
    )
    assert run.result.result == {}


def test_result_accepts_numpy_scalars(run_script):
    run = run_script("import numpy as np\nresult['n'] = np.int64(3)\nresult['x'] = np.float64(0.5)")
    assert run.result.status == "succeeded", run.stderr
    assert run.result.result == {"n": 3, "x": 0.5}


def test_exception_traceback_shows_only_user_frames(run_script):
    code = "def check(x):\n    raise ValueError(f'bad value {x}')\n\ncheck(42)\n"
    run = run_script(code)
    assert run.result.status == "failed"
    assert run.result.exit_code == 1
    assert run.result.error == "The script raised ValueError: bad value 42 (line 2)."
    stderr = run.stderr
    assert stderr.splitlines() == [
        "Traceback (most recent call last):",
        '  File "script.py", line 4, in <module>',
        "    check(42)",
        '  File "script.py", line 2, in check',
        "    raise ValueError(f'bad value {x}')",
        "ValueError: bad value 42",
    ]


def test_error_inside_a_context_helper_hides_bootstrap_frames(run_script):
    run = run_script("x = 1\nsave_output('a', 3.5)\n")
    assert "bootstrap" not in run.stderr
    assert '  File "script.py", line 2, in <module>' in run.stderr
    assert run.result.error.endswith("(line 2).")


def test_syntax_error(run_script):
    run = run_script("x = 1\nif x\n    pass\n")
    assert run.result.status == "failed"
    assert run.result.error == "The script has a syntax error: expected ':' (line 2)."
    assert "bootstrap" not in run.stderr
    assert run.stderr.strip().endswith("SyntaxError: expected ':'")


@pytest.mark.parametrize(
    ("code", "status", "error", "exit_code"),
    [
        ("raise SystemExit(0)", "succeeded", "", 0),
        ("import sys; sys.exit()", "succeeded", "", 0),
        ("import sys; sys.exit(3)", "failed", "The script exited with code 3.", 3),
        ("import sys; sys.exit('giving up')", "failed", "The script exited with code 1.", 1),
    ],
)
def test_system_exit(run_script, code, status, error, exit_code):
    run = run_script(code)
    assert (run.result.status, run.result.error, run.result.exit_code) == (status, error, exit_code)


def test_stdout_is_the_users_plain_log_in_order(run_script):
    code = "import sys\nfor i in range(5):\n    print('out', i)\n    print('err', i, file=sys.stderr)\n"
    run = run_script(code)
    assert [t for s, t in run.lines if s == "stdout"] == [f"out {i}" for i in range(5)]
    assert [t for s, t in run.lines if s == "stderr"] == [f"err {i}" for i in range(5)]


def test_system_stream_says_which_protections_are_active(run_script):
    run = run_script(
        "pass", slot=3, limits=Limits(timeout_s=30, memory_mb=300, max_procs=20, output_mb=10)
    )
    first = run.system[0]
    assert first.startswith(
        "Sandbox: uid drop to 64003, cgroup hybrid memory 300 MB / pids 20 / cpu 1"
    )
    assert "output tmpfs 10 MB" in first and "seccomp on" in first and "no network" in first
    assert run.result.protections["uid"] == 64003
    assert run.result.protections["cgroups"] == {
        "memory": True, "pids": True, "cpu": True, "kill": True, "version": "hybrid",
    }  # fmt: skip


def test_command_runtime(run_script):
    run = run_script(
        "",
        runtime="command",
        argv=["/bin/sh", "-c", "echo from-sh; id -u; echo x > out.txt; exit 4"],
    )
    assert run.stdout.splitlines()[:2] == ["from-sh", "64000"]
    assert run.result.status == "failed"
    assert run.result.error == "The command exited with code 4."
    assert [f.name for f in run.result.files] == ["out.txt"]


def test_command_runtime_with_a_tool_mounted_from_a_0700_folder(run_script, secret_dir):
    tool_dir = secret_dir / "tool"
    tool_dir.mkdir(exist_ok=True)
    tool = tool_dir / "convert.sh"
    tool.write_text('#!/bin/sh\necho "converting $1"\ncp "$1" /job/output/converted.ifc\n')
    os.chmod(tool_dir, 0o755)
    os.chmod(tool, 0o755)
    source = secret_dir / "in.ifc"
    source.write_text("ISO-10303-21;\n")
    os.chmod(source, 0o644)
    run = run_script(
        "",
        runtime="command",
        argv=["/opt/tool/convert.sh", "/job/inputs/in.ifc"],
        inputs={"in.ifc": source},
        ro_mounts={"/opt/tool": tool_dir},
    )
    assert run.result.status == "succeeded", (run.result.error, run.lines)
    assert run.stdout == "converting /job/inputs/in.ifc"
    assert [f.name for f in run.result.files] == ["converted.ifc"]
    assert run.result.files[0].path.read_text() == "ISO-10303-21;\n"


def test_reserved_sandbox_paths_cannot_be_mounted_over(run_script, secret_dir):
    run = run_script("", runtime="command", argv=["/bin/true"], ro_mounts={"/usr/bin": secret_dir})
    assert run.result.status == "failed"
    assert run.result.error == "The sandbox path '/usr/bin' cannot be used for an extra mount."


@pytest.mark.parametrize("filename", ["AC20-FZK-Haus.ifc", "ROOT-Vebo.ifczip"])
def test_real_models_open_inside_the_sandbox(run_script, filename):
    import ifcopenshell

    from tests.conftest import shared_model

    source = shared_model(filename)
    oracle = ifcopenshell.open(str(source))
    name = "model" + source.suffix.lower()
    code = (
        "result['schema'] = model.schema\nresult['products'] = len(model.by_type('IfcProduct'))\n"
    )
    run = run_script(code, inputs={name: source}, model_name=name)
    assert run.result.status == "succeeded", run.stderr
    assert run.result.result == {
        "schema": oracle.schema,
        "products": len(oracle.by_type("IfcProduct")),
    }


def test_a_script_printing_like_bwrap_is_not_taken_for_a_start_failure(run_script):
    run = run_script(
        "import sys, os\nprint('bwrap: Can\\'t mount', file=sys.stderr, flush=True)\nos._exit(3)"
    )
    assert run.result.status == "failed"
    assert run.result.error == "The script exited with code 3."
