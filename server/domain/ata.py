"""The ata: the conference's minutes, composed from what happened, in the event's language.

`compose` turns the conference's record (sessions with their times, the secretary's notes,
who spoke, every closed vote with its rule and numbers, approved proposals per level and eixo,
elected delegates and suplentes per segment) into a *document*: a title and a list of blocks,
plain JSON (`{"kind": "h2"|"h3"|"p"|"note"|"table", ...}`) whose every string is already in
the event's language. The HTML page and the PDF only lay blocks out, so both say the same
words, and `fingerprint` can hash the document itself: once the ata is marked final its
document is stored as it was and the SHA-256 of its canonical JSON is printed on every page.

Pure: no I/O, no clock (times arrive formatted by the caller's `when`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from server.domain import decision as rules

Document = dict[str, Any]
When = Callable[[float | None], str]

LABELS: dict[str, dict[str, str]] = {
    "pt-BR": {
        "ata": "Ata", "code": "Código", "sessions": "Sessões", "started": "Início", "ended": "Encerramento",
        "planned": "Prevista para", "not_held": "não realizada", "notes": "Registro da secretaria",
        "spoke": "Fizeram uso da palavra", "votes": "Deliberações", "question": "Votação", "result": "Resultado",
        "ballots": "votos", "rule": "Regra", "no_rule": "maioria simples dos votos válidos",
        "selected": "escolhida", "tied": "empate a decidir pela plenária", "proposals": "Propostas aprovadas",
        "level": "Âmbito", "axis": "Eixo", "no_axis": "Sem eixo", "proposal": "Proposta",
        "elections": "Delegados eleitos", "segment": "Segmento", "elected": "Eleitos", "alternates": "Suplentes",
        "none": "Nenhum registro", "final": "Ata final", "draft": "Minuta (não final)",
        "fingerprint": "Impressão digital SHA-256", "yes": "sim", "no": "não", "abstain": "abstenção",
        "ranked": "Apuração", "rounds": "rodadas", "winners": "Eleitos", "open": "Votação ainda não encerrada",
        "motions": "Moções", "signatures": "assinaturas", "author": "Proposta por", "to": "Destinatário",
        "m_repudio": "Moção de repúdio", "m_apoio": "Moção de apoio", "m_recomendacao": "Moção de recomendação",
        "m_congratulacao": "Moção de congratulação", "m_outra": "Moção",
    },
    "pl": {
        "ata": "Protokół", "code": "Kod", "sessions": "Sesje", "started": "Rozpoczęcie", "ended": "Zakończenie",
        "planned": "Planowana na", "not_held": "nie odbyła się", "notes": "Zapis sekretarza",
        "spoke": "Zabierali głos", "votes": "Uchwały i głosowania", "question": "Głosowanie", "result": "Wynik",
        "ballots": "głosów", "rule": "Zasada", "no_rule": "zwykła większość głosów ważnych",
        "selected": "wybrane", "tied": "remis do rozstrzygnięcia przez zgromadzenie",
        "proposals": "Przyjęte wnioski", "level": "Szczebel", "axis": "Obszar", "no_axis": "Bez obszaru",
        "proposal": "Wniosek", "elections": "Wybrani delegaci", "segment": "Grupa",
        "elected": "Wybrani", "alternates": "Zastępcy", "none": "Brak", "final": "Protokół ostateczny",
        "draft": "Projekt (nieostateczny)", "fingerprint": "Odcisk SHA-256", "yes": "za", "no": "przeciw",
        "abstain": "wstrzymujący się", "ranked": "Liczenie", "rounds": "rundy", "winners": "Wybrani",
        "open": "Głosowanie jeszcze niezamknięte",
        "motions": "Wnioski formalne i stanowiska", "signatures": "podpisów", "author": "Zgłaszający",
        "to": "Adresat", "m_repudio": "Stanowisko sprzeciwu", "m_apoio": "Stanowisko poparcia",
        "m_recomendacao": "Rekomendacja", "m_congratulacao": "Gratulacje", "m_outra": "Stanowisko",
    },
    "en": {
        "ata": "Minutes", "code": "Code", "sessions": "Sessions", "started": "Started", "ended": "Ended",
        "planned": "Planned for", "not_held": "not held", "notes": "Secretary's record", "spoke": "Speakers heard",
        "votes": "Decisions", "question": "Vote", "result": "Result", "ballots": "votes", "rule": "Rule",
        "no_rule": "simple majority of valid votes", "selected": "chosen", "tied": "tie for the plenary to decide",
        "proposals": "Approved proposals", "level": "Level", "axis": "Axis", "no_axis": "No axis",
        "proposal": "Proposal", "elections": "Elected delegates", "segment": "Segment",
        "elected": "Elected", "alternates": "Alternates", "none": "None", "final": "Final minutes",
        "draft": "Draft (not final)", "fingerprint": "SHA-256 fingerprint", "yes": "yes", "no": "no",
        "abstain": "abstain", "ranked": "Count", "rounds": "rounds", "winners": "Elected",
        "open": "Vote not closed yet",
        "motions": "Motions", "signatures": "signatures", "author": "Moved by", "to": "Addressed to",
        "m_repudio": "Motion of repudiation", "m_apoio": "Motion of support", "m_recomendacao": "Recommendation",
        "m_congratulacao": "Motion of congratulation", "m_outra": "Motion",
    },
    "es": {
        "ata": "Acta", "code": "Código", "sessions": "Sesiones", "started": "Inicio", "ended": "Cierre",
        "planned": "Prevista para", "not_held": "no realizada", "notes": "Registro de la secretaría",
        "spoke": "Hicieron uso de la palabra", "votes": "Deliberaciones", "question": "Votación",
        "result": "Resultado", "ballots": "votos", "rule": "Regla", "no_rule": "mayoría simple de votos válidos",
        "selected": "elegida", "tied": "empate a decidir por el plenario", "proposals": "Propuestas aprobadas",
        "level": "Ámbito", "axis": "Eje", "no_axis": "Sin eje", "proposal": "Propuesta",
        "elections": "Delegados electos", "segment": "Segmento", "elected": "Electos", "alternates": "Suplentes",
        "none": "Ninguno", "final": "Acta final", "draft": "Borrador (no final)",
        "fingerprint": "Huella SHA-256", "yes": "sí", "no": "no", "abstain": "abstención", "ranked": "Recuento",
        "rounds": "rondas", "winners": "Electos", "open": "Votación aún no cerrada",
        "motions": "Mociones", "signatures": "firmas", "author": "Propuesta por", "to": "Destinatario",
        "m_repudio": "Moción de repudio", "m_apoio": "Moción de apoyo", "m_recomendacao": "Moción de recomendación",
        "m_congratulacao": "Moción de felicitación", "m_outra": "Moción",
    },
}

_METHOD_NAMES: dict[str, dict[str, str]] = {
    "pt-BR": {"borda": "contagem de Borda", "irv": "segundo turno instantâneo", "stv": "voto único transferível",
              "schulze": "método de Schulze"},
    "pl": {"borda": "metoda Bordy", "irv": "natychmiastowa dogrywka", "stv": "pojedynczy głos przechodni",
           "schulze": "metoda Schulzego"},
    "en": {"borda": "Borda count", "irv": "instant-runoff", "stv": "single transferable vote",
           "schulze": "Schulze method"},
    "es": {"borda": "recuento de Borda", "irv": "segunda vuelta instantánea", "stv": "voto único transferible",
           "schulze": "método de Schulze"},
}


def language(lang: str) -> str:
    """The ata's language for an event language (the decision rules' own choice)."""
    return rules.language(lang)


def fingerprint(document: Document) -> str:
    """SHA-256 (hex) of the document's canonical JSON: sorted keys, no spaces, UTF-8."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def compose(record: Mapping[str, Any], when: When) -> Document:
    """The ata of `record`:

    - event: {title, code, default_lang}
    - sessions: agenda items {id, title, starts_at (local text), started_at, ended_at (epoch seconds)}
    - notes: {session id (str): the secretary's text}
    - speakers: {session id (str): [names in speaking order]} ({} until a speakers' list exists)
    - polls: [{poll, result, decision}] for every opened poll (`decision`: the outcome proclaimed
      under a decision rule, `server.domain.decision.Decision.public()` with `explained`, or None)
    - proposals, elections: as in the conference report (server/service/exports.py)
    - motions: [{kind, addressee, text, author, signatures}] (server/store/ata.py)

    Returns `{"lang", "title", "blocks"}`; see the module docstring.
    """
    event = record["event"]
    lang = language(str(event.get("default_lang", "")))
    t = LABELS[lang]
    blocks: list[dict[str, Any]] = [{"kind": "p", "text": f"{t['code']}: {event.get('code', '')}"}]
    by_session: dict[Any, list[Mapping[str, Any]]] = {}
    for entry in record.get("polls", []):
        by_session.setdefault(entry["poll"].get("session"), []).append(entry)
    blocks.append({"kind": "h2", "text": t["sessions"]})
    for session in record.get("sessions", []):
        blocks.extend(_session(session, record, by_session.pop(session["id"], []), t, lang, when))
    loose = [entry for entries in by_session.values() for entry in entries]
    if loose:
        blocks.append({"kind": "h2", "text": t["votes"]})
        blocks.extend(block for entry in loose for block in _vote(entry, t, lang))
    blocks.extend(_proposals(record.get("proposals", []), t))
    blocks.extend(_elections(record.get("elections", []), t, lang))
    blocks.extend(_motions(record.get("motions", []), t))
    return {"lang": lang, "title": f"{t['ata']} — {event.get('title', '')}", "blocks": blocks}


def _session(session: Mapping[str, Any], record: Mapping[str, Any], polls: Sequence[Mapping[str, Any]],
             t: dict[str, str], lang: str, when: When) -> list[dict[str, Any]]:
    key = str(session["id"])
    out: list[dict[str, Any]] = [{"kind": "h3", "text": str(session.get("title", ""))}]
    if session.get("started_at") is not None:
        times = f"{t['started']}: {when(session['started_at'])}"
        if session.get("ended_at") is not None:
            times += f" · {t['ended']}: {when(session['ended_at'])}"
    else:
        # The planned time is local wall-clock text as the organizer typed it ("2026-06-18T07:00").
        planned = str(session.get("starts_at") or "").replace("T", " ")
        times = f"{t['planned']} {planned} ({t['not_held']})" if planned else t["not_held"]
    out.append({"kind": "p", "text": times})
    speakers = record.get("speakers", {}).get(key) or []
    if speakers:
        out.append({"kind": "p", "text": f"{t['spoke']}: {', '.join(speakers)}"})
    for entry in polls:
        out.extend(_vote(entry, t, lang))
    note = str(record.get("notes", {}).get(key, "")).strip()
    if note:
        out.append({"kind": "note", "label": t["notes"], "text": note})
    return out


def _vote(entry: Mapping[str, Any], t: dict[str, str], lang: str) -> list[dict[str, Any]]:
    poll, result = entry["poll"], entry.get("result") or {}
    spec = poll["spec"]
    kind = spec["kind"]
    if kind in ("rating", "open_text"):
        return []
    head = {"kind": "p", "text": f"{t['question']}: {spec.get('question', '')}"}
    if poll.get("status") != "closed":
        return [head, {"kind": "p", "text": t["open"]}]
    tally = result.get("tally") or {}
    ballots = tally.get("ballots", 0)
    if entry.get("decision"):
        return [head, {"kind": "p", "text": f"{t['result']}: {_decided(entry['decision'], lang)}"}]
    if kind == "yes_no_abstain":
        counts = tally.get("counts", {})
        numbers = ", ".join(f"{counts.get(k, 0)} {t[k]}" for k in ("yes", "no", "abstain"))
        (section,) = result.get("outcome") or [{"selected": [], "tied": []}]
        verdict = _yes_no_verdict(section, lang)
        return [head, {"kind": "p", "text": f"{t['result']}: {verdict} — {numbers} ({t['rule']}: {t['no_rule']})"}]
    if kind == "ranking" and result.get("ranked"):
        return [head, {"kind": "p", "text": _ranked_line(spec, result["ranked"], ballots, t, lang)}]
    if kind in ("single", "ranking"):
        return [head, {"kind": "p", "text": f"{t['result']}: {_chosen(spec, result, t)} ({ballots} {t['ballots']})"}]
    # Sectioned ballots and elections have their own sections below; say how many voted.
    return [head, {"kind": "p", "text": f"{ballots} {t['ballots']}"}]


def _decided(public: Mapping[str, Any], lang: str) -> str:
    """A stored decision, explained with the decision rules' own words (those stored with it)."""
    if public.get("explained"):
        return str(public["explained"])
    decided = rules.Decision(
        verdict=public["verdict"], rule=rules.rule_from(dict(public["rule"])), counts=rules.Counts(**public["counts"]),
        opened=rules.Attendance(**public["opened"]), closed=rules.Attendance(**public["closed"]),
        base_value=public["base_value"], required=public["required"], quorum_required=public["quorum_required"],
    )
    return rules.explain(decided, lang)


def _yes_no_verdict(section: Mapping[str, Any], lang: str) -> str:
    if section.get("tied"):
        return rules.label("tie", lang)
    return rules.label("approved" if "yes" in section.get("selected", []) else "rejected", lang)


def _labels(spec: Mapping[str, Any]) -> dict[str, str]:
    return {o["id"]: o["label"] for o in spec.get("options", [])}


def _chosen(spec: Mapping[str, Any], result: Mapping[str, Any], t: dict[str, str]) -> str:
    label = _labels(spec)
    (section,) = result.get("outcome") or [{"selected": [], "tied": []}]
    if section["tied"]:
        return f"{t['tied']}: {', '.join(label.get(o, o) for o in section['tied'])}"
    return ", ".join(label.get(o, o) for o in section["selected"]) or t["none"]


def _ranked_line(spec: Mapping[str, Any], ranked: Mapping[str, Any], ballots: int, t: dict[str, str],
                 lang: str) -> str:
    label = _labels(spec)
    method = _METHOD_NAMES[lang][ranked["method"]]
    if ranked["rounds"]:
        method += f", {len(ranked['rounds'])} {t['rounds']}"
    text = f"{t['ranked']} ({method}, {ballots} {t['ballots']}): {t['winners']}: "
    text += ", ".join(label.get(o, o) for o in ranked["elected"]) or t["none"]
    if ranked["tied"]:
        text += f"; {t['tied']}: {', '.join(label.get(o, o) for o in ranked['tied'])}"
    return text


def _proposals(proposals: Iterable[Mapping[str, Any]], t: dict[str, str]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for poll in proposals:
        rows: list[list[str]] = []
        for level in poll["levels"]:
            for axis in level["axes"]:
                for item in axis["approved"]:
                    label = f"{item['label']} ({item['origin']})" if item.get("origin") else item["label"]
                    rows.append([level["title"], axis["axis"] or t["no_axis"], label, str(item["votes"])])
                for item in axis["tied"]:
                    rows.append([level["title"], axis["axis"] or t["no_axis"], f"{item['label']} ({t['tied']})",
                                 str(item["votes"])])
        blocks.append({"kind": "h3", "text": str(poll["question"])})
        blocks.append({"kind": "table", "header": [t["level"], t["axis"], t["proposal"], t["ballots"]],
                       "rows": rows} if rows else {"kind": "p", "text": t["none"]})
    return [{"kind": "h2", "text": t["proposals"]}, *blocks] if blocks else []


def _elections(elections: Iterable[Mapping[str, Any]], t: dict[str, str], lang: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for election in elections:
        if not election.get("closed"):
            continue
        rows: list[list[str]] = []
        for segment in election["segments"]:
            for key, shown in (("elected", t["elected"]), ("alternates", t["alternates"]), ("tied", t["tied"])):
                for person in segment[key]:
                    rows.append([segment["title"], shown, person["name"], str(person["votes"])])
        blocks.append({"kind": "h3", "text": str(election["question"])})
        blocks.append({"kind": "table", "header": [t["segment"], t["result"], t["elected"], t["ballots"]],
                       "rows": rows} if rows else {"kind": "p", "text": t["none"]})
        if election.get("method") == "stv":
            # How each segment was counted: the ata records the method and the rounds it took.
            counted = [f"{s['title']}: {sum(len(c['rounds']) for c in s.get('counts') or [])} {t['rounds']}"
                       for s in election["segments"]]
            blocks.append({"kind": "p", "text": f"{t['ranked']} ({_METHOD_NAMES[lang]['stv']}): {'; '.join(counted)}"})
    return [{"kind": "h2", "text": t["elections"]}, *blocks] if blocks else []


def _motions(motions: Iterable[Mapping[str, Any]], t: dict[str, str]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    for motion in motions:
        heading = t.get(f"m_{motion['kind']}", t["m_outra"])
        if motion.get("addressee"):
            heading += f" — {t['to']}: {motion['addressee']}"
        blocks.append({"kind": "h3", "text": heading})
        blocks.append({"kind": "p", "text": str(motion["text"])})
        blocks.append({"kind": "p", "text": f"{t['author']}: {motion['author']} · {motion['signatures']} "
                                            f"{t['signatures']}"})
    return [{"kind": "h2", "text": t["motions"]}, *blocks] if blocks else []
