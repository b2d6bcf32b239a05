"""Whoever obtains the database cannot link a secret ballot to its voter better than chance.

For each backend (a SQLite file, a real PostgreSQL) and each shape of voting (N = 3, 12
voters one by one, and 3, 12 and 300 in bursts that the ballot box writes in shared
transactions), voters cast open-text ballots that each carry a unique token, so a link
is right or wrong without ambiguity. Then an attacker holding the whole store, the
voter list and the command log tries:

- while the poll runs: to find any ballot at all, in every column of every table, in
  the raw pages (SQLite's file, WAL and shared memory; PostgreSQL's pages through
  pageinspect, dead rows included) and in PostgreSQL's WAL. Nothing may be found.
- after the count: to pair the order in which voters voted (the command log's rowid or
  ctid, the vote records' physical order) with every order the counted ballots have
  (physical cell order in SQLite pages both ways, PostgreSQL ctid both ways, their key).
  The number of right links is compared with chance: the counted ballots' order is then
  a uniform permutation, so each poll's right links are the fixed points of a random
  permutation; over R polls their sum has an exact distribution, and a sum whose
  upper tail is below ALPHA fails the test. With ALPHA = 1e-6 per attack, the whole
  module fails by bad luck about once in ten thousand runs, while the store of the
  issue that motivated this (ballots beside vote records) fails every attack at once.

A control attack pairs the command log with the vote records themselves (which do
follow the voting order): it must succeed far beyond chance, or the attacks are blind.
The count must also leave no sealed ballot or escrowed key in the files (secure_delete
and a truncated WAL on SQLite; rewritten tables on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import secrets
import struct
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from server.broker import broker_from_url
from server.identity import Identity
from server.service.conference import ConferenceService
from server.service.polls import PollService
from server.service.runner import CommandRunner
from server.store import Database
from server.store import participants as people

ALPHA = 1e-6
# The longest answers: sealed ballots then span overflow pages, which the count must scrub too.
SPEC = {"kind": "open_text", "question": "Uma palavra para a conferência", "max_text_length": 500}
# (voters, polls, style): tiny polls repeated, so that their sum has a chance to show a leak.
# One by one, a vote is one transaction; 300 of them would take as long as the rest together
# and test nothing the 12-voter polls do not.
SCENARIOS = [(3, 12, "quiet"), (3, 12, "burst"), (12, 4, "quiet"), (12, 4, "burst"), (300, 1, "burst")]

pytestmark = [pytest.mark.timeout(300)]


# -- chance: the fixed points of a uniform random permutation ------------------------------


def fixed_points(n: int) -> list[float]:
    """P(k fixed points) for k = 0..n: C(n, k) * D(n - k) / n!, with D the derangements."""
    derangements = [1, 0]
    for m in range(2, n + 1):
        derangements.append((m - 1) * (derangements[-1] + derangements[-2]))
    return [derangements[n - k] / (math.factorial(n - k) * math.factorial(k)) for k in range(n + 1)]


def upper_tail(n: int, polls: int, observed: int) -> float:
    """P(sum of right links over `polls` independent polls of n voters >= observed) by chance."""
    one = fixed_points(n)
    total = [1.0]
    for _ in range(polls):
        total = [sum(total[j] * one[k - j] for j in range(len(total)) if 0 <= k - j <= n)
                 for k in range(len(total) + n)]
    return sum(total[observed:])


def test_chance_is_computed_right() -> None:
    assert fixed_points(3) == pytest.approx([2 / 6, 3 / 6, 0, 1 / 6])
    assert upper_tail(3, 1, 1) == pytest.approx(4 / 6)
    assert upper_tail(300, 1, 0) == pytest.approx(1.0)
    assert upper_tail(300, 1, 10) == pytest.approx(1 - sum(math.exp(-1) / math.factorial(k) for k in range(10)))
    assert upper_tail(3, 12, 36) < 1e-9, "a store that keeps the order is caught"


# -- reading SQLite pages the way a forensic tool would ---------------------------------------


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[pos + i]
        if i == 8:
            return (value << 8) | byte, pos + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, pos + i + 1
    raise AssertionError("unreachable")


def _record(payload: bytes) -> list[Any]:
    header_size, pos = _varint(payload, 0)
    types = []
    while pos < header_size:
        serial, pos = _varint(payload, pos)
        types.append(serial)
    values: list[Any] = []
    body = header_size
    for serial in types:
        if serial in (0, 8, 9):
            values.append(None if serial == 0 else serial - 8)
        elif serial <= 6:
            width = (0, 1, 2, 3, 4, 6, 8)[serial]
            values.append(int.from_bytes(payload[body:body + width], "big", signed=True))
            body += width
        elif serial == 7:
            values.append(struct.unpack(">d", payload[body:body + 8])[0])
            body += 8
        else:
            width = (serial - 12) // 2
            chunk = payload[body:body + width]
            values.append(chunk.decode() if serial % 2 else chunk)
            body += width
    return values


def sqlite_cells(data: bytes, root: int) -> list[tuple[int, int, list[Any]]]:
    """(page number, offset of the cell in its page, the record) of every row of a b-tree."""
    page_size = struct.unpack(">H", data[16:18])[0] or 65536
    found: list[tuple[int, int, list[Any]]] = []

    def walk(number: int) -> None:
        page = data[(number - 1) * page_size:number * page_size]
        head = 100 if number == 1 else 0
        kind = page[head]
        count = struct.unpack(">H", page[head + 3:head + 5])[0]
        interior = kind in (2, 5)
        pointers = head + (12 if interior else 8)
        for i in range(count):
            offset = struct.unpack(">H", page[pointers + 2 * i:pointers + 2 * i + 2])[0]
            pos = offset
            if interior:
                walk(struct.unpack(">I", page[offset:offset + 4])[0])
                if kind == 5:  # a table's interior cells hold only keys; an index's hold rows too
                    continue
                pos += 4
            size, pos = _varint(page, pos)
            if kind == 13:  # table leaf: the rowid comes next
                _, pos = _varint(page, pos)
            local = page_size - 35 if kind == 13 else (page_size - 12) * 64 // 255 - 23
            assert size <= local, "no record here spills to overflow pages"
            found.append((number, offset, _record(page[pos:pos + size])))
        if interior:
            walk(struct.unpack(">I", page[head + 8:head + 12])[0])

    walk(root)
    return found


# -- the voting ---------------------------------------------------------------------------------


@dataclass
class Poll:
    id: int
    token_of: dict[int, str]  # participant id -> the unique text of their ballot


class Box:
    def __init__(self, database: Database, url: str) -> None:
        self.db = database
        self.url = url
        runner = CommandRunner(database, broker_from_url("memory://", history=10))
        self.conference = ConferenceService(runner)
        self.polls = PollService(runner)
        self.event_id = 0
        self.voters: list[Identity] = []
        self.presenter = Identity(0, "presenter", staff_id=1)

    async def setup(self, voters: int) -> None:
        created = await self.conference.create_event({"title": "Conferência Municipal", "code": "SIGILO"})
        self.event_id = created.event["id"]
        self.presenter = Identity(self.event_id, "presenter", staff_id=1)
        async with self.db.session() as s:
            joined = await people.join_many(s, [(self.event_id, secrets.token_hex(32)) for _ in range(voters)], now=1.0)
        self.voters = [Identity(self.event_id, "participant", participant_id=p.id, receipt_key=secrets.token_hex(16))
                       for p in joined.values() if p.id is not None]

    async def vote(self, voters: Sequence[Identity], style: str) -> Poll:
        created = await self.polls.create_poll(self.event_id, {"spec": SPEC, "secret": True})
        poll_id = created["id"]
        await self.polls.open(self.presenter, secrets.token_hex(8), poll_id, None)
        token_of = {who.participant_id or 0: f"voto-{secrets.token_hex(8)}" for who in voters}
        order = list(voters)
        random.shuffle(order)

        async def cast(who: Identity, delay: float) -> None:
            await asyncio.sleep(delay)
            answer = await self.polls.cast(who, f"v{poll_id}", poll_id, {"text": token_of[who.participant_id or 0]})
            assert answer["secret"] is True and answer["tracker"]

        if style == "quiet":
            for who in order:
                await cast(who, 0.0)
        else:  # several batches of votes that share transactions
            await asyncio.gather(*(cast(who, random.uniform(0, 0.05)) for who in order))
        return Poll(poll_id, token_of)

    async def close(self, poll: Poll) -> None:
        answer = await self.polls.close(self.presenter, secrets.token_hex(8), poll.id)
        assert answer["poll"]["status"] == "closed" and not answer["poll"]["awaiting_count"]


@pytest.fixture
async def box(database: Database, database_url: str) -> AsyncIterator[Box]:
    yield Box(database, database_url)


# -- what the attacker reads ------------------------------------------------------------------


def sqlite_files(box: Box) -> bytes:
    path = Path(box.url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal"),
                                              path.with_name(path.name + "-shm")) if p.exists())


async def postgres_bytes(box: Box, since_lsn: str | None) -> dict[str, bytes]:
    """Every row with its system columns, every page of every relation of the database (dead
    rows too) and, unless `since_lsn` is None, the WAL written since then."""
    conn = await asyncpg.connect(box.url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        relations = await conn.fetch(
            "SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 't', 'i') AND (n.nspname = 'public' OR n.nspname = 'pg_toast') "
            "AND c.relpersistence = 'p' AND pg_relation_size(c.oid) > 0")
        chunks: dict[str, bytes] = {}
        for relation in relations:
            chunks[relation["name"]] = b"".join(await conn.fetchval(
                "SELECT array_agg(get_raw_page($1::text, n::bigint)) FROM generate_series(0, "
                "pg_relation_size($1::regclass) / current_setting('block_size')::int - 1) AS n",
                relation["name"]) or [])
        if since_lsn is not None:  # the WAL from `since_lsn` to now, segment by segment
            start = await conn.fetchrow("SELECT * FROM pg_walfile_name_offset($1::text::pg_lsn)", since_lsn)
            end = await conn.fetchrow("SELECT * FROM pg_walfile_name_offset(pg_current_wal_lsn())")
            segment_bytes = int(await conn.fetchval("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'"))
            names = await conn.fetch("SELECT name FROM pg_ls_waldir() WHERE name >= $1 AND name <= $2 ORDER BY name",
                                     start["file_name"], end["file_name"])
            for row in names:
                first = start["file_offset"] if row["name"] == start["file_name"] else 0
                last = end["file_offset"] if row["name"] == end["file_name"] else segment_bytes
                chunks[f"wal {row['name']}"] = await conn.fetchval(
                    "SELECT pg_read_binary_file('pg_wal/' || $1, $2, $3)", row["name"], first, last - first)
        for table in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
            dump = await conn.fetch(f'SELECT xmin, ctid, t::text AS row FROM "{table["tablename"]}" AS t')
            chunks[f"rows of {table['tablename']}"] = b" ".join(str(dict(row)).encode() for row in dump)
        return chunks
    finally:
        await conn.close()


async def wal_position(box: Box) -> str:
    if box.db.is_sqlite:
        return ""
    conn = await asyncpg.connect(box.url)
    try:
        return str(await conn.fetchval("SELECT pg_current_wal_lsn()::text"))
    finally:
        await conn.close()


async def everything(box: Box, since_lsn: str | None) -> dict[str, bytes]:
    """What the store keeps, by place: SQLite's files, or PostgreSQL's relations, rows and WAL."""
    if box.db.is_sqlite:
        return {"sqlite files": sqlite_files(box)}
    return await postgres_bytes(box, since_lsn)


def places(stored: dict[str, bytes], needles: Sequence[bytes]) -> dict[str, int]:
    return {name: n for name, data in stored.items() if (n := sum(needle in data for needle in needles))}


async def sealed_now(box: Box, poll: Poll) -> list[bytes]:
    async with box.db.engine.connect() as conn:
        result = await conn.exec_driver_sql(
            f"SELECT sealed FROM sealed_ballot WHERE poll_id = {poll.id} UNION ALL SELECT escrow FROM poll_key "
            f"WHERE poll_id = {poll.id}")
        return [bytes(value) for value in result.scalars().all()]


async def orders(box: Box, poll: Poll) -> tuple[dict[str, list[int]], dict[str, list[str]]]:
    """Voter orders (participant ids) and counted-ballot orders (tokens) that the store gives away."""

    def voter(key: str) -> int:
        return int(key.split(":")[1])

    command = f"v{poll.id}"
    if box.db.is_sqlite:
        async with box.db.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            log = (await conn.exec_driver_sql(
                f"SELECT actor FROM command_log WHERE command_id = '{command}' ORDER BY rowid")).scalars().all()
            roots = dict((await conn.exec_driver_sql("SELECT name, rootpage FROM sqlite_schema")).all())
        data = Path(box.url.removeprefix("sqlite:///")).read_bytes()
        records = [c for c in sqlite_cells(data, roots["vote_record"]) if c[2][0] == poll.id]
        ballots = [c for c in sqlite_cells(data, roots["counted_ballot"]) if c[2][0] == poll.id]
        by_place = sorted(ballots, key=lambda c: (c[0], c[1]))
        voters = {"command log": [voter(a) for a in log],
                  "vote records, cell order": [voter(c[2][1]) for c in sorted(records, key=lambda c: (c[0], -c[1]))]}
        counted = {"cells ascending": [json.loads(c[2][2])["text"] for c in by_place],
                   "cells descending": [json.loads(c[2][2])["text"] for c in reversed(by_place)],
                   "key": [json.loads(c[2][2])["text"] for c in sorted(ballots, key=lambda c: c[2][1])]}
        return voters, counted
    conn = await asyncpg.connect(box.url)
    try:
        log = await conn.fetch("SELECT actor FROM command_log WHERE command_id = $1 ORDER BY xmin::text::bigint, ctid",
                               command)
        records = await conn.fetch("SELECT voter FROM vote_record WHERE poll_id = $1 ORDER BY ctid", poll.id)
        ballots = await conn.fetch("SELECT ballot::text AS ballot, key FROM counted_ballot WHERE poll_id = $1 "
                                   "ORDER BY ctid", poll.id)
    finally:
        await conn.close()
    texts = [json.loads(row["ballot"])["text"] for row in ballots]
    voters = {"command log": [voter(row["actor"]) for row in log],
              "vote records, ctid": [voter(row["voter"]) for row in records]}
    counted = {"ctid ascending": texts, "ctid descending": texts[::-1],
               "key": [t for _, t in sorted(zip((row["key"] for row in ballots), texts, strict=True))]}
    return voters, counted


def right_links(poll: Poll, voters: list[int], ballots: list[str]) -> int:
    assert len(voters) == len(ballots) == len(poll.token_of)
    return sum(poll.token_of[v] == b for v, b in zip(voters, ballots, strict=True))


# -- the test ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("voters", "polls", "style"), SCENARIOS, ids=[f"{n}x{r}-{s}" for n, r, s in SCENARIOS])
async def test_no_ballot_is_linked_to_its_voter_better_than_chance(box: Box, voters: int, polls: int,
                                                                   style: str) -> None:
    await box.setup(voters)
    since = await wal_position(box)
    links: dict[str, int] = {}
    control: dict[str, int] = {}
    for round_ in range(polls):
        poll = await box.vote(box.voters, style)
        if round_ == 0:
            # While the poll runs: no ballot anywhere, in any form the store keeps.
            stored = await everything(box, since)
            tokens = [t.encode() for t in poll.token_of.values()]
            assert not places(stored, tokens), f"ballots readable in {places(stored, tokens)}"
            sealed = await sealed_now(box, poll)
            assert len(sealed) == voters + 1
        await box.close(poll)
        if round_ == 0:
            # A scrub that found rows still visible to an older transaction is done again at each
            # tick of the server; here, where no ticker runs, until it is done.
            for _ in range(100):
                if not box.polls.secret.scrub_owed or await box.polls.secret.scrub():
                    break
                await asyncio.sleep(0.1)
            # PostgreSQL's WAL keeps them until its segments are recycled (docs/privacy.md): pages only.
            stored = await everything(box, None)
            pieces = [s[at:at + 32] for s in sealed for at in range(44, len(s) - 31, 500)]  # past the sender key
            assert not places(stored, pieces), f"sealed ballots or key survive the count in {places(stored, pieces)}"
        voter_orders, ballot_orders = await orders(box, poll)
        for voter_name, voter_order in voter_orders.items():
            for ballot_name, ballot_order in ballot_orders.items():
                name = f"{voter_name} x counted ballots by {ballot_name}"
                links[name] = links.get(name, 0) + right_links(poll, voter_order, ballot_order)
            # The control: the command log against the voters' own records, in their order.
            control[voter_name] = control.get(voter_name, 0) + sum(
                a == b for a, b in zip(voter_orders["command log"], voter_order, strict=True))

    worst = max(links, key=lambda name: links[name])
    p_value = upper_tail(voters, polls, links[worst])
    assert p_value >= ALPHA, f"{worst}: {links[worst]} of {voters * polls} linked (p = {p_value:.2e})"
    record_order = next(name for name in control if name != "command log")
    assert upper_tail(voters, polls, control[record_order]) < ALPHA, (
        f"the control attack found only {control[record_order]} of {voters * polls}: the attacks are blind")
