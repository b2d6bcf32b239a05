"""The ata's document, its fingerprint and its PDF (text read back with pypdf)."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from server import pdf
from server.domain.ata import compose, fingerprint


def when(at: float | None) -> str:
    return "" if at is None else f"T{at:g}"


def record(lang: str = "pt-BR") -> dict[str, Any]:
    regimento = {"id": 3, "session": 1, "status": "closed",
                 "spec": {"kind": "yes_no_abstain", "question": "Aprova o regimento interno?"}}
    destaque = {"id": 4, "session": 1, "status": "closed",
                "spec": {"kind": "yes_no_abstain", "question": "Destaque 7: ampliar o CRAS Nações?"}}
    sede = {"id": 5, "session": 2, "status": "closed",
            "spec": {"kind": "ranking", "question": "Sede da próxima conferência?",
                     "options": [{"id": "a", "label": "Câmara"}, {"id": "b", "label": "Escola"}]}}
    decision = {"verdict": "approved", "explained": "aprovada: 28 sim, 10 não, 2 abstenções, 0 brancos; "
                                                    "necessários 27 de 40 (aptos); presentes 40 de 52, quórum 27"}
    return {
        "event": {"title": "13ª Conferência Municipal de Patrocínio", "code": "PLENO1", "default_lang": lang},
        "sessions": [{"id": 1, "title": "Plenária final", "starts_at": "2026-06-18T07:00", "started_at": 110.0,
                      "ended_at": 190.0},
                     {"id": 2, "title": "Encerramento", "starts_at": "2026-06-18T17:30", "started_at": None,
                      "ended_at": None}],
        "notes": {"1": "Leitura do regimento pela secretária Ana; ação registrada."},
        "speakers": {"1": ["Maria Łukasz (Usuários)", "João (Governo)"]},
        "polls": [
            {"poll": regimento, "decision": None,
             "result": {"tally": {"ballots": 41, "counts": {"yes": 30, "no": 9, "abstain": 2}},
                        "outcome": [{"selected": ["yes"], "tied": []}]}},
            {"poll": destaque, "decision": decision, "result": {"tally": {"ballots": 40}}},
            {"poll": sede, "decision": None,
             "result": {"tally": {"ballots": 9}, "ranked": {"method": "irv", "elected": ["b"], "tied": [],
                                                            "rounds": [{}, {}]}}},
        ],
        "proposals": [{"question": "Escolha as propostas", "levels": [
            {"title": "Municipais", "axes": [{"axis": "Eixo 1", "approved": [{"label": "Ampliar o CRAS", "votes": 33}],
                                             "tied": [{"label": "Transporte rural", "votes": 20}]}]}]}],
        "elections": [{"question": "Delegados estaduais", "closed": True, "segments": [
            {"title": "Governo", "elected": [{"name": "Ana Paula Ribeiro", "votes": 91}],
             "alternates": [{"name": "Luciana Martins", "votes": 40}], "tied": []}]}],
        "motions": [{"kind": "repudio", "addressee": "Câmara Municipal", "text": "Repúdio ao corte do BPC.",
                     "author": "Sebastião", "signatures": 12}],
    }


def text_of(document: dict[str, Any]) -> str:
    return "\n".join(str(b.get("text", "")) + " ".join(" ".join(r) for r in b.get("rows", []))
                     for b in document["blocks"])


def test_the_ata_says_what_happened_in_the_event_language() -> None:
    document = compose(record(), when)
    assert document["title"] == "Ata — 13ª Conferência Municipal de Patrocínio"
    text = text_of(document)
    assert "Início: T110 · Encerramento: T190" in text
    assert "Prevista para 2026-06-18 17:30 (não realizada)" in text
    assert "Fizeram uso da palavra: Maria Łukasz (Usuários), João (Governo)" in text
    assert "Resultado: aprovada — 30 sim, 9 não, 2 abstenção (Regra: maioria simples dos votos válidos)" in text
    assert "Resultado: aprovada: 28 sim, 10 não" in text
    assert "Apuração (segundo turno instantâneo, 2 rodadas, 9 votos): Eleitos: Escola" in text
    assert "Leitura do regimento pela secretária Ana" in text
    assert "Municipais Eixo 1 Ampliar o CRAS 33" in text
    assert "Transporte rural (empate a decidir pela plenária)" in text
    assert "Governo Eleitos Ana Paula Ribeiro 91" in text and "Governo Suplentes Luciana Martins 40" in text
    assert "Moção de repúdio — Destinatário: Câmara Municipal" in text
    assert "Proposta por: Sebastião · 12 assinaturas" in text
    # Votes sit under the session they were taken in.
    kinds = [(b["kind"], b.get("text", "")) for b in document["blocks"]]
    assert kinds.index(("h3", "Plenária final")) < kinds.index(("p", "Votação: Aprova o regimento interno?")) < \
        kinds.index(("h3", "Encerramento"))


def test_polish_ata_and_the_fingerprint() -> None:
    polish = compose(record("pl"), when)
    assert polish["title"].startswith("Protokół — ")
    assert "Zabierali głos: Maria Łukasz (Usuários)" in text_of(polish)
    document = compose(record(), when)
    assert fingerprint(document) == fingerprint(compose(record(), when))
    assert len(fingerprint(document)) == 64
    changed = record()
    changed["notes"]["1"] += "!"
    assert fingerprint(compose(changed, when)) != fingerprint(document)


def test_the_pdf_holds_the_decisions_and_the_fingerprint_on_every_page() -> None:
    long = record()
    long["notes"]["1"] = "\n".join(f"Linha {i} da ata: coração, ação, zażółć gęślą jaźń." for i in range(140))
    document = compose(long, when)
    stamp = f"Ata final · Impressão digital SHA-256: {fingerprint(document)}"
    reader = PdfReader(io.BytesIO(pdf.render(document, stamp)))
    assert len(reader.pages) >= 3
    pages = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(pages, start=1):
        assert fingerprint(document) in text.replace("\n", ""), f"page {number} lacks the fingerprint"
    whole = "\n".join(pages)
    assert "Resultado: aprovada — 30 sim, 9 não, 2 abstenção" in whole
    assert "Linha 139 da ata: coração, ação, zażółć gęślą jaźń." in whole
    assert "Ana Paula Ribeiro" in whole and "Repúdio ao corte do BPC." in whole
    assert reader.metadata is not None and reader.metadata.title == document["title"]
