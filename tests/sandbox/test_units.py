"""Unit tests of the pieces that need no sandbox: lines, channel, seccomp, sentences."""

from __future__ import annotations

import json
import os
import socket
import struct
from pathlib import Path

import pytest

from bimflow.scripting.sandbox import Limits, seccomp
from bimflow.scripting.sandbox.channel import ChannelReader
from bimflow.scripting.sandbox.logstream import LineSplitter, LogSink
from bimflow.scripting.sandbox.outcome import Facts, decide


def test_line_splitter_joins_chunks_and_replaces_invalid_utf8():
    splitter = LineSplitter()
    assert splitter.feed(b"hel") == []
    assert splitter.feed(b"lo\nwor") == ["hello"]
    assert splitter.feed(b"ld \xc3\xa9\r\n\xff") == ["world é"]
    assert splitter.feed(b"\xfe tail") == []
    assert splitter.flush() == ["\ufffd\ufffd tail"]
    # A multi-byte character split across two chunks survives.
    euro = "€".encode()
    assert splitter.feed(euro[:1]) == [] and splitter.feed(euro[1:] + b"\n") == ["€"]


def test_line_splitter_cuts_a_huge_line_without_holding_it():
    splitter = LineSplitter(max_chars=100)
    out: list[str] = []
    for _ in range(1000):
        out += splitter.feed(b"x" * 1000)
        assert len(splitter._buf) <= 4 * 100 + 4 + 1000
    out += splitter.feed(b"end of it\nnext\n")
    assert out == ["x" * 100 + " … [line cut at 100 characters]", "next"]


def test_log_sink_truncates_once_and_asks_to_kill_past_the_hard_cap():
    lines: list[tuple[str, str]] = []
    system: list[str] = []
    sink = LogSink(
        lambda s, t: lines.append((s, t)),
        system.append,
        max_lines=3,
        max_bytes=10**6,
        kill_bytes=100,
    )
    sink.feed("stdout", b"a\nb\n")
    sink.feed("stderr", b"c\nd\ne\n")
    assert lines == [("stdout", "a"), ("stdout", "b"), ("stderr", "c")]
    assert len(system) == 1 and system[0].startswith("The log was truncated after 3 lines")
    assert not sink.must_kill
    sink.feed("stdout", b"z" * 200)
    assert sink.must_kill
    assert len(system) == 1


def _reader(limits: Limits | None = None) -> tuple[ChannelReader, socket.socket, list[str]]:
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    notes: list[str] = []
    return ChannelReader(ours, limits or Limits(), notes.append), theirs, notes


def _drain(reader: ChannelReader) -> None:
    """Read until the (closed) other side is exhausted."""
    while not reader.eof:
        reader.read()


def test_channel_survives_forged_and_broken_messages():
    reader, theirs, notes = _reader()
    garbage = [
        b"not json\n",
        b"[1, 2]\n",
        b'{"t": "finding", "severity": "fatal", "message": "x"}\n',
        b'{"t": "finding", "severity": "error", "message": 3}\n',
        b'{"t": "finding", "severity": "error", "message": "ok", "guid": 5}\n',
        b'{"t": "result", "result": [1]}\n',
        b'{"t": "exit", "code": "0"}\n',
        b'{"t": "finding", "severity": "error", "message": "NaN", "details": {"x": NaN}}\n',
        b'{"t": "hello", "fds": ["/etc"]}\n',  # not first, carries no fd: ignored
        b"\xff\xfe\n",
        b'{"t": "finding", "severity": "warning", "message": "'
        + b"m" * 20_000
        + b'", "rule": "R"}\n',
        b'{"t": "error", "kind": "exception", "type": "ValueError", "message": "a\\nb", "line": 3}\n',
        b'{"t": "exit", "code": 1}\n',
    ]
    theirs.sendall(
        b'{"t": "finding", "severity": "info", "message": "first"}\n' + b"".join(garbage)
    )
    theirs.close()
    _drain(reader)
    assert reader.eof
    assert [f["message"][:5] for f in reader.findings] == ["first", "mmmmm"]
    assert len(reader.findings[1]["message"]) == 10_000
    assert reader.malformed == 10
    assert reader.result is None
    assert reader.exit_code == 1
    assert reader.error == {"kind": "exception", "type": "ValueError", "message": "a b", "line": 3}
    assert notes == []


def test_channel_caps_findings_and_says_so():
    reader, theirs, notes = _reader(Limits(max_findings=5))
    theirs.sendall(
        b"".join(b'{"t": "finding", "severity": "info", "message": "%d"}\n' % i for i in range(50))
    )
    theirs.close()
    _drain(reader)
    assert len(reader.findings) == 5
    assert reader.findings_capped
    assert notes == ["The script reported more than 5 findings; further findings were discarded."]


def test_channel_rejects_an_oversized_result_without_buffering_it():
    reader, theirs, _notes = _reader(Limits(result_max_bytes=1000))
    payload = b'{"t": "result", "result": {"x": "' + b"y" * 200_000 + b'"}}\n'
    theirs.setblocking(True)
    import threading

    sender = threading.Thread(target=lambda: (theirs.sendall(payload), theirs.close()))
    sender.start()
    while not reader.eof:
        reader.read()
    sender.join()
    assert reader.result is None and reader.result_too_large


def test_channel_keeps_only_the_first_fds_and_closes_the_rest():
    reader, theirs, _notes = _reader()
    fd1 = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    fd2 = os.open("/", os.O_RDONLY | os.O_DIRECTORY)
    socket.send_fds(theirs, [b'{"t": "hello", "fds": ["/job/output"]}\n'], [fd1])
    socket.send_fds(theirs, [b'{"t": "hello", "fds": ["/tmp"]}\n'], [fd2])
    os.close(fd1)
    os.close(fd2)
    theirs.close()
    _drain(reader)
    assert list(reader.fds) == ["/job/output"]
    assert reader.malformed == 1
    open_fds = set(os.listdir("/proc/self/fd"))
    reader.close_fds()
    assert len(open_fds - set(os.listdir("/proc/self/fd"))) == 1


def test_seccomp_program_shape():
    program = seccomp.build(machine="x86_64")
    insns = [struct.unpack("=HBBI", program[i : i + 8]) for i in range(0, len(program), 8)]
    assert insns[0] == (0x20, 0, 0, 4)  # load arch
    assert insns[1] == (0x15, 1, 0, 0xC000003E)  # x86-64 or ...
    assert insns[2] == (0x06, 0, 0, 0x80000000)  # ... kill the process
    assert insns[-2] == (0x06, 0, 0, 0x7FFF0000)  # allow
    assert insns[-1] == (0x06, 0, 0, 0x00050000 | 1)  # EPERM
    checks = insns[4:-2]
    assert checks[0] == (0x35, len(checks), 0, 0x40000000)  # x32 ABI denied
    for index, (code, jt, jf, _nr) in enumerate(checks):
        assert code in (0x15, 0x35) and jf == 0
        assert 4 + index + 1 + jt == len(insns) - 1  # every match jumps to "deny"
    denied = {nr for code, _jt, _jf, nr in checks if code == 0x15}
    assert {101, 250, 321, 425, 426, 427, 323, 298, 165, 272, 308, 246, 320} <= denied
    assert 319 not in denied  # memfd_create only without a memory cgroup
    strict = seccomp.build(machine="x86_64", deny_uncounted_memory=True)
    assert 319 in {struct.unpack("=HBBI", strict[i : i + 8])[3] for i in range(0, len(strict), 8)}
    assert len(seccomp.build(machine="aarch64")) > 0
    with pytest.raises(ValueError):
        seccomp.build(machine="sparc")


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            Facts(killed_for="timeout"),
            ("timed_out", "The script ran longer than the 300 s time limit."),
        ),
        (Facts(killed_for="cancelled"), ("cancelled", "The run was cancelled.")),
        (
            Facts(killed_for="memory"),
            ("failed", "The script was stopped because it used more than 2048 MB of memory."),
        ),
        (
            Facts(killed_for="log"),
            ("failed", "The log exceeded 200 MB and the script was stopped."),
        ),
        (Facts(bwrap_code=139), ("failed", "The script crashed (signal 11, segmentation fault).")),
        (Facts(bwrap_code=134), ("failed", "The script crashed (signal 6, aborted).")),
        (Facts(bwrap_code=0, exit_record=0), ("succeeded", "")),
        (Facts(bwrap_code=5, exit_record=5), ("failed", "The script exited with code 5.")),
        (
            Facts(
                bwrap_code=1,
                exit_record=1,
                error={"kind": "exception", "type": "KeyError", "message": "'x'", "line": 7},
            ),
            ("failed", "The script raised KeyError: 'x' (line 7)."),
        ),
        (
            Facts(
                bwrap_code=1,
                exit_record=1,
                error={"kind": "exception", "type": "MemoryError", "message": "", "line": 2},
            ),
            ("failed", "The script was stopped because it used more than 2048 MB of memory."),
        ),
        (
            Facts(
                setup_error="bwrap: Can't mount proc on /newroot/proc: Operation not permitted",
                bwrap_code=1,
            ),
            (
                "failed",
                "The sandbox could not start: Can't mount proc on /newroot/proc: Operation not permitted.",
            ),
        ),
    ],
)
def test_outcome_sentences(facts, expected):
    status, error, _code = decide(facts, Limits())
    assert (status, error) == expected


def test_limits_json_roundtrip_is_not_needed_but_fields_are_plain():
    assert json.loads(json.dumps(Limits().__dict__))["log_max_lines"] == 200_000


def test_cgroup_layout_parsing_for_v2_hybrid_and_containers():
    from bimflow.scripting.sandbox.cgroups import join_path, parse_mounts, parse_own

    pure_v2 = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
    assert parse_mounts(pure_v2) == [("cgroup2", "/", "/sys/fs/cgroup", {"rw", "nsdelegate"})]
    hybrid = (
        "31 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "32 25 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
        "33 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
    )
    assert [(m[0], m[2]) for m in parse_mounts(hybrid)] == [
        ("cgroup", "/sys/fs/cgroup/memory"),
        ("cgroup2", "/sys/fs/cgroup/unified"),
        ("cgroup", "/sys/fs/cgroup/cpu,cpuacct"),
    ]
    v1, v2 = parse_own(
        "4:memory:/system.slice/w.service\n2:cpu,cpuacct:/\n0::/system.slice/w.service\n"
    )
    assert v1 == {"memory": "/system.slice/w.service", "cpu": "/", "cpuacct": "/"}
    assert v2 == "/system.slice/w.service"
    assert join_path("/sys/fs/cgroup", "/", "/system.slice/w.service") == Path(
        "/sys/fs/cgroup/system.slice/w.service"
    )
    assert join_path("/sys/fs/cgroup", "/", "/") == Path("/sys/fs/cgroup")
    # Inside a container the mount root is our own cgroup.
    assert join_path("/sys/fs/cgroup", "/docker/abc", "/docker/abc/sub") == Path(
        "/sys/fs/cgroup/sub"
    )
    assert join_path("/sys/fs/cgroup", "/docker/abc", "/other") is None
