from __future__ import annotations

import asyncio

import numpy as np
import pytest

from pbx.media.codec import SLIN16, ULAW
from pbx.media.echo import EchoGuard
from pbx.media.player import PromptPlayer
from pbx.media.reframe import Reframer
from pbx.media.rtp import RtpError, RtpPacket, RtpSender


def tone(n: int, amplitude: float, rate: int = 8000) -> np.ndarray:
    return (np.sin(2 * np.pi * 400 * np.arange(n) / rate) * amplitude).astype(np.int16)


def test_rtp_round_trip_and_sequence() -> None:
    sender = RtpSender(118, 320)
    first, second = RtpPacket.parse(sender.packet(b"ab", marker=True)), RtpPacket.parse(sender.packet(b"cd"))
    assert (first.payload_type, first.payload, first.marker) == (118, b"ab", True)
    assert second.sequence == (first.sequence + 1) & 0xFFFF and second.timestamp == (first.timestamp + 320) % 2**32


@pytest.mark.parametrize("data", [b"", b"\x80" * 5, bytes([0x40]) + b"\x00" * 11, bytes([0x81]) + b"\x00" * 11])
def test_garbage_packets_are_refused(data: bytes) -> None:
    with pytest.raises(RtpError):
        RtpPacket.parse(data)


def test_ulaw_round_trip_is_close() -> None:
    samples = tone(160, 12000)
    back = ULAW.decode(ULAW.encode(samples))
    assert np.max(np.abs(back.astype(int) - samples.astype(int))) < 800


def test_slin16_is_big_endian() -> None:
    assert SLIN16.encode(np.array([1], dtype=np.int16)) == b"\x00\x01"
    assert SLIN16.decode(b"\x00\x01\x01") .tolist() == [1]  # a stray odd byte is dropped


def test_reframer_cuts_any_packet_size_into_20ms() -> None:
    reframer = Reframer(160)
    frames = reframer.push(np.ones(100, np.int16)) + reframer.push(np.ones(300, np.int16))
    assert [len(f) for f in frames] == [160, 160]
    [tail] = reframer.flush()
    assert len(tail) == 160 and tail[79] == 1 and tail[80] == 0


def test_echo_of_the_prompt_is_not_barge_in_but_louder_speech_is() -> None:
    guard = EchoGuard(echo_return_loss_db=10, floor_rms=150, confirm_frames=5)
    for _ in range(15):
        guard.on_output(8000.0)
    echo = tone(160, 8000 * 0.2)  # 14 dB down: an echo
    assert not any(guard.barge_in(echo) for _ in range(50))
    caller = tone(160, 8000)
    assert any(guard.barge_in(caller) for _ in range(5))


async def test_player_sends_a_steady_stream_and_stops_on_barge_in() -> None:
    sent: list[bytes] = []
    player = PromptPlayer(ULAW, sent.append)
    player.run()
    await asyncio.sleep(0.1)
    silent_packets = len(sent)
    assert silent_packets >= 3  # silence flows before any prompt
    done = player.start(tone(8000, 5000))  # 1 s
    await asyncio.sleep(0.2)
    player.stop()
    played = await done
    assert 0.1 <= played <= 0.4
    assert not player.playing
    player.close()


def _loud(packet: bytes) -> bool:
    return bool(np.abs(ULAW.decode(RtpPacket.parse(packet).payload).astype(np.int32)).max() > 1000)


async def test_a_prompt_in_pieces_starts_with_its_first_piece_and_waits_for_late_ones() -> None:
    sent: list[bytes] = []
    player = PromptPlayer(ULAW, sent.append)
    player.run()
    made: list[int] = []

    async def pieces():
        for i in range(3):
            if i:
                await asyncio.sleep(0.3)  # the second piece is late: 0.2 s of audio play in 0.3 s
            made.append(len(sent))
            yield tone(1605, 8000)  # 0.2 s and a bit: a piece is not a whole number of frames

    await asyncio.sleep(0.06)
    started = len(sent)
    played = await player.play_stream(pieces())
    loud = [i for i, p in enumerate(sent) if _loud(p)]
    assert loud[0] - started <= 1  # the first piece is on the line at once
    assert loud[0] < made[1]  # ... before the second one exists
    assert played == pytest.approx(3 * 1605 / 8000, abs=0.021)
    gaps = [b - a for a, b in zip(loud, loud[1:])]
    assert max(gaps) >= 3  # the late piece left silence rather than ending the prompt
    assert not player.playing
    player.close()


async def test_a_stopped_stream_takes_no_more_pieces() -> None:
    player = PromptPlayer(ULAW, lambda packet: None)
    player.run()
    asked = 0

    async def pieces():
        nonlocal asked
        for _ in range(10):
            asked += 1
            yield tone(800, 8000)
            await asyncio.sleep(0.05)

    task = asyncio.create_task(player.play_stream(pieces()))
    await asyncio.sleep(0.12)
    player.stop()
    played = await task
    assert played < 0.3 and asked <= 4 and not player.playing
    player.close()
