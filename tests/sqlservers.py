"""Real MariaDB and PostgreSQL servers for the SQL stores' tests, from Debian's packages.

Each server lives in a mkdtemp folder, listens on a free loopback port (and a unix socket) and
starts in about a second. conftest.py starts one of each per test session; fault tests start
their own (they kill, stop and restart it). A missing binary FAILS the tests with what to
install: a SQL store that is never tested is not tested, whatever the summary line says.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from tests import kept_servers

ADMIN_PASSWORD = "admin-pässword-1"  # non-ASCII on purpose: PyMySQL encodes it as latin-1 unless given bytes
PG_BIN = Path("/usr/lib/postgresql/15/bin")
INSTALL_HINT = (
    "the SQL store tests run against real servers: install Debian's packages "
    "(`apt-get install mariadb-server postgresql`; `make test` and .ci/run do it when run as root)"
)


def _need(path: str | None, what: str) -> str:
    if not path or not Path(path).exists():
        pytest.fail(f"{what} not found: {INSTALL_HINT}", pytrace=False)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {port} in {seconds} s: {log.read_text()[-2000:]}")


def _wait_for_file(path: Path, proc: subprocess.Popen, log: Path, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server made no {path.name} ({proc.returncode}): {log.read_text()[-2000:]}")
        time.sleep(0.02)


class Server:
    """What both servers share: a folder, a port, start/stop/kill/restart."""

    scheme = ""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=f"vr-{self.scheme}-"))
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = self.folder / "server.log"

    def family(self) -> list[int]:
        """The server's process and its children (PostgreSQL's backends each call setsid())."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    children.append(int(stat.parent.name))
        return [self.proc.pid, *children]

    def signal_all(self, sig: int) -> None:
        for pid in self.family():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def pause(self) -> None:
        """SIGSTOP to the server and its children: it takes connections but never answers."""
        self.signal_all(signal.SIGSTOP)

    def resume(self) -> None:
        self.signal_all(signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL to the server and its children: it vanishes mid-conversation, as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.signal_all(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> None:
        self.stop()
        self.start()

    def remove(self) -> None:
        if getattr(self, "kept", False):  # tests/kept_servers.py's: its starter removes it
            self.drop_databases()
            return
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, user: str, database: str, password: str | None = None, **query: str) -> str:
        secret = f":{password}" if password is not None else ""
        tail = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
        return f"{self.scheme}://{user}{secret}@127.0.0.1:{self.port}/{database}{tail}"

    def start(self) -> None:
        raise NotImplementedError

    def admin(self, database: str | None = None):
        raise NotImplementedError

    def execute(self, *statements: str, database: str | None = None) -> list:
        """Run statements as the administrator; the last one's rows."""
        rows: list = []
        with contextlib.closing(self.admin(database)) as db:
            for statement in statements:
                cursor = db.cursor()
                cursor.execute(statement)
                rows = cursor.fetchall() if cursor.description else []
        return rows

    def new_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        # PostgreSQL's default (WAL_LOG) writes the whole template through the WAL: 50 to 60 ms
        # and 8 MB of WAL a database here; FILE_COPY copies its files (18 ms; fsync is off)
        self.execute(
            f"CREATE DATABASE {name}" + (" STRATEGY FILE_COPY" if self.scheme == "postgresql" else "")
        )
        vars(self).setdefault("created", []).append(name)
        return name

    def drop_databases(self) -> None:
        """Drop the databases this process made. A server kept for a whole `make mutate` serves
        thousands of sessions, each making a few: kept, they filled gigabytes of /dev/shm."""
        force = " WITH (FORCE)" if self.scheme == "postgresql" else ""  # a test's open session
        for name in vars(self).pop("created", []):
            with contextlib.suppress(Exception):  # gone with its server either way
                self.execute(f"DROP DATABASE IF EXISTS {name}{force}")


class MariaDB(Server):
    scheme = "mysql"

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        """`tls`: (certificate, key) files: the server offers TLS with them."""
        self.tls = tls
        self.binary = _need(shutil.which("mariadbd") or shutil.which("mysqld", path="/usr/sbin"), "mariadbd")
        self.installer = _need(
            shutil.which("mariadb-install-db") or shutil.which("mysql_install_db"), "mariadb-install-db"
        )
        super().__init__()
        self.data = self.folder / "data"
        self.socket = str(self.folder / "mysqld.sock")
        # its own temporary folder: in the shared /tmp, servers started at once (parallel test
        # runs on one machine) have met each other's temporary tables during install
        self.tmpdir = self.folder / "tmp"
        self.tmpdir.mkdir()
        self.root = os.geteuid() == 0
        user = ["--user=root"] if self.root else []
        done = subprocess.run(
            [self.installer, "--no-defaults", f"--datadir={self.data}", f"--tmpdir={self.tmpdir}", *user,
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"mariadb-install-db failed: {done.stderr[-2000:]}")
        self.start()
        self.execute(
            f"CREATE USER 'admin'@'%' IDENTIFIED BY '{ADMIN_PASSWORD}'",
            "GRANT ALL ON *.* TO 'admin'@'%' WITH GRANT OPTION",
        )

    def start(self) -> None:
        user = ["--user=root"] if self.root else []
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "--no-defaults", f"--datadir={self.data}", f"--socket={self.socket}",
                 f"--tmpdir={self.tmpdir}",
                 f"--port={self.port}", "--bind-address=127.0.0.1", "--skip-name-resolve", *user,
                 "--skip-log-bin", "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M",
                 "--innodb-flush-log-at-trx-commit=2", "--max-connections=60",
                 f"--pid-file={self.folder}/mysqld.pid", "--skip-grant-tables=OFF",
                 *([f"--ssl-cert={self.tls[0]}", f"--ssl-key={self.tls[1]}"] if self.tls else [])],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        _wait_for_port(self.port, self.proc, self.log)
        _wait_for_file(Path(self.socket), self.proc, self.log)  # made just after the TCP listener

    def admin(self, database: str | None = None):
        import pymysql

        return pymysql.connect(
            unix_socket=self.socket, user="root", database=database, autocommit=True, charset="utf8mb4"
        )


class PostgreSQL(Server):
    scheme = "postgresql"

    def __init__(self, max_connections: int = 60, tls: tuple[Path, Path] | None = None) -> None:
        self.max_connections, self.tls = max_connections, tls
        for name in ("initdb", "postgres"):
            _need(str(PG_BIN / name), f"{PG_BIN / name} (PostgreSQL 15)")
        super().__init__()
        self.data = self.folder / "data"
        self.user = None
        if os.geteuid() == 0:  # postgres refuses to run as root: the folder becomes postgres's
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail(f"no `postgres` user on this machine (is /etc/passwd intact?): {INSTALL_HINT}")
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)
        pwfile = self.folder / "pw"
        pwfile.write_text(ADMIN_PASSWORD + "\n")
        if self.user:
            os.chown(pwfile, self.user.pw_uid, self.user.pw_gid)
        done = subprocess.run(
            [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", f"--pwfile={pwfile}",
             "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
             "--no-sync"],
            capture_output=True, text=True, timeout=120, **self._as_postgres(),
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr[-2000:]}")
        self.tls_settings = []
        if tls:  # postgres reads its key only if it owns it, mode 0600
            for name, source in zip(("server.crt", "server.key"), tls, strict=True):
                shutil.copy(source, self.folder / name)
                os.chmod(self.folder / name, 0o600)
                if self.user:
                    os.chown(self.folder / name, self.user.pw_uid, self.user.pw_gid)
            self.tls_settings = ["-c", "ssl=on", "-c", f"ssl_cert_file={self.folder / 'server.crt'}",
                                 "-c", f"ssl_key_file={self.folder / 'server.key'}"]  # fmt: skip
        self.start()

    def _as_postgres(self) -> dict:
        return {"user": self.user.pw_uid, "group": self.user.pw_gid} if self.user else {}

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(PG_BIN / "postgres"), "-D", str(self.data), "-p", str(self.port),
                 "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.folder}",
                 "-c", "fsync=off", "-c", f"max_connections={self.max_connections}",
                 "-c", "superuser_reserved_connections=1", "-c", "shared_buffers=16MB", *self.tls_settings],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **self._as_postgres(),
            )  # fmt: skip
        _wait_for_port(self.port, self.proc, self.log)
        deadline = time.monotonic() + 20  # listening comes before accepting: wait for a query
        while True:
            try:
                self.execute("SELECT 1")
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # "fast" shutdown: sessions are ended, not waited for
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()

    def admin(self, database: str | None = None):
        import psycopg

        return psycopg.connect(
            host=str(self.folder), port=self.port, user="postgres", dbname=database or "postgres",
            autocommit=True,
        )  # fmt: skip


# -- what the fixtures hand out (tests/conftest.py) ----------------------------------------------

KINDS = ("mysql", "postgresql")
ADMIN_USER = {"mysql": "admin", "postgresql": "postgres"}


def start(kind: str, **settings) -> Server:
    """A new server of `kind`; its folder is removed if it fails to start."""
    before = set(Path(tempfile.gettempdir()).glob(f"vr-{kind}-*"))
    try:
        if kind == "mysql":
            return MariaDB(**{k: v for k, v in settings.items() if k == "tls"})
        return PostgreSQL(**settings)
    except BaseException:
        for folder in set(Path(tempfile.gettempdir()).glob(f"vr-{kind}-*")) - before:
            shutil.rmtree(folder, ignore_errors=True)
        raise


_SHARED: dict[str, Server] = {}


def shared(kind: str) -> Server:
    """The test session's server of `kind`, started on first use; stopped at the session's end
    (conftest.py's sql_server fixture), or at the latest when the interpreter exits."""
    if kind not in _SHARED and (kept := kept_servers.kept(kind)):
        _SHARED[kind] = kept
    if kind not in _SHARED:
        if not _SHARED:
            atexit.register(stop_shared)
        _SHARED[kind] = start(kind)
    return _SHARED[kind]


def stop_shared() -> None:
    while _SHARED:
        _SHARED.popitem()[1].remove()


def admin_url(server: Server, database: str, **query: str) -> str:
    """The administrator's URL. A receipt waits 3 s at most, not the product's 20 (TIMEOUTS), unless
    a test says otherwise: these servers answer in milliseconds, and a test that breaks the connect
    (a mutant of _open under `make mutate`) then fails in 3 s, not after 20 s of retries."""
    return server.url(ADMIN_USER[server.scheme], database, ADMIN_PASSWORD, **{"wait": "3", **query})


def init_schema(url: str) -> list[str]:
    """`db init`, as a person runs it (with the administrator)."""
    from voice_receipts.config import load_settings
    from voice_receipts.tools import db

    return db.init(load_settings({"VOICE_RECEIPTS_STORE": url}))


def fresh_database(server: Server) -> str:
    """A new database with the schema made by `db init`: its name."""
    database = server.new_database()
    init_schema(admin_url(server, database))
    return database


def create_user(server: Server, database: str, user: str, password: str, grants: str = "INSERT") -> None:
    """A user with `grants` on the receipts table alone (docs/stores.md's statements)."""
    if server.scheme == "mysql":
        server.execute(
            f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'",
            f"GRANT {grants} ON {database}.receipts TO '{user}'@'%'",
        )
    else:
        server.execute(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
        server.execute(
            f"GRANT CONNECT ON DATABASE {database} TO {user}",
            f"GRANT USAGE ON SCHEMA public TO {user}",
            f"GRANT {grants} ON receipts TO {user}",
            database=database,
        )
