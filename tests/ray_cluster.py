"""Ray nodes on this machine for the tests and benchmarks: `ray start --block` (from the `ray`
extra) in a process group of its own, with its own temporary directory and port on 127.0.0.1.

Stopping sends SIGTERM to that one process, which drains the node and stops the processes it
started; `kill()` is a node lost at once (SIGKILL to every process of the session it began). Nothing here uses
`ray stop`, which would stop every Ray process of the machine, other people's included."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pg_server import free_port

RAY = Path(sys.executable).with_name("ray")


class RayNode:
    """A head (`address` None) or a worker node joining `address`, with `num_cpus` CPUs."""

    def __init__(self, num_cpus: int, address: str | None = None, *, fast_failure_detection: bool = False) -> None:
        self.num_cpus = num_cpus
        self.fast = fast_failure_detection  # a head that declares a silent node dead in ~3 s, not ~30 s
        self.head = address is None
        self.port = free_port() if self.head else None
        self.address = address or f"127.0.0.1:{self.port}"
        # a short path: Ray's socket names inside it must stay under the 107-byte limit
        self.temp_dir = tempfile.mkdtemp(prefix="nlr-", dir="/tmp") if self.head else ""
        self.log = Path(tempfile.mkstemp(prefix="nl2code-ray-node-", suffix=".log")[1])
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 180) -> RayNode:
        argv = [str(RAY), "start", "--block", f"--num-cpus={self.num_cpus}", "--node-ip-address=127.0.0.1", "--disable-usage-stats"]
        if self.head:  # worker nodes on this machine use the head's temporary directory
            argv += ["--head", f"--port={self.port}", "--include-dashboard=false", f"--temp-dir={self.temp_dir}"]
        else:
            argv += [f"--address={self.address}"]
        # a throwaway cluster on loopback: no token authentication (Ray 2.5x turns it on for
        # `ray start`, and a driver then needs the token; docs/scale-out.md says how on a real one)
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}
        if self.fast:
            env.update(RAY_health_check_period_ms="1000", RAY_health_check_timeout_ms="1000", RAY_health_check_failure_threshold="3")
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
        deadline = time.monotonic() + timeout
        while "Ray runtime started" not in self.log.read_text():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                text = self.log.read_text()
                self.stop()
                raise RuntimeError(f"`ray start` did not start (exit {self.proc.returncode}):\n{text[-3000:]}")
            time.sleep(0.2)
        return self

    def session_pids(self) -> list[int]:
        """Every process of this node: its `ray start` began a session of its own, and Ray's
        workers (actors) are in it, though in process groups of their own."""
        if self.proc is None:
            return []
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == self.proc.pid:  # field 6 of stat: the session id
                pids.append(int(stat.parent.name))
        return pids

    def kill(self) -> None:
        """The node is lost: every process of it dies at once."""
        for pid in self.session_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.proc:
            self.proc.wait()

    def stop(self, timeout: float = 60) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()  # whatever of the node outlived its `ray start`
        if self.head:
            subprocess.run(["rm", "-rf", self.temp_dir], check=False)
        self.log.unlink(missing_ok=True)

    def __enter__(self) -> RayNode:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
