"""Import the live comments of YouTube and Facebook into the event's one moderation queue.

One poller task per active source, in the process that holds the source's lease on the broker
(`platform-source:<id>`, renewed every third of LEASE_TTL; with Redis, a process that dies loses it
after LEASE_TTL and another takes over). A poll fetches the page after the persisted cursor and
stores every comment not imported yet (the platform's message id is the key: a page fetched twice
makes no second item), in transactions of CHUNK comments the last of which moves the cursor, with
the health; events are published after each commit. A comment passes the same moderation as a
chat message typed here (the event's own rules and terms, flood and repeat history per platform
account, mutes and bans) and becomes a chat item with `origin` set to its platform.

Failures never escape the poller: each becomes the source's health (server/domain/platforms.py),
shown to staff (`platform.health` on the staff channel), and sets the back-off.

Nothing is posted back to a platform unless the organizer turns `post_replies` on for the source:
then a moderator's reply to an imported comment is written to the outbox (`platform_reply`) in the
reply's own transaction, and the poller holding the source's lease posts it after each poll,
exactly once: claimed (committed) before the request, the platform's id recorded after it; a
failure is retried with back-off or given up, and shown as the source's `reply_health`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import httpx

from moderation import Context, Verdict
from server.channels import channel
from server.domain import platforms as rules
from server.domain import qa as qa_rules
from server.domain.audit import AUTO
from server.domain.platforms import Comment, Page, PlatformFailure, Reply, Source
from server.domain.qa import Author
from server.errors import Conflict, PlenariaError
from server.platforms import PlatformClient, client_for
from server.service.qa import PRE_MODERATION, announce, audited, moderator_for, short_text_checker
from server.service.runner import CommandRunner, Outcome
from server.service.token_box import TokenBox
from server.store import Unit
from server.store import audit as audit_store
from server.store import items as item_store
from server.store import qa_settings as settings_store

log = logging.getLogger("plenaria.platforms")
LEASE_TTL = 15.0
SCAN_SECONDS = 2.0  # how often the supervisor looks for sources connected on any process
CHUNK = 100  # comments stored per transaction
SANCTIONED = {"verdict": "block", "detail": "", "start": 0, "end": 0}  # with rule "banned" or "muted"


@dataclass(frozen=True)
class PlatformConfig:
    youtube_url: str = ""
    facebook_url: str = ""
    token_key: str = field(default="", repr=False)
    interval: float = rules.DEFAULT_INTERVAL  # Facebook's wait between polls, and the base of the back-off
    chunk: int = CHUNK
    lease_ttl: float = LEASE_TTL
    scan_seconds: float = SCAN_SECONDS


@dataclass
class _Poller:
    task: asyncio.Task[None]
    wake: asyncio.Event
    updated_at: float


class Importer:
    def __init__(self, runner: CommandRunner, config: PlatformConfig, environ: Mapping[str, str] | None = None,
                 http: httpx.AsyncClient | None = None) -> None:
        self.runner = runner
        self.config = config
        self.tokens = TokenBox(config.token_key)
        self.environ = os.environ if environ is None else environ
        self.holder = secrets.token_hex(8)  # this process, as a lease holder
        self._http = http
        self._pollers: dict[int, _Poller] = {}
        self._supervisor: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        if self._http is None:
            self._http = httpx.AsyncClient(follow_redirects=False, trust_env=False)
        self._supervisor = asyncio.create_task(self._supervise(), name="platform-supervisor")

    async def stop(self) -> None:
        tasks = [p.task for p in self._pollers.values()]
        if self._supervisor is not None:
            tasks.append(self._supervisor)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for source_id in list(self._pollers):
            await self.runner.broker.release(_lease(source_id), self.holder)
        self._pollers.clear()
        if self._http is not None:
            await self._http.aclose()

    def wake(self, source_id: int) -> None:
        """Poll `source_id` now (a reconnect on this process); other processes notice within a scan."""
        poller = self._pollers.get(source_id)
        if poller is not None:
            poller.wake.set()

    def client(self, source: Source) -> PlatformClient:
        assert self._http is not None, "Importer.start() first"
        base = self.config.youtube_url if source.platform == "youtube" else self.config.facebook_url
        return client_for(source.platform, self._http, base, self.config.interval)

    def token(self, source: Source, sealed: bytes | None) -> str | None:
        if source.token_env:
            return self.environ.get(source.token_env) or None
        if sealed is None:
            return None
        return self.tokens.open(source.event_id, source.platform, source.target, sealed)

    # -- supervision -------------------------------------------------------------

    async def _supervise(self) -> None:
        while True:
            try:
                await self._scan()
            except PlenariaError as exc:  # the store is away: try again on the next scan
                log.warning("platform sources not scanned: %s", exc.code)
            except Exception:  # whatever it was, the supervisor outlives it
                log.exception("platform sources not scanned")
            await asyncio.sleep(self.config.scan_seconds)

    async def _scan(self) -> None:
        async with self.runner.db.session() as db:
            sources = {s.id: s for s in await db.platforms.active()}
        for source_id in [i for i, p in self._pollers.items() if i not in sources or p.task.done()]:
            self._pollers.pop(source_id).task.cancel()
            await self.runner.broker.release(_lease(source_id), self.holder)
        for source in sources.values():
            running = self._pollers.get(source.id)
            if running is None:
                if not source.stopped:
                    wake = asyncio.Event()
                    task = asyncio.create_task(self._poll_forever(source.id, wake), name=f"platform-{source.id}")
                    self._pollers[source.id] = _Poller(task, wake, source.updated_at)
            elif running.updated_at != source.updated_at:  # reconnected (on any process)
                running.updated_at = source.updated_at
                running.wake.set()

    async def _poll_forever(self, source_id: int, wake: asyncio.Event) -> None:
        lease = _lease(source_id)
        while True:
            if not await self.runner.broker.lease(lease, self.holder, self.config.lease_ttl):
                await self._sleep(self.config.lease_ttl / 3, wake)
                continue
            try:
                delay = await self.poll_once(source_id)
            except Exception:  # a poller never dies of one bad poll; the next one tries again
                log.exception("platform source %s: poll failed", source_id)
                delay = rules.MAX_BACKOFF / 10
            try:
                await self.send_replies(source_id)
            except PlenariaError as exc:  # the store is away: the outbox keeps them for the next round
                log.warning("platform source %s: replies not sent (%s)", source_id, exc.code)
            except Exception:
                log.exception("platform source %s: replies not sent", source_id)
            if delay is None:
                await self.runner.broker.release(lease, self.holder)
                return
            await self._hold_lease_while_sleeping(lease, delay, wake)

    async def _hold_lease_while_sleeping(self, lease: str, delay: float, wake: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + delay
        while (left := until - loop.time()) > 0:
            if await self._sleep(min(left, self.config.lease_ttl / 3), wake):
                return
            if not await self.runner.broker.lease(lease, self.holder, self.config.lease_ttl):
                return

    @staticmethod
    async def _sleep(seconds: float, wake: asyncio.Event) -> bool:
        """Sleep up to `seconds`; True when woken early."""
        try:
            await asyncio.wait_for(wake.wait(), seconds)
        except TimeoutError:
            return False
        wake.clear()
        return True

    # -- one poll ----------------------------------------------------------------

    async def poll_once(self, source_id: int) -> float | None:
        """Fetch and store one page of `source_id`; the seconds until the next poll, None to stop."""
        async with self.runner.db.session() as db:
            source = await db.platforms.get(source_id)
            sealed = await db.platforms.sealed_token(source_id) if source is not None else None
        if source is None or source.stopped:
            return None
        token = self.token(source, sealed)
        page: Page | None = None
        if token is None:
            failure = PlatformFailure("revoked", "no usable token: connect the source again")
        else:
            try:
                client = self.client(source)
                chat_id = source.chat_id or await client.resolve(source, token)
                source = replace(source, chat_id=chat_id)
                page = await client.page(source, chat_id, token)
            except PlatformFailure as exc:
                failure = exc
        if page is None:
            after = replace(source, health=failure.health, detail=failure.detail, failures=source.failures + 1)
            delay = rules.next_delay(after.health, after.failures, self.config.interval, failure.retry_after)
        else:
            after = replace(source, cursor=page.cursor, health="ended" if page.ended else "ok", detail="",
                            failures=0)
            delay = rules.next_delay(after.health, 0, page.wait_seconds)
        comments = page.comments if page is not None else ()
        # A full page (YouTube's is up to 2,000 comments) is stored in chunks, each its own
        # transaction, so other writers (votes) wait for one chunk at most. Only the last chunk
        # moves the cursor: after a crash in between, the page is fetched again and the import
        # keys skip the chunks already stored.
        chunks = [comments[i:i + self.config.chunk] for i in range(0, len(comments), self.config.chunk)] or [()]
        try:
            for chunk in chunks[:-1]:
                await self._save(replace(after, cursor=source.cursor), chunk, before=source)
            await self._save(after, chunks[-1], before=source)
        except Conflict:
            # Reconnected meanwhile, or another process stored some of this page first (a lease
            # takeover): poll again soon; the import keys skip what is already stored.
            return rules.MIN_INTERVAL
        except PlenariaError as exc:  # the store is unavailable: nothing was stored, try again later
            log.warning("platform source %s: page not stored (%s)", source_id, exc.code)
            return rules.MAX_BACKOFF / 10
        return delay

    async def send_replies(self, source_id: int) -> int:
        """Post the replies due in the outbox of `source_id` (the caller holds its lease); how many
        the platform took. Each is committed as `sending` before its request, so a crash mid-way
        never posts it twice (it becomes `uncertain`, see PlatformSources.claim_replies)."""
        async with self.runner.db.session() as db:
            source = await db.platforms.get(source_id)
            sealed = await db.platforms.sealed_token(source_id) if source is not None else None
        if source is None:
            return 0
        now = self.runner.clock()

        replies: list[Reply] = []

        async def claim(db: Unit, out: Outcome) -> None:
            replies[:] = await db.platforms.claim_replies(source_id, now, stale_after=2 * self.config.lease_ttl)

        await self.runner.run("platform", None, claim)
        if not replies:
            return 0
        token = self.token(source, sealed)
        client = self.client(source)
        posted = 0
        for reply in replies:
            try:
                if token is None:
                    raise PlatformFailure("revoked", "no usable token: connect the source again")
                if source.platform == "youtube" and not source.chat_id:
                    raise PlatformFailure("unreachable", "the live chat is not looked up yet")
                posted_id: str | None = await client.post_reply(source, source.chat_id, reply.parent_id,
                                                                reply.text, token)
                failure: PlatformFailure | None = None
            except PlatformFailure as exc:
                posted_id, failure = None, exc
            posted += await self._record_reply(source, reply, posted_id, failure)
        return posted

    async def _record_reply(self, source: Source, reply: Reply, posted_id: str | None,
                            failure: PlatformFailure | None) -> int:
        async def work(db: Unit, out: Outcome) -> None:
            now = self.runner.clock()
            if posted_id is not None:
                await db.platforms.reply_done(reply, posted_id, now)
            elif failure is not None:
                delay = rules.reply_delay(failure.health, reply.attempts, self.config.interval, failure.retry_after)
                log.warning("platform source %s: reply %s not posted: %s", source.id, reply.id, failure)
                await db.platforms.reply_failed(reply, failure.health, failure.detail,
                                                None if delay is None else now + delay)
            saved = await db.platforms.get(source.id)
            if saved is not None:
                out.publish(channel(source.event_id, "staff"), "platform.health", {"source": saved.staff()})

        await self.runner.run("platform", None, work)
        return 1 if posted_id is not None else 0

    async def _save(self, source: Source, comments: tuple[Comment, ...], *, before: Source) -> None:
        """Store the comments not imported yet and the source's progress, in one transaction;
        Conflict when the source was reconnected or removed since `before` was read."""

        async def work(db: Unit, out: Outcome) -> None:
            now = self.runner.clock()
            imported = await self._import(db, out, source, comments, now)
            if not await db.platforms.save_progress(source, imported=imported, now=now):
                raise Conflict("the source was reconnected or removed meanwhile", code="conflict")
            saved = await db.platforms.get(source.id)
            if saved is not None and (imported or saved.health != before.health or saved.detail != before.detail):
                out.publish(channel(source.event_id, "staff"), "platform.health", {"source": saved.staff()})

        await self.runner.run("platform", None, work)

    async def _import(self, db: Unit, out: Outcome, source: Source, comments: tuple[Comment, ...],
                      now: float) -> int:
        """Store each comment not imported yet as a chat item, through the event's moderation."""
        seen = await db.platforms.imported_ids(source.id, [c.message_id for c in comments])
        fresh: list[Comment] = []
        for comment in comments:  # a platform may repeat a message within a page, too
            if comment.message_id not in seen:
                seen.add(comment.message_id)
                fresh.append(comment)
        if not fresh:
            return 0
        settings, _ = await settings_store.settings(db, source.event_id)
        policy = settings.policy_for("chat")
        limit = settings.max_length("chat")
        authors: dict[tuple[str, str], tuple[int, str]] = {}  # a chatty account is looked up once per chunk
        for comment in fresh:
            name = rules.display_name(comment)
            key = rules.author_key(source.platform, comment)
            if (key, name) not in authors:
                authors[key, name] = await db.platforms.author(source.event_id, key, name, secrets.token_hex(6), now)
            person_id, public_id = authors[key, name]
            hide_name = bool(name) and short_text_checker(settings.policy_for_short_text())(name).verdict \
                is not Verdict.ALLOW
            body = comment.text.strip()[:limit]
            history = await item_store.author_history(
                db, person_id, "chat", now - max(policy.flood_window_seconds, policy.repeat_window_seconds))
            decision = moderator_for(policy).check(body, Context(now=now, recent=history))
            status = qa_rules.route(decision.verdict, settings.mode("chat"))
            reasons: list[dict[str, Any]] = [reason.to_dict() for reason in decision.reasons]
            sanction = await db.sanctions.of(person_id)
            if sanction is not None and (sanction.banned or (sanction.muted_until or 0) > now):
                status = "rejected"
                reasons.append(dict(SANCTIONED, rule="banned" if sanction.banned else "muted"))
            elif status == "published" and not settings.enabled("chat"):
                status = "held"  # chat is closed here; a moderator may still make it a question
                reasons.append(dict(PRE_MODERATION, detail="chat_closed"))
            if status == "held" and not reasons:
                reasons.append(dict(PRE_MODERATION, detail="chat"))
            author = Author(person_id, public_id, name, anonymous=hide_name or not name)
            item = await item_store.add_item(db, source.event_id, "chat", author, body, status,
                                          decision.verdict.value, reasons, now, origin=source.platform)
            await db.platforms.record_import(source.id, comment.message_id, item.id, comment.published_at)
            if status != "published":
                entry = await audit_store.log(
                    db, source.event_id, AUTO, "hold" if status == "held" else "block", "chat", item.id, now,
                    participant=author.public_id, reasons=reasons,
                )
                audited(out, source.event_id, entry)
            announce(out, source.event_id, None, item)
        return len(fresh)


def _lease(source_id: int) -> str:
    return f"platform-source:{source_id}"
