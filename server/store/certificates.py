"""Repository of the certificates (`Unit.certificates`): threshold, issued certificates, and the
attendance record they read (the credenciamento's log, the sessions' live times) as plain values."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.store.certificate_tables import CertificatePolicyRow, CertificateRow
from server.store.plenary_tables import CheckinLogRow
from server.store.poll_tables import DelegateRow
from server.store.tables import AgendaSessionRow, EventRow


@dataclass(frozen=True, slots=True)
class Person:
    delegate_id: int
    name: str
    segment: str


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

    async def threshold(self, event_id: int) -> int:
        row = await self._db.get(CertificatePolicyRow, event_id)
        return 0 if row is None else row.min_minutes

    async def set_threshold(self, event_id: int, minutes: int) -> None:
        row = await self._db.get(CertificatePolicyRow, event_id) or CertificatePolicyRow(event_id=event_id)
        row.min_minutes = minutes
        self._db.add(row)

    async def people(self, event_id: int) -> list[Person]:
        """Every delegate credential of the event that is not revoked, in credential order."""
        rows = await self._db.exec(select(DelegateRow)
                                   .where(DelegateRow.event_id == event_id, DelegateRow.status != "revoked")
                                   .order_by(col(DelegateRow.id)))
        return [Person(row.id, row.name, row.segment) for row in rows if row.id is not None]

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

    async def issue(self, event_id: int, delegate_id: int, code: str, minutes: float, now: float) -> None:
        """A certificate for the delegate; one already issued keeps its code and gets the minutes now."""
        found = (await self._db.exec(select(CertificateRow).where(CertificateRow.delegate_id == delegate_id))).first()
        row = found or CertificateRow(event_id=event_id, delegate_id=delegate_id, code=code, issued_at=now)
        row.minutes = minutes
        self._db.add(row)

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
