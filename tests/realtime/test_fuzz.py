"""A websocket fuzzer of our own: random JSON of every shape, wrong types, huge and deep
frames, binary frames and floods on /ws/me, /ws/leaderboard and /ws/projects/{id} of a
live daphne. Whatever arrives, a socket either stays open or is closed with one of the
documented close codes (docs/realtime.md), never dropped without one, and the server log
holds no ERROR and no traceback. Seeded: FUZZ_SEED reproduces a run, FUZZ_FRAMES makes
it longer (by hand: FUZZ_FRAMES=5000 bin/test tests/realtime/test_fuzz.py)."""

import asyncio
import json
import os
import random

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

pytestmark = pytest.mark.live

SEED = int(os.environ.get("FUZZ_SEED", "20261129"))
FRAMES = int(os.environ.get("FUZZ_FRAMES", "300"))
DOCUMENTED_CLOSES = {1000, 1009, 4400, 4401, 4404, 4429}
TYPES = ["ping", "timer.start", "timer.stop", "hello", "subscribe", "", "ping ", "PING", "timer.start\x00"]
FIELDS = ["type", "ref", "project", "description", "since", "metric", "period", "id", "__proto__", ""]


def value(rng: random.Random, depth: int = 0):
    kinds = ["int", "big", "float", "str", "unicode", "bool", "null", "list", "dict"]
    kind = rng.choice(kinds if depth < 4 else kinds[:7])
    if kind == "int":
        return rng.randint(-5, 5)
    if kind == "big":
        return rng.choice([2**63, -(2**63) - 1, 10**30, 2**31])
    if kind == "float":
        return rng.choice([1.5, -0.0, 1e308, 3.0])
    if kind == "str":
        return "".join(rng.choice("abc019 -_/.:{}\"\\") for _ in range(rng.randint(0, 12)))
    if kind == "unicode":
        return rng.choice(["٨٠", "\u202e", "\ud800", "\x00", "😀" * 50, "é" * 600])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "list":
        return [value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(FIELDS): value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def frame(rng: random.Random) -> str | bytes:
    roll = rng.random()
    if roll < 0.55:
        message = {rng.choice(FIELDS): value(rng) for _ in range(rng.randint(0, 4))}
        if rng.random() < 0.8:
            message["type"] = rng.choice(TYPES) if rng.random() < 0.8 else value(rng)
        try:
            return json.dumps(message)
        except (UnicodeEncodeError, ValueError):
            return '{"type": "ping"}'
    if roll < 0.65:
        return json.dumps(value(rng))
    if roll < 0.72:
        return "[" * rng.choice([100, 5000, 50_000]) + "]" * rng.choice([0, 100])
    if roll < 0.78:
        return '{"type": "ping", "pad": "' + "x" * rng.choice([70_000, 500_000, 1_100_000]) + '"}'
    if roll < 0.86:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))
    if roll < 0.93:
        return rng.choice(['{"type": "ping"', "NaN", '{"type": NaN}', "\ufeff{}", "", "null", '{"a":1,"a":2}'])
    return json.dumps({"type": "timer.start", "project": value(rng), "description": value(rng), "ref": value(rng)})


async def fuzz(url: str, rng: random.Random, frames: int) -> int | None:
    """Send `frames` frames (reconnecting after a documented close); returns the first
    undocumented close code seen, or None."""
    sent = 0
    while sent < frames:
        async with connect(url, open_timeout=15, max_size=None) as socket:
            reader = asyncio.create_task(_drain(socket))
            try:
                while sent < frames:
                    await socket.send(frame(rng))
                    sent += 1
                    if rng.random() < 0.9:
                        await asyncio.sleep(0.02)  # mostly under the rate limit; bursts now and then
            except ConnectionClosed:
                pass
            await socket.close()
            code = await asyncio.wait_for(reader, 15)
            if code is not None and code not in DOCUMENTED_CLOSES:
                return code
    return None


async def _drain(socket) -> int | None:
    try:
        async for _ in socket:
            pass
    except ConnectionClosed:
        pass
    return socket.close_code if socket.close_code is not None else 1006


@pytest.mark.parametrize("stream", ["me", "leaderboard", "project"])
async def test_random_frames_never_kill_a_socket_without_a_close_code(live, team, stream):
    rng = random.Random(f"{SEED}-{stream}")
    path = {"me": "/ws/me", "leaderboard": "/ws/leaderboard", "project": f"/ws/projects/{team.pid}"}[stream]
    offset = live.log_offset()
    undocumented = await fuzz(f"{live.ws_url}{path}?token={team.contributor.token}", rng, FRAMES)
    assert undocumented is None, f"closed with {undocumented} (seed {SEED})"
    written = live.log_since(offset)
    assert "Traceback" not in written and " ERROR " not in written, written[-3000:]
