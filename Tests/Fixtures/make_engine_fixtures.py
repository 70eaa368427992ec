#!/usr/bin/env python3
"""PyTorch reference fixtures for the stable-audio-swift engine-core parity tests.

What it produces
----------------
1. ``Tests/SANNTests/Resources/engine_fixtures.safetensors``

   Many small op cases computed with ``torch.nn.functional`` / ``torch.nn``
   modules (fp32, CPU, one thread).  For a case ``NAME`` the tensors are:

   * ``NAME.input``                     main input (always present)
   * ``NAME.<extra>``                   extra inputs when needed, e.g.
                                        ``NAME.context``, ``NAME.bias_mask``,
                                        ``NAME.key``, ``NAME.value``,
                                        ``NAME.other``, ``NAME.indices``
                                        (integer indices stored as float32)
   * ``NAME.output``                    the PyTorch result
   * ``NAME.param.<state_dict key>``    weights of module cases, exactly as
                                        they appear in ``module.state_dict()``
                                        (e.g. ``weight_g``, ``weight_v``,
                                        ``parametrizations.weight.original0``,
                                        ``to_q.weight``)
   * ``NAME.weight`` / ``NAME.bias`` /
     ``NAME.alpha`` / ``NAME.beta``     parameters of functional cases

   ``__metadata__`` holds ``torch_version``, ``seed``, ``generator`` and, for
   every case, ``case.NAME`` = compact JSON of its hyper-parameters, always
   with an ``"op"`` field (e.g.
   ``{"op":"conv1d","stride":2,"padding":3,"dilation":2,"groups":1,...}``).
   ``__metadata__`` also has ``cases``: a JSON list of all case names.

   Random inputs are ~N(0,1).  Weights start from PyTorch's default init and
   get N(0, sigma) noise added so that every value matters (weight-norm g/v,
   norm affines and snake alpha/beta are perturbed away from their init).

2. ``Tests/SACLITests/Resources/inspect_fixture{,_f16,_bf16}.safetensors``

   The state dict of a small module (~45k parameters) with top-level
   prefixes ``model``, ``conditioner`` and ``pretransform``, saved in fp32,
   fp16 and bf16.  All three carry the same metadata:
   ``expected_total_parameters`` (decimal string) and ``expected_by_prefix``
   (JSON object: first dot-separated key component -> summed numel).

How to rerun
------------
From the repository root::

    /work/venv-ref/bin/python Tests/Fixtures/make_engine_fixtures.py

(any Python with torch, numpy and safetensors works).  The output is
deterministic: seed 20261121, fp32, CPU, ``torch.set_num_threads(1)``;
running it twice gives byte-identical files for the same torch version
(files are written with ``safetensors.torch.save_file``; the header's
``__metadata__`` keys are then re-serialised in sorted order, because
save_file emits them in a per-process random order).
"""

import json
import math
import os
import struct
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

SEED = 20261121
GENERATOR = "Tests/Fixtures/make_engine_fixtures.py"

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ENGINE_OUT = os.path.join(REPO_ROOT, "Tests", "SANNTests", "Resources", "engine_fixtures.safetensors")
INSPECT_DIR = os.path.join(REPO_ROOT, "Tests", "SACLITests", "Resources")


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True)


class Fixtures:
    def __init__(self):
        self.tensors = {}
        self.meta = {}
        self.order = []

    def _put(self, key, t):
        assert key not in self.tensors, key
        t = t.detach().to(torch.float32).contiguous().clone()
        assert torch.isfinite(t).all(), key
        self.tensors[key] = t

    def add(self, name, hparams, tensors, params=None):
        """tensors: dict suffix -> tensor (must contain input and output).
        params: dict state_dict key -> tensor (stored as NAME.param.<key>)."""
        assert name not in self.meta, name
        assert "." not in name, f"case names must not contain '.': {name}"
        assert "op" in hparams and "input" in tensors and "output" in tensors
        for suffix, t in tensors.items():
            self._put(f"{name}.{suffix}", t)
        for key, t in (params or {}).items():
            self._put(f"{name}.param.{key}", t)
        self.meta[name] = compact(hparams)
        self.order.append(name)


def save_deterministic(tensors, path, metadata):
    """safetensors.torch.save_file, then rewrite the JSON header with the
    ``__metadata__`` keys sorted.  save_file serialises the metadata from a
    Rust HashMap whose iteration order is randomised per process, so without
    this the bytes differ between runs.  Tensor entries, offsets and data are
    left untouched; the header is re-padded with spaces to a multiple of 8
    as safetensors does."""
    save_file(tensors, path, metadata=metadata)
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    canon = {"__metadata__": dict(sorted(header.pop("__metadata__").items()))}
    canon.update(header)  # tensor entries keep save_file's (deterministic) order
    hbytes = json.dumps(canon, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hbytes += b" " * (-len(hbytes) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hbytes)) + hbytes + data)
    # Round-trip check.
    with safe_open(path, framework="pt") as f:
        assert f.metadata() == metadata
        assert set(f.keys()) == set(tensors)
        for k in tensors:
            assert torch.equal(f.get_tensor(k), tensors[k]), k


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def perturb_(module, sigma=0.1):
    with torch.no_grad():
        for p in module.parameters():
            p.add_(sigma * torch.randn_like(p))
    return module


def state_params(module):
    return {k: v for k, v in module.state_dict().items()}


# --------------------------------------------------------------------------- #
# Cases
# --------------------------------------------------------------------------- #


def conv1d_cases(fx):
    # name, B, Cin, Cout, K, stride, padding, dilation, groups, bias, T
    configs = [
        ("conv1d_k3_s1_p1", 1, 4, 6, 3, 1, 1, 1, 1, True, 32),
        ("conv1d_k1_pointwise_b2", 2, 5, 3, 1, 1, 0, 1, 1, True, 17),
        ("conv1d_k7_s2_p3_d2", 1, 3, 8, 7, 2, 3, 2, 1, True, 41),
        ("conv1d_k5_s4_p0_nobias_b2", 2, 6, 4, 5, 4, 0, 1, 1, False, 64),
        ("conv1d_k3_p1_d3_groups2_b2", 2, 4, 6, 3, 1, 1, 3, 2, True, 33),
        ("conv1d_depthwise_k7_p9_d3", 1, 8, 8, 7, 1, 9, 3, 8, True, 29),
        ("conv1d_k3_p9_d9", 1, 5, 5, 3, 1, 9, 9, 1, True, 50),
        ("conv1d_depthwise_k5_s2_p1_nobias_b2", 2, 6, 6, 5, 2, 1, 1, 6, False, 19),
        ("conv1d_k7_p3_odd", 1, 7, 3, 7, 1, 3, 1, 1, True, 45),
        ("conv1d_k7_s4_p3_groups2", 1, 8, 4, 7, 4, 3, 1, 2, True, 63),
        ("conv1d_k5_s1_p0_b2", 2, 3, 5, 5, 1, 0, 1, 1, True, 18),
    ]
    for name, B, cin, cout, k, s, p, d, g, bias, T in configs:
        x = randn(B, cin, T)
        w = randn(cout, cin // g, k) * (1.0 / math.sqrt(cin // g * k))
        b = randn(cout) * 0.5 if bias else None
        y = F.conv1d(x, w, b, stride=s, padding=p, dilation=d, groups=g)
        tensors = {"input": x, "weight": w, "output": y}
        if bias:
            tensors["bias"] = b
        fx.add(name, {"op": "conv1d", "in_channels": cin, "out_channels": cout, "kernel_size": k,
                      "stride": s, "padding": p, "dilation": d, "groups": g, "bias": bias}, tensors)

    # Asymmetric padding done as an explicit F.pad then conv with padding 0.
    B, cin, cout, k, T = 2, 4, 5, 4, 23
    x = randn(B, cin, T)
    w = randn(cout, cin, k) * 0.5
    b = randn(cout) * 0.5
    y = F.conv1d(F.pad(x, (2, 1)), w, b, stride=1, padding=0, dilation=1, groups=1)
    fx.add("conv1d_k4_asympad_l2_r1",
           {"op": "conv1d", "in_channels": cin, "out_channels": cout, "kernel_size": k, "stride": 1,
            "padding": 0, "pad_left": 2, "pad_right": 1, "dilation": 1, "groups": 1, "bias": True},
           {"input": x, "weight": w, "bias": b, "output": y})


def conv_transpose1d_cases(fx):
    # name, B, Cin, Cout, K, stride, padding, output_padding, dilation, groups, bias, T
    configs = [
        ("conv_transpose1d_k16_s8_p4", 1, 4, 3, 16, 8, 4, 0, 1, 1, True, 9),
        ("conv_transpose1d_k4_s2_p1_b2", 2, 5, 6, 4, 2, 1, 0, 1, 1, True, 17),
        ("conv_transpose1d_k3_s1_p0_d2", 1, 3, 4, 3, 1, 0, 0, 2, 1, True, 20),
        ("conv_transpose1d_k4_s2_p1_op1_groups2_b2", 2, 4, 6, 4, 2, 1, 1, 1, 2, True, 11),
        ("conv_transpose1d_k8_s4_p2", 1, 6, 5, 8, 4, 2, 0, 1, 1, True, 13),
        ("conv_transpose1d_k4_s2_p1_nobias", 1, 3, 5, 4, 2, 1, 0, 1, 1, False, 16),
    ]
    for name, B, cin, cout, k, s, p, op, d, g, bias, T in configs:
        x = randn(B, cin, T)
        w = randn(cin, cout // g, k) * (1.0 / math.sqrt(cin * k / s))
        b = randn(cout) * 0.5 if bias else None
        y = F.conv_transpose1d(x, w, b, stride=s, padding=p, output_padding=op, groups=g, dilation=d)
        tensors = {"input": x, "weight": w, "output": y}
        if bias:
            tensors["bias"] = b
        fx.add(name, {"op": "conv_transpose1d", "in_channels": cin, "out_channels": cout, "kernel_size": k,
                      "stride": s, "padding": p, "output_padding": op, "dilation": d, "groups": g,
                      "bias": bias}, tensors)


def _perturb_weight_norm_(module, g_key, v_key):
    with torch.no_grad():
        g = dict(module.named_parameters())[g_key]
        v = dict(module.named_parameters())[v_key]
        v.add_(0.2 * torch.randn_like(v))
        g.mul_(1.0 + 0.3 * torch.randn_like(g)).add_(0.1 * torch.randn_like(g))
        bias = getattr(module, "bias", None)
        if bias is not None:
            bias.add_(0.2 * torch.randn_like(bias))


def weight_norm_cases(fx):
    legacy_wn = torch.nn.utils.weight_norm
    param_wn = torch.nn.utils.parametrizations.weight_norm

    # Legacy weight_norm on Conv1d: keys bias, weight_g [Cout,1,1], weight_v.
    m = legacy_wn(nn.Conv1d(5, 7, 3, padding=1))
    _perturb_weight_norm_(m, "weight_g", "weight_v")
    x = randn(2, 5, 21)
    with torch.no_grad():
        y = m(x)
    fx.add("weight_norm_legacy_conv1d",
           {"op": "weight_norm_conv1d", "impl": "legacy", "dim": 0, "in_channels": 5, "out_channels": 7,
            "kernel_size": 3, "stride": 1, "padding": 1, "dilation": 1, "groups": 1, "bias": True},
           {"input": x, "output": y}, state_params(m))

    # Parametrizations weight_norm on Conv1d: keys bias, parametrizations.weight.original0 (g),
    # parametrizations.weight.original1 (v).
    m = param_wn(nn.Conv1d(6, 4, 5, stride=2, padding=2, dilation=1))
    _perturb_weight_norm_(m, "parametrizations.weight.original0", "parametrizations.weight.original1")
    x = randn(1, 6, 30)
    with torch.no_grad():
        y = m(x)
    fx.add("weight_norm_parametrizations_conv1d",
           {"op": "weight_norm_conv1d", "impl": "parametrizations", "dim": 0, "in_channels": 6,
            "out_channels": 4, "kernel_size": 5, "stride": 2, "padding": 2, "dilation": 1, "groups": 1,
            "bias": True},
           {"input": x, "output": y}, state_params(m))

    # Legacy weight_norm on ConvTranspose1d: weight is [Cin, Cout, K], so g is [Cin,1,1].
    m = legacy_wn(nn.ConvTranspose1d(6, 4, 16, stride=8, padding=4))
    _perturb_weight_norm_(m, "weight_g", "weight_v")
    x = randn(1, 6, 7)
    with torch.no_grad():
        y = m(x)
    fx.add("weight_norm_legacy_conv_transpose1d_k16_s8_p4",
           {"op": "weight_norm_conv_transpose1d", "impl": "legacy", "dim": 0, "in_channels": 6,
            "out_channels": 4, "kernel_size": 16, "stride": 8, "padding": 4, "output_padding": 0,
            "dilation": 1, "groups": 1, "bias": True},
           {"input": x, "output": y}, state_params(m))

    # Parametrizations weight_norm on ConvTranspose1d (g is [Cin,1,1] as well).
    m = param_wn(nn.ConvTranspose1d(4, 6, 4, stride=2, padding=1))
    _perturb_weight_norm_(m, "parametrizations.weight.original0", "parametrizations.weight.original1")
    x = randn(2, 4, 10)
    with torch.no_grad():
        y = m(x)
    fx.add("weight_norm_parametrizations_conv_transpose1d_k4_s2_p1",
           {"op": "weight_norm_conv_transpose1d", "impl": "parametrizations", "dim": 0, "in_channels": 4,
            "out_channels": 6, "kernel_size": 4, "stride": 2, "padding": 1, "output_padding": 0,
            "dilation": 1, "groups": 1, "bias": True},
           {"input": x, "output": y}, state_params(m))


def linear_embedding_cases(fx):
    for name, shape, fin, fout, bias in [
        ("linear_bias_rank2", (5, 12), 12, 8, True),
        ("linear_nobias_rank2", (6, 10), 10, 7, False),
        ("linear_bias_rank3", (2, 7, 12), 12, 10, True),
        ("linear_nobias_rank3", (3, 5, 16), 16, 9, False),
    ]:
        m = perturb_(nn.Linear(fin, fout, bias=bias))
        x = randn(*shape)
        with torch.no_grad():
            y = m(x)
        fx.add(name, {"op": "linear", "in_features": fin, "out_features": fout, "bias": bias},
               {"input": x, "output": y}, state_params(m))

    m = perturb_(nn.Embedding(20, 8))
    idx = torch.randint(0, 20, (2, 6))
    idx[0, 0], idx[1, 5] = 0, 19  # exercise both ends
    with torch.no_grad():
        y = m(idx)
    fx.add("embedding_20x8",
           {"op": "embedding", "num_embeddings": 20, "embedding_dim": 8,
            "note": "input is the index tensor as float32 (same as .indices)"},
           {"input": idx.float(), "indices": idx.float(), "output": y}, state_params(m))


def norm_cases(fx):
    for name, groups, C, eps, shape in [
        ("group_norm_g1_c32_eps1e-5", 1, 32, 1e-5, (2, 32, 20)),
        ("group_norm_g2_c32_eps1e-6", 2, 32, 1e-6, (2, 32, 15)),
        ("group_norm_g16_c32_eps1e-5", 16, 32, 1e-5, (1, 32, 24)),
        ("group_norm_g16_c32_eps1e-6_offset", 16, 32, 1e-6, (2, 32, 9)),
    ]:
        m = perturb_(nn.GroupNorm(groups, C, eps=eps), sigma=0.3)
        x = randn(*shape)
        if name.endswith("_offset"):
            x = x * 3.0 + 5.0  # large mean: checks numerically careful variance
        with torch.no_grad():
            y = m(x)
        fx.add(name, {"op": "group_norm", "num_groups": groups, "num_channels": C, "eps": eps, "affine": True},
               {"input": x, "output": y}, state_params(m))

    # nn.LayerNorm with weight and bias.
    m = perturb_(nn.LayerNorm(24, eps=1e-5), sigma=0.3)
    x = randn(2, 5, 24)
    with torch.no_grad():
        y = m(x)
    fx.add("layer_norm_d24_affine", {"op": "layer_norm", "normalized_shape": [24], "eps": 1e-5,
                                     "weight": True, "bias": True},
           {"input": x, "output": y}, state_params(m))

    # nn.LayerNorm without bias (stable-audio-tools style: gamma only, beta = 0 buffer).
    m = perturb_(nn.LayerNorm(32, eps=1e-5, bias=False), sigma=0.3)
    x = randn(3, 4, 32) * 2.0 + 1.0
    with torch.no_grad():
        y = m(x)
    fx.add("layer_norm_d32_weight_only", {"op": "layer_norm", "normalized_shape": [32], "eps": 1e-5,
                                          "weight": True, "bias": False},
           {"input": x, "output": y}, state_params(m))

    # Functional layer_norm with explicit weight and zero bias, eps 1e-6.
    w = 1.0 + 0.3 * randn(16)
    b = torch.zeros(16)
    x = randn(7, 16)
    y = F.layer_norm(x, (16,), w, b, eps=1e-6)
    fx.add("layer_norm_functional_d16_zero_bias_eps1e-6",
           {"op": "layer_norm", "normalized_shape": [16], "eps": 1e-6, "weight": True, "bias": True},
           {"input": x, "weight": w, "bias": b, "output": y})

    # T5-style RMS norm, computed in fp32.
    for name, shape, eps in [("rms_norm_t5_d24", (2, 6, 24), 1e-6), ("rms_norm_t5_d64", (3, 64), 1e-6)]:
        d = shape[-1]
        w = 1.0 + 0.3 * randn(d)
        x = randn(*shape)
        var = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
        y = x * torch.rsqrt(var + eps) * w
        fx.add(name, {"op": "rms_norm", "dim": d, "eps": eps,
                      "formula": "x * rsqrt(mean(x^2, -1) + eps) * weight"},
               {"input": x, "weight": w, "output": y})


def activation_cases(fx):
    x = randn(3, 5, 17) * 3.0
    x[0, 0, 0] = 80.0  # large logit: needs max-subtraction
    x[1, 2, :] = -50.0  # constant row
    fx.add("softmax_last_dim", {"op": "softmax", "dim": -1}, {"input": x, "output": F.softmax(x, dim=-1)})

    x = torch.cat([torch.linspace(-8.0, 8.0, 161), randn(200) * 2.0]).reshape(1, 19, 19)
    fx.add("gelu_exact", {"op": "gelu", "approximate": "none"}, {"input": x, "output": F.gelu(x)})
    fx.add("gelu_tanh", {"op": "gelu", "approximate": "tanh"},
           {"input": x, "output": F.gelu(x, approximate="tanh")})
    fx.add("silu", {"op": "silu"}, {"input": x, "output": F.silu(x)})
    fx.add("relu", {"op": "relu"}, {"input": x, "output": F.relu(x)})
    fx.add("elu_alpha1", {"op": "elu", "alpha": 1.0}, {"input": x, "output": F.elu(x, alpha=1.0)})

    xs = torch.cat([torch.linspace(-30.0, 30.0, 121), torch.tensor([19.99, 20.0, 20.01, 25.0]),
                    randn(35) * 10.0]).reshape(5, 32)
    fx.add("softplus_beta1_threshold20", {"op": "softplus", "beta": 1.0, "threshold": 20.0},
           {"input": xs, "output": F.softplus(xs, beta=1.0, threshold=20.0)})


def snake_cases(fx):
    # stable-audio-tools SnakeBeta with alpha_logscale=True: params alpha, beta of shape [C].
    for name, shape in [("snake_beta_logscale_c6", (2, 6, 40)), ("snake_beta_logscale_c16", (1, 16, 33))]:
        C = shape[1]
        alpha = 0.25 * randn(C)
        beta = 0.25 * randn(C)
        x = randn(*shape) * 2.0
        a = torch.exp(alpha).unsqueeze(0).unsqueeze(-1)
        b = torch.exp(beta).unsqueeze(0).unsqueeze(-1)
        y = x + (1.0 / (b + 1e-9)) * torch.pow(torch.sin(x * a), 2)
        fx.add(name, {"op": "snake_beta", "alpha_logscale": True, "eps": 1e-9, "channels": C,
                      "formula": "x + 1/(exp(beta)+eps) * sin(exp(alpha)*x)^2"},
               {"input": x, "alpha": alpha, "beta": beta, "output": y})

    # DAC Snake1d: alpha [1, C, 1], linear scale.
    for name, shape in [("snake1d_dac_c5", (2, 5, 31)), ("snake1d_dac_c12", (1, 12, 48))]:
        C = shape[1]
        alpha = (1.0 + 0.25 * randn(C)).reshape(1, C, 1)
        x = randn(*shape) * 2.0
        y = x + (alpha + 1e-9).reciprocal() * torch.sin(alpha * x).pow(2)
        fx.add(name, {"op": "snake1d", "eps": 1e-9, "channels": C,
                      "formula": "x + 1/(alpha+eps) * sin(alpha*x)^2"},
               {"input": x, "alpha": alpha, "output": y})


def sdpa_cases(fx):
    # Plain.
    B, H, Nq, Nk, D = 2, 4, 7, 9, 16
    q, k, v = randn(B, H, Nq, D), randn(B, H, Nk, D), randn(B, H, Nk, D)
    y = F.scaled_dot_product_attention(q, k, v)
    fx.add("sdpa_basic", {"op": "sdpa", "heads": H, "kv_heads": H, "head_dim": D, "scale": None,
                          "mask": "none", "is_causal": False},
           {"input": q, "key": k, "value": v, "output": y})

    # Additive float mask [B,1,Nq,Nk] with -1e9 entries (every row keeps >= 1 key).
    B, H, Nq, Nk, D = 2, 2, 6, 10, 8
    q, k, v = randn(B, H, Nq, D), randn(B, H, Nk, D), randn(B, H, Nk, D)
    mask = 0.5 * randn(B, 1, Nq, Nk)
    drop = torch.rand(B, 1, Nq, Nk) < 0.4
    drop[..., 0] = False
    mask[drop] = -1e9
    mask[1, 0, :, 7:] = -1e9  # padded keys for batch 1
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    fx.add("sdpa_additive_mask", {"op": "sdpa", "heads": H, "kv_heads": H, "head_dim": D, "scale": None,
                                  "mask": "additive_float_B1QK", "is_causal": False},
           {"input": q, "key": k, "value": v, "bias_mask": mask, "output": y})

    # Explicit scale=1.0.
    B, H, Nq, Nk, D = 1, 3, 5, 8, 8
    q, k, v = randn(B, H, Nq, D) * 0.5, randn(B, H, Nk, D) * 0.5, randn(B, H, Nk, D)
    y = F.scaled_dot_product_attention(q, k, v, scale=1.0)
    fx.add("sdpa_scale1", {"op": "sdpa", "heads": H, "kv_heads": H, "head_dim": D, "scale": 1.0,
                           "mask": "none", "is_causal": False},
           {"input": q, "key": k, "value": v, "output": y})

    # Grouped-query attention: kv with H/2 heads; reference repeats each kv head twice.
    B, H, Hkv, Nq, Nk, D = 2, 4, 2, 6, 10, 8
    q, k, v = randn(B, H, Nq, D), randn(B, Hkv, Nk, D), randn(B, Hkv, Nk, D)
    y = F.scaled_dot_product_attention(q, k.repeat_interleave(2, dim=1), v.repeat_interleave(2, dim=1))
    fx.add("sdpa_gqa_h4_kv2", {"op": "sdpa", "heads": H, "kv_heads": Hkv, "head_dim": D, "scale": None,
                               "mask": "none", "is_causal": False, "kv_expand": "repeat_interleave_dim1"},
           {"input": q, "key": k, "value": v, "output": y})

    # Causal self-attention (Nq == Nk).
    B, H, N, D = 1, 2, 9, 8
    q, k, v = randn(B, H, N, D), randn(B, H, N, D), randn(B, H, N, D)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    fx.add("sdpa_causal", {"op": "sdpa", "heads": H, "kv_heads": H, "head_dim": D, "scale": None,
                           "mask": "none", "is_causal": True},
           {"input": q, "key": k, "value": v, "output": y})


class Attention(nn.Module):
    """Multi-head attention: to_q/to_k/to_v (no bias), to_out (bias)."""

    def __init__(self, dim, heads, context_dim=None):
        super().__init__()
        context_dim = dim if context_dim is None else context_dim
        self.heads = heads
        self.to_q = nn.Linear(dim, dim, bias=False)
        self.to_k = nn.Linear(context_dim, dim, bias=False)
        self.to_v = nn.Linear(context_dim, dim, bias=False)
        self.to_out = nn.Linear(dim, dim, bias=True)

    def split_heads(self, t):  # [B, N, H*D] -> [B, H, N, D]
        b, n, _ = t.shape
        return t.reshape(b, n, self.heads, -1).transpose(1, 2)

    def forward(self, x, context=None):
        context = x if context is None else context
        q = self.split_heads(self.to_q(x))
        k = self.split_heads(self.to_k(context))
        v = self.split_heads(self.to_v(context))
        o = F.scaled_dot_product_attention(q, k, v)
        b, h, n, d = o.shape
        o = o.transpose(1, 2).reshape(b, n, h * d)  # merge heads
        return self.to_out(o)


def attention_module_cases(fx):
    m = perturb_(Attention(32, 4), sigma=0.05)
    x = randn(2, 10, 32)
    with torch.no_grad():
        y = m(x)
    fx.add("attention_self_dim32_h4",
           {"op": "attention", "dim": 32, "heads": 4, "dim_head": 8, "context_dim": None, "qkv_bias": False,
            "out_bias": True, "layout": "[B,N,C]; split heads as reshape(B,N,H,D).transpose(1,2)"},
           {"input": x, "output": y}, state_params(m))

    m = perturb_(Attention(32, 4, context_dim=24), sigma=0.05)
    x = randn(2, 10, 32)
    ctx = randn(2, 7, 24)
    with torch.no_grad():
        y = m(x, ctx)
    fx.add("attention_cross_dim32_ctx24_h4",
           {"op": "attention", "dim": 32, "heads": 4, "dim_head": 8, "context_dim": 24, "qkv_bias": False,
            "out_bias": True, "layout": "[B,N,C]; split heads as reshape(B,N,H,D).transpose(1,2)"},
           {"input": x, "context": ctx, "output": y}, state_params(m))


def interpolate_cases(fx):
    x = randn(2, 3, 11)
    fx.add("interpolate_nearest_scale2", {"op": "interpolate", "mode": "nearest", "scale_factor": 2.0,
                                          "size": 22, "align_corners": None},
           {"input": x, "output": F.interpolate(x, scale_factor=2.0, mode="nearest")})
    x = randn(1, 4, 10)
    fx.add("interpolate_nearest_size17", {"op": "interpolate", "mode": "nearest", "scale_factor": None,
                                          "size": 17, "align_corners": None},
           {"input": x, "output": F.interpolate(x, size=17, mode="nearest")})
    x = randn(2, 2, 20)
    fx.add("interpolate_nearest_down_size7", {"op": "interpolate", "mode": "nearest", "scale_factor": None,
                                              "size": 7, "align_corners": None},
           {"input": x, "output": F.interpolate(x, size=7, mode="nearest")})
    x = randn(1, 3, 9)
    fx.add("interpolate_linear_up_size23", {"op": "interpolate", "mode": "linear", "scale_factor": None,
                                            "size": 23, "align_corners": False},
           {"input": x, "output": F.interpolate(x, size=23, mode="linear", align_corners=False)})
    x = randn(2, 2, 25)
    fx.add("interpolate_linear_down_size10", {"op": "interpolate", "mode": "linear", "scale_factor": None,
                                              "size": 10, "align_corners": False},
           {"input": x, "output": F.interpolate(x, size=10, mode="linear", align_corners=False)})
    x = randn(1, 3, 8)
    fx.add("interpolate_linear_scale2", {"op": "interpolate", "mode": "linear", "scale_factor": 2.0,
                                         "size": 16, "align_corners": False},
           {"input": x, "output": F.interpolate(x, scale_factor=2.0, mode="linear", align_corners=False)})


def layout_cases(fx):
    x = randn(2, 3, 5)
    fx.add("permute_021", {"op": "permute", "dims": [0, 2, 1]}, {"input": x, "output": x.permute(0, 2, 1)})
    x = randn(2, 3, 4, 5)
    fx.add("permute_0213", {"op": "permute", "dims": [0, 2, 1, 3]},
           {"input": x, "output": x.permute(0, 2, 1, 3)})
    x = randn(2, 3, 4, 5)
    fx.add("permute_3102", {"op": "permute", "dims": [3, 1, 0, 2]},
           {"input": x, "output": x.permute(3, 1, 0, 2)})
    x = randn(2, 3, 4, 5)
    fx.add("transpose_1_3", {"op": "transpose", "dim0": 1, "dim1": 3},
           {"input": x, "output": x.transpose(1, 3)})
    x = randn(3, 7)
    fx.add("transpose_0_1_rank2", {"op": "transpose", "dim0": 0, "dim1": 1},
           {"input": x, "output": x.transpose(0, 1)})

    a, b = randn(2, 3, 5), randn(2, 4, 5)
    fx.add("cat_dim1", {"op": "cat", "dim": 1, "inputs": ["input", "other"]},
           {"input": a, "other": b, "output": torch.cat([a, b], dim=1)})
    a, b = randn(2, 3, 5), randn(2, 3, 2)
    fx.add("cat_dim_last", {"op": "cat", "dim": -1, "inputs": ["input", "other"]},
           {"input": a, "other": b, "output": torch.cat([a, b], dim=-1)})
    a, b = randn(1, 3, 4), randn(2, 3, 4)
    fx.add("cat_dim0", {"op": "cat", "dim": 0, "inputs": ["input", "other"]},
           {"input": a, "other": b, "output": torch.cat([a, b], dim=0)})

    x = randn(2, 3, 8)
    fx.add("pad_constant_last_2_3", {"op": "pad", "mode": "constant", "pad": [2, 3], "value": 0.0},
           {"input": x, "output": F.pad(x, (2, 3))})
    x = randn(1, 2, 6)
    fx.add("pad_constant_last_1_4_value0p5", {"op": "pad", "mode": "constant", "pad": [1, 4], "value": 0.5},
           {"input": x, "output": F.pad(x, (1, 4), mode="constant", value=0.5)})
    x = randn(2, 3, 5)
    fx.add("pad_constant_2d_1_1_2_0", {"op": "pad", "mode": "constant", "pad": [1, 1, 2, 0], "value": 0.0},
           {"input": x, "output": F.pad(x, (1, 1, 2, 0))})
    x = randn(1, 2, 10)
    fx.add("pad_reflect_last_3_2", {"op": "pad", "mode": "reflect", "pad": [3, 2], "value": None},
           {"input": x, "output": F.pad(x, (3, 2), mode="reflect")})


# --------------------------------------------------------------------------- #
# Inspect fixture (SACLITests)
# --------------------------------------------------------------------------- #


class _Named(nn.Module):
    def __init__(self, **mods):
        super().__init__()
        for k, v in mods.items():
            self.add_module(k, v)


class InspectModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = _Named(
            proj_in=nn.Linear(64, 128),
            conv=nn.Conv1d(128, 64, 3, padding=1),
            proj_out=nn.Linear(64, 64, bias=False),
        )
        self.conditioner = _Named(x=_Named(linear=nn.Linear(32, 64), embed=nn.Embedding(100, 16)))
        self.pretransform = _Named(y=_Named(
            conv=torch.nn.utils.weight_norm(nn.Conv1d(16, 32, 5, padding=2)),
            norm=nn.GroupNorm(8, 32),
            out=nn.Conv1d(32, 16, 1),
        ))


def make_inspect_fixture():
    m = perturb_(InspectModule(), sigma=0.05)
    sd = {k: v.detach().contiguous().clone() for k, v in m.state_dict().items()}
    total = sum(v.numel() for v in sd.values())
    assert total == sum(p.numel() for p in m.parameters())
    by_prefix = {}
    for k, v in sd.items():
        pfx = k.split(".", 1)[0]
        by_prefix[pfx] = by_prefix.get(pfx, 0) + v.numel()
    assert set(by_prefix) == {"model", "conditioner", "pretransform"}
    meta = {
        "expected_total_parameters": str(total),
        "expected_by_prefix": compact(by_prefix),
        "torch_version": torch.__version__,
        "seed": str(SEED),
        "generator": GENERATOR,
    }
    os.makedirs(INSPECT_DIR, exist_ok=True)
    paths = []
    for suffix, dtype in [("", torch.float32), ("_f16", torch.float16), ("_bf16", torch.bfloat16)]:
        path = os.path.join(INSPECT_DIR, f"inspect_fixture{suffix}.safetensors")
        save_deterministic({k: v.to(dtype).contiguous() for k, v in sd.items()}, path, meta)
        paths.append(path)
    return paths, total, by_prefix, sd


# --------------------------------------------------------------------------- #


def main():
    warnings.filterwarnings("ignore", message=r".*torch\.nn\.utils\.weight_norm.*is deprecated", category=FutureWarning)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)

    fx = Fixtures()
    with torch.no_grad():
        conv1d_cases(fx)
        conv_transpose1d_cases(fx)
    weight_norm_cases(fx)
    with torch.no_grad():
        linear_embedding_cases(fx)
        norm_cases(fx)
        activation_cases(fx)
        snake_cases(fx)
        sdpa_cases(fx)
        attention_module_cases(fx)
        interpolate_cases(fx)
        layout_cases(fx)

    metadata = {"torch_version": torch.__version__, "seed": str(SEED), "generator": GENERATOR,
                "cases": compact(fx.order)}
    for name in fx.order:
        metadata[f"case.{name}"] = fx.meta[name]
    os.makedirs(os.path.dirname(ENGINE_OUT), exist_ok=True)
    save_deterministic(fx.tensors, ENGINE_OUT, metadata)

    inspect_paths, total, by_prefix, sd = make_inspect_fixture()

    # Summary.
    print(f"{'case':<56} {'tensors':>7} {'elems':>7}  hyperparameters")
    for name in fx.order:
        keys = [k for k in fx.tensors if k.startswith(name + ".")]
        n = sum(fx.tensors[k].numel() for k in keys)
        print(f"{name:<56} {len(keys):>7} {n:>7}  {fx.meta[name]}")
    print(f"\n{len(fx.order)} cases, {len(fx.tensors)} tensors, "
          f"{sum(t.numel() for t in fx.tensors.values())} elements")
    print(f"wrote {os.path.relpath(ENGINE_OUT, REPO_ROOT)} ({os.path.getsize(ENGINE_OUT)} bytes)")
    print(f"inspect fixture: {len(sd)} tensors, total={total}, by_prefix={compact(by_prefix)}")
    for p in inspect_paths:
        print(f"wrote {os.path.relpath(p, REPO_ROOT)} ({os.path.getsize(p)} bytes)")


if __name__ == "__main__":
    sys.exit(main())
