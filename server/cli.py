"""The `plenaria` command: demo, serve, moderate, purge."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import uvicorn

from server.logs import log_config
from server.settings import LIMIT_ENV, Limits, Settings, limits_from_env, settings_from_env

MAX_FRAME = 64 * 1024


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="plenaria",
        description="Live companion for streamed public conferences: chat, Q&A, moderation, votes, live results.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run the server with two seeded demo events (pt-BR and pl)")
    _server_options(demo, default_database="sqlite:///plenaria-demo.db")
    demo.add_argument("--keep", action="store_true", help="keep the demo database instead of starting afresh")

    serve = commands.add_parser("serve", help="run the server")
    _server_options(serve, default_database=None)
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
    if args.command == "demo":
        return _demo(settings, keep=args.keep, access_log=args.access_log)
    return _serve(settings, access_log=args.access_log)


def _server_options(parser: argparse.ArgumentParser, default_database: str | None) -> None:
    env = "environment variable"
    parser.add_argument("--host", help=f"address to listen on (default 127.0.0.1; {env} PLENARIA_HOST)")
    parser.add_argument("--port", type=int, help=f"port (default 8000; {env} PLENARIA_PORT)")
    parser.add_argument(
        "--database",
        default=default_database,
        help=f"SQLite path or URL (sqlite:///file.db) or postgresql://user@host/db ({env} PLENARIA_DATABASE; "
        "default sqlite:///plenaria.db)",
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


def _serve(settings: Settings, *, access_log: bool) -> int:
    options = uvicorn_options(settings, access_log)
    if settings.workers > 1:
        _export(settings)
        uvicorn.run("server.web.app:app_from_env", factory=True, workers=settings.workers, **options)  # type: ignore[arg-type]
        return 0
    from server.web.app import create_app

    uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
    return 0


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

    path = _sqlite_path(settings.database_url)
    if path is not None and not keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    links = asyncio.run(seed(settings))
    settings = replace(settings, public_url=settings.public_url or settings.base_url())
    print("\nPlenária demo is starting on", settings.base_url(), flush=True)
    for title, pages in links:
        print(f"\n  {title}")
        for role, url in pages.items():
            print(f"    {role:<12} {url}")
    print("\nStaff links carry their secret after '#': share them only with that person.\n", flush=True)
    return _serve(settings, access_log=access_log)


def _sqlite_path(url: str) -> str | None:
    if "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return rest[1:] if scheme.startswith("sqlite") and rest.startswith("/") else None


if __name__ == "__main__":
    sys.exit(main())
