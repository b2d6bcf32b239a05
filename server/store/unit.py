"""One transaction and the repositories that work inside it.

A service's unit of work receives a `Unit` (from `CommandRunner.run` or `Database.session`)
and reaches the store only through its repositories, which take and return domain values
(`server/domain/`), never ORM rows. The repositories share the unit's transaction, so
everything one command changes commits, or rolls back, together with its command-log row.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from server.store.answers import AnswerDecisions
from server.store.ata import AtaRecords
from server.store.attendees import Attendees
from server.store.audit import AuditLog
from server.store.ballots import Ballots
from server.store.certificates import Certificates
from server.store.conference import Agenda, Events, StaffLinks
from server.store.decisions import PollSnapshots
from server.store.delegates import Delegates
from server.store.electorate import Electorate
from server.store.escrow import EscrowKeys
from server.store.event_settings import EventSettings
from server.store.participants import Participants
from server.store.platforms import PlatformSources
from server.store.polls import Polls
from server.store.privacy import PersonalData
from server.store.procedure import Procedure
from server.store.qa_settings import QASettingsStore
from server.store.sanctions import Sanctions


class Unit(AsyncSession):
    """A session whose repositories a service uses; the session's own methods are the store's.

    Services still calling module-level store functions with the unit are being moved to
    repositories one concept at a time (docs/architecture.md, "How a service talks to the store").
    """

    @property
    def answers(self) -> AnswerDecisions:
        return AnswerDecisions(self)

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self)

    @property
    def events(self) -> Events:
        return Events(self)

    @property
    def agenda(self) -> Agenda:
        return Agenda(self)

    @property
    def staff(self) -> StaffLinks:
        return StaffLinks(self)

    @property
    def participants(self) -> Participants:
        return Participants(self)

    @property
    def escrow(self) -> EscrowKeys:
        return EscrowKeys(self)

    @property
    def privacy(self) -> PersonalData:
        return PersonalData(self)

    @property
    def delegates(self) -> Delegates:
        return Delegates(self)

    @property
    def electorate(self) -> Electorate:
        return Electorate(self)

    @property
    def qa_settings(self) -> QASettingsStore:
        return QASettingsStore(self)

    @property
    def procedure(self) -> Procedure:
        return Procedure(self)

    @property
    def attendees(self) -> Attendees:
        return Attendees(self)

    @property
    def snapshots(self) -> PollSnapshots:
        return PollSnapshots(self)

    @property
    def sanctions(self) -> Sanctions:
        return Sanctions(self)

    @property
    def platforms(self) -> PlatformSources:
        return PlatformSources(self)

    @property
    def ata(self) -> AtaRecords:
        return AtaRecords(self)

    @property
    def certificates(self) -> Certificates:
        return Certificates(self)

    @property
    def polls(self) -> Polls:
        return Polls(self)

    @property
    def ballots(self) -> Ballots:
        return Ballots(self)

    @property
    def event_settings(self) -> EventSettings:
        return EventSettings(self)
