"""Everything one process runs, built from Settings in the app's lifespan (no module singletons)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from server import wire
from server.broker import Broker, broker_from_url
from server.channels import ChannelKind
from server.errors import Unauthorized
from server.hub import Hub
from server.hub.snapshots import PublicSnapshots
from server.hub.stretches import Stretches
from server.identity import Identity
from server.service.answers import AnswerService
from server.service.ata import AtaService
from server.service.attendance import AttendanceService
from server.service.belongings import Belongings
from server.service.certificates import CertificateService
from server.service.conference import ConferenceService
from server.service.delegates import DelegateService
from server.service.deliberation import DeliberationService
from server.service.exports import ExportService
from server.service.importing import Importer, PlatformConfig
from server.service.moderating import ModerationService
from server.service.platform_sources import PlatformService
from server.service.polls import PollService
from server.service.preconference import PreconferenceService
from server.service.presence import PresenceService
from server.service.privacy import PrivacyService
from server.service.qa import QAService
from server.service.runner import CommandRunner
from server.service.speakers import SpeakersService
from server.service.tallies import REFRESHES
from server.settings import Settings
from server.store import Database
from server.web.admission import Admission
from server.web.heavy import HeavyWork
from server.web.throttle import ActorThrottle


@dataclass
class Services:
    settings: Settings
    db: Database
    broker: Broker
    runner: CommandRunner
    conference: ConferenceService
    hub: Hub
    qa: QAService = field(init=False)
    moderation: ModerationService = field(init=False)
    polls: PollService = field(init=False)
    answers: AnswerService = field(init=False)
    delegates: DelegateService = field(init=False)
    attendance: AttendanceService = field(init=False)
    ata: AtaService = field(init=False)
    certificates: CertificateService = field(init=False)
    presence: PresenceService = field(init=False)
    privacy: PrivacyService = field(init=False)
    exports: ExportService = field(init=False)
    speakers: SpeakersService = field(init=False)
    deliberation: DeliberationService = field(init=False)
    importer: Importer = field(init=False)
    platforms: PlatformService = field(init=False)
    preconference: PreconferenceService = field(init=False)
    admission: Admission = field(init=False)
    throttle: ActorThrottle = field(init=False)
    heavy: HeavyWork = field(init=False)
    belongings: Belongings = field(init=False)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        db = Database(settings.async_database_url)
        broker = broker_from_url(settings.broker_url, history=settings.limits.history_per_channel)
        runner = CommandRunner(db, broker)
        conference = ConferenceService(runner)
        services: Services
        public = PublicSnapshots(lambda event_id: services.public_state(event_id),
                                 lambda who, state: services.personalise(who, state), PollService.nothing_of_their_own)
        stretches = Stretches()
        hub = Hub(broker, settings.limits, lambda who, kind: services.snapshot(who, kind), public, stretches,
                  runner.announce, paced=REFRESHES)
        services = cls(settings, db, broker, runner, conference, hub)
        limits = settings.limits
        services.admission = Admission(limits.max_connections, limits.connections_per_address,
                                       limits.handshake_rate, limits.handshake_burst)
        services.throttle = ActorThrottle(limits.commands_per_second, limits.command_burst)
        services.heavy = HeavyWork()
        services.belongings = Belongings(runner)
        services.qa = QAService(runner)
        services.moderation = ModerationService(runner)
        services.polls = PollService(runner)
        services.polls.presence.count = broker.presence
        services.polls.presence.local_ids = hub.online_participants
        services.answers = AnswerService(runner, services.polls)
        services.moderation.policy_listeners.append(services.answers.recount)
        services.delegates = DelegateService(runner)
        services.attendance = AttendanceService(runner)
        services.privacy = PrivacyService(runner)
        services.exports = ExportService(runner, services.polls)
        services.ata = AtaService(runner, services.exports)
        services.certificates = CertificateService(runner, settings.attendance_minute_seconds)
        services.presence = PresenceService(runner, stretches, settings.presence_flush_seconds,
                                            settled=conference.arrivals.settled)
        conference.agenda_listeners.append(services.presence.session_changed)
        services.speakers = SpeakersService(runner)
        services.deliberation = DeliberationService(runner, services.polls)
        services.importer = Importer(runner, PlatformConfig(settings.youtube_url, settings.facebook_url,
                                                            settings.token_key,
                                                            lease_ttl=settings.platform_lease_seconds))
        services.platforms = PlatformService(runner, services.importer)
        services.preconference = PreconferenceService(runner, conference, services.polls)
        return services

    async def start(self) -> None:
        await self.db.create_schema()
        await self.hub.start()
        await self.polls.start()
        self.qa.start()
        self.importer.start()
        self.presence.start()

    async def stop(self) -> None:
        self.heavy.stop()
        await self.importer.stop()
        await self.qa.stop()
        await self.polls.stop()
        await self.presence.stop()  # before the hub and the store close: what it saw is written
        await self.hub.stop()
        await self.db.dispose()

    async def public_state(self, event_id: int) -> dict[str, Any]:
        """The public channel's state every participant shares (as staff see it), from every service."""
        state = await self.conference.snapshot(event_id, "public", "participant")
        state.update(await self.qa.public_state(event_id))
        state.update(await self.polls.public_state(event_id))
        state.update(await self.speakers.public_state(event_id))
        state.update(await self.deliberation.public_state(event_id))
        state.update(await self.preconference.public_state(event_id))
        return state

    async def personalise(self, who: Identity, shared: dict[str, Any]) -> dict[str, Any] | None:
        """`shared` completed for participant `who` (a copy), or None if they have nothing of their own."""
        if not await self.belongings.any_of(who, tuple(view["id"] for view in shared.get("polls", ()))):
            return None
        state: dict[str, Any] = orjson.loads(wire.dumps(shared))  # a deep copy: the shared state is never changed
        found_qa = await self.qa.personalise(who, state)
        if not await self.polls.personalise(who, state):
            if not found_qa:
                return None
            state = self.polls.nothing_of_their_own(state)
        return state

    async def snapshot(self, who: Identity, kind: ChannelKind) -> dict[str, Any]:
        """The state a client of `who`'s role gets on one channel, from every service.

        A staff snapshot is refused (`revoked`) to a link revoked since its hello. The hub takes
        the channel's position before asking, so a revocation committed after this check has
        its `staff.revoked` event delivered to the connection, and one before it is seen here."""
        if kind == "staff" and not await self.conference.still_valid(who):
            raise Unauthorized("this staff link was revoked", code="revoked")
        state = await self.conference.snapshot(who.event_id, kind, who.role)
        state.update(await self.qa.snapshot(who, kind))
        state.update(await self.polls.snapshot(who, kind))
        state.update(await self.answers.snapshot(who, kind))
        state.update(await self.speakers.snapshot(who, kind))
        state.update(await self.deliberation.snapshot(who, kind))
        if kind == "public":
            state.update(await self.preconference.public_state(who.event_id))
        if kind == "staff":
            state["presence"] = {"online": await self.broker.presence(who.event_id)}
            state["platforms"] = await self.platforms.listing(who.event_id)
            state["health"] = {"broker": "ok" if self.broker.healthy else "degraded"}
            state["attendance"] = await self.attendance.view(who.event_id)
        return state
