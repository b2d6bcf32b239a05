"""Open-text answers and display names pass the event's moderation before they reach a screen.

Word-cloud answers (server/domain/answers.py): every vote passes `cast`, which moderates
a text ballot before the poll service stores it. An answer the rules block is refused
with `answer_refused` and nothing is stored, so the participant can write another (and,
in a secret poll, still has their vote); an answer they hold is stored, acknowledged with
`"moderation": "held"`, and counted only once a moderator approves it.
Moderators decide on answers and words (`decide_answer`, `decide_word`: `mod.answer`, `mod.word`); each
decision is audited, published to staff as `mod.answers`, and moves the cloud on every
screen: the next live tally, or at once the stored final result of a closed poll.

Display names pass the same rules (server.service.qa `check_name`, `name_refused`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from moderation import Decision, Verdict
from server.channels import ChannelKind, channel
from server.domain import answers as rules
from server.domain.poll_lifecycle import Poll
from server.domain.polls import normalize_text
from server.domain.qa_policy import SHORT_TEXT_MAX_LENGTH
from server.domain.wordcloud import answer_key, word_key
from server.errors import InvalidCommand, NotFound
from server.identity import Identity
from server.service.polls import PollService
from server.service.qa import actor_of, audited, check_sanctions, short_text_checker
from server.service.results import answers_view, final_result, result_channel, screened, sealed
from server.service.runner import CommandRunner, Outcome
from server.store import Unit


class AnswerService:
    def __init__(self, runner: CommandRunner, polls: PollService) -> None:
        self.runner = runner
        self.db = runner.db
        self.clock = runner.clock
        self.polls = polls

    # -- what participants write ----------------------------------------------------------

    async def cast(self, who: Identity, command_id: str, poll_id: int, raw: Mapping[str, Any]) -> dict[str, Any]:
        """`PollService.cast`, with an open-text answer moderated first (see the module docstring).

        `moderation: "held"` is added to the answer, not recorded with it: a retry is moderated
        again and says the same, and the command log of a secret poll keeps nothing about the text.
        """
        text = raw.get("text")
        held = False
        # An empty or overlong text is the ballot rules' to refuse (text_empty, text_too_long).
        if isinstance(text, str) and 0 < len(normalize_text(text)) <= SHORT_TEXT_MAX_LENGTH:
            held = (await self.check_answer(who, text)).verdict is Verdict.REVIEW
        result = await self.polls.cast(who, command_id, poll_id, raw)
        return {**result, "moderation": "held"} if held else result

    async def check_answer(self, who: Identity, text: str) -> Decision:
        """Moderate an open-text answer before it is stored; returns the rules' decision.

        Raises `answer_refused` when the rules block it, and `banned` or `muted` when a
        moderator keeps its author from writing (word-cloud answers are writing too).
        """
        async with self.db.session() as db:
            settings, _ = await db.qa_settings.get(who.event_id)
            if who.participant_id is not None:
                await check_sanctions(db, who.participant_id, self.clock())
        decision = short_text_checker(settings.policy_for_short_text())(normalize_text(text))
        if decision.verdict is Verdict.BLOCK:
            raise InvalidCommand("This answer breaks the event's rules and was not recorded; write another.",
                                 code="answer_refused")
        return decision

    # -- what moderators decide ------------------------------------------------------------

    async def decide_answer(self, who: Identity, command_id: str, poll_id: int, answer: str,
                            action: rules.Action) -> dict[str, Any]:
        """Approve or reject a held answer, or hide or show any answer, of an open-text poll."""
        return await self._decide(who, command_id, poll_id, "answer", answer_key(answer), action)

    async def decide_word(self, who: Identity, command_id: str, poll_id: int, word: str,
                          hidden: bool) -> dict[str, Any]:
        """Hide a word from an open-text poll's cloud (every answer keeps its other words), or show it again."""
        key = word_key(word)
        if " " in key:
            raise InvalidCommand("hide one word at a time", code="invalid_field", field="word")
        return await self._decide(who, command_id, poll_id, "word", key, "hide" if hidden else "show")

    async def _decide(self, who: Identity, command_id: str, poll_id: int, subject: rules.Subject, key: str,
                      action: rules.Action) -> dict[str, Any]:
        actor = actor_of(who)

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            row = await _open_text_poll(db, who.event_id, poll_id)
            current = await db.answers.get(poll_id, subject, key)
            decided = rules.decide(subject, key, action, current, actor.name, now)
            if decided is not None:
                await db.answers.save(who.event_id, poll_id, decided)
                entry = await db.audit.log(who.event_id, actor, action, subject, poll_id, now, text_before=key)
                audited(out, who.event_id, entry)
            found = await screened(db, row)
            out.publish(channel(who.event_id, "staff"), "mod.answers", answers_view(row, found))
            if row.status == "closed" and not sealed(row):
                # The final result is what every screen shows after the close: recount it now.
                await self._recount_closed(db, row, now, out)
            state = decided or current
            item = next((i for i in found.items if i.key == key), None)
            shown = state.shown if state is not None else subject == "word" or item is None or item.shown
            out.result = {"poll": poll_id, "subject": subject, "key": key, "shown": shown}

        result = await self.runner.run(who.actor, command_id, work)
        self.polls.ticker.mark(poll_id)  # live tallies follow at the next tick
        return result

    async def recount(self, event_id: int) -> None:
        """The event's rules changed: screen every open-text poll again. Moderators get the new
        answers, a closed poll's stored result is recounted, open ones follow at the next tick."""
        marked: list[int] = []

        async def work(db: Unit, out: Outcome) -> None:
            now = self.clock()
            for row in await db.polls.of_event(event_id):
                if row.status == "draft" or row.spec.get("kind") != "open_text":
                    continue
                out.publish(channel(event_id, "staff"), "mod.answers", answers_view(row, await screened(db, row)))
                if row.status == "closed" and not sealed(row):
                    await self._recount_closed(db, row, now, out)
                elif row.status != "closed":
                    marked.append(row.id)

        await self.runner.run("admin", None, work)
        for poll_id in marked:
            self.polls.ticker.mark(poll_id)

    async def _recount_closed(self, db: Unit, row: Poll, now: float, out: Outcome) -> None:
        """Store and publish a closed poll's result counted again under its current moderation.
        A counted secret poll keeps its verification: the recount of its published file counts
        answers, which moderation never changes."""
        assert row.result is not None
        verification = row.result.get("verification")
        result = await final_result(db, row, self.polls.presence, now)
        if verification is not None:
            result["verification"] = verification
        await db.polls.save_result(row.id, result)
        out.publish(result_channel(row), "poll.result", result)

    # -- snapshots ---------------------------------------------------------------------------

    async def snapshot(self, who: Identity, kind: ChannelKind) -> dict[str, Any]:
        """Staff: `answers`, per open-text poll that was opened, the answers moderators see (see
        `rules.for_moderators`) and its hidden words. Nothing for participants."""
        if kind != "staff":
            return {}
        async with self.db.session() as db:
            views = {}
            for row in await db.polls.of_event(who.event_id):
                if row.status != "draft" and row.spec.get("kind") == "open_text":
                    views[str(row.id)] = answers_view(row, await screened(db, row))
        return {"answers": views}


async def _open_text_poll(db: Unit, event_id: int, poll_id: int) -> Poll:
    row = await db.polls.lock(poll_id, write=False)
    if row is None or row.event_id != event_id:
        raise NotFound("No such poll in this event.", code="poll_not_found")
    if row.spec.get("kind") != "open_text":
        raise InvalidCommand("only open-text answers are moderated one by one", code="not_open_text")
    if row.status == "draft":
        raise InvalidCommand("a draft has no answers yet", code="poll_draft", status=row.status)
    return row
