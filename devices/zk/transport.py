"""Socket transports for the ZK protocol: TCP (framed stream) and UDP (one packet a datagram).

Every receive takes an absolute deadline (``time.monotonic()`` seconds): nothing here can
wait longer than its caller allows, which is what keeps a dropped transfer from hanging.
Every socket failure becomes :class:`~devices.errors.DeviceUnavailable`.
"""

from __future__ import annotations

import socket
import time
from typing import Protocol

from devices.errors import DeviceUnavailable, ProtocolError
from devices.zk.protocol import Packet, TcpDeframer, parse_packet, wrap_tcp

_RECV_SIZE = 256 * 1024


class TransportTimeout(DeviceUnavailable):
    """Nothing (usable) arrived before the deadline; the link itself may still be open."""


class Transport(Protocol):
    """What the client needs from a link to a terminal."""

    is_tcp: bool

    def send_packet(self, packet: bytes) -> None:
        """Send one packet (header and data)."""

    def recv_packet(self, deadline: float) -> Packet:
        """Return the next packet, waiting at most until ``deadline``."""

    def close(self) -> None:
        """Close the link; safe to call twice."""


def _describe(host: str, port: int, proto: str) -> str:
    return f"{proto} {host}:{port}"


class _SocketLink:
    """The socket a transport holds; using it once closed raises DeviceUnavailable."""

    _where: str
    _sock: socket.socket | None

    def _live(self) -> socket.socket:
        if self._sock is None:
            raise DeviceUnavailable(f"{self._where} link is closed")
        return self._sock

    def close(self) -> None:
        """Close the socket."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class TcpTransport(_SocketLink):
    """A TCP connection with a streaming deframer."""

    is_tcp = True

    def __init__(
        self, host: str, port: int, *, connect_timeout: float, verify_checksum: bool = True
    ) -> None:
        self._where = _describe(host, port, "tcp")
        self._deframer = TcpDeframer(verify_checksum=verify_checksum)
        try:
            self._sock = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as exc:
            raise DeviceUnavailable(f"cannot connect to {self._where}: {exc}") from exc
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def send_packet(self, packet: bytes) -> None:
        """Send one framed packet."""
        sock = self._live()
        try:
            sock.settimeout(5.0)
            sock.sendall(wrap_tcp(packet))
        except OSError as exc:
            raise DeviceUnavailable(f"sending to {self._where} failed: {exc}") from exc

    def recv_packet(self, deadline: float) -> Packet:
        """Next framed packet; skips garbage, fails at the deadline or on close."""
        sock = self._live()
        while True:
            packet = self._deframer.next_packet()
            if packet is not None:
                return packet
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TransportTimeout(
                    f"no complete answer from {self._where} in time" + self._junk()
                )
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(_RECV_SIZE)
            except TimeoutError as exc:
                raise TransportTimeout(
                    f"no complete answer from {self._where} in time" + self._junk()
                ) from exc
            except OSError as exc:
                raise DeviceUnavailable(f"reading from {self._where} failed: {exc}") from exc
            if not chunk:
                raise DeviceUnavailable(f"{self._where} closed the connection" + self._junk())
            self._deframer.feed(chunk)

    def _junk(self) -> str:
        d = self._deframer
        if not (d.skipped_bytes or d.bad_frames or d.buffered):
            return ""
        return (
            f" (garbage: {d.skipped_bytes} bytes skipped, {d.bad_frames} frames with a bad "
            f"checksum, {d.buffered} bytes of an incomplete frame)"
        )


class UdpTransport(_SocketLink):
    """A connected UDP socket: only the terminal's datagrams are received."""

    is_tcp = False

    def __init__(self, host: str, port: int, *, verify_checksum: bool = True) -> None:
        self._where = _describe(host, port, "udp")
        self._verify = verify_checksum
        self.garbage_datagrams = 0
        try:
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            # A buffered chunk arrives as a burst of datagrams; give them room.
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
            self._sock.connect((host, port))
        except OSError as exc:
            raise DeviceUnavailable(f"cannot open {self._where}: {exc}") from exc

    def send_packet(self, packet: bytes) -> None:
        """Send one datagram."""
        try:
            self._live().send(packet)
        except OSError as exc:
            raise DeviceUnavailable(f"sending to {self._where} failed: {exc}") from exc

    def recv_packet(self, deadline: float) -> Packet:
        """Next well-formed datagram before the deadline."""
        sock = self._live()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TransportTimeout(f"no answer from {self._where} in time" + self._junk())
            sock.settimeout(remaining)
            try:
                datagram = sock.recv(65535)
            except TimeoutError as exc:
                raise TransportTimeout(
                    f"no answer from {self._where} in time" + self._junk()
                ) from exc
            except OSError as exc:  # e.g. ICMP port unreachable
                raise DeviceUnavailable(f"reading from {self._where} failed: {exc}") from exc
            try:
                return parse_packet(datagram, verify_checksum=self._verify)
            except ProtocolError:
                self.garbage_datagrams += 1

    def _junk(self) -> str:
        if not self.garbage_datagrams:
            return ""
        return f" ({self.garbage_datagrams} garbage datagrams dropped)"
