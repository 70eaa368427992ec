"""Stage 2: train the Oobleck VAE (SAT classes) on the corpus. Resumable.

  python -m models.training.train_vae --corpus /work/data/corpus --ckpt /work/checkpoints/vae [--device cuda]

Losses: multi-resolution STFT (auraloss; on L, R, mid and side) + multi-resolution log-mel L1 + KL, and optional
linear-magnitude, level and L/R-balance terms (VAELoss; switched on by config keys or --set).
No adversarial loss (measured not worth its cost on 2 CPU cores; see README).
A fresh run starts from a data-dependent unit-gain init (initialize_for_unit_gain) and ramps the bottleneck's noise
and KL in over `noise_ramp_steps`; README §2 says why (without them the decoder stalled on an input-independent output).
"""
import argparse
import json
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from .common import (HERE, LogMel, Logger, learning_rate_at, load_clip, load_json, pick_device, read_meta, save_ckpt,
                     set_threads)
from stable_audio_tools.models.autoencoders import create_autoencoder_from_config
import auraloss


# the keys of a config's training block that this script reads (what --set may override)
TRAINING_KEYS = {"learning_rate", "betas", "weight_decay", "kl_weight", "mel_weight", "stft_weight", "warmup_steps",
                 "noise_ramp_steps", "batch_size", "crop", "stft_linear_magnitude_weight", "stft_fft_sizes",
                 "level_weight", "balance_weight"}


def build_vae(cfg):
    return create_autoencoder_from_config({"model": cfg["model"], "sample_rate": cfg["sample_rate"]})


class CropSampler:
    def __init__(self, corpus, metas, crop, seed):
        self.corpus, self.metas, self.crop = corpus, metas, crop
        self.rng = np.random.default_rng(seed)

    def batch(self, b):
        out = []
        for _ in range(b):
            m = self.metas[self.rng.integers(len(self.metas))]
            n = int(round(m["seconds_total"] * 44100))
            # crops mostly inside the sound, some crossing its end into the silence that follows
            lo, hi = -self.crop // 8, max(1, n - self.crop // 2)
            s = int(self.rng.integers(lo, hi))
            x = load_clip(self.corpus, m, s, s + self.crop)
            if self.rng.random() < 0.5:  # random gain augmentation keeps quiet sounds represented
                x *= 10 ** (self.rng.uniform(-6, 3) / 20)
            out.append(x)
        return torch.from_numpy(np.stack(out))


def ms(x):
    return torch.cat([x, x[:, :1] + x[:, 1:], x[:, :1] - x[:, 1:]], dim=1)


def frame_energy(x, frame=2048, hop=512):
    """Mean square of each frame, [B, C, T] -> [B, C, frames]."""
    return x.unfold(-1, frame, hop).pow(2).mean(-1)


def frame_level(energy):
    """log10 of the frame RMS with a −80 dB floor, from `frame_energy`: log10(sqrt(mean(x²)) + 1e-4)."""
    return torch.log10(energy.add(1e-12).sqrt() + 1e-4)


def frame_balance(energy):
    """Left channel's share of the frame energy, from `frame_energy` (channel 0 left, 1 right) -> [B, frames] in
    [0, 1]: E_L / (E_L + E_R + 1e-6); 0.5 is centred (and silence), 0.94 is 12 dB left. Bounded, unlike a log ratio,
    whose gradient explodes on the hard-panned clips where one channel is silent."""
    return energy[:, 0] / (energy[:, 0] + energy[:, 1] + 1e-6)


class VAELoss(torch.nn.Module):
    """total = w_stft · MR-STFT(L, R, mid, side) + w_mel · log-mel L1 + w_level · level L1 + w_balance · balance L1
    + w_kl · KL.

    The level term (config `level_weight`, 0 by default, added in session 5) is the L1 distance between the
    output's and the input's log10 frame RMS (2048-sample frames, hop 512) on L, R, mid and side: the log-domain
    spectral terms let a decoder answer a steady tone it cannot yet draw with near-silence (session 4's probe:
    sines −39…−44 dB), and this term charges for that level gap directly.

    MR-STFT is auraloss's spectral convergence + log-magnitude L1, plus linear-magnitude L1 when the config sets
    `stft_linear_magnitude_weight` (0 by default, as before session 4). `stft_fft_sizes` picks the resolutions
    (window = n, hop = n / 4; default 2048 … 64, as before session 5).

    The balance term (config `balance_weight`, 0 by default, added in session 6) is the L1 distance between the
    output's and the input's per-frame L/R balance (`frame_balance`, the left channel's energy share): every VAE trained
    up to session 5 decodes noise panned 12 dB left, centred or 12 dB right to the same +2.6 dB balance
    (`vae_family_check.py --probe`), so stereo position never reaches the latents."""

    def __init__(self, tcfg):
        super().__init__()
        sizes = [int(n) for n in tcfg.get("stft_fft_sizes", [2048, 1024, 512, 256, 128, 64])]
        self.stft = auraloss.freq.MultiResolutionSTFTLoss(
            fft_sizes=sizes, hop_sizes=[n // 4 for n in sizes], win_lengths=sizes,
            w_lin_mag=tcfg.get("stft_linear_magnitude_weight", 0.0))
        self.mels = torch.nn.ModuleList([LogMel(n_fft=n, hop=n // 4, n_mels=m) for n, m in [(2048, 128), (1024, 80), (512, 40)]])
        self.t = tcfg

    def forward(self, y, x, kl):
        Y, X = ms(y), ms(x)
        l_stft = self.stft(Y, X)
        yb, xb = Y.reshape(-1, Y.shape[-1]), X.reshape(-1, X.shape[-1])
        l_mel = sum(F.l1_loss(m(yb), m(xb)) for m in self.mels) / len(self.mels)
        total = self.t["stft_weight"] * l_stft + self.t["mel_weight"] * l_mel + self.t["kl_weight"] * kl
        parts = dict(stft=l_stft.item(), mel=l_mel.item(), kl=float(kl.detach()))
        if self.t.get("level_weight", 0.0) or self.t.get("balance_weight", 0.0):
            energy_y, energy_x = frame_energy(Y), frame_energy(X)  # channels L, R, mid, side
        if self.t.get("level_weight", 0.0):
            l_level = F.l1_loss(frame_level(energy_y), frame_level(energy_x))
            total = total + self.t["level_weight"] * l_level
            parts["level"] = l_level.item()
        if self.t.get("balance_weight", 0.0):
            l_balance = F.l1_loss(frame_balance(energy_y), frame_balance(energy_x))
            total = total + self.t["balance_weight"] * l_balance
            parts["balance"] = l_balance.item()
        return total, parts


def _rescaled_convolutions(layer):
    """The weight-normalised convolutions that set a layer's gain: the layer itself if it is one, else the direct
    children of its `layers` (an Oobleck block's strided or transposed convolution, not those inside residual units)."""
    if hasattr(layer, "weight_g"):
        return [layer]
    return [child for child in getattr(layer, "layers", []) if hasattr(child, "weight_g")]


def _rms(t):
    return float(t.pow(2).mean().sqrt())


@torch.no_grad()
def initialize_for_unit_gain(model, x, iterations=3):
    """Data-dependent initialisation (LSUV-like) of the weight-norm magnitudes g, applied before the first step.

    PyTorch's default init contracts what varies between inputs: a ConvTranspose1d [in, out, 2s] draws weights with
    variance 1/(3·out·2s) but sums in·2 of them per output sample, a gain of √(in / (3·out·s)) (0.29–0.41 for the
    Oobleck decoder blocks). Five blocks put the part of the output that depends on the latent ~60 dB under the part
    that does not (Snake's sin² offsets through the upsamplers), and training on 2 CPU cores stalls there: the
    decoder settles on one input-independent output. For each top-level layer in turn, g of its own convolutions is
    multiplied by rms(Δ_in)/rms(Δ_out), where Δ is the difference between the activations of two halves of a batch,
    so that each layer passes input differences with unit gain; the decoder's last convolution instead maps them
    to the audio's own differences. Only magnitudes change; directions and the architecture stay SAT's."""
    half = x.shape[0] // 2
    a, b = x[:half], x[half:2 * half]

    def calibrate(layers, h_a, h_b, final_target=None):
        for index, layer in enumerate(layers):
            convolutions = _rescaled_convolutions(layer)
            target = _rms(h_a - h_b) if final_target is None or index < len(layers) - 1 else final_target
            for _ in range(iterations if convolutions else 0):
                gain = _rms(layer(h_a) - layer(h_b)) / max(target, 1e-12)
                for convolution in convolutions:
                    convolution.weight_g.div_(max(gain, 1e-6) ** (1.0 / len(convolutions)))
            h_a, h_b = layer(h_a), layer(h_b)
        return h_a, h_b

    latent_a, latent_b = calibrate(list(model.encoder.layers), a, b)
    mean_a, mean_b = latent_a.chunk(2, dim=1)[0], latent_b.chunk(2, dim=1)[0]
    calibrate(list(model.decoder.layers), mean_a, mean_b, final_target=_rms(a - b))


def encode_with_noise_ramp(model, x, ramp):
    """SAT's `VAEBottleneck.encode` (bottleneck.vae_sample) with the sampling noise scaled by `ramp` in [0, 1]:
    stdev = softplus(scale) + 1e-4,  z = mean + ramp · stdev · ε,  KL = Σ_c (mean² + stdev² − ln stdev² − 1), batch mean.
    ramp = 1 is exactly SAT's bottleneck; the KL is returned unscaled."""
    mean, scale = model.encoder(x).chunk(2, dim=1)
    stdev = F.softplus(scale) + 1e-4
    variance = stdev * stdev
    kl = (mean * mean + variance - torch.log(variance) - 1).sum(1).mean()
    return mean + ramp * stdev * torch.randn_like(mean), kl


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--config", default=os.path.join(HERE, "configs", "vae.json"))
    ap.add_argument("--ckpt", default="/work/checkpoints/vae")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=1000000)
    ap.add_argument("--batch-size", type=int, default=0)
    ap.add_argument("--save-every", type=int, default=100)
    ap.add_argument("--log-every", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", default=None, help="start from this checkpoint's weights (new optimizer)")
    ap.add_argument("--freeze-encoder", action="store_true",
                    help="decoder-only finetuning: the latent space (and pre-encoded latents) stay valid")
    ap.add_argument("--lr", type=float, default=0.0, help="learning rate (default: the config's learning_rate)")
    ap.add_argument("--warmup-steps", type=int, default=None,
                    help="linear warm-up from 0 over this many steps (default: the config's warmup_steps, else 0)")
    ap.add_argument("--default-init", action="store_true",
                    help="keep PyTorch's default init on a fresh start instead of initialize_for_unit_gain (the recipe "
                         "before session 3, whose decoder stalled on one input-independent output)")
    ap.add_argument("--cosine-steps", type=int, default=0,
                    help="cosine decay of the lr to lr/10 over this many steps from the step this run starts at")
    ap.add_argument("--noise-ramp-steps", type=int, default=None,
                    help="(default: the config's noise_ramp_steps on a fresh run, 0 with --init) ramp the bottleneck's sampling noise and the KL weight from 0 to 1 over this many steps: "
                         "a plain autoencoder first, so the decoder learns to use the latents before they are noisy")
    ap.add_argument("--reload-until", type=int, default=10 ** 9, help="re-read metadata every 500 steps below this size")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override one key of the config's training block (VALUE is JSON, e.g. --set level_weight=1.0); "
                         "repeatable; the overridden config is saved in the checkpoints, pass the same --set on resume")
    a = ap.parse_args(argv)
    set_threads(a.threads)
    dev = pick_device(a.device)
    cfg = load_json(a.config)
    tc = cfg["training"]
    for item in a.set:
        key, sep, value = item.partition("=")
        if not sep or key not in TRAINING_KEYS:
            raise SystemExit(f"--set {item}: expected KEY=VALUE with KEY one of {', '.join(sorted(TRAINING_KEYS))}")
        try:
            tc[key] = json.loads(value)
        except json.JSONDecodeError as error:
            raise SystemExit(f"--set {item}: the value is not JSON ({error})")
    bs = a.batch_size or tc["batch_size"]
    if a.warmup_steps is None:
        a.warmup_steps = tc.get("warmup_steps", 0)
    if a.noise_ramp_steps is None:  # the ramp is for fresh encoders; a run from --init keeps SAT's bottleneck
        a.noise_ramp_steps = 0 if a.init else tc.get("noise_ramp_steps", 0)
    peak_lr = a.lr or tc["learning_rate"]
    os.makedirs(a.ckpt, exist_ok=True)
    torch.manual_seed(a.seed)
    model = build_vae(cfg).to(dev)
    loss_fn = VAELoss(tc).to(dev)
    if a.init and not os.path.exists(os.path.join(a.ckpt, "last.pt")):
        model.load_state_dict(torch.load(a.init, map_location="cpu", weights_only=False)["model"])
        print(f"[vae] initialised from {a.init}", flush=True)
    if a.freeze_encoder:
        model.encoder.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=peak_lr, betas=tuple(tc["betas"]), weight_decay=tc["weight_decay"])
    step, wall_prev = 0, 0.0
    last = os.path.join(a.ckpt, "last.pt")
    if os.path.exists(last):
        st = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step, wall_prev = st["step"], st.get("wall", 0.0)
        print(f"[vae] resumed at step {step}", flush=True)
    metas = read_meta(a.corpus, "train")
    if not a.default_init and step == 0 and not a.init:
        initialize_for_unit_gain(model, CropSampler(a.corpus, metas, tc["crop"], a.seed + 10 ** 6).batch(16).to(dev))
        print("[vae] unit-gain initialisation of the weight-norm magnitudes", flush=True)
    step0 = step
    sampler = CropSampler(a.corpus, metas, tc["crop"], a.seed + step)
    log = Logger(os.path.join(a.ckpt, "train_log.jsonl"))
    log.log(event="start", step=step, device=str(dev), params=sum(p.numel() for p in model.parameters()),
            clips=len(metas), batch=bs, crop=tc["crop"], lr=peak_lr, warmup_steps=a.warmup_steps,
            noise_ramp_steps=a.noise_ramp_steps, cosine_steps=a.cosine_steps, training=tc)
    model.train()
    t_start = time.time()
    acc, nacc, t_last = {}, 0, time.time()
    while step < a.steps:
        if step % 500 == 0 and len(sampler.metas) < a.reload_until:  # corpus may still be rendering
            sampler.metas = read_meta(a.corpus, "train")
        x = sampler.batch(bs).to(dev)
        ramp = min(1.0, step / a.noise_ramp_steps) if a.noise_ramp_steps else 1.0
        with torch.set_grad_enabled(not a.freeze_encoder):
            z, kl = encode_with_noise_ramp(model, x, ramp)
        y = model.decode(z)
        loss, parts = loss_fn(y, x, kl * ramp)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if a.warmup_steps or a.cosine_steps:
            for group in opt.param_groups:
                group["lr"] = learning_rate_at(step, peak_lr, a.warmup_steps, step0, a.cosine_steps)
        gn = torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 10.0)
        opt.step()
        step += 1
        for k, v in dict(loss=loss.item(), gnorm=float(gn), **parts).items():
            acc[k] = acc.get(k, 0.0) + v
        nacc += 1
        if step % a.log_every == 0:
            dt = time.time() - t_last
            log.log(step=step, steps_per_s=nacc / dt, audio_s_per_s=nacc * bs * tc["crop"] / 44100 / dt,
                    total_wall=wall_prev + time.time() - t_start, **{k: v / nacc for k, v in acc.items()})
            acc, nacc, t_last = {}, 0, time.time()
        if step % a.save_every == 0 or step == a.steps:
            save_ckpt(last, model=model.state_dict(), opt=opt.state_dict(), step=step,
                      wall=wall_prev + time.time() - t_start, config=cfg)
            if step % (a.save_every * 20) == 0:
                save_ckpt(os.path.join(a.ckpt, f"step{step:07d}.pt"), model=model.state_dict(), step=step, config=cfg)


if __name__ == "__main__":
    main()
