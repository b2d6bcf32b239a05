"""The printable HTML report of a conference, in the event's default language.

`render(data)` turns `ExportService.report` data into one HTML document with no
script and no inline style (the normal CSP applies); the layout and the print
rules (page breaks, A4 margins) live in static/css/report.css. Every piece of
text from the event, its polls or its participants passes through `html.escape`.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Mapping
from typing import Any

from server.local_time import formatter
from server.service.presentation import plural_form

LABELS: dict[str, dict[str, str]] = {
    "pt-BR": {
        "report": "Relatório da conferência", "code": "Código", "dates": "Datas", "planned": "Programadas",
        "sessions": "Programação", "time": "Horário", "session": "Sessão", "speakers": "Palestrantes",
        "status": "Situação", "st_planned": "prevista", "st_live": "ao vivo", "st_ended": "encerrada",
        "proposals": "Propostas aprovadas", "axis": "Eixo",
        "tied": "Empate a decidir", "elections": "Eleição de delegados", "segment": "Segmento",
        "elected": "Eleitos", "alternates": "Suplentes",
        "turnout": "Participação nas votações", "poll": "Votação", "voted": "Votaram", "eligible": "Aptos",
        "secret": "secreta", "not_closed": "não encerrada", "questions": "Perguntas e chat",
        "stv": "voto único transferível",
        "q_total": "Perguntas recebidas", "q_answered": "Perguntas respondidas", "q_askers": "Pessoas que perguntaram",
        "q_upvotes": "Apoios a perguntas", "chat": "Mensagens de chat", "chat_published": "Mensagens publicadas",
        "moderated": "Retidas ou bloqueadas pela moderação", "top": "Perguntas mais apoiadas",
        "none": "Nenhum registro", "generated": "Gerado em", "no_axis": "Sem eixo",
    },
    "pl": {
        "report": "Sprawozdanie z konferencji", "code": "Kod", "dates": "Daty", "planned": "Planowane",
        "sessions": "Program", "time": "Godzina", "session": "Sesja", "speakers": "Prelegenci",
        "status": "Stan", "st_planned": "planowana", "st_live": "na żywo", "st_ended": "zakończona",
        "proposals": "Przyjęte wnioski", "axis": "Obszar",
        "tied": "Remis do rozstrzygnięcia", "elections": "Wybory delegatów", "segment": "Grupa",
        "elected": "Wybrani", "alternates": "Zastępcy",
        "turnout": "Frekwencja w głosowaniach", "poll": "Głosowanie", "voted": "Głosowało", "eligible": "Uprawnionych",
        "secret": "tajne", "not_closed": "niezamknięte", "questions": "Pytania i czat",
        "stv": "pojedynczy głos przechodni",
        "q_total": "Zadane pytania", "q_answered": "Pytania z odpowiedzią", "q_askers": "Osoby pytające",
        "q_upvotes": "Poparcia pytań", "chat": "Wiadomości na czacie", "chat_published": "Opublikowane wiadomości",
        "moderated": "Wstrzymane lub zablokowane przez moderację", "top": "Najbardziej popierane pytania",
        "none": "Brak", "generated": "Wygenerowano", "no_axis": "Bez obszaru",
    },
    "en": {
        "report": "Conference report", "code": "Code", "dates": "Dates", "planned": "Planned",
        "sessions": "Agenda", "time": "Time", "session": "Session", "speakers": "Speakers",
        "status": "Status", "st_planned": "planned", "st_live": "live", "st_ended": "ended",
        "proposals": "Approved proposals", "axis": "Axis",
        "tied": "Tied, to be decided", "elections": "Delegate elections", "segment": "Segment",
        "elected": "Elected", "alternates": "Alternates",
        "turnout": "Turnout", "poll": "Poll", "voted": "Voted", "eligible": "Eligible",
        "secret": "secret", "not_closed": "not closed", "questions": "Questions and chat",
        "stv": "single transferable vote",
        "q_total": "Questions asked", "q_answered": "Questions answered", "q_askers": "People who asked",
        "q_upvotes": "Upvotes", "chat": "Chat messages", "chat_published": "Messages published",
        "moderated": "Held or blocked by moderation", "top": "Most upvoted questions", "none": "None",
        "generated": "Generated", "no_axis": "No axis",
    },
    "es": {
        "report": "Informe de la conferencia", "code": "Código", "dates": "Fechas", "planned": "Previstas",
        "sessions": "Programa", "time": "Hora", "session": "Sesión", "speakers": "Ponentes",
        "status": "Estado", "st_planned": "prevista", "st_live": "en vivo", "st_ended": "terminada",
        "proposals": "Propuestas aprobadas", "axis": "Eje",
        "tied": "Empate por decidir", "elections": "Elección de delegados", "segment": "Segmento",
        "elected": "Electos", "alternates": "Suplentes",
        "turnout": "Participación en las votaciones", "poll": "Votación", "voted": "Votaron", "eligible": "Habilitados",
        "secret": "secreta", "not_closed": "no cerrada", "questions": "Preguntas y chat",
        "stv": "voto único transferible",
        "q_total": "Preguntas recibidas", "q_answered": "Preguntas respondidas", "q_askers": "Personas que preguntaron",
        "q_upvotes": "Apoyos a preguntas", "chat": "Mensajes de chat", "chat_published": "Mensajes publicados",
        "moderated": "Retenidos o bloqueados por la moderación", "top": "Preguntas más apoyadas", "none": "Ninguno",
        "generated": "Generado el", "no_axis": "Sin eje",
    },
}
# Words that follow a number, in every plural form the language has (server/domain/plurals.py).
COUNTED: dict[str, dict[str, dict[str, str]]] = {
    "pt-BR": {
        "votes": {"one": "voto", "other": "votos", "zero": "votos"},
        "ballots": {"one": "cédula", "other": "cédulas", "zero": "cédulas"},
        "seats": {"one": "vaga", "other": "vagas", "zero": "vagas"},
        "open_places": {"one": "vaga em empate", "other": "vagas em empate", "zero": "vagas em empate"},
        "rounds": {"one": "rodada", "other": "rodadas", "zero": "rodadas"},
    },
    "pl": {
        "votes": {"one": "głos", "few": "głosy", "many": "głosów", "other": "głosu"},
        "ballots": {"one": "karta", "few": "karty", "many": "kart", "other": "karty"},
        "seats": {"one": "miejsce", "few": "miejsca", "many": "miejsc", "other": "miejsca"},
        "open_places": {"one": "miejsce z remisem", "few": "miejsca z remisem", "many": "miejsc z remisem",
                        "other": "miejsca z remisem"},
        "rounds": {"one": "runda", "few": "rundy", "many": "rund", "other": "rundy"},
    },
    "en": {
        "votes": {"one": "vote", "other": "votes"},
        "ballots": {"one": "ballot", "other": "ballots"},
        "seats": {"one": "seat", "other": "seats"},
        "open_places": {"one": "tied seat", "other": "tied seats"},
        "rounds": {"one": "round", "other": "rounds"},
    },
    "es": {
        "votes": {"one": "voto", "other": "votos", "many": "de votos"},
        "ballots": {"one": "papeleta", "other": "papeletas", "many": "de papeletas"},
        "seats": {"one": "escaño", "other": "escaños", "many": "de escaños"},
        "open_places": {"one": "escaño empatado", "other": "escaños empatados", "many": "de escaños empatados"},
        "rounds": {"one": "ronda", "other": "rondas", "many": "de rondas"},
    },
}


def e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def labels_for(lang: str) -> dict[str, str]:
    return LABELS.get(lang, LABELS["en"])


class Count:
    """`count("votes", 1)` -> "1 voto": the number and its word in the report's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in COUNTED else "en"

    def __call__(self, what: str, n: int) -> str:
        return f"{n} {plural_form(self.lang, n, COUNTED[self.lang][what])}"


def render(data: Mapping[str, Any], now: float | None = None, base_url: str = "") -> str:
    """The report; `base_url` makes the stylesheet's address absolute, so the page keeps its
    look wherever it is opened (a tab the organizer page opened, a saved file)."""
    event = data["event"]
    lang = event.get("default_lang") if event.get("default_lang") in LABELS else "en"
    t = labels_for(lang)
    count = Count(lang)
    when = formatter(event.get("timezone", ""), lang)

    parts = [
        f'<!doctype html><html lang="{e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(event['title'])} — {e(t['report'])}</title>",
        f'<link rel="stylesheet" href="{e(base_url.rstrip("/"))}/static/css/report.css"></head>',
        '<body><main class="report">',
        _header(event, data["dates"], t, when),
        _sessions(data["sessions"], t, when),
        _proposals(data["proposals"], t, count),
        _elections(data["elections"], t, count),
        _turnout(data["turnout"], t),
        _questions(data["questions"], t),
        f'<footer><p>{e(t["generated"])} {e(when(time.time() if now is None else now))} · Plenária</p></footer>',
        "</main></body></html>",
    ]
    return "".join(parts)


def _header(event: Mapping[str, Any], dates: Mapping[str, Any], t: dict[str, str], when: Any) -> str:
    rows = [f"<dt>{e(t['code'])}</dt><dd>{e(event['code'])}</dd>"]
    if dates.get("first") is not None:
        rows.append(f"<dt>{e(t['dates'])}</dt><dd>{e(when(dates['first']))} – {e(when(dates['last']))}</dd>")
    elif dates.get("planned_first"):
        span = dates["planned_first"] if dates["planned_first"] == dates["planned_last"] else (
            f"{dates['planned_first']} – {dates['planned_last']}")
        rows.append(f"<dt>{e(t['planned'])}</dt><dd>{e(span.replace('T', ' '))}</dd>")
    description = f'<p class="description">{e(event["description"])}</p>' if event.get("description") else ""
    return (f'<header><p class="kicker">{e(t["report"])}</p><h1>{e(event["title"])}</h1>{description}'
            f'<dl class="facts">{"".join(rows)}</dl></header>')


def _section(title: str, body: str, css: str) -> str:
    return f'<section class="{css}"><h2>{e(title)}</h2>{body}</section>'


def _none(t: dict[str, str]) -> str:
    return f'<p class="none">{e(t["none"])}</p>'


def _sessions(sessions: Iterable[Mapping[str, Any]], t: dict[str, str], when: Any) -> str:
    rows = []
    for s in sessions:
        at = when(s["started_at"]) if s["started_at"] is not None else str(s["starts_at"]).replace("T", " ")
        if s["ended_at"] is not None:
            at += " – " + when(s["ended_at"])[-5:]
        speakers = f'<div class="speakers">{e(s["speakers"])}</div>' if s["speakers"] else ""
        rows.append(f'<tr><td class="time">{e(at)}</td><td><strong>{e(s["title"])}</strong>{speakers}</td>'
                    f'<td>{e(t.get("st_" + s["status"], s["status"]))}</td></tr>')
    if not rows:
        return _section(t["sessions"], _none(t), "sessions")
    head = f"<thead><tr><th>{e(t['time'])}</th><th>{e(t['session'])}</th><th>{e(t['status'])}</th></tr></thead>"
    return _section(t["sessions"], f"<table>{head}<tbody>{''.join(rows)}</tbody></table>", "sessions")


def _origin(proposal: Mapping[str, Any]) -> str:
    """A pre-conference proposal's origin line, under it."""
    return f'<br><span class="origin">{e(proposal["origin"])}</span>' if proposal.get("origin") else ""


def _proposals(polls: Iterable[Mapping[str, Any]], t: dict[str, str], count: Count) -> str:
    blocks = []
    for poll in polls:
        levels = []
        for level in poll["levels"]:
            axes = []
            for axis in level["axes"]:
                items = "".join(f'<li>{e(p["label"])} <span class="votes">{e(count("votes", p["votes"]))}</span>'
                                f'{_origin(p)}</li>' for p in axis["approved"])
                tied = "".join(f'<li class="tied">{e(p["label"])} <span class="votes">{e(count("votes", p["votes"]))}'
                               f'</span> <span class="flag">{e(t["tied"])}</span></li>'
                               for p in axis["tied"])
                name = axis["axis"] or t["no_axis"]
                axes.append(f'<div class="axis"><h4>{e(name)}</h4><ol>{items}{tied}</ol></div>')
            levels.append(f'<div class="level"><h3>{e(level["title"])}</h3>{"".join(axes) or _none(t)}</div>')
        meta = f'<span class="meta">({e(count("ballots", poll["ballots"]))})</span>'
        blocks.append(f'<article class="poll"><p class="poll-title">{e(poll["question"])} {meta}</p>'
                      f'{"".join(levels)}</article>')
    return _section(t["proposals"], "".join(blocks) or _none(t), "proposals")


def _people(people: Iterable[Mapping[str, Any]], t: dict[str, str], count: Count, *, tied: bool = False) -> str:
    flag = f' <span class="flag">{e(t["tied"])}</span>' if tied else ""
    opening = '<li class="tied">' if tied else "<li>"
    return "".join(f'{opening}{e(c["name"])} <span class="votes">{e(count("votes", c["votes"]))}</span>{flag}</li>'
                   for c in people)


def _elections(elections: Iterable[Mapping[str, Any]], t: dict[str, str], count: Count) -> str:
    blocks = []
    for election in elections:
        status = "" if election["closed"] else f' <span class="meta">({e(t["not_closed"])})</span>'
        segments = []
        for s in election["segments"]:
            open_places = (f' · {e(count("open_places", s["open_places"]))}' if s.get("open_places") else "")
            # An STV segment: the method and how many rounds its counts took (the CSV lists them).
            rounds = sum(len(c["rounds"]) for c in s.get("counts") or [])
            open_places += f' · {e(t["stv"])}, {e(count("rounds", rounds))}' if s.get("counts") else ""
            tied = (f'<h5>{e(t["tied"])}</h5><ul class="tied">{_people(s["tied"], t, count, tied=True)}</ul>'
                    if s["tied"] else "")
            alternates = (f'<h5>{e(t["alternates"])}</h5><ol>{_people(s["alternates"], t, count)}</ol>'
                          if s["alternates"] else "")
            segments.append(
                f'<div class="segment"><h4>{e(s["title"])} <span class="meta">{e(count("seats", s["seats"]))}'
                f'{open_places}</span></h4><h5>{e(t["elected"])}</h5><ol>{_people(s["elected"], t, count)}</ol>'
                f"{alternates}{tied}</div>"
            )
        blocks.append(f'<article class="poll"><p class="poll-title">{e(election["question"])}{status}</p>'
                      f'{"".join(segments)}</article>')
    return _section(t["elections"], "".join(blocks) or _none(t), "elections")


def _turnout(rows: Iterable[Mapping[str, Any]], t: dict[str, str]) -> str:
    lines = []
    for r in rows:
        notes = [t["secret"]] if r["secret"] else []
        if r["status"] != "closed":
            notes.append(t["not_closed"])
        note = f' <span class="meta">({e(", ".join(notes))})</span>' if notes else ""
        eligible = r["eligible"]
        share = f" ({round(100 * r['voted'] / eligible)}%)" if eligible else ""
        lines.append(f'<tr><td>{e(r["question"])}{note}</td><td class="num">{e(r["voted"])}{e(share)}</td>'
                     f'<td class="num">{e(eligible if eligible is not None else "")}</td></tr>')
    if not lines:
        return _section(t["turnout"], _none(t), "turnout")
    head = f"<thead><tr><th>{e(t['poll'])}</th><th>{e(t['voted'])}</th><th>{e(t['eligible'])}</th></tr></thead>"
    return _section(t["turnout"], f"<table>{head}<tbody>{''.join(lines)}</tbody></table>", "turnout")


def _questions(stats: Mapping[str, Any], t: dict[str, str]) -> str:
    by_status = stats["by_status"]
    facts = [
        (t["q_total"], stats["questions"]),
        (t["q_answered"], by_status.get("answered", 0)),
        (t["q_askers"], stats["askers"]),
        (t["q_upvotes"], stats["upvotes"]),
        (t["chat"], stats["chat"]),
        (t["chat_published"], stats["chat_published"]),
        (t["moderated"], stats["held_or_blocked"]),
    ]
    dl = "".join(f"<dt>{e(label)}</dt><dd>{e(value)}</dd>" for label, value in facts)
    top = "".join(f'<li>{e(q["text"])} <span class="votes">{e(q["upvotes"])}</span></li>' for q in stats["top"])
    top_block = f'<h3>{e(t["top"])}</h3><ol class="top">{top}</ol>' if top else ""
    return _section(t["questions"], f'<dl class="stats">{dl}</dl>{top_block}', "questions")
