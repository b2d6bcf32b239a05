"""`plenaria purge`: delete chat messages older than each event's retention (or `--days`).

Questions are never purged; neither is anything of an event with no
`chat_retention_days` set unless `--days` is given. Prints one line per event.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from server.errors import PlenariaError
from server.service.privacy import describe, purge_database
from server.settings import settings_from_env


def add_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    purge = commands.add_parser("purge", help="delete chat older than each event's retention (or --days)")
    purge.add_argument("--database", help="SQLite path or URL, or postgresql://user@host/db "
                       "(environment variable PLENARIA_DATABASE; default sqlite:///plenaria.db)")
    purge.add_argument("--event", metavar="CODE", help="only this event (join code); default: every event")
    purge.add_argument("--days", type=int, metavar="N",
                       help="delete chat older than N days, whatever the events' retention settings")
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted, change nothing")


def run(args: argparse.Namespace) -> int:
    if args.days is not None and args.days < 0:
        print("plenaria purge: --days must be 0 or more", file=sys.stderr)
        return 2
    settings = settings_from_env(database_url=args.database)
    try:
        reports = asyncio.run(
            purge_database(settings.async_database_url, code=args.event, days=args.days, dry_run=args.dry_run)
        )
    except PlenariaError as exc:
        print(f"plenaria purge: {exc.message}", file=sys.stderr)
        return 1
    for report in reports:
        print(describe(report))
    return 0
