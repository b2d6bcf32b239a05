"""The organizer connects and disconnects an event's live-chat sources (YouTube, Facebook); staff
see each source's health, and the organizer may turn on posting moderators' replies back. The
token is sealed at rest (server/service/token_box.py) or named as an
environment variable; it never leaves the server (`Source.staff()` has no token)."""

from __future__ import annotations

import re
from typing import Any

from server.channels import channel
from server.domain import platforms as rules
from server.domain.platforms import Platform
from server.errors import InvalidCommand, NotFound
from server.identity import Identity
from server.service.importing import Importer
from server.service.runner import CommandRunner, Outcome
from server.store import Unit

TARGET = re.compile(r"[A-Za-z0-9_-]{1,128}")
ENV_NAME = re.compile(r"PLENARIA_[A-Z0-9_]{1,90}")
MAX_TOKEN = 4096


class PlatformService:
    def __init__(self, runner: CommandRunner, importer: Importer) -> None:
        self.runner = runner
        self.importer = importer

    async def connect(self, who: Identity, fields: dict[str, Any]) -> dict[str, Any]:
        """Connect (or reconnect) a source: `platform`, `target` (YouTube video id / Facebook live
        video id), and `token` (stored sealed) or `token_env` (a PLENARIA_* variable name).
        Answers `{"source": ...}` as staff see it."""
        platform = fields.get("platform")
        if platform not in rules.PLATFORMS:
            raise InvalidCommand("platform must be youtube or facebook", code="invalid_platform", field="platform")
        target = fields.get("target")
        if not isinstance(target, str) or not TARGET.fullmatch(target):
            raise InvalidCommand("the video id is letters, digits, - and _", code="invalid_platform_target",
                                 field="target")
        token, token_env = fields.get("token"), fields.get("token_env", "")
        sealed: bytes | None = None
        if token_env:
            if not isinstance(token_env, str) or not ENV_NAME.fullmatch(token_env) or token is not None:
                raise InvalidCommand("token_env names a PLENARIA_* variable, instead of a token",
                                     code="invalid_token_env", field="token_env")
        elif isinstance(token, str) and 0 < len(token.strip()) <= MAX_TOKEN:
            if not self.importer.tokens.available:
                raise InvalidCommand("this server stores no tokens (PLENARIA_TOKEN_KEY is not set): use token_env",
                                     code="token_key_missing", field="token")
            sealed = self.importer.tokens.seal(who.event_id, platform, target, token.strip())
        else:
            raise InvalidCommand("give the key or token of the platform", code="platform_token_required",
                                 field="token")
        chosen: Platform = platform

        async def work(db: Unit, out: Outcome) -> None:
            source = await db.platforms.connect(who.event_id, chosen, target, sealed, token_env or "",
                                                self.runner.clock())
            out.publish(channel(who.event_id, "staff"), "platform.health", {"source": source.staff()})
            out.result = {"source": source.staff()}

        result = await self.runner.run(who.actor, None, work)
        self.importer.wake(result["source"]["id"])
        return result

    async def set_post_replies(self, who: Identity, source_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        """The organizer's switch `post_replies` (off by default): moderators' replies to comments
        imported from this source are posted back to the platform. `{"source": ...}`."""
        on = fields.get("post_replies")
        if not isinstance(on, bool):
            raise InvalidCommand("post_replies is true or false", code="invalid_post_replies", field="post_replies")

        async def work(db: Unit, out: Outcome) -> None:
            source = await db.platforms.set_post_replies(who.event_id, source_id, on)
            if source is None:
                raise NotFound("no such source", code="platform_source_not_found")
            out.publish(channel(who.event_id, "staff"), "platform.health", {"source": source.staff()})
            out.result = {"source": source.staff()}

        return await self.runner.run(who.actor, None, work)

    async def disconnect(self, who: Identity, source_id: int) -> dict[str, Any]:
        """Stop importing `source_id` and forget its token; `{"removed": id}`."""

        async def work(db: Unit, out: Outcome) -> None:
            source = await db.platforms.disconnect(who.event_id, source_id, self.runner.clock())
            if source is None:
                raise NotFound("no such source", code="platform_source_not_found")
            out.publish(channel(who.event_id, "staff"), "platform.removed", {"id": source.id})
            out.result = {"removed": source.id}

        return await self.runner.run(who.actor, None, work)

    async def listing(self, event_id: int) -> list[dict[str, Any]]:
        async with self.runner.db.session() as db:
            return [source.staff() for source in await db.platforms.active(event_id)]

