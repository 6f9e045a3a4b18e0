"""Hostile scripts that try to read, write or reach what is not theirs (root mode)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time

import pytest

from bimflow.scripting import sandbox
from bimflow.scripting.sandbox import Limits

PROBE = """
import json, os
def attempt(fn):
    try:
        value = fn()
        return "ok: " + (value if isinstance(value, str) else repr(value))[:200]
    except Exception as exc:
        return "denied: " + type(exc).__name__
"""


def _attempts(run) -> dict[str, str]:
    assert run.result.status == "succeeded", (run.result.error, run.stderr)
    return run.json_line()  # type: ignore[return-value]


def test_host_secrets_are_not_readable(run_script, secret_dir, monkeypatch):
    monkeypatch.setenv("BIMFLOW_FAKE_SECRET", "s3cr3t-database-url-value")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:s3cr3t-database-url-value@db/x")
    code = (
        PROBE
        + f"""
def all_environ():
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                out.append(open(f"/proc/{{pid}}/environ", "rb").read().decode())
            except OSError:
                pass
    return " | ".join(out)
print(json.dumps({{
    "shadow": attempt(lambda: open("/etc/shadow").read()),
    "passwd": attempt(lambda: open("/etc/passwd").read()),
    "secret_file": attempt(lambda: open({str(secret_dir / "not-an-input.txt")!r}).read()),
    "secret_dir": attempt(lambda: os.listdir({str(secret_dir)!r})),
    "root_home": attempt(lambda: os.listdir("/root")),
    "source_tree": attempt(lambda: os.listdir({os.path.dirname(os.path.dirname(__file__))!r})),
    "bimflow_settings": attempt(lambda: __import__("bimflow.settings")),
    "environ_1": attempt(lambda: open("/proc/1/environ", "rb").read().decode()),
    "all_environ": all_environ(),
    "own_environ": dict(os.environ),
    "cmdline_1": open("/proc/1/cmdline", "rb").read().decode().replace("\\0", " "),
    "visible_pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
}}))
"""
    )
    seen = _attempts(run_script(code))
    assert seen["shadow"] == "denied: FileNotFoundError"
    assert seen["passwd"] == "denied: FileNotFoundError"
    assert seen["secret_file"] == "denied: FileNotFoundError"
    assert seen["secret_dir"] == "denied: FileNotFoundError"
    assert seen["root_home"] == "denied: FileNotFoundError"
    assert seen["source_tree"] == "denied: FileNotFoundError"
    assert seen["bimflow_settings"] == "denied: ModuleNotFoundError"
    assert seen["environ_1"] == "ok: PATH=/usr/bin:/bin\x00"
    assert "s3cr3t" not in json.dumps(seen)
    assert set(seen["own_environ"]) == {
        "PATH", "HOME", "TMPDIR", "LANG", "MALLOC_ARENA_MAX", "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "MPLCONFIGDIR", "PWD",
    }  # fmt: skip
    assert seen["cmdline_1"].startswith("bwrap --args ")
    assert "/tmp/bimflow-sbx" not in seen["cmdline_1"]  # no host job paths in the command line
    assert seen["visible_pids"] == [1, 2]  # own pid namespace: bwrap's init and the script


def test_inputs_from_a_0700_folder_are_readable_and_read_only(run_script, ifc_model, secret_dir):
    code = (
        PROBE
        + """
print(json.dumps({
    "read": attempt(lambda: open("/job/inputs/model.ifc").read(20)),
    "write": attempt(lambda: open("/job/inputs/model.ifc", "a").write("x")),
    "unlink": attempt(lambda: os.unlink("/job/inputs/model.ifc")),
    "create": attempt(lambda: open("/job/inputs/new.txt", "w")),
}))
"""
    )
    assert oct(os.stat(secret_dir).st_mode & 0o777) == "0o700"
    seen = _attempts(run_script(code, inputs={"model.ifc": ifc_model.path}))
    assert seen["read"] == "ok: ISO-10303-21;\nHEADER"
    assert seen["write"].startswith("denied: ")
    assert seen["unlink"].startswith("denied: ")
    assert seen["create"].startswith("denied: ")
    assert ifc_model.path.read_text().startswith("ISO-10303-21;")


def test_writing_outside_the_output_folder_is_impossible(run_script):
    targets = ["/usr/evil", "/evil", "/job/evil", "/job/spec.json", "/opt/bimflow/lib/bimflow/evil.py",
               "/proc/sys/kernel/core_pattern", "/proc/sys/vm/drop_caches", "/dev/evil", "/etc/evil"]  # fmt: skip
    import sys

    targets.append(sys.prefix + "/evil.pth")
    code = (
        PROBE
        + f"""
print(json.dumps({{t: attempt(lambda t=t: open(t, "w").write("1")) for t in {targets!r}}}))
"""
    )
    seen = _attempts(run_script(code))
    assert all(v.startswith("denied: ") for v in seen.values()), seen
    assert not os.path.exists(sys.prefix + "/evil.pth")
    assert open("/proc/sys/kernel/core_pattern").read().strip() != "1"


def test_core_pattern_cannot_be_opened_for_writing(run_script):
    code = (
        PROBE
        + """
print(json.dumps({"core_pattern": attempt(lambda: open("/proc/sys/kernel/core_pattern", "w")),
                  "mounts": [l.split()[1:4] for l in open("/proc/self/mounts") if " /proc/sys " in l]}))
"""
    )
    seen = _attempts(run_script(code))
    assert seen["core_pattern"] == "denied: OSError"
    assert seen["mounts"] and seen["mounts"][0][2].startswith("ro,")


def test_network_is_unreachable(run_script):
    # A real listener on the host's loopback: reachable from the host, not from inside.
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    port = server.getsockname()[1]
    accepted: list[object] = []
    acceptor = threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True)
    acceptor.start()
    code = (
        PROBE
        + f"""
import socket
def connect(host, port):
    s = socket.create_connection((host, port), timeout=3)
    return "connected"
print(json.dumps({{
    "postgres": attempt(lambda: connect("127.0.0.1", 5432)),
    "host_listener": attempt(lambda: connect("127.0.0.1", {port})),
    "dns": attempt(lambda: connect("1.1.1.1", 53)),
    "resolve": attempt(lambda: socket.getaddrinfo("example.com", 80)),
    "interfaces": [name for _, name in socket.if_nameindex()],
}}))
"""
    )
    try:
        seen = _attempts(run_script(code))
        with socket.create_connection(("127.0.0.1", port), timeout=3):
            pass  # control: the listener works from the host
        acceptor.join(5)
    finally:
        server.close()
    assert seen["postgres"] == "denied: ConnectionRefusedError"
    assert seen["host_listener"] == "denied: ConnectionRefusedError"
    assert seen["dns"] == "denied: OSError"  # network unreachable
    assert seen["resolve"].startswith("denied: ")
    assert seen["interfaces"] == ["lo"]
    assert len(accepted) == 1  # only the host's own control connection


def test_seccomp_denies_dangerous_syscalls(run_script):
    code = (
        PROBE
        + """
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
def sys_call(nr, *args):
    def call():
        if libc.syscall(nr, *args) == -1:
            raise OSError(ctypes.get_errno(), errno.errorcode[ctypes.get_errno()])
        return "allowed"
    return call
def errno_of(fn):
    try:
        fn(); return "allowed"
    except OSError as exc:
        return errno.errorcode[exc.errno]
print(json.dumps({
    "ptrace_traceme": errno_of(sys_call(101, 0, 0, 0, 0)),
    "keyctl": errno_of(sys_call(250, 0, -3, 0)),
    "io_uring_setup": errno_of(sys_call(425, 1, 0)),
    "userfaultfd": errno_of(sys_call(323, 0)),
    "bpf": errno_of(sys_call(321, 0, 0, 0)),
    "perf_event_open": errno_of(sys_call(298, 0, 0, -1, -1, 0)),
    "unshare_user": errno_of(sys_call(272, 0x10000000)),
    "unshare_ns": errno_of(sys_call(272, 0x00020000)),
    "mount": errno_of(sys_call(165, 0, 0, 0, 0, 0)),
    "getpid": errno_of(sys_call(39)),
}))
"""
    )
    if os.uname().machine != "x86_64":
        pytest.skip("syscall numbers in this test are x86-64")
    seen = _attempts(run_script(code))
    assert seen.pop("getpid") == "allowed"
    assert seen == {name: "EPERM" for name in seen}, seen


def test_no_nested_user_namespaces_or_capabilities(run_script):
    code = (
        PROBE
        + """
import ctypes, errno, signal
libc = ctypes.CDLL(None, use_errno=True)
def clone_newuser():
    # clone(CLONE_NEWUSER | SIGCHLD): not filtered by seccomp, refused by --disable-userns.
    pid = libc.syscall(56, 0x10000000 | signal.SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        os._exit(0)
    if pid > 0:
        os.waitpid(pid, 0)
        return "allowed"
    return errno.errorcode[ctypes.get_errno()]
status = {l.split(":")[0]: l.split(":")[1].strip() for l in open("/proc/self/status")}
print(json.dumps({"uid": os.getuid(), "caps": [status["CapEff"], status["CapPrm"], status["CapBnd"]],
                  "no_new_privs": status["NoNewPrivs"], "clone_newuser": clone_newuser()}))
"""
    )
    if os.uname().machine != "x86_64":
        pytest.skip("syscall numbers in this test are x86-64")
    seen = _attempts(run_script(code, slot=5))
    assert seen["uid"] == 64005
    assert seen["caps"] == ["0000000000000000"] * 3
    assert seen["no_new_privs"] == "1"
    assert seen["clone_newuser"] in ("ENOSPC", "EPERM", "EUSERS")


def test_two_concurrent_jobs_cannot_see_each_others_files(run_script, tmp_path, sandbox_work_dir):
    secret = tmp_path / "b-secret.txt"
    secret.write_text("JOB-B-SECRET")
    os.chmod(secret, 0o644)
    b_code = """
open("/job/output/b-output.txt", "w").write("JOB-B-OUTPUT")
print("ready", flush=True)
import time; time.sleep(4)
"""
    results: dict[str, object] = {}
    ready = threading.Event()

    def watch(stream: str, text: str) -> None:
        if text == "ready":
            ready.set()

    thread = threading.Thread(
        target=lambda: results.setdefault(
            "b", run_script(b_code, slot=2, inputs={"b.txt": secret}, on_line=watch)
        )
    )
    thread.start()
    assert ready.wait(20)
    job_dirs = [str(p) for p in sandbox_work_dir.glob("j-*")]
    a_code = (
        PROBE
        + f"""
targets = {job_dirs!r}
print(json.dumps({{
    "b_input_host_path": attempt(lambda: open({str(secret)!r}).read()),
    "b_job_dirs": [attempt(lambda t=t: os.listdir(t)) for t in targets],
    "b_outputs": [attempt(lambda t=t: open(t + "/out/b-output.txt").read()) for t in targets],
    "work_dir": attempt(lambda: os.listdir({str(sandbox_work_dir)!r})),
    "found": [os.path.join(d, f) for top in ("/job", "/tmp", "/opt", "/dev/shm", "/work")
              for d, _, files in os.walk(top) for f in files if f in ("b-output.txt", "b.txt")],
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
}}))
"""
    )
    a = run_script(a_code, slot=1)
    thread.join()
    seen = _attempts(a)
    assert seen["b_input_host_path"] == "denied: FileNotFoundError"
    assert seen["b_job_dirs"] and all(v == "denied: FileNotFoundError" for v in seen["b_job_dirs"])
    assert all(v == "denied: FileNotFoundError" for v in seen["b_outputs"])
    assert seen["work_dir"] == "denied: FileNotFoundError"
    assert seen["found"] == []
    assert seen["pids"] == [1, 2]
    b = results["b"]
    assert b.result.status == "succeeded"  # type: ignore[attr-defined]
    assert [f.name for f in b.result.files] == ["b-output.txt"]  # type: ignore[attr-defined]


def test_the_sandbox_sees_a_minimal_filesystem(run_script):
    code = (
        PROBE
        + """
print(json.dumps({"root": sorted(os.listdir("/")), "etc": sorted(os.listdir("/etc")),
                  "job": sorted(os.listdir("/job")), "lib": sorted(os.listdir("/opt/bimflow/lib/bimflow"))}))
"""
    )
    seen = _attempts(run_script(code))
    assert seen["etc"] == ["ld.so.cache", "localtime"] or seen["etc"] == ["ld.so.cache"]
    assert seen["job"] == ["inputs", "output", "script.py", "spec.json"]
    assert seen["lib"] == ["__init__.py", "ifc", "scripting"]
    # The Python environment (venv and base interpreter) is mounted read-only at its own
    # host path, so its top-level folder shows up wherever the checkout happens to live.
    python_tops = {tree.parts[1] for tree in sandbox.get_settings().python_trees}
    allowed = {
        "bin",
        "dev",
        "etc",
        "job",
        "lib",
        "lib64",
        "opt",
        "proc",
        "sbin",
        "tmp",
        "usr",
    }
    assert set(seen["root"]) <= allowed | python_tops


def test_host_is_untouched_after_a_write_storm(run_script, sandbox_work_dir):
    before = os.statvfs("/")
    run = run_script(
        "import os\nfor i in range(100):\n    open(f'/job/output/f{i}', 'wb').write(os.urandom(1 << 20))\n",
        limits=Limits(timeout_s=30, output_mb=20),
    )
    after = os.statvfs("/")
    assert run.result.status == "failed"
    assert "No space left on device" in run.result.error
    assert "output" in run.result.limits_hit
    assert sum(f.size for f in run.result.files) <= 20 * 1024 * 1024
    lost = (before.f_bfree - after.f_bfree) * before.f_frsize
    assert lost < 60 * 1024 * 1024  # 20 MB copied out, never the 100 MB attempted
    time.sleep(0)
