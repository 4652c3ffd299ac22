"""Reads a `kestrel model dataset` folder with numpy alone (memory-mapped .npy, meta.json) and
gathers context windows for sample indices: rows [row - L + 1, row] of the instrument's rows file,
the same window the runtime's model engine gathers at the decision time."""
import json
import os

import numpy as np

SPLITS = {"train": 0, "validation": 1, "test": 2}
TIME_VARIATES = ["tod_sin", "tod_cos"]
SESSION_VARIATES = ["sess_asia", "sess_london", "sess_newyork", "dow_sin", "dow_cos"]
DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000


def time_of_day(t_us):
    """[n, 2] float32 sin and cos of the UTC time of day at decision times t (µs); the same values
    the runtime's model engine writes (runtime/models/time-variates.ts)."""
    t = np.asarray(t_us, dtype=np.float64)
    frac = np.mod(np.mod(t, DAY_US) + DAY_US, DAY_US) / DAY_US
    return np.stack([np.sin(2 * np.pi * frac), np.cos(2 * np.pi * frac)], axis=1).astype(np.float32)


def session(t_us):
    """[n, 5] float32 trading-session flags at fixed UTC hours (Asia 23-08, London 07-16, New York
    12-21) and sin, cos of the UTC day of week (Monday 0) at decision times t (µs); the same values
    the runtime's model engine writes (runtime/models/time-variates.ts)."""
    t = np.asarray(t_us, dtype=np.float64)
    day = np.floor(t / DAY_US)
    hour = np.floor((t - day * DAY_US) / HOUR_US)
    asia = (hour >= 23) | (hour < 8)
    london = (hour >= 7) & (hour < 16)
    newyork = (hour >= 12) & (hour < 21)
    dow = np.mod(np.mod(day + 3, 7) + 7, 7)  # 1970-01-01 was a Thursday
    ang = 2 * np.pi * dow / 7
    return np.stack([asia, london, newyork, np.sin(ang), np.cos(ang)], axis=1).astype(np.float32)


def calendar(extra, t_us):
    """[n, len(extra)] float32 values of the extra variates (time of day first, then sessions)."""
    parts = []
    if extra[:2] == TIME_VARIATES:
        parts.append(time_of_day(t_us))
    if SESSION_VARIATES[0] in extra:
        parts.append(session(t_us))
    return np.concatenate(parts, axis=1)


class Dataset:
    """One dataset folder: samples as columns, per-instrument rows, the kernels' layout."""

    def __init__(self, path, rows, time_of_day=False, sessions=False):
        self.path = path
        self.meta = json.load(open(os.path.join(path, "meta.json")))
        self.rows = rows
        self.kernel_width = self.meta["layout"]["width"]
        # Calendar variates, when asked for, are more columns after the kernels' features: time of day, then sessions.
        self.extra = (TIME_VARIATES if time_of_day else []) + (SESSION_VARIATES if sessions else [])
        self.width = self.kernel_width + len(self.extra)
        self.layout_index = dict(self.meta["layout"]["index"])
        for k, name in enumerate(self.extra):
            self.layout_index[name] = self.kernel_width + k
        col = lambda n: np.load(os.path.join(path, f"samples.{n}.npy"))
        self.instrument, self.row, self.t, self.split = col("instrument"), col("row"), col("t"), col("split")
        self.rv, self.high, self.ret_bps, self.direction, self.past_rv = col("rv"), col("high"), col("ret_bps"), col("direction"), col("past_rv")
        self.log_rv = np.log(self.rv)
        n = len(self.meta["instruments"])
        self.files = [np.load(os.path.join(path, f"rows-{i}.npy"), mmap_mode="r") for i in range(n)]
        self.offsets = np.arange(-rows + 1, 1)

    def indices(self, split):
        """Sample indices of a split, in time order."""
        return np.nonzero(self.split == SPLITS[split])[0]

    def windows(self, idx):
        """[len(idx), rows, width] float32 windows of these samples."""
        out = np.empty((len(idx), self.rows, self.width), dtype=np.float32)
        inst = self.instrument[idx]
        kw = self.kernel_width
        for i in np.unique(inst):
            sel = np.nonzero(inst == i)[0]
            r = self.row[idx[sel]][:, None] + self.offsets[None, :]
            out[sel, :, :kw] = self.files[i][r]
        if self.extra:
            out[:, :, kw:] = calendar(self.extra, self.t[idx])[:, None, :]
        return out

    def last_rows(self, idx):
        """[len(idx), width] newest row of each sample's window."""
        out = np.empty((len(idx), self.width), dtype=np.float32)
        inst = self.instrument[idx]
        kw = self.kernel_width
        for i in np.unique(inst):
            sel = np.nonzero(inst == i)[0]
            out[sel, :kw] = self.files[i][self.row[idx[sel]]]
        if self.extra:
            out[:, kw:] = calendar(self.extra, self.t[idx])
        return out
