"""Explicit configuration: one `Settings` value handed to `create_app`.

Values come from CLI flags, then `PLENARIA_*` environment variables, then the
defaults below: the embedded default needs no configuration at all.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path


def installed_static_dir() -> Path:
    """The folder of the `plenaria_static` package (pages, modules, CSS, translations): the
    checkout's static/ in an editable install, its copy in site-packages from a wheel.

    Located through the import system, so it does not depend on the working directory, and
    not imported, so no bytecode lands among the files that are served.
    """
    spec = importlib.util.find_spec("plenaria_static")
    if spec is None or spec.origin is None:
        raise RuntimeError("the plenaria_static package is missing: install Plenária with pip install .")
    return Path(spec.origin).resolve().parent


STATIC_DIR = installed_static_dir()


@dataclass(frozen=True)
class Limits:
    """Abuse limits enforced at the edge. Sizes in bytes, rates per second."""

    max_message_bytes: int = 16 * 1024
    commands_per_second: float = 10.0
    command_burst: int = 20
    # A connection whose unsent output exceeds this is a slow reader: it stops
    # receiving live events and is resynchronised once it has drained.
    send_buffer_limit: int = 256 * 1024
    # A slow reader that has not drained after this long is disconnected.
    stale_grace_seconds: float = 20.0
    hello_timeout_seconds: float = 10.0
    idle_timeout_seconds: float = 90.0
    history_per_channel: int = 1000
    # Open websockets per process, and per client address: a hall on one Wi-Fi or behind a
    # carrier's NAT is one address, so the per-address cap is high and floods are stopped by
    # the handshake rate per address instead (a token bucket: per second, and its burst).
    max_connections: int = 18000
    connections_per_address: int = 5000
    handshake_rate: float = 100.0
    handshake_burst: int = 1000


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = "sqlite:///plenaria.db"
    redis_url: str = ""
    workers: int = 1
    public_url: str = ""
    log_level: str = "info"
    static_dir: Path = STATIC_DIR
    # Every Origin allowed to open a websocket, besides the server's own host.
    allowed_origins: tuple[str, ...] = ()
    limits: Limits = field(default_factory=Limits)
    # The key that encrypts platform tokens at rest (docs/platforms.md); without it the organizer
    # names an environment variable holding the token instead of storing one.
    token_key: str = field(default="", repr=False)
    # The platforms' API base URLs: the real ones by default, a local stand-in in tests.
    youtube_url: str = ""
    facebook_url: str = ""
    # How long a process holds a platform source's lease without renewing it: after it dies,
    # another process takes the source over within this long.
    platform_lease_seconds: float = 15.0
    # How often each process writes its participants' online presence (server/service/presence.py):
    # a process killed outright loses at most this much of it.
    presence_flush_seconds: float = 30.0
    # Seconds of presence that make one attended minute on certificates: 60, except in tests.
    attendance_minute_seconds: float = 60.0

    @property
    def broker_url(self) -> str:
        return self.redis_url or "memory://"

    @property
    def async_database_url(self) -> str:
        """The SQLAlchemy async URL for `database_url` (a bare path means SQLite)."""
        url = self.database_url
        if "://" not in url:
            return f"sqlite+aiosqlite:///{url}"
        scheme, rest = url.split("://", 1)
        if scheme in ("sqlite", "sqlite+aiosqlite"):
            return f"sqlite+aiosqlite://{rest}"
        if scheme in ("postgres", "postgresql", "postgresql+asyncpg"):
            return f"postgresql+asyncpg://{rest}"
        raise ValueError(f"unsupported database URL scheme {scheme!r}: use sqlite:///PATH or postgresql://")

    def base_url(self) -> str:
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"


_ENV_FIELDS = {
    "host": "PLENARIA_HOST",
    "port": "PLENARIA_PORT",
    "database_url": "PLENARIA_DATABASE",
    "redis_url": "PLENARIA_REDIS",
    "workers": "PLENARIA_WORKERS",
    "public_url": "PLENARIA_PUBLIC_URL",
    "log_level": "PLENARIA_LOG_LEVEL",
    "allowed_origins": "PLENARIA_ALLOWED_ORIGINS",
    "token_key": "PLENARIA_TOKEN_KEY",
    "youtube_url": "PLENARIA_YOUTUBE_URL",
    "facebook_url": "PLENARIA_FACEBOOK_URL",
    "platform_lease_seconds": "PLENARIA_PLATFORM_LEASE_SECONDS",
    "presence_flush_seconds": "PLENARIA_PRESENCE_FLUSH_SECONDS",
    "attendance_minute_seconds": "PLENARIA_ATTENDANCE_MINUTE_SECONDS",
}


# Limits an operator sets (CLI flags of the same names, see server/cli.py `_limit_options`).
LIMIT_ENV = {
    "max_connections": "PLENARIA_MAX_CONNECTIONS",
    "connections_per_address": "PLENARIA_CONNECTIONS_PER_ADDRESS",
    "handshake_rate": "PLENARIA_HANDSHAKE_RATE",
    "handshake_burst": "PLENARIA_HANDSHAKE_BURST",
}


def limits_from_env(env: Mapping[str, str] | None = None, **overrides: object) -> Limits:
    """`Limits` from `PLENARIA_*` variables (LIMIT_ENV); non-None `overrides` win.
    Raises ValueError naming the variable when a value is not a positive number."""
    env = os.environ if env is None else env
    types = {f.name: f.type for f in fields(Limits)}
    values: dict[str, object] = {}
    for name, var in LIMIT_ENV.items():
        raw = overrides.get(name)
        if raw is None and env.get(var, "") != "":
            raw = env[var]
        if raw is None:
            continue
        where = f"--{name.replace('_', '-')} ({var})"
        try:
            number = float(str(raw)) if types[name] == "float" else int(str(raw))
        except ValueError:
            raise ValueError(f"{where} must be a number, got {raw!r}") from None
        if number <= 0:
            raise ValueError(f"{where} must be above 0, got {raw!r}")
        values[name] = number
    return replace(Limits(), **values)  # type: ignore[arg-type]


def settings_from_env(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from `PLENARIA_*` variables; non-None `overrides` win."""
    env = os.environ if env is None else env
    values: dict[str, object] = {}
    types = {f.name: f.type for f in fields(Settings)}
    for name, var in _ENV_FIELDS.items():
        if var in env and env[var] != "":
            raw = env[var]
            if types[name] == "int":
                values[name] = int(raw)
            elif types[name] == "float":
                values[name] = float(raw)
            elif name == "allowed_origins":
                values[name] = tuple(o.strip() for o in raw.split(",") if o.strip())
            else:
                values[name] = raw
    values["limits"] = limits_from_env(env)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return replace(Settings(), **values)  # type: ignore[arg-type]
