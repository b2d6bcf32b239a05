"""The sealed ballot box: ballots open only with their poll's key, all of one length; the
escrowed key opens only with the organizer secret; the recount reads what the server writes."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from server import recount
from server.domain.polls import PollSpec
from server.domain.spreadsheet import to_csv
from server.service.sealing import PollKey, Sealer, SealError, escrow_public, padded_size

MULTIPLE = PollSpec.from_dict({"kind": "multiple", "question": "Propostas", "min_picks": 0, "max_picks": 3,
                               "options": [{"id": f"m{i}", "label": f"Proposta {i}"} for i in range(1, 9)]})
TEXT = PollSpec.from_dict({"kind": "open_text", "question": "Uma palavra", "max_text_length": 20})


def test_ballots_open_with_their_key_only_and_all_have_one_length() -> None:
    key = PollKey.generate(7)
    sealer = Sealer(7, key.public, MULTIPLE)
    ballots = [{"choices": []}, {"choices": ["m1"]}, {"choices": ["m2", "m5", "m8"]}]
    sealed = [sealer.seal(b) for b in ballots]
    assert len({len(s) for s in sealed}) == 1, "the length says nothing about the ballot"
    assert len(set(sealed)) == 3 and sealer.seal(ballots[0]) != sealed[0], "same ballot, other bytes"
    assert key.open_ballots(sealed) == ballots
    with pytest.raises(SealError):
        PollKey.generate(7).open_ballots(sealed[:1])
    with pytest.raises(SealError):  # bound to its poll: moved to poll 8, it does not open
        PollKey(8, key.private).open_ballots(sealed[:1])
    tampered = sealed[0][:-1] + bytes([sealed[0][-1] ^ 1])
    with pytest.raises(SealError):
        key.open_ballots([tampered])


def test_the_longest_answer_fits_the_padding() -> None:
    sealer = Sealer(1, PollKey.generate(1).public, TEXT)
    worst = {"choices": [], "text": "\u0000\U0001F5F3" * 10}  # escaped control characters, astral ones
    assert len(sealer.seal(worst)) == len(sealer.seal({"choices": [], "text": "a"}))
    assert padded_size(TEXT) < 200 and padded_size(MULTIPLE) < 100


def test_the_escrowed_key_opens_only_with_the_organizer_secret() -> None:
    key = PollKey.generate(3)
    escrow = key.escrow(escrow_public("organizer-secret"))
    back = PollKey.from_escrow(3, key.public, escrow, "organizer-secret")
    ballot = Sealer(3, key.public, MULTIPLE).seal({"choices": ["m3"]})
    assert back.open_ballots([ballot]) == [{"choices": ["m3"]}]
    with pytest.raises(SealError):
        PollKey.from_escrow(3, key.public, escrow, "another-secret")
    with pytest.raises(SealError):
        PollKey.from_escrow(4, key.public, escrow, "organizer-secret")


def test_the_recount_reads_back_what_the_server_publishes(tmp_path: Path) -> None:
    ranked = [{"choices": ["b", "a"]}, {"choices": ["=a", "c", "b"]}, {"choices": ["b"]}]
    text = to_csv(recount.HEADER, recount.rows(ranked, ranked=True))
    counted = recount.recount(io.StringIO(text.lstrip("\ufeff")))
    assert counted == {"ballots": 3, "choices": {"b": 3, "a": 1, "=a": 1, "c": 1}, "first": {"b": 2, "=a": 1},
                       "ratings": {}, "answers": 0}, "a cell guarded against formulas reads back as it was"
    tally = {"ballots": 3, "counts": {"a": 1, "b": 3, "c": 1, "=a": 1, "d": 0}, "first": {"b": 2, "=a": 1, "a": 0}}
    assert recount.matches(counted, tally)
    assert not recount.matches(counted, {**tally, "first": {"b": 3}})

    rated = [{"choices": [], "rating": 4}, {"choices": [], "rating": 2}, {"choices": [], "rating": 4}, {"choices": []}]
    (tmp_path / "ballots.csv").write_text(to_csv(recount.HEADER, recount.rows(rated[:3], ranked=False)),
                                          encoding="utf-8")
    printed = subprocess.run([sys.executable, "-I", recount.__file__, str(tmp_path / "ballots.csv")], check=True,
                             capture_output=True, text=True, timeout=30).stdout.splitlines()
    assert printed == ["ballots 3", "rating 2 1", "rating 4 2", "mean 3.33"]
    blank = recount.recount(io.StringIO(to_csv(recount.HEADER, recount.rows(rated[3:], ranked=False))[1:]))
    assert blank["ballots"] == 1 and blank["choices"] == {}, "a blank ballot is counted as a ballot"
