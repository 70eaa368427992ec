#!/usr/bin/env python3
"""Independent check of the committed fixtures: re-implements each computation from
../shared/reference/stable-audio-architecture.md in plain float64 torch.nn.functional (no stable-audio-tools, no
k-diffusion, no transformers) reading only the fixture files, and compares with the stored outputs.
It is an executable statement of the math the Swift port must follow; it also guards the fixtures themselves.

    /work/venv-ref/bin/python Tests/Fixtures/check_fixtures.py      (needs only torch + safetensors)

Exit status 1 if any comparison exceeds its tolerance (the README's suggested tolerances).
"""

import json
import math
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import load_file

torch.set_default_dtype(torch.float64)
ROOT = Path(__file__).resolve().parents[2]
R = ROOT / "Tests" / "SAModelsTests" / "Resources"
S = ROOT / "Tests" / "SASamplingTests" / "Resources"
FAILURES = []


def D(t):
    return t.double()


def meta(path, key):
    return json.loads(safe_open(str(path), "pt").metadata()[key])


def check(name, got, want, tol):
    got, want = D(got), D(want)
    d = (got - want).abs().max().item()
    scale = want.abs().max().item()
    ok = d <= tol * max(1.0, scale)
    if not ok:
        FAILURES.append(name)
    print(f"{'ok  ' if ok else 'FAIL'} {name:58s} max|diff| {d:.2e} (scale {scale:.3g}, tol {tol:g})")


# ---------------------------------------------------------------------------------------------------------- VAEs
def wn_weight(sd, p):
    g, v = D(sd[p + ".weight_g"]), D(sd[p + ".weight_v"])
    return g * v / v.flatten(1).norm(dim=1).view(-1, *([1] * (v.dim() - 1)))


def conv(x, sd, p, stride=1, padding=0, dilation=1):
    b = D(sd[p + ".bias"]) if p + ".bias" in sd else None
    return F.conv1d(x, wn_weight(sd, p), b, stride, padding, dilation)


def conv_t(x, sd, p, stride):
    return F.conv_transpose1d(x, wn_weight(sd, p), D(sd[p + ".bias"]), stride, math.ceil(stride / 2))


def snake_beta(x, sd, p):  # Oobleck: log-scale alpha/beta [C]
    a, b = torch.exp(D(sd[p + ".alpha"]))[None, :, None], torch.exp(D(sd[p + ".beta"]))[None, :, None]
    return x + 1.0 / (b + 1e-9) * torch.sin(a * x) ** 2


def snake_dac(x, sd, p):  # DAC: linear alpha [1, C, 1], no beta
    a = D(sd[p + ".alpha"])
    return x + 1.0 / (a + 1e-9) * torch.sin(a * x) ** 2


def residual(x, sd, p, d, act, sub):
    y = conv(act(x, sd, f"{p}.{sub}.0"), sd, f"{p}.{sub}.1", padding=3 * d, dilation=d)
    return x + conv(act(y, sd, f"{p}.{sub}.2"), sd, f"{p}.{sub}.3")


def oobleck_encode(a, sd, strides):
    x = conv(a, sd, "encoder.layers.0", padding=3)
    for i, s in enumerate(strides):
        p = f"encoder.layers.{i + 1}"
        for j, d in enumerate([1, 3, 9]):
            x = residual(x, sd, f"{p}.layers.{j}", d, snake_beta, "layers")
        x = conv(snake_beta(x, sd, p + ".layers.3"), sd, p + ".layers.4", stride=s, padding=math.ceil(s / 2))
    n = len(strides) + 1
    return conv(snake_beta(x, sd, f"encoder.layers.{n}"), sd, f"encoder.layers.{n + 1}", padding=1)


def oobleck_decode(z, sd, strides, final_tanh):
    x = conv(z, sd, "decoder.layers.0", padding=3)
    for i, s in enumerate(reversed(strides)):
        p = f"decoder.layers.{i + 1}"
        x = conv_t(snake_beta(x, sd, p + ".layers.0"), sd, p + ".layers.1", s)
        for j, d in enumerate([1, 3, 9]):
            x = residual(x, sd, f"{p}.layers.{j + 2}", d, snake_beta, "layers")
    n = len(strides) + 1
    x = conv(snake_beta(x, sd, f"decoder.layers.{n}"), sd, f"decoder.layers.{n + 1}", padding=3)  # no bias key
    return torch.tanh(x) if final_tanh else x


def dac_encode(a, sd, strides):
    x = conv(a, sd, "encoder.encoder.block.0", padding=3)
    for i, s in enumerate(strides):
        p = f"encoder.encoder.block.{i + 1}.block"
        for j, d in enumerate([1, 3, 9]):
            x = residual(x, sd, f"{p}.{j}", d, snake_dac, "block")
        x = conv(snake_dac(x, sd, p + ".3"), sd, p + ".4", stride=s, padding=math.ceil(s / 2))
    n = len(strides) + 1
    x = conv(snake_dac(x, sd, f"encoder.encoder.block.{n}"), sd, f"encoder.encoder.block.{n + 1}", padding=1)
    return F.conv1d(x, D(sd["encoder.proj_out.weight"]), D(sd["encoder.proj_out.bias"]))  # plain conv


def dac_decode(z, sd, rates):
    x = conv(z, sd, "decoder.decoder.model.0", padding=3)
    for i, s in enumerate(rates):
        p = f"decoder.decoder.model.{i + 1}.block"
        x = conv_t(snake_dac(x, sd, p + ".0"), sd, p + ".1", s)
        for j, d in enumerate([1, 3, 9]):
            x = residual(x, sd, f"{p}.{j + 2}", d, snake_dac, "block")
    n = len(rates) + 1
    return torch.tanh(conv(snake_dac(x, sd, f"decoder.decoder.model.{n}"), sd, f"decoder.decoder.model.{n + 1}",
                           padding=3))


def chunked_decode(decode, lat, chunk, overlap, ratio, out_ch=2):
    n = lat.shape[2]
    starts = list(range(0, n - chunk + 1, chunk - overlap))
    if starts[-1] + chunk != n:
        starts.append(n - chunk)
    y = torch.zeros(lat.shape[0], out_ch, n * ratio)
    ol = (overlap // 2) * ratio
    for ci, st in enumerate(starts):
        yc = decode(lat[:, :, st:st + chunk])
        t0, t1, c0, c1 = st * ratio, (st + chunk) * ratio, 0, yc.shape[2]
        if ci > 0:
            t0, c0 = t0 + ol, c0 + ol
        if ci < len(starts) - 1:
            t1, c1 = t1 - ol, c1 - ol
        y[:, :, t0:t1] = yc[:, :, c0:c1]
    return y


def check_autoencoders():
    for name in ["oobleck_vae", "oobleck_vae_tanh", "dac_vae"]:
        cfg = json.loads((R / name / "model_config.json").read_text())["model"]
        sd = load_file(str(R / name / "model.safetensors"))
        io = load_file(str(R / f"{name}.io.safetensors"))
        if cfg["encoder"]["type"] == "oobleck":
            strides = cfg["encoder"]["config"]["strides"]
            enc = lambda a: oobleck_encode(a, sd, strides)  # noqa: E731
            dec = lambda z: oobleck_decode(z, sd, strides, cfg["decoder"]["config"].get("final_tanh", True))  # noqa: E731
        else:
            enc = lambda a: dac_encode(a, sd, cfg["encoder"]["config"]["strides"])  # noqa: E731
            dec = lambda z: dac_decode(z, sd, cfg["decoder"]["config"]["rates"])  # noqa: E731
        pre = enc(D(io["in.audio"]))
        check(f"{name} encoder", pre, io["out.pre_bottleneck"], 1e-4)
        mean, scale = pre.chunk(2, 1)
        check(f"{name} vae stdev", F.softplus(scale) + 1e-4, io["out.stdev"], 1e-4)
        check(f"{name} vae sample", D(io["out.mean"]) + D(io["out.stdev"]) * D(io["in.vae_noise"]),
              io["out.vae_sample"], 1e-5)
        check(f"{name} decode(mean)", dec(D(io["out.mean"])), io["out.decoded_from_mean"], 1e-4)
        for k in io:
            if k.startswith("in.chunk_latents_"):
                tag = k[len("in.chunk_latents_"):]
                c, o = (int(v[1:]) for v in tag.split("_"))
                y = chunked_decode(dec, D(io[k]), c, o, cfg["downsampling_ratio"])
                check(f"{name} chunked decode {tag}", y, io[f"out.decode_chunked_{tag}"], 1e-4)


# ---------------------------------------------------------------------------------------------------- conditioners
def number_embed(v, w, lin_w, lin_b, lo, hi):
    u = ((v.float().clamp(lo, hi) - lo) / (hi - lo)).double()  # SAT does this in float32
    f = torch.cat([u[:, None], torch.sin(2 * math.pi * u[:, None] * w), torch.cos(2 * math.pi * u[:, None] * w)], 1)
    return (f @ lin_w.T + lin_b)[:, None]


def check_conditioners():
    c = load_file(str(R / "conditioners.safetensors"))
    for cc in meta(R / "conditioners.safetensors", "conditioning_config")["configs"]:
        cid, lo, hi = cc["id"], cc["config"]["min_val"], cc["config"]["max_val"]
        v = c[f"in.{cid}.values"]
        p = f"conditioners.{cid}."
        if cc["type"] == "number":
            e = number_embed(v, D(c[p + "embedder.embedding.0.weights"]), D(c[p + "embedder.embedding.1.weight"]),
                             D(c[p + "embedder.embedding.1.bias"]), lo, hi)
        else:
            e = D(c[p + "int_embedder.weight"])[v.long().clamp(lo, hi)][:, None]
        check(f"conditioner {cid}", e, c[f"out.{cid}.embeds"], 1e-5)


# ------------------------------------------------------------------------------------------------------------ DiT
def heads(x, h):
    b, n, c = x.shape
    return x.view(b, n, h, c // h).transpose(1, 2)


def merge(x):
    b, h, n, d = x.shape
    return x.transpose(1, 2).reshape(b, n, h * d)


def sdpa(q, k, v):
    return torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), -1) @ v


def cfg_rescale(out, cond, phi):
    return phi * out * (cond.std(1, keepdim=True) / out.std(1, keepdim=True)) + (1 - phi) * out


class DiT:
    def __init__(self, W, cfg):
        self.W, self.cfg = W, cfg
        self.H = cfg["num_heads"]
        self.dh = cfg["embed_dim"] // self.H
        self.rot = max(self.dh // 2, 32)      # SAT: RotaryEmbedding(max(dim_heads // 2, 32))
        assert self.rot <= self.dh

    def lin(self, x, p):
        return x @ self.W[p + ".weight"].T + (self.W[p + ".bias"] if p + ".bias" in self.W else 0)

    def ln(self, x, p):
        return F.layer_norm(x, (x.shape[-1],), self.W[p + ".gamma"], self.W[p + ".beta"], 1e-5)

    def rope(self, t):
        n, r = t.shape[-2], self.rot
        inv = 1.0 / (10000 ** (torch.arange(0, r, 2).double() / r))
        fr = torch.arange(n).double()[:, None] * inv[None]
        fr = torch.cat([fr, fr], -1)
        tr, tu = t[..., :r], t[..., r:]
        rot_half = torch.cat([-tr[..., r // 2:], tr[..., :r // 2]], -1)
        return torch.cat([tr * fr.cos() + rot_half * fr.sin(), tu], -1)

    def __call__(self, x, t, ctx, g):
        W, H, dh = self.W, self.H, self.dh
        ctx = self.lin(F.silu(self.lin(ctx, "to_cond_embed.0")), "to_cond_embed.2")
        g = self.lin(F.silu(self.lin(g, "to_global_embed.0")), "to_global_embed.2")
        f = 2 * math.pi * t[:, None] @ W["timestep_features.weight"].T
        g = g + self.lin(F.silu(self.lin(torch.cat([f.cos(), f.sin()], -1), "to_timestep_embed.0")),
                         "to_timestep_embed.2")
        x = F.conv1d(x, W["preprocess_conv.weight"]) + x
        h = torch.cat([g[:, None], self.lin(x.transpose(1, 2), "transformer.project_in")], 1)
        for i in range(self.cfg["depth"]):
            p = f"transformer.layers.{i}"
            q, k, v = self.lin(self.ln(h, p + ".pre_norm"), p + ".self_attn.to_qkv").chunk(3, -1)
            q, k, v = heads(q, H), heads(k, H), heads(v, H)
            h = h + self.lin(merge(sdpa(self.rope(q), self.rope(k), v)), p + ".self_attn.to_out")
            q = heads(self.lin(self.ln(h, p + ".cross_attend_norm"), p + ".cross_attn.to_q"), H)
            k, v = self.lin(ctx, p + ".cross_attn.to_kv").chunk(2, -1)
            kvh = k.shape[-1] // dh
            k, v = (heads(z, kvh).repeat_interleave(H // kvh, 1) for z in (k, v))
            h = h + self.lin(merge(sdpa(q, k, v)), p + ".cross_attn.to_out")
            a, gate = self.lin(self.ln(h, p + ".ff_norm"), p + ".ff.ff.0.proj").chunk(2, -1)
            h = h + self.lin(a * F.silu(gate), p + ".ff.ff.2")
        out = self.lin(h, "transformer.project_out").transpose(1, 2)[:, :, 1:]
        return F.conv1d(out, W["postprocess_conv.weight"]) + out


def check_dit():
    f = load_file(str(R / "dit.safetensors"))
    W = {k: D(v) for k, v in f.items() if not k.startswith(("in.", "out."))}
    net = DiT(W, meta(R / "dit.safetensors", "config"))
    x, t, ctx, g = (D(f[k]) for k in ("in.x", "in.t", "in.cross_attn_cond", "in.global_cond"))
    c = net(x, t, ctx, g)
    check("dit cond", c, f["out.cond"], 1e-4)
    check("dit cond_with_mask (mask ignored)", c, f["out.cond_with_mask"], 1e-4)
    u = net(x, t, torch.zeros_like(ctx), g)
    check("dit uncond (zero context)", u, f["out.uncond_zero"], 1e-4)
    out = u + (c - u) * 3
    check("dit cfg3", out, f["out.cfg3"], 1e-4)
    check("dit cfg3 rescale phi 0.7", cfg_rescale(out, c, 0.7), f["out.cfg3_phi0p7"], 1e-4)
    nm = f["in.negative_cross_attn_mask"].bool()[..., None]
    un = net(x, t, torch.where(nm, D(f["in.negative_cross_attn_cond"]), 0.0), g)
    check("dit cfg3 negative", un + (c - un) * 3, f["out.cfg3_negative"], 1e-4)
    check("dit cfg3 negative phi 0.4", cfg_rescale(un + (c - un) * 3, c, 0.4), f["out.cfg3_negative_phi0p4"], 1e-4)
    check("dit cfg_interval (0.6,1) -> no CFG", c, f["out.cfg3_interval_0p6_1"], 1e-4)


# ---------------------------------------------------------------------------------------------------------- U-Net
class UNet:
    def __init__(self, W, cfg):
        self.W, self.cfg = W, cfg

    def lin(self, x, p):
        return x @ self.W[p + ".weight"].T + (self.W[p + ".bias"] if p + ".bias" in self.W else 0)

    def conv_same(self, x, p, k, s=1):  # audiocraft-style padding (adp.Conv1d)
        pt = k - s
        r = pt // 2
        length = x.shape[-1]
        n_frames = (length - k + pt) / s + 1
        extra = (math.ceil(n_frames) - 1) * s + (k - pt) - length
        return F.conv1d(F.pad(x, (pt - r, r + extra)), self.W[p + ".weight"], self.W[p + ".bias"], s)

    def conv_t(self, x, p, f):
        y = F.conv_transpose1d(x, self.W[p + ".weight"], self.W[p + ".bias"], f)
        pt = f  # k - s with k = 2f
        r = pt // 2
        return y[..., pt - r:y.shape[-1] - r]

    def gn(self, x, p, groups, eps=1e-5):
        return F.group_norm(x, groups, self.W[p + ".weight"], self.W[p + ".bias"], eps)

    def resnet(self, x, m, p, groups):
        h = self.conv_same(F.silu(self.gn(x, p + ".block1.groupnorm", groups)), p + ".block1.project", 3)
        scale, shift = self.lin(F.silu(m), p + ".to_scale_shift.to_scale_shift.1")[..., None].chunk(2, 1)
        h = self.gn(h, p + ".block2.groupnorm", groups) * (scale + 1) + shift
        h = self.conv_same(F.silu(h), p + ".block2.project", 3)
        return h + (self.conv_same(x, p + ".to_out", 1) if p + ".to_out.weight" in self.W else x)

    def attention(self, x, ctx, mask, p):
        ln = lambda z, q: F.layer_norm(z, (z.shape[-1],), self.W[q + ".weight"], self.W[q + ".bias"], 1e-5)  # noqa
        q = ln(x, p + ".norm") @ self.W[p + ".to_q.weight"].T
        k, v = (ln(x if ctx is None else ctx, p + ".norm_context") @ self.W[p + ".to_kv.weight"].T).chunk(2, -1)
        if mask is not None:  # masked tokens: k = v = 0 (still in the softmax, logit 0)
            k, v = k * mask[..., None], v * mask[..., None]
        n = self.cfg["attention_heads"]
        return self.lin(merge(sdpa(heads(q, n), heads(k, n), heads(v, n))), p + ".attention.to_out")

    def transformer(self, x, ctx, mask, p, blocks):
        h = self.conv_same(self.gn(x, p + ".to_in.0", 32, 1e-6), p + ".to_in.1", 1).transpose(1, 2)
        for b in range(blocks):
            q = f"{p}.blocks.{b}"
            h = self.attention(h, None, None, q + ".attention") + h
            h = self.attention(h, ctx, mask, q + ".cross_attention") + h
            h = self.lin(F.gelu(self.lin(h, q + ".feed_forward.0")), q + ".feed_forward.2") + h
        return self.conv_same(h.transpose(1, 2), p + ".to_out.1", 1)

    def __call__(self, x, t, ctx, mask):
        c, W = self.cfg, self.W
        G, fac, att, nb = c["resnet_groups"], c["factors"], c["attentions"], c["num_blocks"]
        fr = t[:, None] * W["to_time.0.0.weights"][None] * 2 * math.pi
        m = F.gelu(self.lin(torch.cat([t[:, None], fr.sin(), fr.cos()], 1), "to_time.0.1"))
        m = F.gelu(self.lin(F.gelu(self.lin(m, "to_mapping.0")), "to_mapping.2"))
        x = self.resnet(x, m, "to_in.block", 1)
        skips = [x]
        for i in range(len(fac)):
            p = f"downsamples.{i}"
            x = self.conv_same(x, p + ".downsample", fac[i] * c.get("kernel_multiplier_downsample", 2) + 1, fac[i])
            s = []
            for j in range(nb[i]):
                x = self.resnet(x, m, f"{p}.blocks.{j}", G)
                s.append(x)
            if att[i]:
                x = self.transformer(x, ctx, mask, p + ".transformer", att[i])
                s.append(x)
            skips.append(s)
        x = self.resnet(x, m, "bottleneck.pre_block", G)
        x = self.transformer(x, ctx, mask, "bottleneck.transformer", att[-1])
        x = self.resnet(x, m, "bottleneck.post_block", G)
        for u, i in enumerate(reversed(range(len(fac)))):
            p, s = f"upsamples.{u}", skips.pop()
            for j in range(nb[i] + (1 if att[i] else 0)):
                x = self.resnet(torch.cat([x, s.pop() * 2 ** -0.5], 1), m, f"{p}.blocks.{j}", G)
            if att[i]:
                x = self.transformer(x, ctx, mask, p + ".transformer", att[i])
            x = self.conv_same(x, p + ".upsample", 3) if fac[i] == 1 else self.conv_t(x, p + ".upsample", fac[i])
        return self.resnet(x + skips.pop(), m, "to_out.block", 1)

    def fixed(self, like):
        return self.W["fixed_embedding.embedding.weight"][:like.shape[1]][None].expand_as(like)


def check_unet():
    f = load_file(str(R / "unet.safetensors"))
    net = UNet({k: D(v) for k, v in f.items() if not k.startswith(("in.", "out."))},
               meta(R / "unet.safetensors", "config"))
    x, t, e, mk = (D(f[k]) for k in ("in.x", "in.t", "in.embedding", "in.embedding_mask"))
    check("unet plain", net(x, t, e, None), f["out.plain"], 1e-4)
    c = net(x, t, e, mk)
    check("unet masked", c, f["out.masked"], 1e-4)
    u = net(x, t, net.fixed(e), mk)
    check("unet uncond (fixed_embedding)", u, f["out.uncond_fixed"], 1e-4)
    out = u + (c - u) * 3
    check("unet cfg3", out, f["out.cfg3"], 1e-4)
    check("unet cfg3 rescale (default phi 0.4)", cfg_rescale(out, c, 0.4), f["out.cfg3_rescale_default"], 1e-4)
    check("unet cfg3 rescale phi 0.7", cfg_rescale(out, c, 0.7), f["out.cfg3_rescale_phi0p7"], 1e-4)
    nm = f["in.negative_embedding_mask"].bool()[..., None]
    un = net(x, t, torch.where(nm, D(f["in.negative_embedding"]), net.fixed(e)), mk)
    check("unet cfg3 negative", un + (c - un) * 3, f["out.cfg3_negative"], 1e-4)


# ------------------------------------------------------------------------------------------------------- sampling
def polyexp(n, lo, hi, rho):
    ramp = (1 - torch.arange(n).double() / (n - 1)) ** rho if n > 1 else torch.ones(1)
    return torch.cat([torch.exp(ramp * (math.log(hi) - math.log(lo)) + math.log(lo)), torch.zeros(1)])


def karras(n, lo, hi, rho):
    ramp = torch.arange(n).double() / (n - 1) if n > 1 else torch.zeros(1)
    return torch.cat([(hi ** (1 / rho) + ramp * (lo ** (1 / rho) - hi ** (1 / rho))) ** rho, torch.zeros(1)])


def dpmpp(kind, den, sig, x, noise=None):
    """DPM-Solver++ 2M / 2M SDE (midpoint or heun) / 3M SDE, eta = s_noise = 1 (k-diffusion 0.1.1)."""
    sig = D(sig)
    old = h_last = d1 = d2 = h1 = h2 = None
    k = 0
    for i in range(len(sig) - 1):
        d = den(x, sig[i])
        s, sn = sig[i], sig[i + 1]
        h = math.log(s / sn) if sn > 0 else None
        if sn == 0:
            x = d
        elif kind == "dpmpp_2m":
            if old is None:
                x = (sn / s) * x - math.expm1(-h) * d
            else:
                r = math.log(sig[i - 1] / s) / h
                x = (sn / s) * x - math.expm1(-h) * ((1 + 1 / (2 * r)) * d - (1 / (2 * r)) * old)
        elif kind.startswith("dpmpp_2m_sde"):
            x = (sn / s) * math.exp(-h) * x + (-math.expm1(-2 * h)) * d
            if old is not None:
                r = h_last / h
                if kind.endswith("heun"):
                    x = x + ((-math.expm1(-2 * h)) / (-2 * h) + 1) * (1 / r) * (d - old)
                else:
                    x = x + 0.5 * (-math.expm1(-2 * h)) * (1 / r) * (d - old)
            x = x + D(noise[k]) * sn * math.sqrt(-math.expm1(-2 * h))
            k += 1
        elif kind == "dpmpp_3m_sde":
            he = 2 * h
            x = math.exp(-he) * x + (-math.expm1(-he)) * d
            phi2 = math.expm1(-he) / he + 1
            if h2 is not None:
                r0, r1 = h1 / h, h2 / h
                a, b = (d - d1) / r0, (d1 - d2) / r1
                x = x + phi2 * (a + (a - b) * r0 / (r0 + r1)) - (phi2 / he - 0.5) * (a - b) / (r0 + r1)
            elif h1 is not None:
                x = x + phi2 * (d - d1) / (h1 / h)
            x = x + D(noise[k]) * sn * math.sqrt(-math.expm1(-2 * h))
            k += 1
        old, h_last = d, h
        d1, d2, h1, h2 = d, d1, h, h1
    return x


def standin_denoiser(x, s):
    return torch.tanh(x) * 0.9 / (1 + s ** 2) ** 0.5 + 0.1 * torch.sin(x)


def standin_v(x, t):
    a, s = torch.cos(t * math.pi / 2), torch.sin(t * math.pi / 2)
    return s * x - a * (0.7 * torch.tanh(1.5 * x) + 0.05 * torch.sin(3 * x))


def v_denoiser(model):
    def den(x, s):
        s = torch.as_tensor(s)
        c_skip, c_out, c_in = 1 / (s ** 2 + 1), -s / (s ** 2 + 1) ** 0.5, 1 / (s ** 2 + 1) ** 0.5
        return model(x * c_in, torch.atan(s) * 2 / math.pi) * c_out + x * c_skip
    return den


def check_sampling():
    f = load_file(str(S / "schedules.safetensors"))
    for name, c in meta(S / "schedules.safetensors", "cases").items():
        fn = polyexp if c["fn"] == "get_sigmas_polyexponential" else karras
        want = D(f["out." + name])
        got = fn(c["n"], c["sigma_min"], c["sigma_max"], c["rho"])
        rel = ((got - want).abs() / want.clamp(min=1e-30)).max().item()
        ok = rel <= 2e-6
        if not ok:
            FAILURES.append(name)
        print(f"{'ok  ' if ok else 'FAIL'} schedule {name:49s} max rel diff {rel:.2e} (tol 2e-06)")
    v = load_file(str(S / "vdenoiser.safetensors"))
    s = D(v["in.sigmas"])
    check("vdenoiser c_skip", 1 / (s ** 2 + 1), v["out.c_skip"], 1e-6)
    check("vdenoiser c_out", -s / (s ** 2 + 1) ** 0.5, v["out.c_out"], 1e-6)
    check("vdenoiser c_in", 1 / (s ** 2 + 1) ** 0.5, v["out.c_in"], 1e-6)
    check("vdenoiser t", torch.atan(s) * 2 / math.pi, v["out.t"], 1e-6)
    f = load_file(str(S / "samplers.safetensors"))
    for name, c in meta(S / "samplers.safetensors", "cases").items():
        sig = f[f"in.{name}.sigmas"]
        out = dpmpp(c["sampler"], standin_denoiser, sig, D(f[f"in.{name}.noise"]) * D(sig[0]),
                    f.get(f"in.{name}.sde_noise"))
        check(f"k-diffusion {name}", out, f[f"out.{name}.final"], 1e-5)
    f = load_file(str(S / "sample_k.safetensors"))
    for name, c in meta(S / "sample_k.safetensors", "cases").items():
        if name == "v-ddim":
            t = torch.linspace(1, 0, c["steps"] + 1)[:-1].double()
            al, si = torch.cos(t * math.pi / 2), torch.sin(t * math.pi / 2)
            x = D(f["in.noise"])
            for i in range(c["steps"]):
                v_ = standin_v(x, t[i])
                pred, eps = x * al[i] - v_ * si[i], x * si[i] + v_ * al[i]
                if i < c["steps"] - 1:
                    x = pred * al[i + 1] + eps * si[i + 1]
            check("sat sample v-ddim", pred, f["out.v-ddim.final"], 1e-5)
            continue
        sig = f[f"out.{name}.sigmas"]
        x = D(f["in.noise"]) * D(sig[0]) + (D(f["in.init_data"]) if "init" in name else 0)
        kind = c["sampler_type"].replace("-", "_")
        out = dpmpp(kind, v_denoiser(standin_v), sig, x, f.get(f"in.{name}.sde_noise"))
        check(f"sat sample_k {name}", out, f[f"out.{name}.final"], 1e-5)


def check_e2e_unet():
    sd = load_file(str(R / "tiny_unet_model" / "model.safetensors"))
    cfg = json.loads((R / "tiny_unet_model" / "model_config.json").read_text())
    net = UNet({k[len("model.model."):]: D(v) for k, v in sd.items() if k.startswith("model.model.")},
               cfg["model"]["diffusion"]["config"])
    e = load_file(str(S / "e2e_tiny_unet.safetensors"))
    ctx, mask = [D(e["in.prompt_embeds"])], [D(e["in.prompt_mask"])]
    for cid in ["seconds_start", "seconds_total"]:  # int conditioners
        idx = e[f"in.{cid}"].long().clamp(0, 512)
        ctx.append(D(sd[f"conditioner.conditioners.{cid}.int_embedder.weight"])[idx][:, None])
        mask.append(torch.ones(idx.shape[0], 1))
    ctx, mask = torch.cat(ctx, 1), torch.cat(mask, 1)
    check("e2e unet cross_attn_cond", ctx, e["out.cross_attn_cond"], 1e-5)

    def model(x, t):
        c = net(x, t.expand(x.shape[0]), ctx, mask)
        u = net(x, t.expand(x.shape[0]), net.fixed(ctx), mask)
        return cfg_rescale(u + (c - u) * 3.0, c, 0.4)   # generate_diffusion_cond: rescale_cfg=True, phi 0.4
    lat = dpmpp("dpmpp_2m", v_denoiser(model), e["out.sigmas"], D(e["in.noise"]) * D(e["out.sigmas"][0]))
    check("e2e unet final latents (8 steps dpmpp-2m, cfg 3)", lat, e["out.latents"], 1e-4)
    ae = cfg["model"]["pretransform"]["config"]
    audio = dac_decode(D(e["out.latents"]), {k[len("pretransform.model."):]: v for k, v in sd.items()
                                             if k.startswith("pretransform.model.")}, ae["decoder"]["config"]["rates"])
    check("e2e unet decoded audio", audio, e["out.audio"], 1e-4)


def main():
    check_autoencoders()
    check_conditioners()
    check_dit()
    check_unet()
    check_sampling()
    check_e2e_unet()
    print(f"\n{len(FAILURES)} failure(s)" + (f": {FAILURES}" if FAILURES else ""))
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
