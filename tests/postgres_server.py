"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl, a Unix socket in a temp dir.

One cluster per test session (:func:`start`); each test gets a fresh database of it
(:meth:`Cluster.fresh_database`). PostgreSQL refuses to run as root: under root (CI) the server runs
as the ``postgres`` user (or ``pingtai-pg``, created when neither exists) with the temp dir owned by
it; otherwise as the current user. Binaries come from PATH or /usr/lib/postgresql/*/bin (15 or newer).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "postgres"
PASSWORD_USER = "pingtai_pw"
"""The one role that must log in with a password (scram-sha-256): the tests of a wrong one."""


def binaries() -> Path | None:
    """The directory holding initdb and pg_ctl (the newest version found), or ``None``."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(candidates[-1]).parent if candidates else None


def _server_user() -> str | None:
    """Who runs the server: ``None`` for the current user, else an unprivileged system user."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "pingtai-pg"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(["useradd", "--system", "--no-create-home", "pingtai-pg"], check=True)
    return "pingtai-pg"


@dataclass
class Cluster:
    """A running cluster: its socket directory and the databases made for tests."""

    root: Path
    bin: Path
    user: str | None
    _count: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def socket(self) -> Path:
        return self.root / "socket"

    def url(self, database: str, user: str = SUPERUSER, password: str | None = None) -> str:
        """A libpq URL for ``database`` over the cluster's socket."""
        secret = f":{password}" if password else ""
        return f"postgresql://{user}{secret}@/{database}?host={self.socket}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        """Run one statement as the superuser (autocommit)."""
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            connection.execute(statement)

    def fresh_database(self) -> str:
        """A new empty database; its name."""
        name = f"t{os.getpid()}_{next(self._count)}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE template0")
        return name

    def stop(self) -> None:
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, command: list[str]) -> None:
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start() -> Cluster | None:
    """Start a cluster in a new temp dir; ``None`` when no server binaries are installed."""
    bin_dir = binaries()
    if bin_dir is None:
        return None
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="pingtai-pg-"))
    os.chmod(root, 0o755)
    (root / "socket").mkdir()
    if user is not None:
        record = pwd.getpwnam(user)
        for path in (root, root / "socket"):
            os.chown(path, record.pw_uid, record.pw_gid)
    cluster = Cluster(root, bin_dir, user)
    cluster._run([str(bin_dir / "initdb"), "-D", str(root / "data"), "-U", SUPERUSER, "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"])
    hba = root / "data" / "pg_hba.conf"
    hba.write_text(f"local all {PASSWORD_USER} scram-sha-256\n" + hba.read_text(encoding="utf-8"), encoding="utf-8")
    options = f"-k {root / 'socket'} -c listen_addresses='' -c fsync=off -c max_connections=60"
    cluster._run([str(bin_dir / "pg_ctl"), "-D", str(root / "data"), "-o", options, "-l", str(root / "log"),
                  "-w", "start"])
    return cluster
