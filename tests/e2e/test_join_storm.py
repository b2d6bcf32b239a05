"""A crowd joining at once shares one snapshot per channel position, and it is never stale:
each joiner gets the state at seq S, then every event after S, no gap and no duplicate,
while the presenter keeps changing the screen. A participant's own things stay theirs."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.client import Client
from tests.harness import Running, create_event

CHANGES = 15  # within the presenter's command burst
JOINERS = 4 * CHANGES


async def test_joiners_under_concurrent_writes_get_the_state_at_their_seq_then_every_later_event(
    server: Running,
) -> None:
    created = await create_event(server.base, code="MULTIDAO")
    public = f"ev:{created['event']['id']}:public"
    token = next(s["token"] for s in created["staff"] if s["role"] == "presenter")
    presenter = await Client(server.ws_url, "MULTIDAO", token=token).connect()
    await presenter.wait_for(lambda: public in presenter.snapshots)
    public_state = server.services.hub.public
    assert public_state is not None
    builds_before = public_state.builds

    joiners = [Client(server.ws_url, "MULTIDAO") for _ in range(JOINERS)]
    per_change = JOINERS // CHANGES
    for k in range(CHANGES):  # each change races a group of joins: they land at many positions
        group = joiners[k * per_change:(k + 1) * per_change]
        await asyncio.gather(presenter.ok("screen.show", kind="message", text=f"m{k}"),
                             *(joiner.connect() for joiner in group))
    last = CHANGES + presenter.snapshot_seq[public]
    await presenter.wait_for(lambda: presenter.positions[public][1] == last)

    # What the screen showed after each seq, from the presenter's own view of the channel.
    shown = {presenter.snapshot_seq[public]: presenter.snapshots[public]["screen"].get("text")}
    for event in presenter.named("screen.updated"):
        shown[event["seq"]] = event["data"]["text"]
    order = {text: seq for seq, text in shown.items()}
    for joiner in joiners:
        await joiner.wait_for(lambda j=joiner: j.positions.get(public, ("", -1))[1] == last)
        seq = joiner.snapshot_seq[public]
        state: dict[str, Any] = joiner.snapshots[public]
        seen = state["screen"].get("text")
        # The state holds at least everything up to its seq (never older than it says).
        assert order[seen] >= max(s for s in shown if s <= seq), (seq, seen)
        assert joiner.seqs(public) == list(range(seq + 1, last + 1)), "no gap, no duplicate"
        assert state["mine"] == [] and all(p["my_vote"] is None for p in state["polls"])
    assert len({joiner.snapshot_seq[public] for joiner in joiners}) > 1, "the joins raced the writes"
    # Joiners at the same position shared a build instead of one each.
    assert public_state.builds - builds_before < JOINERS
    for client in (presenter, *joiners):
        await client.close()


async def test_a_returning_participant_gets_their_own_things_and_a_newcomer_does_not(server: Running) -> None:
    created = await create_event(server.base, code="MULTIDAO")
    public = f"ev:{created['event']['id']}:public"
    alice = await Client(server.ws_url, "MULTIDAO", device="alice-device-0123456789").connect()
    await alice.ok("question.ask", text="Quando abre o credenciamento?")
    await alice.ok("chat.send", text="Bom dia a todos")
    await alice.close()

    again = await Client(server.ws_url, "MULTIDAO", device="alice-device-0123456789").connect()
    newcomer = await Client(server.ws_url, "MULTIDAO").connect()
    for client in (again, newcomer):
        await client.wait_for(lambda c=client: public in c.snapshots)
    assert {item["text"] for item in again.snapshots[public]["mine"]} == {"Quando abre o credenciamento?",
                                                                       "Bom dia a todos"}
    assert newcomer.snapshots[public]["mine"] == []
    assert again.snapshots[public]["delegate"] is None and newcomer.snapshots[public]["delegate"] is None
    for client in (again, newcomer):
        await client.close()


async def test_a_first_visit_is_welcomed_before_its_row_is_written_and_acknowledged_after(
    server: Running,
) -> None:
    """The newcomer's welcome and snapshot do not wait for the store; their first command
    does, so nothing is acknowledged for a participant the store does not hold. A second
    tab of the same new device meanwhile is the same participant."""
    created = await create_event(server.base, code="CHEGADA")
    public = f"ev:{created['event']['id']}:public"
    first = await Client(server.ws_url, "CHEGADA").connect()  # reserves this process's ids
    await first.ok("profile.update", name="Primeira")
    services = server.services
    newcomer = Client(server.ws_url, "CHEGADA", device="newcomer-device-0123456789")
    tab = Client(server.ws_url, "CHEGADA", device="newcomer-device-0123456789")
    async with services.runner.gate:  # every write of the process waits meanwhile
        await asyncio.wait_for(newcomer.connect(), 5)
        await asyncio.wait_for(tab.connect(), 5)
        for client in (newcomer, tab):
            await client.wait_for(lambda c=client: public in c.snapshots)
        participant = newcomer.welcome["participant"]
        assert tab.welcome["participant"] == participant
        assert services.conference.arrivals.pending == 1
        await newcomer.send_raw('{"type": "profile.update", "id": "p1", "name": "Nova"}')
        await asyncio.sleep(0.2)
        assert "p1" not in newcomer.answers, "acknowledged before the participant was stored"
    await services.conference.arrivals.settled()
    answer = await newcomer.wait_for(lambda: newcomer.answers.get("p1"))
    assert answer["type"] == "ack" and answer["result"]["participant"] == {**participant, "name": "Nova"}
    assert services.conference.arrivals.pending == 0
    for client in (first, newcomer, tab):
        await client.close()

    again = await Client(server.ws_url, "CHEGADA", device="newcomer-device-0123456789").connect()
    assert again.welcome["participant"] == {**participant, "name": "Nova"}
    await again.close()


async def test_a_first_visit_whose_device_was_registered_elsewhere_meanwhile_joins_again(server: Running) -> None:
    """Another process stored the same new device while this one was writing it: nothing of
    this connection is acknowledged, it is closed to join again, and then it is that row."""
    from server.identity import digest
    from server.store import participants as people

    created = await create_event(server.base, code="CORRIDA")
    event_id = created["event"]["id"]
    first = await Client(server.ws_url, "CORRIDA").connect()  # reserves this process's ids
    services = server.services
    device = "raced-device-0123456789"
    newcomer = Client(server.ws_url, "CORRIDA", device=device)
    async with services.runner.gate:
        await asyncio.wait_for(newcomer.connect(), 5)
        async with services.db.session() as db:  # the other process's write, outside this one's queue
            other = await people.join(db, event_id, digest(device), now=1.0)
        await newcomer.send_raw('{"type": "profile.update", "id": "p1", "name": "Nova"}')
    answer = await newcomer.wait_for(lambda: newcomer.answers.get("p1"))
    assert answer["type"] == "error" and answer["code"] == "store_unavailable"
    await asyncio.wait_for(newcomer.closed.wait(), 5)
    assert newcomer.close_code == 1013

    again = await Client(server.ws_url, "CORRIDA", device=device).connect()
    assert again.welcome["participant"]["id"] == other.public_id
    assert (await again.ok("profile.update", name="Nova"))["participant"]["name"] == "Nova"
    for client in (first, again):
        await client.close()


async def test_a_device_reconnecting_as_its_first_visit_commits_is_that_participant(server: Running) -> None:
    """A phone drops the connection right after its first vote and reconnects at once: its join
    was looked up before its first visit committed (no row yet) and reaches the arrivals after
    the commit (no arrival pending). It is the same participant, and its command is acknowledged,
    not refused as a second first visit of the device."""
    await create_event(server.base, code="VOLTA")
    services = server.services
    device = "returning-device-0123456789"
    phone = await Client(server.ws_url, "VOLTA", device=device).connect()
    await phone.ok("profile.update", name="Ana")  # its first visit is committed now
    me = phone.welcome["participant"]
    await phone.close()

    looked_up = services.conference.lookups.submit

    async def read_before_the_commit(key: Any) -> Any:
        event, _ = await looked_up(key)
        return event, None

    services.conference.lookups.submit = read_before_the_commit  # type: ignore[method-assign]
    try:
        again = await Client(server.ws_url, "VOLTA", device=device).connect()
    finally:
        services.conference.lookups.submit = looked_up  # type: ignore[method-assign]
    assert again.welcome["participant"]["id"] == me["id"]
    assert (await again.ok("profile.update", name="Ana B."))["participant"]["id"] == me["id"]
    await again.close()
