"""Sidecar side of the Kestrel shared-memory bridge protocol, version 1 (gpu-bridge/PROTOCOL.md).

Maps the runtime's segment, performs the handshake, reads request frames from the request ring
and writes response frames to the response ring, and keeps the heartbeat moving. A frame is
msgpack (control) or a fixed-layout binary frame (first byte 0xc1: the hot messages); a binary
frame of a version or kind the sidecar does not speak is answered with an error and named once
on stderr. Header words are
read and written through a memoryview cast to 32-bit words: aligned 4-byte loads and stores, which
on x86-64 (total store order) give the release/acquire pairing the protocol asks for.
"""
import mmap
import os
import struct
import sys
import time

import msgpack

# Seconds of runtime silence after which a sidecar leaves even though the runtime's process exists.
SILENT_LIMIT_S = 30.0


def process_alive(pid):
    """True when a process with this pid exists (or cannot be told: pid 0, or not ours)."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

MAGIC = 0x5453454B
VERSION = 1
HEADER_BYTES = 512
WRAP = 0xFFFFFFFF
STALE_GRACE_US = 100_000

O_MAGIC, O_VERSION, O_CAPACITY, O_HEADER, O_MAX_FRAME, O_HEARTBEAT_MS, O_CLIENT_PID = 0, 4, 8, 12, 16, 20, 24
O_CLIENT_HEARTBEAT, O_SERVER_HEARTBEAT = 64, 128
O_SERVER_STATE, O_SERVER_VERSION, O_SERVER_PID, O_SERVER_EPOCH = 192, 196, 200, 204
O_REQ_TAIL, O_REQ_HEAD, O_RESP_TAIL, O_RESP_HEAD = 256, 320, 384, 448
READY, STOPPED, VERSION_MISMATCH = 1, 2, 3

STATUS_OK, STATUS_ERROR, STATUS_DEADLINE, STATUS_UNKNOWN_METHOD = 0, 1, 2, 3

FRAME_MARK = 0xC1
FRAME_VERSION = 1
FRAME_HEADER = struct.Struct("<BBBBId")


class Frame:
    """A binary request frame: its id, deadline, kind and body (a memoryview, not a copy)."""

    __slots__ = ("id", "deadline_us", "kind", "version", "body")

    def __init__(self, req_id, deadline_us, kind, version, body):
        self.id, self.deadline_us, self.kind, self.version, self.body = req_id, deadline_us, kind, version, body


class AttachError(Exception):
    """The segment could not be attached: carries a code and key=value context."""


def align8(n):
    return (n + 7) & ~7


def now_us():
    return time.time_ns() // 1000


class Bridge:
    """The sidecar's end of one bridge segment."""

    def __init__(self, path, version=VERSION):
        fd = os.open(path, os.O_RDWR)
        try:
            size = os.fstat(fd).st_size
            if size < HEADER_BYTES:
                raise AttachError(f"SHM_BAD_MAGIC: path={path} size={size}")
            self.mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        self.words = memoryview(self.mm).cast("I")
        if self.load(O_MAGIC) != MAGIC:
            raise AttachError(f"SHM_BAD_MAGIC: path={path}")
        self.capacity = self.load(O_CAPACITY)
        self.max_frame = self.load(O_MAX_FRAME)
        if self.capacity == 0 or self.capacity & (self.capacity - 1) or size < HEADER_BYTES + 2 * self.capacity:
            raise AttachError(f"SHM_BAD_MAGIC: path={path} capacity={self.capacity}")
        self.store(O_SERVER_VERSION, version)
        self.store(O_SERVER_PID, os.getpid())
        if self.load(O_VERSION) != version:
            self.store(O_SERVER_STATE, VERSION_MISMATCH)
            raise AttachError(f"SHM_VERSION_MISMATCH: client={self.load(O_VERSION)} server={version}")
        self.mask = self.capacity - 1
        self.req_base = HEADER_BYTES
        self.resp_base = HEADER_BYTES + self.capacity
        self.head = self.load(O_REQ_HEAD)
        self.tail = self.load(O_RESP_TAIL)
        self.heartbeat_s = self.load(O_HEARTBEAT_MS) / 1000.0
        self.bump(O_SERVER_EPOCH)
        self.bump(O_SERVER_HEARTBEAT)
        self.store(O_SERVER_STATE, READY)
        self.last_beat = time.monotonic()
        self.client_beat = self.load(O_CLIENT_HEARTBEAT)
        self.client_beat_at = self.last_beat

    def load(self, off):
        return self.words[off >> 2]

    def store(self, off, value):
        self.words[off >> 2] = value & 0xFFFFFFFF

    def bump(self, off):
        self.words[off >> 2] = (self.words[off >> 2] + 1) & 0xFFFFFFFF

    def beat(self):
        """Bumps the heartbeat when half a period has passed; returns False when the runtime is gone
        (silent for 2 s and its process no longer exists) or silent for SILENT_LIMIT_S."""
        now = time.monotonic()
        if now - self.last_beat >= self.heartbeat_s / 2:
            self.bump(O_SERVER_HEARTBEAT)
            self.last_beat = now
            cb = self.load(O_CLIENT_HEARTBEAT)
            if cb != self.client_beat:
                self.client_beat = cb
                self.client_beat_at = now
            elif now - self.client_beat_at > 2.0:
                # A runtime whose event loop is busy (a loaded machine, a long catch-up) is not a dead one.
                if now - self.client_beat_at > SILENT_LIMIT_S or not process_alive(self.load(O_CLIENT_PID)):
                    return False
        return True

    def next_request(self):
        """Returns [id, deadline_us, method, body] (msgpack) or a Frame (binary), None when empty; raises AttachError on a corrupt ring."""
        while True:
            tail = self.load(O_REQ_TAIL)
            if tail == self.head:
                return None
            avail = (tail - self.head) & 0xFFFFFFFF
            idx = self.head & self.mask
            skip = 0
            n = int.from_bytes(self.mm[self.req_base + idx:self.req_base + idx + 4], "little")
            if n == WRAP:
                skip = self.capacity - idx
                idx = 0
                if avail <= skip:
                    raise AttachError("SHM_RING_CORRUPT: ring=requests")
                n = int.from_bytes(self.mm[self.req_base:self.req_base + 4], "little")
            if n > self.max_frame or avail > self.capacity or skip + align8(n + 4) > avail:
                raise AttachError("SHM_RING_CORRUPT: ring=requests")
            start = self.req_base + idx + 4
            payload = self.mm[start:start + n]
            self.head = (self.head + skip + align8(n + 4)) & 0xFFFFFFFF
            self.store(O_REQ_HEAD, self.head)
            if n >= FRAME_HEADER.size and payload[0] == FRAME_MARK:
                _mark, version, kind, _status, req_id, deadline = FRAME_HEADER.unpack_from(payload, 0)
                if version == FRAME_VERSION and deadline + STALE_GRACE_US <= now_us():
                    continue
                return Frame(req_id, deadline, kind, version, memoryview(payload)[FRAME_HEADER.size:])
            try:
                req = msgpack.unpackb(payload, raw=False)
            except Exception:
                continue
            if not isinstance(req, list) or len(req) != 4 or not isinstance(req[2], str):
                continue
            if req[1] + STALE_GRACE_US <= now_us():
                continue
            return req

    def respond(self, req_id, status, body):
        """Writes a msgpack response; returns False when the ring stays full past the request's grace."""
        data = msgpack.packb([req_id, status, body], use_bin_type=True)
        n = len(data)
        if n > self.max_frame:
            data = msgpack.packb([req_id, STATUS_ERROR, f"response too large bytes={n}"], use_bin_type=True)
        return self._write(data)

    def respond_frame(self, req_id, kind, status, body, elapsed_ns=0):
        """Writes a binary response frame (body: bytes); returns False when the ring stays full past the grace."""
        if FRAME_HEADER.size + len(body) > self.max_frame:
            status, body = STATUS_ERROR, f"SHM_FRAME_TOO_LARGE: bytes={FRAME_HEADER.size + len(body)} max={self.max_frame}".encode()
        return self._write(FRAME_HEADER.pack(FRAME_MARK, FRAME_VERSION, kind, status, req_id, float(elapsed_ns)) + body)

    def _write(self, data):
        n = len(data)
        need = align8(n + 4)
        while True:
            head = self.load(O_RESP_HEAD)
            used = (self.tail - head) & 0xFFFFFFFF
            idx = self.tail & self.mask
            to_end = self.capacity - idx
            skip = to_end if need > to_end else 0
            if used + skip + need <= self.capacity:
                break
            if not self.beat():
                return False
            time.sleep(0.0001)
        start = 0 if skip else idx
        base = self.resp_base
        self.mm[base + start + 4:base + start + 4 + n] = data
        self.mm[base + start:base + start + 4] = n.to_bytes(4, "little")
        if skip:
            self.mm[base + idx:base + idx + 4] = WRAP.to_bytes(4, "little")
        self.tail = (self.tail + skip + need) & 0xFFFFFFFF
        self.store(O_RESP_TAIL, self.tail)
        return True

    def serve(self, handle, spin=False, handle_frame=None):
        """Serves requests until the runtime goes silent: msgpack with handle(method, body, beat) ->
        (status, body), binary frames with handle_frame(kind, body, beat) -> (status, body bytes,
        elapsed_ns), or None for a kind the sidecar does not serve."""
        idle_since = time.monotonic()
        named = set()
        try:
            while True:
                req = self.next_request()
                if isinstance(req, Frame):
                    if not self.respond_frame(req.id, req.kind, *self._serve_frame(req, handle_frame, named)):
                        break
                    idle_since = time.monotonic()
                elif req is not None:
                    req_id, _deadline, method, body = req
                    try:
                        status, out = handle(method, body, self.beat)
                    except Exception as e:  # a handler bug answers with an error, never kills the loop
                        status, out = STATUS_ERROR, f"{type(e).__name__}: {e}"
                    if not self.respond(req_id, status, out):
                        break
                    idle_since = time.monotonic()
                if not self.beat():
                    break
                if req is None and not spin and time.monotonic() - idle_since > 0.001:
                    time.sleep(0.0002)
        finally:
            self.store(O_SERVER_STATE, STOPPED)

    def _serve_frame(self, f, handle_frame, named):
        """Returns (status, body, elapsed_ns) of one binary frame; refuses an unknown version or kind in one line."""
        out = None
        if f.version == FRAME_VERSION and handle_frame is not None:
            try:
                out = handle_frame(f.kind, f.body, self.beat)
            except Exception as e:  # a handler bug or a malformed body answers with an error
                return STATUS_ERROR, f"{type(e).__name__}: {e}".encode(), 0
        if out is not None:
            return out
        what = "version" if f.version != FRAME_VERSION else "kind"
        line = (f"SHM_FRAME_UNKNOWN: ring=requests unknown={what} frame_version={f.version} speaks={FRAME_VERSION} "
                f"kind={f.kind} id={f.id} sidecar=python")
        if (f.version, f.kind) not in named:
            named.add((f.version, f.kind))
            print(line, file=sys.stderr, flush=True)
        return (STATUS_ERROR if what == "version" else STATUS_UNKNOWN_METHOD), line.encode(), 0
