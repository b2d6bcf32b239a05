"""Demo data: two conferences modelled on real ones, seeded through the same services.

- 13ª Conferência Municipal de Assistência Social (Sonora, MS, Brazil), streamed
  on Facebook, proposals per axis, delegates elected for the regional stage.
- X Konferencja „Oczekiwania na NOWE w pomocy społecznej” (Zakopane, Poland),
  three days of lectures, thematic sessions and discussion.
"""

from __future__ import annotations

from typing import Any

from server.demo_polls import seed_polls
from server.demo_preconference import seed_preconferences
from server.settings import Settings
from server.web.services import Services

SONORA: dict[str, Any] = {
    "event": {
        "code": "SONORA13",
        "title": "13ª Conferência Municipal de Assistência Social de Sonora",
        "description": (
            "Assistência Social: Direito do povo e Dever do Estado, com financiamento público, para "
            "enfrentar as desigualdades e garantir proteção social. Conselho Municipal de Assistência "
            "Social (CMAS) e Gerência Municipal de Assistência Social."
        ),
        "stream_url": "https://www.facebook.com/PrefeituraDeSonora/videos/1234567890",
        "default_lang": "pt-BR",
        "languages": ["pt-BR", "es", "en"],
        "timezone": "America/Campo_Grande",
        "segments": ["Usuários do SUAS", "Trabalhadores do SUAS", "Governo", "Sociedade civil"],
    },
    "agenda": [
        ("Credenciamento e abertura oficial", "07:00", "CMAS e Gerência Municipal de Assistência Social"),
        ("Palestra magna: Assistência Social, direito do povo e dever do Estado", "08:00", ""),
        ("Eixo 1 — Financiamento: debate em grupos", "09:30", "Trabalhadores, usuários e sociedade civil"),
        ("Eixo 2 — Controle social e participação dos usuários", "10:30", ""),
        ("Plenária de deliberação: 10 propostas municipais, 2 estaduais, 2 federais", "13:30", ""),
        ("Eleição de delegados para a Conferência Regional de Mato Grosso do Sul", "15:30", ""),
        ("Encerramento", "17:00", ""),
    ],
}

RAZEM: dict[str, Any] = {
    "event": {
        "code": "RAZEM10",
        "title": "X Konferencja „Oczekiwania na NOWE w pomocy społecznej”",
        "description": (
            "Jubileuszowa X Konferencja Ogólnopolskiego Stowarzyszenia Miejskich i Gminnych Ośrodków "
            "Pomocy Społecznej „RAZEM”, Zakopane, 13–15 czerwca. Temat przewodni: deinstytucjonalizacja "
            "usług społecznych."
        ),
        "stream_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "default_lang": "pl",
        "languages": ["pl", "en"],
        "timezone": "Europe/Warsaw",
        "segments": ["MOPS", "GOPS", "CUS", "Goście"],
    },
    "agenda": [
        ("Otwarcie konferencji i program", "2024-06-13T10:00", "Andrzej Barszcz, prezes stowarzyszenia"),
        ("Wykład inauguracyjny: zmiany w ustawie o pomocy społecznej", "2024-06-13T11:00",
         "Artur Wiktorowicz, radca prawny"),
        ("Dyskusja: problemy w pomocy społecznej", "2024-06-13T12:30", ""),
        ("Lokalne plany deinstytucjonalizacji usług społecznych", "2024-06-14T10:00",
         "Katarzyna Osicińska, RCPS w Łodzi"),
        ("Sesja tematyczna „MOPS, GOPS, CUS – dobre praktyki”", "2024-06-14T13:00", ""),
        ("Podsumowanie, wnioski i rozdanie certyfikatów", "2024-06-15T11:00", ""),
    ],
}


async def seed(settings: Settings) -> list[tuple[str, dict[str, str]]]:
    """Create both demo events (fresh secrets each run) and return their page links; an event
    already in the database is left as it is and only its public links are returned."""
    services = Services.build(settings)
    await services.db.create_schema()
    base = settings.public_url.rstrip("/") or settings.base_url()
    out: list[tuple[str, dict[str, str]]] = []
    try:
        for spec in (SONORA, RAZEM):
            existing = await services.conference.event_by_code(spec["event"]["code"])
            if existing is not None:
                # Kept from an earlier run (--keep): staff secrets are stored hashed, so only
                # the public pages can be printed again.
                code = existing["code"]
                out.append((existing["title"], {"participant": f"{base}/e/{code}",
                                                "screen": f"{base}/screen/{code}",
                                                "overlay": f"{base}/overlay/{code}"}))
                continue
            created = await services.conference.create_event(spec["event"])
            event_id = created.event["id"]
            for position, (title, starts_at, speakers) in enumerate(spec["agenda"], start=1):
                await services.conference.add_session(
                    event_id, {"title": title, "starts_at": starts_at, "speakers": speakers, "position": position}
                )
            code = created.event["code"]
            await seed_polls(services.polls, event_id, code)
            tokens = {entry["role"]: entry["token"] for entry in created.staff}
            if spec is SONORA:
                # Its meetings' pages are linked from its organizer page (Pre-conferences card).
                await seed_preconferences(services, event_id)
            out.append(
                (
                    created.event["title"],
                    {
                        "participant": f"{base}/e/{code}",
                        "moderator": f"{base}/m/{code}#k={tokens['moderator']}",
                        "presenter": f"{base}/p/{code}#k={tokens['presenter']}",
                        "organizer": f"{base}/o/{code}#k={created.organizer_secret}",
                        "screen": f"{base}/screen/{code}",
                        "overlay": f"{base}/overlay/{code}",
                    },
                )
            )
    finally:
        await services.db.dispose()
    return out
