"""Store URLs, parsed once (config.py reads them; open_store picks the backend by scheme).

A SQL URL's password is kept apart from the rest and shown as `***` wherever the URL is: str(),
repr(), every error message. A password never reaches a log line, a traceback or a report.

    mysql://USER[:PASSWORD]@HOST[:PORT]/DB[?OPTIONS]
    postgresql://USER[:PASSWORD]@HOST[:PORT]/DB[?OPTIONS]

OPTIONS (docs/stores.md): socket=PATH (a unix socket; for PostgreSQL its folder; `host=PATH` is
the same), sslmode=disable|prefer|require|verify-ca|verify-full (`ssl=required` and MySQL's
spellings too), sslrootcert=PATH, connect_timeout, read_timeout, wait, idle_timeout (seconds).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from voice_receipts.errors import ConfigError

STORE = "VOICE_RECEIPTS_STORE"
SCHEMES = ("sqlite", "dynamodb", "sqs", "cmq", "mysql", "postgresql")
SQL_SCHEMES = ("mysql", "postgresql")
DEFAULT_PORTS = {"mysql": 3306, "postgresql": 5432}
# `user:password@` right after `scheme://`: what mask_password replaces before a URL is shown.
# The user ends at the first `:` and may hold a raw `@` (`bob@corp:pw@db`); the password ends at
# the last `@` before the path
_USERINFO = re.compile(r"(?<=://)([^/?#:]*):([^/?#]*)@")
# TLS: every spelling people bring (libpq's sslmode, MySQL's ssl-mode, `ssl=true`) -> libpq's words
SSL_MODES = {
    "disable": "disable", "disabled": "disable", "false": "disable",
    "prefer": "prefer", "preferred": "prefer",
    "require": "require", "required": "require", "true": "require",
    "verify-ca": "verify-ca", "verify_ca": "verify-ca",
    "verify-full": "verify-full", "verify_full": "verify-full", "verify_identity": "verify-full",
}  # fmt: skip
# Seconds: the defaults keep a receipt within the function's timeout (docs/stores.md)
TIMEOUTS = {"connect_timeout": 5.0, "read_timeout": 10.0, "wait": 20.0, "idle_timeout": 60.0}
OPTION_ALIASES = {"host": "socket", "unix_socket": "socket", "ssl": "sslmode", "ssl_mode": "sslmode",
                  "ssl_ca": "sslrootcert"}  # fmt: skip


@dataclass(frozen=True)
class StoreURL:
    """`scheme` picks the backend, `target` is what it names (a path, a table, a queue name or
    URL; for SQL `USER@HOST:PORT/DB?OPTIONS`, without the password)."""

    scheme: str
    target: str
    password: str | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        if self.scheme == "sqlite":
            return f"sqlite:///{self.target}"
        if self.password is not None:
            where, mark, query = self.target.partition("?")
            user, _, rest = where.rpartition("@")  # the last `@` before the options ends the user
            return f"{self.scheme}://{user}:***@{rest}{mark}{query}"
        return f"{self.scheme}://{self.target}"

    def __repr__(self) -> str:
        return f"StoreURL({str(self)!r})"

    @classmethod
    def parse(cls, text: str, origin: str = STORE) -> StoreURL:
        """`origin` names where the text came from (a variable, --store) for the error message."""
        scheme, sep, rest = text.strip().partition("://")
        scheme = scheme.lower()
        if not sep or scheme not in SCHEMES:
            raise ConfigError(
                f"{origin} must be a store URL (sqlite:///receipts.db, dynamodb://TABLE, sqs://QUEUE, "
                f"cmq://QUEUE, mysql://USER@HOST:PORT/DB or postgresql://USER@HOST:PORT/DB), "
                f"got {mask_password(text)!r}"
            )
        # sqlite:///relative.db and sqlite:////absolute/path.db, as SQLAlchemy spells them
        target = rest[1:] if scheme == "sqlite" and rest.startswith("/") else ""
        if scheme != "sqlite":
            target = rest
        password = None
        if scheme in SQL_SCHEMES:
            target, password = _split_password(target)
        if not target:
            example = {"sqlite": "sqlite:///receipts.db", "dynamodb": "dynamodb://TABLE"}.get(
                scheme, f"{scheme}://QUEUE"
            )
            raise ConfigError(f"{origin} must look like {example}, got {mask_password(text)!r}")
        url = cls(scheme, target, password)
        if scheme in SQL_SCHEMES:
            SQLAddress.of(url, origin)  # refused now, at start-up, rather than at the first receipt
        return url

    def with_password(self, password: str | None) -> StoreURL:
        """The same URL with `password` when it has none of its own (VOICE_RECEIPTS_DB_PASSWORD)."""
        if self.scheme not in SQL_SCHEMES or self.password is not None or not password:
            return self
        return StoreURL(self.scheme, self.target, password)


@dataclass(frozen=True)
class SQLAddress:
    """Where a SQL store connects, and how: what the drivers are given."""

    user: str
    password: str | None = field(repr=False)
    host: str
    port: int
    database: str
    socket: str | None = None
    sslmode: str | None = None  # libpq's words; None: `prefer`, TLS when the server offers it
    sslrootcert: str | None = None
    timeouts: dict[str, float] = field(default_factory=lambda: dict(TIMEOUTS))

    @classmethod
    def of(cls, url: StoreURL, origin: str = STORE) -> SQLAddress:
        from urllib.parse import parse_qsl, unquote  # SQL URLs only: 2 ms no other store pays

        shape = f"{url.scheme}://USER[:PASSWORD]@HOST[:PORT]/DB[?OPTIONS]"

        def refuse(why: str) -> ConfigError:
            return ConfigError(f"{origin} must look like {shape}: {why}, got {str(url)!r}")

        where, _, query = url.target.partition("?")
        userinfo, at, hostpath = where.rpartition("@")
        hostport, slash, database = hostpath.partition("/")
        if not at or not userinfo:
            raise refuse("no USER")
        if not slash or not database or "/" in database:
            raise refuse("no database name (/DB)")
        if hostport.endswith("]") or ":" not in hostport:  # no port: `host` or an IPv6 `[::1]`
            host, port_text = hostport, ""
        else:
            host, _, port_text = hostport.rpartition(":")
        host = host.removeprefix("[").removesuffix("]")  # only an IPv6 address's own brackets
        try:
            port = int(port_text) if port_text else DEFAULT_PORTS[url.scheme]
        except ValueError:
            raise refuse(f"the port {port_text!r} is not a number") from None
        options = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            options[OPTION_ALIASES.get(name.lower(), name.lower())] = value
        address = cls(unquote(userinfo), url.password, host, port, unquote(database))
        return address._with_options(options, refuse)

    def _with_options(self, options: dict[str, str], refuse: Callable[[str], ConfigError]) -> SQLAddress:
        timeouts = dict(TIMEOUTS)
        socket_path = options.pop("socket", None)
        if socket_path is not None and not socket_path.startswith("/"):
            raise refuse(f"socket must be an absolute path, not {socket_path!r}")
        if not self.host and socket_path is None:
            raise refuse("no HOST")
        sslmode = options.pop("sslmode", None)
        if sslmode is not None and sslmode.lower() not in SSL_MODES:
            raise refuse(f"sslmode must be one of {', '.join(sorted(set(SSL_MODES.values())))}")
        for name in TIMEOUTS:
            if name in options:
                try:
                    timeouts[name] = float(options.pop(name))
                except ValueError:
                    raise refuse(f"{name} must be a number of seconds") from None
                if not 0 < timeouts[name] <= 3600:
                    raise refuse(f"{name} must be between 0 and 3600 seconds")
        sslrootcert = options.pop("sslrootcert", None)
        if options:
            raise refuse(f"unknown option {sorted(options)[0]!r} (docs/stores.md lists them)")
        return SQLAddress(
            self.user, self.password, self.host, self.port, self.database, socket_path,
            SSL_MODES[sslmode.lower()] if sslmode else None, sslrootcert, timeouts,
        )  # fmt: skip


def mask_password(text: str) -> str:
    """`scheme://user:secret@host` -> `scheme://user:***@host`: how any URL is shown."""
    return _USERINFO.sub(lambda m: f"{m.group(1)}:***@", text)


def _split_password(target: str) -> tuple[str, str | None]:
    """`user:secret@host/db` -> (`user@host/db`, "secret"), percent-decoded; the rest untouched."""
    found = _USERINFO.match("://" + target, 3)
    if found is None:
        return target, None
    from urllib.parse import unquote

    return f"{found.group(1)}@{target[found.end() - 3 :]}", unquote(found.group(2))
