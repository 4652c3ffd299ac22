"""The vol-window iTransformer: each of the 25 kernel features' last `rows` values is one token,
attention runs across the features, a feed-forward acts on each token's embedding of its history.

Input: the raw context window [batch, rows, width] float32 exactly as the kernels write it (ticks,
ratios, log-return volatilities). `Preprocess` makes it scale-free inside the model (prices relative
to the newest mid in basis points, spreads in basis points of the mid, volatilities on a log scale)
and standardises each feature with a mean and deviation fitted on the training split only, so the
exported ONNX file takes exactly what the runtime's model engine gathers.

Heads: the high-volatility-window logit, the (standardised) log realised volatility, and three
direction logits (short, flat, long). `Exported` adds the calibration fitted on validation and gives
the outputs the runtime reads: `signal` = p_vol * (p_long - p_short) in [-1, 1], `vol_prob`,
`log_rv` and `direction` (softmax).
"""
import math

import torch
from torch import nn

PRICE = 0  # a price in ticks: relative to the newest mid, in basis points
SPREAD = 1  # a price difference in ticks: in basis points of the newest mid
VOL = 2  # a log-return volatility: log(1e4 * x + 1e-3)
PLAIN = 3  # a ratio, z-score, bucket or RSI: as it is


def feature_kinds(layout_index):
    """Per-slot transform kinds from the kernels' layout (name -> slot)."""
    kinds = [PLAIN] * (max(layout_index.values()) + 1)
    for name, slot in layout_index.items():
        if name in ("mid", "microprice", "ema_fast", "ema_slow", "donchian_high", "donchian_low") or name.startswith("vwap_"):
            kinds[slot] = PRICE
        elif name in ("spread", "spread_mean", "spread_max", "ema_cross"):
            kinds[slot] = SPREAD
        elif name.startswith("ewmavol_") or name.startswith("rvol_"):
            kinds[slot] = VOL
        elif name == "rsi":
            kinds[slot] = PLAIN
    return kinds


class Preprocess(nn.Module):
    """Raw context window -> scale-free, standardised [batch, rows, width]."""

    def __init__(self, kinds, mid_slot):
        super().__init__()
        k = torch.tensor(kinds)
        self.register_buffer("is_price", (k == PRICE).float())
        self.register_buffer("is_spread", (k == SPREAD).float())
        self.register_buffer("is_vol", (k == VOL).float())
        self.register_buffer("is_plain", (k == PLAIN).float())
        self.register_buffer("mean", torch.zeros(len(kinds)))
        self.register_buffer("std", torch.ones(len(kinds)))
        self.mid_slot = mid_slot

    def transform(self, x):
        mid = torch.clamp(x[:, -1:, self.mid_slot:self.mid_slot + 1], min=1.0)
        present = (x != 0).float()
        price = (x - mid) / mid * 1e4 * present
        spread = x / mid * 1e4
        vol = torch.log(torch.clamp(x, min=0.0) * 1e4 + 1e-3)
        return price * self.is_price + spread * self.is_spread + vol * self.is_vol + x * self.is_plain

    def forward(self, x):
        z = (self.transform(x) - self.mean) / self.std
        return torch.clamp(z, -10.0, 10.0)


class Block(nn.Module):
    """Pre-norm attention across variate tokens, then a feed-forward on each token."""

    def __init__(self, d, heads, ff, dropout):
        super().__init__()
        self.heads = heads
        self.dh = d // heads
        self.scale = 1.0 / math.sqrt(self.dh)
        self.n1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.n2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))
        self.drop = nn.Dropout(dropout)

    def forward(self, h):
        b, n, d = h.shape
        q, k, v = self.qkv(self.n1(h)).reshape(b, n, 3, self.heads, self.dh).permute(2, 0, 3, 1, 4).unbind(0)
        a = torch.softmax(q @ k.transpose(-1, -2) * self.scale, dim=-1)
        h = h + self.drop(self.proj((a @ v).transpose(1, 2).reshape(b, n, d)))
        return h + self.drop(self.ff(self.n2(h)))


class ITransformer(nn.Module):
    """Variate tokens -> encoder -> vol logit, standardised log RV, direction logits."""

    def __init__(self, kinds, mid_slot, rows, d_model, heads, layers, ff, dropout):
        super().__init__()
        width = len(kinds)
        self.pre = Preprocess(kinds, mid_slot)
        self.embed = nn.Linear(rows, d_model)
        self.variate = nn.Parameter(torch.zeros(width, d_model))
        self.blocks = nn.ModuleList([Block(d_model, heads, ff, dropout) for _ in range(layers)])
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Sequential(nn.Linear(width * d_model, 64), nn.GELU(), nn.Dropout(dropout), nn.Linear(64, 5))

    def forward(self, x):
        z = self.pre(x)  # [b, rows, width]
        h = self.embed(z.transpose(1, 2)) + self.variate  # [b, width, d]
        for blk in self.blocks:
            h = blk(h)
        o = self.head(self.norm(h).flatten(1))
        return o[:, 0], o[:, 1], o[:, 2:5]


class Exported(nn.Module):
    """The trained model with its validation calibration: the outputs the runtime serves."""

    def __init__(self, net, platt_a, platt_b, rv_mean, rv_std):
        super().__init__()
        self.net = net
        self.register_buffer("cal", torch.tensor([platt_a, platt_b, rv_mean, rv_std], dtype=torch.float32))

    def forward(self, context):
        vol_logit, rv_z, dir_logits = self.net(context)
        p = torch.sigmoid(self.cal[0] * vol_logit + self.cal[1]).unsqueeze(1)
        d = torch.softmax(dir_logits, dim=1)
        signal = p * (d[:, 2:3] - d[:, 0:1])
        log_rv = (rv_z * self.cal[3] + self.cal[2]).unsqueeze(1)
        return signal, p, log_rv, d
