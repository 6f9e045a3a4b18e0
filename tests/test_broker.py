"""The embedded broker (kombu's filesystem transport) must not hand a worker a message
file that is still being written: that lost ingest tasks when several uploads queued
at once (the worker logged a JSONDecodeError, the version stayed `uploaded`)."""

from __future__ import annotations

import builtins
import json

import pytest
from kombu import Connection
from kombu.transport import filesystem

from bimflow import celery as bimflow_celery


def _channel(transport, folder):
    connection = Connection(
        "filesystem://",
        transport=transport,
        transport_options={"data_folder_in": str(folder), "data_folder_out": str(folder)},
    )
    return connection, connection.default_channel


def _consume_while_writing(monkeypatch, module, channel, consumer):
    """Make the producer's write first let a consumer poll the folder (the race)."""
    seen = []
    real_open = builtins.open

    class Interrupted:
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            try:
                seen.append(consumer._get("ingest"))
            except Exception as exc:  # noqa: BLE001 - what the consumer ran into is the result
                seen.append(exc)
            return self.fh.write(data)

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.fh.__exit__(*exc)

    def racing_open(path, mode="r", *args, **kwargs):
        fh = real_open(path, mode, *args, **kwargs)
        return Interrupted(fh) if "w" in mode else fh

    monkeypatch.setattr(module, "open", racing_open, raising=False)
    channel._put("ingest", {"body": "ingest version 7"})
    monkeypatch.undo()
    return seen


def test_kombu_filesystem_transport_alone_loses_a_message_read_mid_write(monkeypatch, tmp_path):
    """The upstream behaviour the fix is for (if kombu fixes it, this test says so)."""
    connection, producer = _channel(filesystem.Transport, tmp_path)
    _, consumer = _channel(filesystem.Transport, tmp_path)
    seen = _consume_while_writing(monkeypatch, filesystem, producer, consumer)
    assert len(seen) == 1 and isinstance(seen[0], json.JSONDecodeError)
    connection.release()


def test_messages_appear_only_once_written(monkeypatch, tmp_path):
    connection, producer = _channel(bimflow_celery.AtomicFilesystemTransport, tmp_path)
    _, consumer = _channel(bimflow_celery.AtomicFilesystemTransport, tmp_path)
    seen = _consume_while_writing(monkeypatch, bimflow_celery, producer, consumer)
    # Mid-write the consumer finds nothing; afterwards it finds the whole message.
    assert len(seen) == 1 and isinstance(seen[0], filesystem.Empty)
    assert consumer._get("ingest") == {"body": "ingest version 7"}
    with pytest.raises(filesystem.Empty):
        consumer._get("ingest")
    assert list(tmp_path.iterdir()) == []
    connection.release()


def test_the_app_uses_it_for_the_filesystem_broker():
    from bimflow.celery import app

    if not str(app.conf.broker_url).startswith("filesystem://"):
        pytest.skip("another broker is configured")
    with app.connection_for_write() as connection:
        assert isinstance(connection.default_channel, bimflow_celery._AtomicFilesystemChannel)
