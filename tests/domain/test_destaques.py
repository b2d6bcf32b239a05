"""Destaques, block approval and moções as pure rules."""

from __future__ import annotations

from fractions import Fraction

import pytest

from server.domain import destaques, mocoes
from server.domain.destaques import Deliberation, Proposal
from server.domain.mocoes import Motions, Signer
from server.errors import Conflict

PROPOSALS = [Proposal(f"m{i}", f"Proposta {i}", f"Eixo {i % 3 + 1}") for i in range(1, 7)]
DECISION = {"verdict": "approved"}


def test_unmarked_proposals_pass_in_a_block_and_destaques_follow_in_ballot_order() -> None:
    d = Deliberation.open(9, PROPOSALS)
    d = d.mark(1, "m4", True).mark(2, "m2", True).mark(3, "m2", True).mark(1, "m5", True).mark(1, "m5", False)
    assert d.to_dict()["proposals"][1]["marks"] == 2  # counted, never who
    d = d.close_window()
    assert [p.id for p in d.block()] == ["m1", "m3", "m5", "m6"]
    assert [m.ref for m in d.matters] == ["m2", "m4"]
    with pytest.raises(Conflict) as refused:
        d.mark(4, "m1", True)
    assert refused.value.code == "window_closed"
    with pytest.raises(Conflict):
        d.change("m2", d.matter("m2").defend("for", "Ana", 180, 0))  # the block comes first
    d = d.call_block_vote({"poll": 10}).decide_block("approved", DECISION)
    m2 = d.matter("m2").defend("for", "Ana", 180, 1).defend("against", "Bruno", 180, 2).amend("Proposta 2, emendada")
    d = d.change("m2", m2.to_vote({"poll": 11}, 3).decide("approved", DECISION))
    d = d.change("m4", d.matter("m4").to_vote({"poll": 12}, 4).decide("rejected", {"verdict": "rejected"}))
    assert d.phase == "done"
    assert [(p.id, p.text) for p in d.approved()] == [
        ("m1", "Proposta 1"), ("m2", "Proposta 2, emendada"), ("m3", "Proposta 3"), ("m5", "Proposta 5"),
        ("m6", "Proposta 6")]
    assert d.matter("m2").original == "Proposta 2"  # the original is kept
    assert destaques.load(destaques.dump(d)) == d


def test_a_rejected_block_approves_only_the_destaques_that_pass() -> None:
    d = Deliberation.open(9, PROPOSALS[:3]).mark(1, "m1", True).close_window()
    d = d.call_block_vote({"poll": 10}).decide_block("rejected", {"verdict": "rejected"})
    d = d.change("m1", d.matter("m1").to_vote({"poll": 11}, 0).decide("approved", DECISION))
    assert [p.id for p in d.approved()] == ["m1"]


def test_defences_run_in_order_and_a_decided_text_stays() -> None:
    d = Deliberation.open(9, PROPOSALS[:2]).mark(1, "m1", True).close_window()
    matter = d.matter("m1")
    with pytest.raises(Conflict):
        matter.defend("against", "Bruno", 60, 0)
    decided = matter.to_vote({"poll": 3}, 0).decide("approved", DECISION)
    with pytest.raises(Conflict):
        decided.amend("outra coisa")


def test_a_motion_is_queued_when_signatures_reach_the_share_of_present_delegates() -> None:
    author = Signer(1, "Ana", "Usuários")
    motions, motion = Motions().submit(author, "repudio", "Repúdio ao corte de verbas", "Câmara Municipal", 0, 40,
                                      Fraction(1, 5))
    assert mocoes.needed(40, Fraction(1, 5)) == 8 and mocoes.needed(0, Fraction(1, 5)) == 1
    for delegate in range(2, 8):
        motions = motions.sign(motion.id, delegate, True, 40, Fraction(1, 5), 1)
    assert motions.get(motion.id).queued_at is None and len(motions.get(motion.id).signatures) == 7
    with pytest.raises(Conflict):
        motions.sign(motion.id, 1, False, 40, Fraction(1, 5), 1)  # the author's signature stays
    motions = motions.sign(motion.id, 8, True, 40, Fraction(1, 5), 2)
    queued = motions.get(motion.id)
    assert queued.queued_at == 2 and queued.matter is not None and queued.matter.text == motion.text
    with pytest.raises(Conflict) as refused:
        motions.sign(motion.id, 9, True, 40, Fraction(1, 5), 3)
    assert refused.value.code == "motion_queued"
    alone, lone = Motions().submit(author, "apoio", "Apoio", "Conselho", 5, 3, Fraction(1, 5))
    assert lone.queued_at == 5  # one signature is a fifth of three present
    assert mocoes.load(mocoes.dump(motions)) == motions
