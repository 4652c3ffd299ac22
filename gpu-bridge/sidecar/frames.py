"""Bodies of the GPU sidecar's fixed-layout binary frames (gpu-bridge/PROTOCOL.md, "Binary frames").

Each decoder turns a frame body into the same dict the msgpack method receives, so one handler
computes both and a frame's answer is bit-equal to the msgpack answer; each encoder turns the
handler's result dict into the kind's reply body. All little-endian.
"""
import struct

ECHO, CHECK, REGS, VAR, VAR_BOOTSTRAP, INFER = 0, 1, 2, 3, 4, 5
KIND_NAMES = ("echo", "check", "regs", "var", "var.bootstrap", "infer")
DIST_NAMES = ("normal", "student-t")
DEVICE_BYTES, VERSION_BYTES = 16, 48

_SCALARS = struct.Struct("<8d")
_VAR_REPLY = struct.Struct("<5d16s")
_INFER_HEAD = struct.Struct("<4I")
_INFER_REPLY = struct.Struct("<2I16s48s")


class FrameError(ValueError):
    """A frame body that does not match its kind's layout; the message is one key=value line."""


def _scalars(body, kind):
    if len(body) < _SCALARS.size:
        raise FrameError(f"SHM_FRAME_CORRUPT: kind={KIND_NAMES[kind]} bytes={len(body)} need>={_SCALARS.size}")
    return _SCALARS.unpack_from(body, 0)


def _count(v, what):
    if v != int(v) or v < 0:
        raise FrameError(f"SHM_FRAME_CORRUPT: field={what} value={v}")
    return int(v)


def decode_var(body):
    """VAR body: f64 [n, covHorizonSeconds, horizonSeconds, confidence, paths, dist, dof, seed], exposures f64[n], cov f64[n*n]."""
    n, cov_h, h, conf, paths, dist, dof, seed = _scalars(body, VAR)
    n = _count(n, "n")
    need = 64 + 8 * n + 8 * n * n
    if len(body) != need or int(dist) not in (0, 1):
        raise FrameError(f"SHM_FRAME_CORRUPT: kind=var bytes={len(body)} need={need} n={n} dist={dist}")
    return {
        "exposures": bytes(body[64:64 + 8 * n]),
        "cov": bytes(body[64 + 8 * n:need]),
        "covHorizonSeconds": cov_h,
        "horizonSeconds": h,
        "confidence": conf,
        "paths": _count(paths, "paths"),
        "dist": DIST_NAMES[int(dist)],
        "dof": dof,
        "seed": _count(seed, "seed"),
    }


def decode_bootstrap(body):
    """VAR_BOOTSTRAP body: f64 [n, T, stepSeconds, horizonSeconds, confidence, paths, seed, 0], exposures f64[n], history f64[T*n]."""
    n, t, step, h, conf, paths, seed, _zero = _scalars(body, VAR_BOOTSTRAP)
    n, t = _count(n, "n"), _count(t, "T")
    need = 64 + 8 * n + 8 * t * n
    if len(body) != need:
        raise FrameError(f"SHM_FRAME_CORRUPT: kind=var.bootstrap bytes={len(body)} need={need} n={n} T={t}")
    return {
        "exposures": bytes(body[64:64 + 8 * n]),
        "history": bytes(body[64 + 8 * n:need]),
        "stepSeconds": step,
        "horizonSeconds": h,
        "confidence": conf,
        "paths": _count(paths, "paths"),
        "seed": _count(seed, "seed"),
    }


def encode_var_reply(r):
    """VaR reply body: f64 [var, es, mean, std, paths], device (16 bytes, NUL-padded)."""
    return _VAR_REPLY.pack(r["var"], r["es"], r["mean"], r["std"], float(r["paths"]), r["device"].encode()[:DEVICE_BYTES])


def decode_infer(body):
    """INFER body: u32 [count, rows, width, 0], f32 input[count*rows*width]."""
    if len(body) < _INFER_HEAD.size:
        raise FrameError(f"SHM_FRAME_CORRUPT: kind=infer bytes={len(body)} need>=16")
    count, rows, width, _zero = _INFER_HEAD.unpack_from(body, 0)
    return {"input": body[16:], "count": count, "rows": rows, "width": width}


def encode_infer_reply(r):
    """Inference reply body: u32 [count, 0], device (16 bytes), version (48 bytes), f32 output[count]."""
    head = _INFER_REPLY.pack(r["count"], 0, r["device"].encode()[:DEVICE_BYTES], r["version"].encode()[:VERSION_BYTES])
    return head + r["output"]
