"""Hostile scripts against the limits: time, memory, processes, disk, logs (root mode)."""

from __future__ import annotations

import os
import threading
import time

from sandbox_helpers import host_process_count, processes_of_uid

from bimflow.scripting.sandbox import Limits


def _assert_nothing_left(uid: int, before: int | None = None) -> None:
    assert processes_of_uid(uid) == []
    if before is not None:
        # Other engineers share this machine: allow some unrelated churn.
        assert host_process_count() < before + 30


def test_infinite_loop_times_out(run_script):
    run = run_script("while True:\n    pass\n", limits=Limits(timeout_s=1.5), slot=7)
    assert run.result.status == "timed_out"
    assert run.result.error == "The script ran longer than the 1.5 s time limit."
    assert run.result.limits_hit == ["timeout"]
    assert run.result.exit_code is None
    assert 1.4 < run.seconds < 5
    _assert_nothing_left(64007)


def test_allocating_50_gb_fails_with_a_memory_sentence(run_script):
    run = run_script("data = bytearray(50 * 1024**3)\n", limits=Limits(timeout_s=30, memory_mb=256))
    assert run.result.status == "failed"
    assert run.result.error == "The script was stopped because it used more than 256 MB of memory."
    assert "memory" in run.result.limits_hit


def test_growing_memory_is_stopped_by_the_memory_cgroup(run_script):
    code = "chunks = []\nwhile True:\n    chunks.append(b'x' * 10_000_000)\n"
    run = run_script(code, limits=Limits(timeout_s=30, memory_mb=200))
    assert run.result.status == "failed"
    assert run.result.error == "The script was stopped because it used more than 200 MB of memory."
    assert "memory" in run.result.limits_hit
    assert run.result.peak_memory_kb is not None and run.result.peak_memory_kb <= 201 * 1024


def test_several_processes_each_under_the_limit_are_stopped_together(run_script):
    # Each child stays under the per-process address-space limit; together they
    # exceed the job's memory. RLIMIT_AS alone would let this through.
    code = """
import os, time
pids = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        block = b'x' * (180 * 1024 * 1024)
        time.sleep(20)
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
print("all children finished")
"""
    run = run_script(code, limits=Limits(timeout_s=30, memory_mb=300), slot=6)
    assert run.result.status == "failed"
    assert run.result.error == "The script was stopped because it used more than 300 MB of memory."
    assert "all children finished" not in run.stdout
    assert run.seconds < 15
    _assert_nothing_left(64006)


def test_fork_bomb_is_contained(run_script):
    before = host_process_count()
    code = """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""
    run = run_script(code, limits=Limits(timeout_s=3, max_procs=32), slot=8)
    assert run.result.status == "timed_out"
    assert "processes" in run.result.limits_hit
    assert any("limit of 32 processes" in line for line in run.system)
    assert run.seconds < 10
    time.sleep(0.2)
    _assert_nothing_left(64008, before)


def test_double_forked_daemon_is_gone_when_the_job_ends(run_script):
    code = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(1000)
    os._exit(0)
time.sleep(0.2)
print("parent done")
"""
    run = run_script(code, slot=9)
    assert run.result.status == "succeeded"
    assert run.stdout == "parent done"
    assert run.seconds < 5
    _assert_nothing_left(64009)


def test_cancel_stops_the_job_within_two_seconds(run_script):
    asked: list[float] = []

    def should_cancel() -> bool:
        if run_started and time.monotonic() - run_started[0] > 1.0:
            asked.append(time.monotonic())
            return True
        return False

    run_started = [time.monotonic()]
    run = run_script(
        "import time\nprint('sleeping', flush=True)\ntime.sleep(60)\n",
        should_cancel=should_cancel,
        slot=10,
    )
    finished = time.monotonic()
    assert run.result.status == "cancelled"
    assert run.result.error == "The run was cancelled."
    assert asked and finished - asked[0] < 2.0
    _assert_nothing_left(64010)


def test_segfault_is_reported_as_a_crash(run_script):
    run = run_script("import ctypes\nctypes.string_at(0)\n")
    assert run.result.status == "failed"
    assert run.result.error == "The script crashed (signal 11, segmentation fault)."
    assert "Fatal Python error: Segmentation fault" in run.stderr  # faulthandler points at the line
    assert 'File "script.py", line 2' in run.stderr


def test_filling_tmp_and_dev_shm_stops_at_their_caps(run_script):
    code = """
import os, json
def fill(path):
    written = 0
    try:
        with open(path, "wb") as handle:
            while written < 200 * 1024 * 1024:
                handle.write(b"x" * (1 << 20))
                handle.flush()
                written += 1 << 20
    except OSError as exc:
        return [written // (1 << 20), exc.strerror]
    return [written // (1 << 20), "no limit"]
print(json.dumps({"tmp": fill("/tmp/fill"), "shm": fill("/dev/shm/fill")}))
"""
    run = run_script(code, limits=Limits(timeout_s=30, memory_mb=512, tmp_mb=16))
    assert run.result.status == "succeeded", run.result.error
    seen = run.json_line()
    assert seen["tmp"][0] <= 16 and seen["tmp"][1] in ("No space left on device", "File too large")
    assert seen["shm"][0] <= 8 and seen["shm"][1] in ("No space left on device", "File too large")


def test_filling_the_output_folder_with_many_small_files_stops_at_the_inode_cap(run_script):
    code = """
import os
count = 0
try:
    while count < 100000:
        open(f"/job/output/f{count}", "w").close()
        count += 1
except OSError as exc:
    print(count, exc.strerror)
"""
    run = run_script(code, limits=Limits(timeout_s=30, max_output_files=300))
    assert run.result.status == "succeeded"
    count, _, reason = run.stdout.partition(" ")
    assert int(count) < 300 and reason == "No space left on device"
    assert len(run.result.files) == int(count)


def test_log_flood_is_truncated_with_one_notice_and_the_job_ends(run_script):
    code = "for i in range(200_000):\n    print('line', i)\nprint('done')\n"
    run = run_script(code, limits=Limits(timeout_s=60, log_max_lines=1000))
    assert run.result.status == "succeeded"
    assert len(run.lines) == 1000
    assert run.lines[-1] == ("stdout", "line 999")
    notices = [s for s in run.system if "truncated" in s]
    assert notices == [
        "The log was truncated after 1,000 lines (limits: 1,000 lines or 20 MB); further output was discarded."
    ]
    assert "log_truncated" in run.result.limits_hit


def test_log_past_the_hard_cap_stops_the_job(run_script):
    code = "import sys\nwhile True:\n    sys.stdout.write('x' * 1000 + '\\n')\n"
    run = run_script(code, limits=Limits(timeout_s=60, log_max_bytes=100_000))
    assert run.result.status == "failed"
    assert run.result.error == "The log exceeded 1.0 MB and the script was stopped."
    assert "log_killed" in run.result.limits_hit and "log_truncated" in run.result.limits_hit
    assert sum(len(t) + 1 for _, t in run.lines) <= 100_000
    assert run.seconds < 10


def test_invalid_utf8_and_a_1_mb_line(run_script):
    code = (
        "import sys\n"
        "sys.stdout.buffer.write(b'ok \\xff\\xfe end\\n')\n"
        "sys.stdout.buffer.flush()\n"
        "print('a' * 1_000_000)\n"
        "print('after')\n"
    )
    run = run_script(code)
    assert run.result.status == "succeeded"
    out = [t for s, t in run.lines if s == "stdout"]
    assert out[0] == "ok \ufffd\ufffd end"
    assert out[1] == "a" * 10_000 + " … [line cut at 10,000 characters]"
    assert out[2] == "after"


def test_deep_recursion_and_thread_bomb_fail_cleanly(run_script):
    run = run_script("def f(n):\n    return f(n + 1)\nf(0)\n")
    assert run.result.error.startswith(
        "The script raised RecursionError: maximum recursion depth exceeded"
    )
    code = """
import threading, time
threads = []
try:
    for _ in range(10_000):
        t = threading.Thread(target=time.sleep, args=(30,), daemon=True)
        t.start()
        threads.append(t)
except RuntimeError as exc:
    print("stopped at", len(threads), exc)
"""
    run = run_script(code, limits=Limits(timeout_s=30, max_procs=40), slot=11)
    assert run.result.status == "succeeded", run.result.error
    assert run.stdout.startswith("stopped at ")
    assert int(run.stdout.split()[2]) < 40
    _assert_nothing_left(64011)


def test_sigstop_and_killing_the_parent_do_not_escape(run_script):
    code = """
import os, signal, time
if os.fork() == 0:
    os.kill(os.getppid(), signal.SIGSTOP)
    time.sleep(100)
time.sleep(100)
"""
    run = run_script(code, limits=Limits(timeout_s=1.5), slot=12)
    assert run.result.status == "timed_out"
    _assert_nothing_left(64012)


def test_jobs_in_threads_run_concurrently(run_script):
    results = {}

    def one(slot: int) -> None:
        results[slot] = run_script(
            f"import time\ntime.sleep(1.0)\nresult['slot'] = {slot}", slot=20 + slot
        )

    started = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started < 3.0
    assert {s: r.result.result for s, r in results.items()} == {i: {"slot": i} for i in range(3)}


def test_same_slot_twice_is_refused(run_script):
    ready = threading.Event()
    holder = threading.Thread(
        target=lambda: run_script(
            "print('in', flush=True)\nimport time\ntime.sleep(2)",
            slot=30,
            on_line=lambda s, t: ready.set(),
        )  # fmt: skip
    )
    holder.start()
    assert ready.wait(20)
    second = run_script("print('second')", slot=30)
    holder.join()
    assert second.result.status == "failed"
    assert second.result.error == "Execution slot 30 is already in use by another job."
    assert os.path.exists("/proc/self")
