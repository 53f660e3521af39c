"""RTP framing (RFC 3550, the subset ExternalMedia uses) and one UDP endpoint per call."""

from __future__ import annotations

import asyncio
import random
import struct
from collections.abc import Callable
from dataclasses import dataclass

_HEADER = struct.Struct("!BBHII")


class RtpError(ValueError):
    pass


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes
    marker: bool = False

    @classmethod
    def parse(cls, data: bytes) -> RtpPacket:
        if len(data) < _HEADER.size:
            raise RtpError(f"RTP packet of {len(data)} bytes is shorter than its header")
        first, second, sequence, timestamp, ssrc = _HEADER.unpack_from(data)
        if first >> 6 != 2:
            raise RtpError(f"not RTP version 2 (version {first >> 6})")
        offset = _HEADER.size + 4 * (first & 0x0F)
        if first & 0x10:  # header extension: skip it
            if len(data) < offset + 4:
                raise RtpError("truncated RTP header extension")
            (length,) = struct.unpack_from("!H", data, offset + 2)
            offset += 4 + 4 * length
        end = len(data)
        if first & 0x20:  # padding: the last byte says how much
            end -= data[-1]
        if offset > end:
            raise RtpError("RTP header longer than the packet")
        return cls(second & 0x7F, sequence, timestamp, ssrc, data[offset:end], bool(second & 0x80))

    def build(self) -> bytes:
        second = (0x80 if self.marker else 0) | (self.payload_type & 0x7F)
        header = _HEADER.pack(0x80, second, self.sequence & 0xFFFF, self.timestamp & 0xFFFFFFFF, self.ssrc)
        return header + self.payload


class RtpSender:
    """Numbers and stamps outgoing packets of one stream."""

    def __init__(self, payload_type: int, samples_per_packet: int) -> None:
        self.payload_type = payload_type
        self.samples_per_packet = samples_per_packet
        self.ssrc = random.getrandbits(32)
        self._sequence = random.getrandbits(16)
        self._timestamp = random.getrandbits(32)

    def packet(self, payload: bytes, marker: bool = False) -> bytes:
        packet = RtpPacket(self.payload_type, self._sequence, self._timestamp, self.ssrc, payload, marker)
        self._sequence = (self._sequence + 1) & 0xFFFF
        self._timestamp = (self._timestamp + self.samples_per_packet) & 0xFFFFFFFF
        return packet.build()


class RtpEndpoint(asyncio.DatagramProtocol):
    """A UDP socket on 127.0.0.1 that Asterisk's ExternalMedia channel sends to and hears from.

    The peer is learned from the first packet (symmetric RTP), or set from the channel's
    UNICASTRTP_LOCAL_ADDRESS/PORT variables when we need to speak first.
    """

    def __init__(self, on_payload: Callable[[bytes], None]) -> None:
        self._on_payload = on_payload
        self.transport: asyncio.DatagramTransport | None = None
        self.peer: tuple[str, int] | None = None
        self.packets_in = 0
        self.packets_out = 0
        self.bad_packets = 0

    @classmethod
    async def open(cls, on_payload: Callable[[bytes], None], host: str = "127.0.0.1") -> RtpEndpoint:
        loop = asyncio.get_running_loop()
        _, endpoint = await loop.create_datagram_endpoint(lambda: cls(on_payload), local_addr=(host, 0))
        return endpoint

    @property
    def local_address(self) -> tuple[str, int]:
        assert self.transport is not None
        return self.transport.get_extra_info("sockname")[:2]

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        try:
            packet = RtpPacket.parse(data)
        except RtpError:
            self.bad_packets += 1  # garbage on the port must not stop the call's audio
            return
        if self.peer is None:
            self.peer = addr
        self.packets_in += 1
        self._on_payload(packet.payload)

    def send(self, data: bytes) -> None:
        if self.transport is None or self.peer is None or self.transport.is_closing():
            return
        self.transport.sendto(data, self.peer)
        self.packets_out += 1

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
