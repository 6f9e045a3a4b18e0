"""Runs web, worker and beat as child processes for `bimflow serve`.

A child that exits on its own is reported and restarted, up to a few times a minute;
past that the whole stops with a message. Ctrl-C or SIGTERM stops every child (SIGTERM,
then SIGKILL after a grace period).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

MAX_RESTARTS_PER_MINUTE = 3
GRACE_S = 15


class Supervisor:
    def __init__(self, commands: dict[str, list[str]]):
        self.commands = commands
        self.procs: dict[str, subprocess.Popen] = {}
        self.restarts: dict[str, list[float]] = {name: [] for name in commands}
        self.stopping = False

    def _start(self, name: str) -> None:
        # Own session: the terminal's Ctrl-C reaches only us, and we stop children in order.
        self.procs[name] = subprocess.Popen(self.commands[name], start_new_session=True)

    def _on_signal(self, signum, frame) -> None:
        self.stopping = True

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_S
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"bimflow: {name} did not stop in {GRACE_S} s; killing it", file=sys.stderr)
                proc.kill()
                proc.wait()

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        for name in self.commands:
            self._start(name)
        code = 0
        while not self.stopping:
            time.sleep(0.5)
            for name, proc in list(self.procs.items()):
                rc = proc.poll()
                if rc is None or self.stopping:
                    continue
                now = time.monotonic()
                recent = [t for t in self.restarts[name] if now - t < 60]
                self.restarts[name] = recent
                if len(recent) >= MAX_RESTARTS_PER_MINUTE:
                    print(
                        f"bimflow: the {name} process keeps stopping (exit code {rc}, "
                        f"{len(recent) + 1} times within a minute); stopping everything. "
                        "Its messages above say why.",
                        file=sys.stderr,
                    )
                    self.stopping, code = True, 1
                    break
                print(
                    f"bimflow: the {name} process stopped (exit code {rc}); restarting it",
                    file=sys.stderr,
                )
                self.restarts[name].append(now)
                self._start(name)
        print("bimflow: stopping...", file=sys.stderr)
        self.stop_all()
        return code
