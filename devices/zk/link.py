"""One session with a terminal: connect and authenticate, match answers to requests by reply
id, read buffered chunks, and acknowledge and queue real-time events that arrive meanwhile."""

from __future__ import annotations

import struct
import time
from collections import deque

from devices.errors import DeviceUnavailable
from devices.zk import protocol as p
from devices.zk.settings import AuthenticationFailed, CommandRejected, ZKSettings
from devices.zk.transport import TcpTransport, Transport, TransportTimeout, UdpTransport


class ZKLink:
    """An open, authenticated session over one transport."""

    def __init__(self, transport: Transport, *, timeout: float, name: str) -> None:
        self.transport = transport
        self.timeout = timeout
        self.name = name
        self.session_id = 0
        self.reply_id = 0
        self.events: deque[p.Packet] = deque()

    @classmethod
    def open(cls, s: ZKSettings, deadline: float) -> ZKLink:
        """Connect, send CMD_CONNECT and, if asked for, CMD_AUTH with the comm key."""
        transport: Transport
        if s.transport == "tcp":
            timeout = min(s.timeout, max(0.01, deadline - time.monotonic()))
            transport = TcpTransport(
                s.host, s.port, connect_timeout=timeout, verify_checksum=s.verify_checksum
            )
        else:
            transport = UdpTransport(s.host, s.port, verify_checksum=s.verify_checksum)
        link = cls(transport, timeout=s.timeout, name=f"{s.host}:{s.port}")
        try:
            reply = link.exchange(p.CMD_CONNECT, b"", deadline)
            link.session_id = reply.session_id
            if reply.command == p.CMD_ACK_UNAUTH:
                key = p.make_commkey(s.comm_key, link.session_id)
                if link.exchange(p.CMD_AUTH, key, deadline).command != p.CMD_ACK_OK:
                    raise AuthenticationFailed(f"{link.name} rejected the comm key")
            elif reply.command != p.CMD_ACK_OK:
                raise CommandRejected(f"{link.name} refused to connect ({reply.command})")
        except BaseException:
            transport.close()
            raise
        return link

    def close(self) -> None:
        """Close the transport."""
        self.transport.close()

    def _send(self, command: int, data: bytes) -> int:
        reply_id = self.reply_id
        self.reply_id = (reply_id + 1) % p.REPLY_ID_MODULO
        self.transport.send_packet(p.build_packet(command, self.session_id, reply_id, data))
        return reply_id

    def exchange(self, command: int, data: bytes, deadline: float) -> p.Packet:
        """Send one command and return the answer that carries its reply id."""
        return self.answer(self._send(command, data), deadline)

    def answer(self, reply_id: int, deadline: float) -> p.Packet:
        """The next packet answering ``reply_id``; events are acknowledged and queued."""
        while True:
            packet = self.transport.recv_packet(min(deadline, time.monotonic() + self.timeout))
            if packet.command == p.CMD_REG_EVENT:
                self.ack_event(packet)
            elif packet.reply_id == reply_id:
                return packet
            # else: a late answer to an earlier, timed-out request; not ours.

    def ack_event(self, packet: p.Packet) -> None:
        """Queue a real-time event and acknowledge it (same reply number, our session)."""
        self.events.append(packet)
        self.transport.send_packet(p.build_packet(p.CMD_ACK_OK, self.session_id, packet.reply_id))

    def read_chunk(self, start: int, size: int, deadline: float) -> bytes:
        """CMD_READ_BUFFER: bytes ``start..start+size`` of the prepared buffer."""
        attempts = 1 if self.transport.is_tcp else 3  # UDP may lose a datagram: ask again
        for attempt in range(attempts):
            reply_id = self._send(p.CMD_READ_BUFFER, struct.pack("<ii", start, size))
            try:
                return self._collect(reply_id, size, deadline)
            except TransportTimeout:
                if attempt + 1 == attempts or time.monotonic() >= deadline:
                    raise
        raise AssertionError("unreachable")

    def _collect(self, reply_id: int, size: int, deadline: float) -> bytes:
        # PREPARE_DATA (announces the size), one or more DATA, then ACK_OK.
        parts: list[bytes] = []
        got, expected = 0, size
        while True:
            packet = self.answer(reply_id, deadline)
            if packet.command == p.CMD_PREPARE_DATA:
                expected = struct.unpack_from("<I", packet.data.ljust(4, b"\x00"))[0]
            elif packet.command == p.CMD_DATA:
                parts.append(packet.data)
                got += len(packet.data)
            elif packet.command == p.CMD_ACK_OK and got >= expected:
                break
            else:
                raise CommandRejected(
                    f"{self.name} answered {packet.command} while sending buffer bytes "
                    f"{got}/{expected}"
                )
        if got != size:
            raise DeviceUnavailable(f"{self.name} sent {got} bytes of a {size}-byte chunk")
        return b"".join(parts)

    def take_events(self, timeout: float) -> list[p.Packet]:
        """Wait up to ``timeout`` for events; return all that came (several per read)."""
        end = time.monotonic() + timeout
        while not self.events:
            try:
                packet = self.transport.recv_packet(end)
            except TransportTimeout:
                return []
            if packet.command == p.CMD_REG_EVENT:
                self.ack_event(packet)
        # Take whatever else already arrived with it, without really waiting.
        while True:
            try:
                packet = self.transport.recv_packet(time.monotonic() + 0.02)
            except TransportTimeout:
                break
            if packet.command == p.CMD_REG_EVENT:
                self.ack_event(packet)
        out = list(self.events)
        self.events.clear()
        return out
