"""Repository of the certificates (`Unit.certificates`): threshold, issued certificates, and the
attendance record they read (the credenciamento's log, the sessions' live times) as plain values."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.store.certificate_tables import CertificatePolicyRow, CertificateRow
from server.store.plenary_tables import CheckinLogRow
from server.store.poll_tables import DelegateRow
from server.store.tables import AgendaSessionRow, EventRow, ParticipantRow


@dataclass(frozen=True, slots=True)
class Person:
    delegate_id: int
    name: str
    segment: str
    participant_id: int | None = None  # the device that redeemed the credential, whose online time counts


@dataclass(frozen=True, slots=True)
class Policy:
    min_minutes: int = 0
    sources: str = "both"


@dataclass(frozen=True, slots=True)
class Issued:
    delegate_id: int
    name: str
    code: str
    minutes: float
    issued_at: float


@dataclass(frozen=True, slots=True)
class Verified:
    name: str
    event_title: str
    event_lang: str
    minutes: float
    issued_at: float


@dataclass(frozen=True, slots=True)
class EventFacts:
    title: str
    lang: str
    timezone: str


class Certificates:
    """Certificates and what they are computed from, in one transaction; plain values in and out."""

    def __init__(self, db: AsyncSession) -> None:
        self._db = db

    async def event_facts(self, event_id: int) -> EventFacts | None:
        row = await self._db.get(EventRow, event_id)
        return None if row is None else EventFacts(row.title, row.default_lang, row.timezone)

    async def policy(self, event_id: int) -> Policy:
        row = await self._db.get(CertificatePolicyRow, event_id)
        return Policy() if row is None else Policy(row.min_minutes, row.sources)

    async def set_policy(self, event_id: int, policy: Policy) -> None:
        row = await self._db.get(CertificatePolicyRow, event_id) or CertificatePolicyRow(event_id=event_id)
        row.min_minutes, row.sources = policy.min_minutes, policy.sources
        self._db.add(row)

    async def people(self, event_id: int) -> list[Person]:
        """Every delegate credential of the event that is not revoked, in credential order."""
        rows = await self._db.exec(select(DelegateRow)
                                   .where(DelegateRow.event_id == event_id, DelegateRow.status != "revoked")
                                   .order_by(col(DelegateRow.id)))
        return [Person(row.id, row.name, row.segment, row.participant_id) for row in rows if row.id is not None]

    async def participant_by_device(self, code: str, device_hash: str) -> tuple[int, int] | None:
        """(event id, participant id) of the device in the event with join code `code`, if it joined."""
        found = (await self._db.exec(select(EventRow.id, ParticipantRow.id)
                                     .join(ParticipantRow, col(ParticipantRow.event_id) == EventRow.id)
                                     .where(EventRow.code == code.upper(),
                                            ParticipantRow.device_hash == device_hash))).first()
        if found is None or found[0] is None or found[1] is None:
            return None
        return int(found[0]), int(found[1])

    async def person_of(self, event_id: int, participant_id: int) -> Person | None:
        """The credential in force that this participant redeemed, if any."""
        row = (await self._db.exec(select(DelegateRow).where(
            DelegateRow.event_id == event_id, DelegateRow.participant_id == participant_id,
            DelegateRow.status != "revoked"))).first()
        return None if row is None or row.id is None else Person(row.id, row.name, row.segment, row.participant_id)

    async def door_log_of(self, event_id: int, delegate_id: int) -> list[tuple[float, str]]:
        rows = await self._db.exec(select(CheckinLogRow).where(CheckinLogRow.event_id == event_id,
                                                               CheckinLogRow.delegate_id == delegate_id)
                                   .order_by(col(CheckinLogRow.id)))
        return [(row.at, row.action) for row in rows]

    async def door_log(self, event_id: int) -> dict[int, list[tuple[float, str]]]:
        """{delegate id: [(at, "in" | "out"), ...] in log order}."""
        rows = await self._db.exec(select(CheckinLogRow).where(CheckinLogRow.event_id == event_id)
                             .order_by(col(CheckinLogRow.id)))
        log: dict[int, list[tuple[float, str]]] = {}
        for row in rows:
            log.setdefault(row.delegate_id, []).append((row.at, row.action))
        return log

    async def live_times(self, event_id: int) -> list[tuple[float | None, float | None]]:
        rows = await self._db.exec(select(AgendaSessionRow).where(AgendaSessionRow.event_id == event_id))
        return [(row.started_at, row.ended_at) for row in rows]

    async def issued(self, event_id: int) -> list[Issued]:
        """Certificates of credentials still in force: revoking one (an erasure does) withdraws it."""
        rows = await self._db.exec(select(CertificateRow, DelegateRow.name)
                             .join(DelegateRow, col(DelegateRow.id) == CertificateRow.delegate_id)
                             .where(CertificateRow.event_id == event_id, DelegateRow.status != "revoked")
                             .order_by(col(CertificateRow.id)))
        return [Issued(row.delegate_id, name, row.code, row.minutes, row.issued_at) for row, name in rows.all()]

    async def issue(self, event_id: int, delegate_id: int, code: str, minutes: float, now: float) -> str:
        """A certificate for the delegate; one already issued keeps its code and gets the minutes now.
        Returns its code."""
        found = (await self._db.exec(select(CertificateRow).where(CertificateRow.delegate_id == delegate_id))).first()
        row = found or CertificateRow(event_id=event_id, delegate_id=delegate_id, code=code, issued_at=now)
        row.minutes = minutes
        self._db.add(row)
        return row.code

    async def verify(self, code: str) -> Verified | None:
        """The certificate with this code, unless its credential was revoked since."""
        found = (await self._db.exec(select(CertificateRow, DelegateRow.name, EventRow.title, EventRow.default_lang)
                               .join(DelegateRow, col(DelegateRow.id) == CertificateRow.delegate_id)
                               .join(EventRow, col(EventRow.id) == CertificateRow.event_id)
                               .where(CertificateRow.code == code, DelegateRow.status != "revoked"))).first()
        if found is None:
            return None
        row, name, title, lang = found
        return Verified(name, title, lang, row.minutes, row.issued_at)
