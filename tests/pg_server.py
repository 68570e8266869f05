"""A throwaway PostgreSQL server for the tests and benchmarks: Debian's binaries (package
`postgresql`, installed by scripts/test-setup.sh), its own data directory and a free port on
127.0.0.1, stopped and removed at the end. PostgreSQL refuses to run as root, so as root the
server runs as the unprivileged `postgres` user the Debian package creates."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

SUPERUSER = "nl2code"


def find_bindir() -> Path | None:
    """NL2CODE_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin, else initdb on PATH."""
    if os.environ.get("NL2CODE_PG_BINDIR"):
        return Path(os.environ["NL2CODE_PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """`with PostgresServer() as server:` starts it; `server.new_database()` gives a fresh URL."""

    def __init__(self, bindir: Path | None = None, *, durable: bool = False) -> None:
        self.bindir = bindir or find_bindir()
        if self.bindir is None or not (self.bindir / "initdb").exists():
            raise RuntimeError("PostgreSQL's initdb was not found; run `bash scripts/test-setup.sh` (installs Debian's postgresql) or set NL2CODE_PG_BINDIR")
        self.durable = durable  # False: fsync off, for tests; True: the defaults, for benchmarks
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="nl2code-pg-"))
        self.data = self.root / "data"
        self.as_user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *argv: str) -> subprocess.CompletedProcess:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    def start(self) -> PostgresServer:
        if self.as_user:
            shutil.chown(self.root, self.as_user)
        self._checked(self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"))
        options = [f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={self.data}", "-c max_connections=200"]
        if not self.durable:
            options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self._checked(self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60", "-o", " ".join(options), "start"))
        return self

    def _checked(self, result: subprocess.CompletedProcess) -> None:
        if result.returncode != 0:
            log = (self.root / "server.log").read_text() if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"{result.args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}\n{log[-2000:]}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """An empty database of its own (a test's), as an SQLAlchemy URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()
