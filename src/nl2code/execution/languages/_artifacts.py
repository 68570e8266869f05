"""Things built once per toolchain version that make every later sample cheaper: C++ precompiled
headers, a class-data archive of javac's classes, a warm read-only Go build cache, the C# stand-in
for CompareNetObjects.

They are built by the trusted driver from nl2code's own fixed inputs (system headers, a fixed
hello program), never from a sample, into a directory that samples can read but not write
(`root()`, declared as a read-only path of the languages that use it): a sample can neither
change them nor see another sample's work through them. Each lives under a key made of the
toolchain's version line and the build recipe, so an upgraded compiler or a changed recipe gets a
fresh one. A build happens at most once per key and machine (a file lock serialises concurrent
nl2code processes; the result is moved into place atomically); a failed build is logged and the
language then works without it, only slower.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

BUILD_TIMEOUT_S = 600


@cache
def root() -> Path:
    """Where the artifacts live: $NL2CODE_TOOLCHAIN_CACHE, else /usr/local/lib/nl2code/toolchains
    as root (the sample's uid can read it: it is not under /root), else the user's cache.

    Decided once per process: a worker asks after it entered its user namespace (where it is uid
    0 but no more root than before) and before it points HOME at its sample directory."""
    configured = os.environ.get("NL2CODE_TOOLCHAIN_CACHE")
    if configured:
        return Path(configured)
    if _really_root():
        return Path("/usr/local/lib/nl2code/toolchains")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "nl2code" / "toolchains"


def _really_root() -> bool:
    """uid 0 in the initial user namespace (a user namespace's uid 0 is an ordinary user outside)."""
    if os.geteuid() != 0:
        return False
    try:
        with open("/proc/self/uid_map") as f:
            return f.read().split()[:3] == ["0", "0", "4294967295"]
    except OSError:
        return True


def ensure_root() -> str:
    """Create the artifact root (world-readable, so that the samples' uids can read it) and
    return it. Called when the language modules load, before any worker starts: the sandbox
    allows only paths that exist when a worker starts."""
    path = root()
    try:
        path.mkdir(parents=True, exist_ok=True)
        if _really_root():
            path.chmod(0o755)
    except OSError as exc:
        log.warning("cannot create the toolchain artifact directory %s: %s", path, exc)
    return str(path)


def key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def build(name: str, version: str, recipe: str, make: Callable[[Path], None]) -> Path | None:
    """The artifact directory `name`-KEY, built by `make(tmp_dir)` when missing; None when the
    build failed (logged). `recipe` is everything that changes the result (flags, inputs)."""
    if not version:
        return None
    final = root() / f"{name}-{key(version, recipe)}"
    if final.is_dir():
        return final
    ensure_root()
    lock_path = root() / f".{name}.lock"
    try:
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if final.is_dir():  # another process built it while we waited
                return final
            work = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root()))
            try:
                log.info("building %s for %s (once per toolchain version)", name, version)
                make(work)
                _make_read_only(work)
                work.rename(final)
            except Exception as exc:  # noqa: BLE001 - a failed build only costs speed
                log.warning("could not build %s: %s; running without it", name, exc)
                shutil.rmtree(work, ignore_errors=True)
                return None
    except OSError as exc:
        log.warning("could not build %s in %s: %s; running without it", name, root(), exc)
        return None
    return final


def run(argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    """Run one build command of nl2code's own (trusted input only); raise with its output on failure."""
    result = subprocess.run(
        list(argv), cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
        timeout=BUILD_TIMEOUT_S, stdin=subprocess.DEVNULL, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {result.returncode}: {(result.stderr or result.stdout)[-2000:]}")


def _make_read_only(path: Path) -> None:
    """Directories 0755 and files 0644 (0755 when executable): readable by every uid, writable by
    the owner alone. As root the samples run under other uids; unprivileged, under the owner's
    uid in a user namespace, Landlock keeps them read-only."""
    for dirpath, dirnames, filenames in os.walk(path):
        for filename in filenames:
            full = os.path.join(dirpath, filename)
            if not os.path.islink(full):
                mode = os.stat(full).st_mode
                os.chmod(full, 0o755 if mode & 0o111 else 0o644)
        os.chmod(dirpath, 0o755)
