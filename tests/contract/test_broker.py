"""The Broker contract, against the memory broker and a real Redis."""

from __future__ import annotations

import asyncio
import secrets

from server.broker import Broker, Envelope, Position


def fresh_channel() -> str:
    return f"ev:{secrets.randbelow(10**9)}:public"


async def started(broker: Broker) -> list[Envelope]:
    received: list[Envelope] = []
    await broker.start(received.append)
    return received


async def wait_until(predicate: object, timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not predicate():  # type: ignore[operator]
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


async def test_sequence_is_dense_and_delivered_in_order(broker: Broker) -> None:
    received = await started(broker)
    ch = fresh_channel()
    await broker.subscribe(ch)
    envelopes = [await broker.publish(ch, "screen.updated", {"n": i}) for i in range(1, 21)]
    assert [e.seq for e in envelopes] == list(range(1, 21))
    await wait_until(lambda: len(received) == 20)
    assert [(e.seq, e.data["n"]) for e in received] == [(i, i) for i in range(1, 21)]
    assert len({e.epoch for e in received}) == 1


async def test_unsubscribed_channels_are_not_delivered(broker: Broker) -> None:
    received = await started(broker)
    watched, other = fresh_channel(), fresh_channel()
    await broker.subscribe(watched)
    await broker.publish(other, "screen.updated", {})
    await broker.publish(watched, "screen.updated", {})
    await wait_until(lambda: len(received) == 1)
    await asyncio.sleep(0.05)
    assert [e.channel for e in received] == [watched]


async def test_position_and_since(broker: Broker) -> None:
    await started(broker)
    ch = fresh_channel()
    empty = await broker.position(ch)
    assert empty.seq == 0
    assert await broker.since(ch, empty) == []
    for i in range(10):
        await broker.publish(ch, "session.updated", {"i": i})
    position = await broker.position(ch)
    assert position.seq == 10 and position.epoch == empty.epoch, "the epoch of a fresh channel is fixed at once"
    missed = await broker.since(ch, Position(position.epoch, 6))
    assert missed is not None and [e.seq for e in missed] == [7, 8, 9, 10]
    assert [e.data["i"] for e in missed] == [6, 7, 8, 9]
    assert await broker.since(ch, position) == []
    assert await broker.since(ch, Position("another-epoch", 6)) is None
    assert await broker.since(ch, Position(position.epoch, 11)) is None, "a position from the future is unknown"


async def test_history_is_bounded(broker: Broker) -> None:
    await started(broker)
    ch = fresh_channel()
    for i in range(80):  # the fixture keeps 50
        await broker.publish(ch, "screen.updated", {"i": i})
    position = await broker.position(ch)
    assert await broker.since(ch, Position(position.epoch, 5)) is None
    recent = await broker.since(ch, Position(position.epoch, 75))
    assert recent is not None and [e.seq for e in recent] == [76, 77, 78, 79, 80]


async def test_presence_sums_processes(broker: Broker) -> None:
    await started(broker)
    event_id = secrets.randbelow(10**9)
    assert await broker.presence(event_id) == 0
    await broker.set_presence(event_id, "proc-a", 3)
    await broker.set_presence(event_id, "proc-b", 4)
    assert await broker.presence(event_id) == 7
    await broker.set_presence(event_id, "proc-a", 0)
    assert await broker.presence(event_id) == 4


async def test_frame_is_the_wire_event(broker: Broker) -> None:
    await started(broker)
    envelope = await broker.publish(fresh_channel(), "screen.updated", {"kind": "qr"})
    assert envelope.frame().startswith('{"type":"event","ch":"ev:')
    assert f'"seq":{envelope.seq}' in envelope.frame()


async def test_a_crowd_of_concurrent_calls_is_no_outage(broker: Broker) -> None:
    """Hundreds of connections arriving at once each read a position and publish: more calls in
    flight than Redis connections in the pool must wait for one, never degrade the broker."""
    await started(broker)
    channels = [fresh_channel() for _ in range(400)]
    positions = await asyncio.gather(*(broker.position(ch) for ch in channels))
    published = await asyncio.gather(*(broker.publish(ch, "screen.updated", {}) for ch in channels))
    assert broker.healthy, "no call was refused for want of a connection"
    assert [e.seq for e in published] == [p.seq + 1 for p in positions]


async def test_a_position_includes_everything_published_before_it_was_asked(broker: Broker) -> None:
    """A crowd asks for one channel's position while others publish to it: each answer is at
    least the sequence of everything published before that request was made, as a joiner's
    snapshot needs (the Redis broker shares one read among callers asking at once)."""
    await started(broker)
    ch = fresh_channel()

    async def publish_then_ask() -> tuple[int, Position]:
        envelope = await broker.publish(ch, "chat.message", {"text": "Boa tarde"})
        return envelope.seq, await broker.position(ch)

    answers = await asyncio.gather(*(publish_then_ask() for _ in range(150)),
                                   *(broker.position(ch) for _ in range(300)))
    pairs = [a for a in answers if isinstance(a, tuple)]
    assert len(pairs) == 150
    assert all(position.seq >= published for published, position in pairs)
    assert len({a.epoch if isinstance(a, Position) else a[1].epoch for a in answers}) == 1
    assert (await broker.position(ch)).seq == 150


async def test_forgotten_history_is_never_replayed(broker: Broker) -> None:
    """After forget_history (an erasure), a client resuming from before gets a snapshot (None),
    one that was up to date still gets what follows; the sequence goes on."""
    await started(broker)
    ch = fresh_channel()
    envelopes = [await broker.publish(ch, "chat.message", {"text": f"Zuleica {i}"}) for i in range(5)]
    epoch = envelopes[0].epoch
    await broker.forget_history(ch)
    assert await broker.since(ch, Position(epoch, 2)) is None
    assert await broker.since(ch, Position(epoch, 5)) == []
    after = await broker.publish(ch, "chat.message", {"text": "redacted"})
    assert after.seq == 6
    assert [e.data for e in await broker.since(ch, Position(epoch, 5)) or []] == [{"text": "redacted"}]
    assert await broker.since(ch, Position(epoch, 3)) is None


async def test_a_lease_has_one_holder_until_it_lapses_or_is_released(broker: Broker) -> None:
    """Two processes polling one platform source: one holds the lease and renews it, the other is
    refused until the holder stops renewing (takeover after the ttl) or gives it up."""
    await started(broker)
    name = f"platform-source:{secrets.randbelow(10**9)}"
    assert await broker.lease(name, "process-a", 0.3)
    assert not await broker.lease(name, "process-b", 0.3)
    assert await broker.lease(name, "process-a", 0.3), "the holder renews"
    await asyncio.sleep(0.45)
    assert await broker.lease(name, "process-b", 5.0), "taken over once it lapsed"
    assert not await broker.lease(name, "process-a", 5.0)
    await broker.release(name, "process-a")  # not the holder: nothing happens
    assert not await broker.lease(name, "process-a", 5.0)
    await broker.release(name, "process-b")
    assert await broker.lease(name, "process-a", 5.0)
