"""The `plenaria` command: demo, serve, moderate, purge."""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
import socket
import sys
from collections.abc import Sequence
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import uvicorn
from uvicorn.supervisors import Multiprocess

from server.logs import log_config
from server.settings import LIMIT_ENV, Limits, Settings, limits_from_env, settings_from_env

MAX_FRAME = 64 * 1024
DEMO_DATABASE = "sqlite:///plenaria-demo.db"
BACKLOG = 2048


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="plenaria",
        description="Live companion for streamed public conferences: chat, Q&A, moderation, votes, live results.",
    )
    parser.add_argument("--version", action="version", version=f"plenaria {version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="run the server with two seeded demo events (pt-BR and pl)",
        description="Seed two demo conferences (SONORA13 in pt-BR, RAZEM10 in pl), print their links and "
        "serve them. The demo keeps its data in the SQLite file plenaria-demo.db in the current directory "
        "(or --database), deleted and seeded afresh at every start unless --keep.",
    )
    _server_options(demo, default_database=DEMO_DATABASE,
                    database_default=f"{DEMO_DATABASE}, wiped at every start unless --keep")
    demo.add_argument("--keep", action="store_true",
                      help="keep the demo database and what was done in it instead of starting afresh")

    serve = commands.add_parser("serve", help="run the server")
    _server_options(serve, default_database=None, database_default="sqlite:///plenaria.db")
    for parser_ in (demo, serve):
        _limit_options(parser_)

    moderate = commands.add_parser(
        "moderate", help="print moderation verdicts for a chat export", add_help=False
    )
    moderate.add_argument("args", nargs=argparse.REMAINDER)

    from server import purge

    purge.add_parser(commands)

    args = parser.parse_args(argv)
    if args.command == "purge":
        return purge.run(args)
    if args.command == "moderate":
        from moderation.cli import main as moderate_main

        status: int = moderate_main(args.args)
        return status
    settings = _settings(args)
    try:
        if args.command == "demo":
            return _demo(settings, keep=args.keep, access_log=args.access_log)
        return _serve(settings, access_log=args.access_log)
    except KeyboardInterrupt:
        # Ctrl+C is how a demo ends (uvicorn re-raises it after shutting down): no traceback.
        return 130


def version() -> str:
    """The installed distribution's version (pyproject.toml is its only source)."""
    try:
        return metadata.version("plenaria")
    except metadata.PackageNotFoundError:
        return "unknown (not installed: pip install -e .)"


def _server_options(parser: argparse.ArgumentParser, default_database: str | None, database_default: str) -> None:
    env = "environment variable"
    parser.add_argument("--host", help=f"address to listen on (default 127.0.0.1; {env} PLENARIA_HOST)")
    parser.add_argument("--port", type=_port, help=f"port (default 8000, 0 for any free port; {env} PLENARIA_PORT)")
    parser.add_argument(
        "--database",
        default=default_database,
        help=f"SQLite path or URL (sqlite:///file.db) or postgresql://user@host/db ({env} PLENARIA_DATABASE; "
        f"default {database_default})",
    )
    parser.add_argument(
        "--redis",
        help=f"redis://host:port/db to share events between processes and machines ({env} PLENARIA_REDIS; "
        "default: in-memory broker, one process)",
    )
    parser.add_argument("--workers", type=int, help=f"worker processes, needs --redis ({env} PLENARIA_WORKERS)")
    parser.add_argument("--public-url", help=f"base URL shown in links, e.g. https://plenaria.example.org "
                        f"({env} PLENARIA_PUBLIC_URL)")
    parser.add_argument("--allowed-origin", action="append", dest="allowed_origins",
                        help="another site allowed to open websockets (repeatable)")
    parser.add_argument("--access-log", action="store_true", help="log every HTTP request (off: logs carry "
                        "no addresses or paths by default)")


def _port(text: str) -> int:
    port = int(text) if text.isdigit() else -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535; 0 picks a free one)")
    return port


def _limit_options(parser: argparse.ArgumentParser) -> None:
    """Connection caps and the handshake rate (server/web/admission.py); PLENARIA_* variables too."""
    parser.add_argument("--max-connections", type=int,
                        help="open websockets per process (default 18000; PLENARIA_MAX_CONNECTIONS)")
    parser.add_argument("--connections-per-address", type=int,
                        help="open websockets per client address (default 5000: a hall behind one NAT; "
                        "PLENARIA_CONNECTIONS_PER_ADDRESS)")
    parser.add_argument("--handshake-rate", type=float,
                        help="new websockets per second per client address (default 100; PLENARIA_HANDSHAKE_RATE)")
    parser.add_argument("--handshake-burst", type=int,
                        help="new websockets at once per client address (default 1000; PLENARIA_HANDSHAKE_BURST)")


def _limits(args: argparse.Namespace) -> Limits:
    try:
        return limits_from_env(max_connections=args.max_connections,
                               connections_per_address=args.connections_per_address,
                               handshake_rate=args.handshake_rate, handshake_burst=args.handshake_burst)
    except ValueError as exc:
        raise SystemExit(f"plenaria: {exc}") from None


def _settings(args: argparse.Namespace) -> Settings:
    settings = settings_from_env(
        host=args.host,
        port=args.port,
        database_url=args.database,
        redis_url=args.redis,
        workers=args.workers,
        public_url=args.public_url,
        allowed_origins=tuple(args.allowed_origins) if args.allowed_origins else None,
        limits=_limits(args),
    )
    if not 0 <= settings.port <= 65535:
        raise SystemExit(f"plenaria: {settings.port} is not a port (0 to 65535; 0 picks a free one)")
    if settings.workers > 1 and not settings.redis_url:
        raise SystemExit("plenaria: --workers above 1 needs --redis (processes share events through Redis)")
    if settings.workers > 1 and settings.database_url.startswith("sqlite"):
        print("plenaria: note: several workers on one SQLite file serialise their writes", file=sys.stderr)
    return settings


def uvicorn_options(settings: Settings, access_log: bool) -> dict[str, object]:
    """Websocket settings that matter: no permessage-deflate (CPU, memory, decompression bombs),
    a 64 KiB frame cap, and protocol pings that find dead peers."""
    return {
        "host": settings.host,
        "port": settings.port,
        "ws": "websockets-sansio",
        "ws_max_size": MAX_FRAME,
        "ws_per_message_deflate": False,
        "ws_ping_interval": 20.0,
        "ws_ping_timeout": 20.0,
        "log_level": settings.log_level,
        "log_config": log_config(settings.log_level, access_log=access_log),
        "access_log": access_log,
        "server_header": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": 5,
    }


def listen(settings: Settings) -> socket.socket:
    """A listening socket on the settings' host and port (0: any free port).

    Bound here rather than by uvicorn so that a busy port is one line, not a traceback, the
    real port is known before any link is printed, and connections made as soon as a link is
    printed wait in the backlog until the application has started.
    Raises SystemExit with that line when the address cannot be had."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise SystemExit(_cannot_listen(settings, exc)) from None
    sock.set_inheritable(True)
    return sock


def _cannot_listen(settings: Settings, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        other = _free_port_near(settings.host, settings.port)
        hint = f"--port {other}" if other else "another --port"
        return f"plenaria: port {settings.port} is in use on {settings.host}; try {hint} (--port 0: any free port)"
    if exc.errno == errno.EACCES:
        return f"plenaria: not allowed to listen on port {settings.port} (below 1024 needs privileges); try --port 8000"
    return f"plenaria: cannot listen on {settings.host} port {settings.port}: {exc.strerror or exc}"


def _free_port_near(host: str, port: int) -> int | None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for candidate in range(port + 1, min(port + 20, 65536)):
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return None


def listening_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _serve(settings: Settings, *, access_log: bool, sock: socket.socket | None = None) -> int:
    """Serve until interrupted on `sock` (bound from the settings when not given)."""
    if sock is None:
        sock = listen(settings)
        settings = replace(settings, port=sock.getsockname()[1])
        public = f" (links use {settings.public_url})" if settings.public_url else ""
        print(f"plenaria: listening on {listening_url(sock)}{public}", flush=True)
    options = uvicorn_options(settings, access_log)
    if settings.workers > 1:
        _export(settings)
        config = uvicorn.Config("server.web.app:app_from_env", factory=True, workers=settings.workers, **options)  # type: ignore[arg-type]
        Multiprocess(config, sockets=[sock]).run()
        return 0
    from server.web.app import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(settings), **options))  # type: ignore[arg-type]
    server.run(sockets=[sock])
    return 0 if server.started else 3


def _export(settings: Settings) -> None:
    os.environ.update(
        {
            "PLENARIA_HOST": settings.host,
            "PLENARIA_PORT": str(settings.port),
            "PLENARIA_DATABASE": settings.database_url,
            "PLENARIA_REDIS": settings.redis_url,
            "PLENARIA_PUBLIC_URL": settings.public_url,
            "PLENARIA_ALLOWED_ORIGINS": ",".join(settings.allowed_origins),
        }
    )
    os.environ.update({var: str(getattr(settings.limits, name)) for name, var in LIMIT_ENV.items()})


def _demo(settings: Settings, *, keep: bool, access_log: bool) -> int:
    from server.demo import seed

    # The address first: a second demo on a busy port must fail before it wipes the first's data.
    sock = listen(settings)
    settings = replace(settings, port=sock.getsockname()[1])
    settings = replace(settings, public_url=settings.public_url or settings.base_url())
    path = _sqlite_path(settings.database_url)
    kept = keep and path is not None and Path(path).exists()
    if path is not None and not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    links = asyncio.run(seed(settings))
    print(f"\nPlenária demo: listening on {listening_url(sock)}", flush=True)
    if path is not None:
        state = "kept from the last run (--keep)" if kept else "seeded afresh; wiped at every start unless --keep"
        print(f"  database: {Path(path).resolve()} ({state})")
    else:
        print(f"  database: {_without_password(settings.database_url)}")
    for title, pages in links:
        print(f"\n  {title}")
        for role, url in pages.items():
            print(f"    {role:<12} {url}")
    if any("moderator" not in pages for _, pages in links):
        print("\nStaff links of a kept event are the ones printed when it was seeded (secrets are stored hashed).")
    print("\nStaff links carry their secret after '#': share them only with that person.\n", flush=True)
    return _serve(settings, access_log=access_log, sock=sock)


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _sqlite_path(url: str) -> str | None:
    if "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return rest[1:] if scheme.startswith("sqlite") and rest.startswith("/") else None


if __name__ == "__main__":
    sys.exit(main())
