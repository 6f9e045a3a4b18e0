"""The embedded broker (kombu's filesystem transport) never hands a worker a message
file that is still being written (regression: a worker died with "Unrecoverable error:
JSONDecodeError" when it read a message the web had created but not yet written)."""

from __future__ import annotations

import json
import os
import threading

from kombu import Connection

from bimflow.core.broker import Transport


def connection(folder) -> Connection:
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    return Connection(transport=Transport, transport_options=options)


def test_a_reader_never_sees_a_half_written_message(tmp_path):
    seen_bad: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        # What kombu's reader does: list the folder, read every "*.msg" file.
        while not stop.is_set():
            for name in os.listdir(tmp_path):
                if not name.endswith(".msg"):
                    continue
                try:
                    data = (tmp_path / name).read_bytes()
                except FileNotFoundError:
                    continue
                try:
                    json.loads(data)
                except ValueError:
                    seen_bad.append(name)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    with connection(tmp_path) as conn:
        channel = conn.default_channel
        # A payload that takes a few milliseconds to encode: kombu's own transport
        # encodes it after creating the file, so a reader sees it empty meanwhile.
        payload = {"body": [{"guid": "x" * 22, "n": n} for n in range(20_000)]}
        for i in range(100):
            channel._put("q", {**payload, "i": i})
    stop.set()
    thread.join(5)
    assert seen_bad == []
    names = os.listdir(tmp_path)
    assert len(names) == 100 and all(n.endswith(".q.msg") for n in names)


def test_an_undecodable_message_is_skipped_not_fatal(tmp_path):
    with connection(tmp_path) as conn:
        channel = conn.default_channel
        # Named to sort before any real message ("<monotonic ms>_<uuid>"): "1_..." sorted
        # after them once the machine had been up for 10^7 ms (2.8 h).
        (tmp_path / "0_broken.q.msg").write_bytes(b"")
        channel._put("q", {"body": "good"})
        got = []
        for _ in range(3):
            try:
                got.append(channel._get("q"))
            except Exception as exc:  # noqa: BLE001 - Empty is what we expect once
                got.append(type(exc).__name__)
    assert got == ["Empty", {"body": "good"}, "Empty"]
