"""Whether a run marked `running` is still being worked on. A driver killed with SIGKILL (or a
machine that lost power) cannot mark its run `interrupted`, so the store records which process
owns a running run and lets it beat a heartbeat; readers judge the run from both.

The owner is one process on one machine: its host name, the kernel's boot id, its pid
namespace, its pid and its start time (a pid can be reused, a (pid, start time) pair cannot).
A reader on the same machine and in the same pid namespace checks that process directly, and
is right at once. A reader elsewhere (several machines on one PostgreSQL database) cannot, and
judges by the heartbeat instead: written with the database's own clock, so that the clocks of
the machines never need to agree, and stale after STALE_AFTER_S."""

from __future__ import annotations

import datetime as _dt
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

# The driver beats every HEARTBEAT_S; a reader that cannot see the process itself calls the run
# interrupted when the last beat is older than STALE_AFTER_S: several missed beats, so that a
# database busy for a while (SQLite waits up to 30 s for its lock) never makes a live run look dead.
HEARTBEAT_S = 30.0
STALE_AFTER_S = 180.0


@dataclass(frozen=True, slots=True)
class Liveness:
    """What a reader concludes about a run: its status as shown, and why, for people."""

    status: str
    detail: str = ""


def this_process() -> dict[str, Any]:
    """The owner record of the calling process."""
    pid = os.getpid()
    return {"host": platform.node(), "boot_id": _boot_id(), "pid_ns": _pid_namespace(), "pid": pid, "started": _start_time(pid)}


def db_epoch(conn: sa.Connection) -> sa.ColumnElement:
    """The database server's clock now, in seconds since the epoch, as an SQL expression."""
    if conn.dialect.name == "postgresql":
        return sa.cast(sa.func.extract("epoch", sa.func.clock_timestamp()), sa.Float)  # numeric otherwise
    return (sa.func.julianday("now") - 2440587.5) * 86400.0  # SQLite


def judge(run: dict[str, Any], db_now: float | None) -> Liveness:
    """The status to show for a stored run. Only `running` is ever re-judged: a run whose owner
    is gone (seen directly) or silent for STALE_AFTER_S (seen from another machine) is `interrupted`."""
    status = run.get("status") or ""
    if status != "running":
        return Liveness(status)
    owner = run.get("owner") or {}
    if owner:
        alive = process_alive(owner)
        where = f"process {owner.get('pid')} on {owner.get('host') or '?'}"
        if alive is True:
            return Liveness("running", f"{where} is running it")
        if alive is False:
            return Liveness("interrupted", f"{where}, which ran it, has ended without finishing it")
        return _by_heartbeat(run.get("heartbeat"), db_now, f"{where} (another machine)")
    # a run stored before schema 7 has no owner and no heartbeat: its last update is the only sign
    return _by_heartbeat(_epoch(run.get("updated_at")), _dt.datetime.now(_dt.UTC).timestamp(), "its process (not recorded before schema 7)")


def process_alive(owner: dict[str, Any]) -> bool | None:
    """Whether the owner process still runs; None when this process cannot see it (another
    machine, another pid namespace, a system without /proc)."""
    boot_id, pid_ns = _boot_id(), _pid_namespace()
    if not boot_id or not pid_ns or owner.get("boot_id") != boot_id or owner.get("pid_ns") != pid_ns:
        return None
    if owner.get("host") != platform.node():
        return None
    started = _start_time(int(owner.get("pid") or 0))
    return started is not None and started == owner.get("started")


def _by_heartbeat(beat: float | None, now: float | None, who: str) -> Liveness:
    if beat is None or now is None:
        return Liveness("running", f"{who}; no heartbeat recorded")
    silent = max(0.0, float(now) - float(beat))
    if silent > STALE_AFTER_S:
        return Liveness("interrupted", f"{who} has given no sign of life for {_duration(silent)}")
    return Liveness("running", f"{who} gave a sign of life {_duration(silent)} ago")


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _epoch(stamp: Any) -> float | None:
    try:
        parsed = _dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=_dt.UTC)).timestamp()


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def _start_time(pid: int) -> int | None:
    """A live process's start time in clock ticks after boot (/proc/PID/stat field 22); None
    for no such process or a zombie (it has ended; only its parent has not reaped it yet)."""
    if pid <= 0:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()  # the command name in parentheses may hold spaces
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])
