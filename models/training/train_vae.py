"""Stage 2: train the Oobleck VAE (SAT classes) on the corpus. Resumable.

  python -m models.training.train_vae --corpus /work/data/corpus --ckpt /work/checkpoints/vae [--device cuda]

Losses: multi-resolution STFT (auraloss; on L, R, mid and side) + multi-resolution log-mel L1 + KL, and optional
linear-magnitude, level and L/R-balance terms (VAELoss; switched on by config keys or --set), and a training-time
readout of stereo position from the latent (PositionProbe, config `position_probe_weight`) and one of each latent
frame's coarse spectrum (SpectrumProbe, config `spectrum_probe_weight`).
Optional adversarial + feature-matching terms (off in both configs: measured too slow on 2 CPU cores; see README), an
optional waveform L1 that can anneal (`waveform_weight_at`) and one on first differences (`difference_waveform_weight`),
a level-blind waveform cosine term (`frame_cosine_distance`), and synthetic tone crops mixed into the batches
(`CropSampler`).
A fresh run starts from a data-dependent init (initialize_fresh: unit gain for what differs between inputs, and since
session 11 the common mode centred away) and ramps the bottleneck's noise and KL in over `noise_ramp_steps`; README §2
says why (without them the decoder settled on an input-independent output).
"""
import argparse
import json
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from .common import (HERE, LogMel, Logger, add_cosine_arguments, add_time_limit_argument, cosine_fall, cosine_start,
                     learning_rate_at, load_clip, load_json, past_time_limit, pick_device, read_meta, save_ckpt,
                     set_threads)
from .synthetic_tones import random_tone
from stable_audio_tools.models.autoencoders import create_autoencoder_from_config
import auraloss


# the keys of a config's training block that this script reads (what --set may override)
TRAINING_KEYS = {"learning_rate", "betas", "weight_decay", "kl_weight", "mel_weight", "stft_weight", "warmup_steps",
                 "noise_ramp_steps", "batch_size", "crop", "stft_linear_magnitude_weight", "stft_fft_sizes",
                 "level_weight", "balance_weight", "spectral_floor_db", "adversarial_weight", "feature_matching_weight",
                 "discriminator_fft_sizes", "discriminator_filters", "waveform_weight",
                 "stft_log_magnitude_weight", "waveform_weight_final", "waveform_anneal_steps",
                 "waveform_cosine_weight", "synthetic_tone_fraction", "spectral_channels", "balance_frame",
                 "side_waveform_weight", "position_probe_weight", "spectrum_probe_weight",
                 "difference_waveform_weight", "waveform_lowpass_hz", "silent_tail_fraction", "dc_weight", "dc_frame"}


def build_vae(cfg):
    return create_autoencoder_from_config({"model": cfg["model"], "sample_rate": cfg["sample_rate"]})


class CropSampler:
    """Training crops of `crop` samples from corpus clips (`metas`); with `tone_fraction` > 0 (config
    `synthetic_tone_fraction`, session 10) each crop is instead, with that probability, a random steady tone
    (`synthetic_tones.random_tone`), drawn from its own generator so the corpus crops stay those of the seed.

    With `tail_fraction` > 0 (config `silent_tail_fraction`, session 41) a corpus crop instead starts, with that
    probability, uniformly in [n − crop/2, n + crop/2) for a sound of n samples: from half to all of it is the digital
    silence after the sound. The default crops (start in [−crop/8, n − crop/2)) hold at most half a crop of it, and
    never a crop of silence alone. Alone it did not lower session 40's raised silence floor (−39.5 dB after 400
    steps), which was a DC offset that only the DC term charges (`VAELoss`). The choice and the start come from a
    third generator, so the other crops stay those of the seed."""

    def __init__(self, corpus, metas, crop, seed, tone_fraction=0.0, tail_fraction=0.0):
        self.corpus, self.metas, self.crop = corpus, metas, crop
        self.rng = np.random.default_rng(seed)
        self.tone_fraction = tone_fraction
        self.tone_rng = np.random.default_rng(seed + 7919)
        self.tail_fraction = tail_fraction
        self.tail_rng = np.random.default_rng(seed + 104729)

    def batch(self, b):
        out = []
        for _ in range(b):
            if self.tone_fraction and self.tone_rng.random() < self.tone_fraction:
                out.append(random_tone(self.tone_rng, self.crop)[0])
                continue
            m = self.metas[self.rng.integers(len(self.metas))]
            n = int(round(m["seconds_total"] * 44100))
            # crops mostly inside the sound, some crossing its end into the silence that follows
            lo, hi = -self.crop // 8, max(1, n - self.crop // 2)
            s = int(self.rng.integers(lo, hi))
            if self.tail_fraction and self.tail_rng.random() < self.tail_fraction:
                s = int(self.tail_rng.integers(n - self.crop // 2, n + self.crop // 2))
            x = load_clip(self.corpus, m, s, s + self.crop)
            if self.rng.random() < 0.5:  # random gain augmentation keeps quiet sounds represented
                x *= 10 ** (self.rng.uniform(-6, 3) / 20)
            out.append(x)
        return torch.from_numpy(np.stack(out))


SPECTRAL_CHANNELS = ("left", "right", "mid", "side")


def ms(x):
    """[B, 2, T] -> [B, 4, T]: left, right, mid = L + R and side = L − R, in the order of `SPECTRAL_CHANNELS`."""
    return torch.cat([x, x[:, :1] + x[:, 1:], x[:, :1] - x[:, 1:]], dim=1)


def frame_energy(x, frame=2048, hop=512):
    """Mean square of each frame, [B, C, T] -> [B, C, frames]."""
    return x.unfold(-1, frame, hop).pow(2).mean(-1)


def frame_mean(x, frame=2048, hop=512):
    """Mean of each frame, [B, C, T] -> [B, C, frames]: the signal's DC and its drift below about 20 Hz."""
    return x.unfold(-1, frame, hop).mean(-1)


def frame_level(energy):
    """log10 of the frame RMS with a −80 dB floor, from `frame_energy`: log10(sqrt(mean(x²)) + 1e-4)."""
    return torch.log10(energy.add(1e-12).sqrt() + 1e-4)


def frame_balance(energy):
    """Left channel's share of the frame energy, from `frame_energy` (channel 0 left, 1 right) -> [B, frames] in
    [0, 1]: (E_L + δ/2) / (E_L + E_R + δ), δ = 1e-6 (a −60 dBFS mean square); 0.5 is centred and silence, 0.94 is
    12 dB left. Bounded, unlike a log ratio, whose gradient explodes on the hard-panned clips where one channel is
    silent. (Before session 10 the numerator lacked δ/2, so a silent input frame asked for 0, all energy right.)"""
    return (energy[:, 0] + 0.5e-6) / (energy[:, 0] + energy[:, 1] + 1e-6)


def frame_cosine_distance(y, x, frame=2048, floor_rms=1e-3):
    """Mean over the frames of x that are not near-silent of 1 − cos(y_f, x_f), cos = ⟨y_f, x_f⟩ / (‖y_f‖ ‖x_f‖ + ε):
    y, x [B, C, T], cut into non-overlapping `frame`-sample frames per channel (a partial last frame is dropped); a
    frame counts when the input's RMS exceeds `floor_rms` (−60 dBFS). The distance is scale-invariant in y, so its
    gradient is orthogonal to each output frame: it can turn a frame's waveform towards the input's (phase, pitch)
    but cannot make it quieter, unlike a waveform L1, whose best answer to unpredictable noise is silence."""
    n = (x.shape[-1] // frame) * frame
    yf = y[..., :n].reshape(*y.shape[:-1], -1, frame)
    xf = x[..., :n].reshape(*x.shape[:-1], -1, frame)
    x_norm, y_norm = xf.pow(2).sum(-1).sqrt(), yf.pow(2).sum(-1).sqrt()
    cosine = (yf * xf).sum(-1) / (y_norm * x_norm + 1e-8)
    active = (x_norm > floor_rms * math.sqrt(frame)).float()
    return ((1 - cosine) * active).sum() / active.sum().clamp(min=1.0)


def lowpass_kernel(cutoff_hz, taps=511, sample_rate=44100):
    """A linear-phase low-pass FIR (windowed sinc, Blackman window), [1, 1, taps], unit gain at DC:

        h[n] = w[n] · 2 f_c sinc(2 f_c (n − (taps − 1) / 2)),  f_c = cutoff / sample_rate,  then h / Σ h.

    At 511 taps the Blackman window's transition band is about 5.5 · 44,100 / 511 ≈ 470 Hz wide and its stopband
    about 74 dB down."""
    if not 0 < cutoff_hz < sample_rate / 2:
        raise ValueError(f"training config: waveform_lowpass_hz {cutoff_hz} must lie between 0 and {sample_rate / 2}")
    f_c = cutoff_hz / sample_rate
    n = torch.arange(taps, dtype=torch.float64) - (taps - 1) / 2
    h = torch.blackman_window(taps, periodic=False, dtype=torch.float64) * 2 * f_c * torch.sinc(2 * f_c * n)
    return (h / h.sum()).float().reshape(1, 1, taps)


def lowpass_l1(y, x, kernel):
    """mean |h * (y − x)| over batch, channel and sample, h = `kernel` applied to each channel with zero padding
    (same length): the waveform L1 of the two signals' low bands, since the filter is linear."""
    difference = (y - x).reshape(-1, 1, y.shape[-1])
    return F.conv1d(difference, kernel, padding=kernel.shape[-1] // 2).abs().mean()


def spectral_floor_power(floor_db, n_fft):
    """The power that white noise of RMS 10^(floor_db/20) has in one bin of an n_fft-point Hann-window STFT:
    P = 10^(floor_db/10) · Σ w[n]²  (Σ w² = 3n/8 for the periodic Hann window).

    With config `spectral_floor_db` set, this is the log-spectral losses' floor at every resolution: auraloss's `eps`
    (which clamps |STFT|²) and the log-mel's additive constant. Without it they keep 1e-8 and 1e-5, about −109 and
    −79 dBFS-equivalent at 2048 points, far under anything audible, so the thousands of near-empty bins of a sparse
    tonal clip weigh on the loss like the few bins the tone occupies. Measured in session 8
    (`eval/default-model/vae_tone_overfit.py`, training README run log): −50 dB lifts the reconstruction levels
    (median gap −3.6 against −13.6 dB on one overfitted batch) but does not by itself teach a pure sine.
    """
    return 10.0 ** (floor_db / 10.0) * float(torch.hann_window(n_fft).pow(2).sum())


class VAELoss(torch.nn.Module):
    """total = w_stft · MR-STFT(L, R, mid, side) + w_mel · log-mel L1 + w_waveform · waveform L1
    + w_difference · L1 of first differences + w_cosine · frame cosine distance + w_level · level L1
    + w_balance · balance L1 + w_kl · KL.

    The level term (config `level_weight`, 0 by default, added in session 5) is the L1 distance between the
    output's and the input's log10 frame RMS (2048-sample frames, hop 512) on L, R, mid and side: the log-domain
    spectral terms let a decoder answer a steady tone it cannot yet draw with near-silence (session 4's probe:
    sines −39…−44 dB), and this term charges for that level gap directly.

    MR-STFT is auraloss's spectral convergence + log-magnitude L1, plus linear-magnitude L1 when the config sets
    `stft_linear_magnitude_weight` (0 by default, as before session 4); `stft_log_magnitude_weight` (1 by default,
    added in session 9) scales the log-magnitude part. `stft_fft_sizes` picks the resolutions
    (window = n, hop = n / 4; default 2048 … 64, as before session 5).

    The balance term (config `balance_weight`, 0 by default, added in session 6) is the L1 distance between the
    output's and the input's per-frame L/R balance (`frame_balance`, the left channel's energy share): every VAE trained
    up to session 5 decodes noise panned 12 dB left, centred or 12 dB right to the same +2.6 dB balance
    (`vae_family_check.py --probe`), so stereo position never reaches the latents. `balance_frame` (session 16; default
    2048) sets its frame length; a value at or above the crop length compares each crop's balance as a whole.
    Measured in session 16 (`eval/default-model/vae_term_gradients.py`, `results_vae_session16.json`): at weight 30
    this term's gradient is the largest of all (norm 294 against the waveform L1's 50 at step 500 of a ratio-512
    corpus run), so it sets the direction of nearly every clipped step, yet the output's balance never moves off the
    centre (crop share std 0.009 against the input's 0.34; the term 0.212 against 0.209 for an always-centred output).
    Whole-crop frames do no better, and the term alone cannot be fitted even at ratio 32. Run on to step 1,500 at
    weight 30 it drives the output into anti-phase (equal energy in both channels) and loses every held-out tone; at
    weight 10 tones survive and stereo does not come. Alone, keep it off. Session 17: beside `PositionProbe`, which
    makes the encoder put position in the latent, the same weight 10 is what carries it through the decoder (fresh
    tone batches, 300 steps, held-out balance correlation: probe alone 0.04, balance alone 0.03, both 0.83; the corpus
    run `vae20_r512wpb` in the training README).

    The DC term (config `dc_weight`, 0 by default, added in session 41) is the L1 distance between the output's and
    the input's frame means (`frame_mean`: 2048-sample frames, hop 512) on L and R. The MR-STFT and log-mel terms are
    nearly blind below 20 Hz, so nothing else charges an offset: session 40's decoders taught to pan (`decoder40`,
    `decoder41`) decode digital silence to a constant −0.011 on L and +0.010 on R (the −40 dB "floor") and put
    offsets of up to −0.04 under eval clips (the shipped decoder: within ±0.008). `dc_frame` (session 41; default
    2048) sets the frame (hop a quarter of it); 2048-sample frames (46 ms) also charge content up to about 20 Hz, a
    frame at or above the crop length only the offset. At weight 500 both removed the offset (`decoder43`, 2048:
    silence at −89.6 dB; `decoder44`, whole crops: −86.9 dB), and both brightened the generations alike (median
    spectral centroid of the pitch pairs at seed 0: 1,621 Hz against 731 Hz with `decoder42`), so the frame is not
    the cause.

    `spectral_floor_db` (unset by default, added in session 8) puts the floor of the MR-STFT's log-magnitude and of
    the log-mel at the level of white noise that many dB under full scale (`spectral_floor_power`).

    `spectral_channels` (session 15; default all four of `SPECTRAL_CHANNELS`) picks the channels the MR-STFT and
    log-mel terms compare. The level and balance terms always use all four.

    The waveform term (config `waveform_weight`, 0 by default, added in session 9) is the L1 distance between the
    output's and the input's samples, L and R: mean |y − x|. It is phase-aware: in session 9's 300-step overfits of one
    fixed batch (`vae_tone_overfit.py`, `results_vae_session9.json`) it alone brought back all four pure sines of the
    batch, each magnitude-only term alone returned them as one input-independent output, and beside the default terms
    weight 500 brought back two of the four (weight 50 none). That was memorisation: trained on fresh tone batches
    (session 10, `--fresh-batches`) it returned held-out tones as one near-DC output after 300 steps.

    Session 10: the waveform weight may anneal (`waveform_weight_at`): it starts at `waveform_weight` and follows a
    half cosine to `waveform_weight_final` between the steps `waveform_anneal_steps` = [start, end]. Reason: the term
    asks for phase, but on noise, whose samples no latent of this size can carry, the L1-optimal output is
    quieter than the input (session 9: −6…−14 dB on white noise at weight 500), so it should rule early and fade.

    `waveform_lowpass_hz` (unset by default, session 27) makes the waveform L1 compare only the two signals' bands
    below that frequency (`lowpass_l1`); the spectral, level and balance terms still see the whole band. Reason:
    vae25_r256 (ratio 256, L1 × 300) decodes held-out clips a median 11.3 dB short above 4 kHz and 8.2 dB short at
    1–4 kHz (`vae_high_band_check.py`), noise-like families by 13–29 dB: the L1 shrinks what the latent cannot carry
    sample by sample, which above the steady sines it keeps (up to about 960 Hz) is most of the high band. Measured
    (session 27, `results_s27_lowpass.json`): that reason does not hold. At 1.5 kHz a decoder-only finetune gained
    2.3 dB above 4 kHz and lost MR-STFT, and a run from scratch was no brighter at step 1,100 with higher spectral
    losses, so the full-band L1 helps the spectral terms. Kept for experiments; no recipe stage uses it.

    The side waveform term (config `side_waveform_weight`, 0 by default, session 16) is the L1 distance between the
    output's and the input's side channel, mean |(y_L − y_R) − (x_L − x_R)|: the waveform L1 again, on the one
    channel that carries stereo position.

    The difference waveform term (config `difference_waveform_weight`, 0 by default, session 24) is the waveform L1
    on first differences, L and R: mean |Δy − Δx|, Δx[n] = x[n] − x[n−1]. The difference is a filter of gain
    |1 − e^(−iω)| = 2 sin(π f / 44100): 0.014 at 100 Hz, 0.14 at 1 kHz, 0.70 at 5 kHz. So it asks for phase like the
    plain L1 but weighs an error at 1 kHz ten times one at 100 Hz, where the plain L1 weighs them alike and the
    corpus's energy (and what the network learns first) sits low. Reason: every ratio-512 VAE trained with the plain L1
    × 300 keeps steady sines up to 480 Hz and none from 679 Hz (session 23). Measured (session 24, 600 steps of fresh
    tone batches, `vae_tone_overfit.py --fresh-batches`, ratio 512, beside the plain L1 × 300): at weight 2000 the
    autoencoder collapsed, near-zero latents for every sine of `vae_sine_sweep.py` but the 7.7 kHz one, 0 of 15 kept
    (6 without the term) and 0 of 8 held-out tones at their pitch (3 without). Off by default.

    The waveform cosine term (config `waveform_cosine_weight`, 0 by default, session 10) is `frame_cosine_distance`:
    phase-aware like the L1 but blind to the output's level, so it cannot trade loudness for a smaller error. Beside
    the default terms at weight 10 it brought all 8 tones of the fixed batch back at their pitch in 300 steps, and
    none of the held-out ones in 1,200 steps of fresh batches (`results_vae_session10.json`)."""

    def __init__(self, tcfg):
        super().__init__()
        sizes = [int(n) for n in tcfg.get("stft_fft_sizes", [2048, 1024, 512, 256, 128, 64])]
        self.stft = auraloss.freq.MultiResolutionSTFTLoss(
            fft_sizes=sizes, hop_sizes=[n // 4 for n in sizes], win_lengths=sizes,
            w_log_mag=tcfg.get("stft_log_magnitude_weight", 1.0), w_lin_mag=tcfg.get("stft_linear_magnitude_weight", 0.0))
        mel_sizes = [(2048, 128), (1024, 80), (512, 40)]
        floor_db = tcfg.get("spectral_floor_db")
        if floor_db is not None:
            for resolution, n in zip(self.stft.stft_losses, sizes):
                resolution.eps = spectral_floor_power(floor_db, n)  # auraloss clamps |STFT|² at eps
        self.mels = torch.nn.ModuleList([
            LogMel(n_fft=n, hop=n // 4, n_mels=m, **({} if floor_db is None else {"floor": spectral_floor_power(floor_db, n)}))
            for n, m in mel_sizes])
        channels = list(tcfg.get("spectral_channels", SPECTRAL_CHANNELS))
        unknown = [c for c in channels if c not in SPECTRAL_CHANNELS]
        if unknown or not channels:
            raise ValueError(f"training config: spectral_channels {channels} must be a non-empty subset of "
                             f"{list(SPECTRAL_CHANNELS)}")
        self.spectral_index = [SPECTRAL_CHANNELS.index(c) for c in channels]
        cutoff = tcfg.get("waveform_lowpass_hz")
        self.register_buffer("lowpass", None if cutoff is None else lowpass_kernel(float(cutoff)), persistent=False)
        self.t = tcfg

    def waveform_weight_at(self, step):
        """w(step) = w₀ before `start`, w₁ after `end`, and between them w₁ + (w₀ − w₁) · ½ (1 + cos(π u)),
        u = (step − start) / (end − start); w₀ = `waveform_weight`, w₁ = `waveform_weight_final` (default w₀)."""
        initial = self.t.get("waveform_weight", 0.0)
        final = self.t.get("waveform_weight_final", initial)
        start, end = self.t.get("waveform_anneal_steps", [0, 0])
        if step is None or step <= start:
            return initial
        if step >= end:
            return final
        return final + (initial - final) * cosine_fall((step - start) / (end - start))

    def balance_distance(self, Y, X, energy_y, energy_x):
        """mean |balance(y) − balance(x)| over frames of `balance_frame` samples (hop a quarter of it; default 2048,
        the level term's frames, whose energies are passed in); a frame longer than the crop becomes the whole crop."""
        frame = min(int(self.t.get("balance_frame", 2048)), X.shape[-1])
        if frame != 2048:
            energy_y, energy_x = frame_energy(Y, frame, max(1, frame // 4)), frame_energy(X, frame, max(1, frame // 4))
        return F.l1_loss(frame_balance(energy_y), frame_balance(energy_x))

    def dc_distance(self, y, x):
        """L1 of the frame means (`frame_mean`) of L and R, frames of `dc_frame` samples (config; default 2048, hop a
        quarter of it); a `dc_frame` at or above the crop length compares each crop's mean as a whole."""
        frame = min(int(self.t.get("dc_frame", 2048)), y.shape[-1])
        return F.l1_loss(frame_mean(y, frame, max(1, frame // 4)), frame_mean(x, frame, max(1, frame // 4)))

    def terms(self, y, x, step=None):
        """Yields (name, weight, distance) for the MR-STFT and log-mel terms, then for every optional term whose
        weight is not 0, each distance an unweighted scalar tensor with its graph, computed only when the caller asks
        for the next (so `forward` builds its graph in the same order as adding the terms as they come). The KL is
        `forward`'s; the waveform weight is the one of `step` (`waveform_weight_at`)."""
        Y, X = ms(y), ms(x)
        Ys, Xs = Y[:, self.spectral_index], X[:, self.spectral_index]
        yield "stft", self.t["stft_weight"], self.stft(Ys, Xs)
        yb, xb = Ys.reshape(-1, Ys.shape[-1]), Xs.reshape(-1, Xs.shape[-1])
        yield "mel", self.t["mel_weight"], sum(F.l1_loss(m(yb), m(xb)) for m in self.mels) / len(self.mels)
        if self.t.get("level_weight", 0.0) or self.t.get("balance_weight", 0.0):
            energy_y, energy_x = frame_energy(Y), frame_energy(X)  # channels L, R, mid, side
        # the optional terms: (logged name, weight, distance); a term with weight 0 is not computed
        optional_terms = [
            ("waveform", self.waveform_weight_at(step),
             lambda: F.l1_loss(y, x) if self.lowpass is None else lowpass_l1(y, x, self.lowpass)),
            ("side_waveform", self.t.get("side_waveform_weight", 0.0), lambda: F.l1_loss(Y[:, 3], X[:, 3])),
            ("difference_waveform", self.t.get("difference_waveform_weight", 0.0),
             lambda: F.l1_loss(y.diff(dim=-1), x.diff(dim=-1))),
            ("waveform_cosine", self.t.get("waveform_cosine_weight", 0.0), lambda: frame_cosine_distance(y, x)),
            ("level", self.t.get("level_weight", 0.0), lambda: F.l1_loss(frame_level(energy_y), frame_level(energy_x))),
            ("balance", self.t.get("balance_weight", 0.0), lambda: self.balance_distance(Y, X, energy_y, energy_x)),
            ("dc", self.t.get("dc_weight", 0.0), lambda: self.dc_distance(y, x)),
        ]
        for name, weight, distance in optional_terms:
            if weight:
                yield name, weight, distance()

    def forward(self, y, x, kl, step=None):
        terms = self.terms(y, x, step)
        (_, w_stft, l_stft), (_, w_mel, l_mel) = next(terms), next(terms)
        total = w_stft * l_stft + w_mel * l_mel + self.t["kl_weight"] * kl
        parts = dict(stft=l_stft.item(), mel=l_mel.item(), kl=float(kl.detach()))
        waveform_weight = self.waveform_weight_at(step)
        if waveform_weight:
            parts["waveform_weight"] = waveform_weight
        for name, weight, value in terms:
            total = total + weight * value
            parts[name] = value.item()
        return total, parts


class PositionProbe(torch.nn.Module):
    """A training-time linear readout of stereo position from the latent (config `position_probe_weight`, 0 by default,
    session 17; not part of the VAE, not exported). For latent frame t, covering the `ratio` input samples
    [ratio·t, ratio·(t+1)), the target is the signed L/R energy difference

      p_t = (E_L − E_R) / (E_L + E_R + δ),  δ = 1e-6,  in [−1, 1] (0 centred, ±1 hard left / right),

    and the distance is the mean square error of the readout p̂_t = w · z_t + b over the frames that are not
    near-silent (E_L + E_R > 2e-6, −57 dBFS):

      d = Σ_t a_t (p̂_t − p_t)² / Σ_t a_t,  a_t = 1 for those frames, else 0.

    It is computed on the bottleneck's sample z (what the decoder sees), so the encoder has to put position in a
    direction the sampling noise does not drown. Why: sessions 14-16 found that no encoder keeps the L/R position (a
    ridge probe of vae17_r512w's latents: held-out correlation 0.057), so no decoder can give it back; this term asks
    the encoder for it directly. The decoder does not use it from the spectral and waveform terms alone: it takes
    `balance_weight` (10) beside it (session 17; measured in VAELoss's balance paragraph and the training README)."""

    def __init__(self, latent_dim):
        super().__init__()
        self.readout = torch.nn.Conv1d(latent_dim, 1, 1)

    @staticmethod
    def target(x, frames):
        """(p [B, frames], a [B, frames]) of the formula above, from x [B, 2, frames · ratio]; p = 2 s − 1 with s the
        left share of `frame_balance` (the same δ: 2 (E_L + δ/2) / (E_L + E_R + δ) − 1 is the formula above)."""
        ratio = x.shape[-1] // frames
        energy = frame_energy(x[..., :frames * ratio], ratio, ratio)
        return 2 * frame_balance(energy) - 1, (energy[:, 0] + energy[:, 1] > 2e-6).float()

    def distance(self, z, x):
        position, active = self.target(x, z.shape[-1])
        error = (self.readout(z)[:, 0] - position).pow(2)
        return (error * active).sum() / active.sum().clamp(min=1.0)


class SpectrumProbe(torch.nn.Module):
    """A training-time linear readout of each latent frame's coarse spectrum from the latent (config
    `spectrum_probe_weight`, 0 by default, session 23; not part of the VAE, not exported): `PositionProbe`'s device,
    asked for pitch register instead of position. For latent frame t, covering the `ratio` input samples
    [ratio·t, ratio·(t+1)), the target is the log band power of the mono mix m = (L + R) / 2 over the 2·ratio samples
    centred on that span (zero padded at the clip's ends), Hann window w:

      P_k = Σ_{f in band k} |Σ_n w[n] m[n] e^{−2πi f n / N}|² / (Σ_n w[n])²   (a sine of amplitude A: (A/2)² in its bin)
      s_k = 10 log10(P_k + 1e-8) / 80          (0 dB → 0, the −80 dB floor → −1)

    over BANDS = 15 bands: below 125 Hz, then 14 half-octave bands from 125 Hz to 16 kHz (a 2·ratio = 1,024-sample
    window has bins 43 Hz apart, too coarse for narrower bands below 125 Hz), and the distance is the mean square
    error of the readout ŝ_t = W z_t + b over the bands and the frames that are not near-silent (mean m² over the
    window > 1e-6):

      d = Σ_t a_t Σ_k (ŝ_{t,k} − s_{t,k})² / (BANDS · Σ_t a_t).

    It is computed on the bottleneck's sample z, as the position probe. Why: session 23 (`vae_sine_sweep.py`) found
    vae20's encoder carries the sines up to 480 Hz as frame-to-frame waveform detail and every sine from 679 Hz up as
    a small, nearly constant latent close to the other high sines' (nearest other sine 0.10–0.32 away, against
    0.37–1.05 between the lower ones), which is why no decoder finetune brought the high register back; this term
    asks the encoder to keep where the energy is. Measured (session 23, `vae23_sp`: weight 10 beside the position
    probe and the balance term, 1,200 steps from vae20; `eval/default-model/results_s23_sines.json`): the high sines'
    latents grow (median |mean| 0.13 → 0.48) but stay nearly constant and close together, the same 7 of 15 sines come
    back, and held-out register order moves 0.672 → 0.684, within noise. Off by default."""

    BANDS = 15
    LOWEST_EDGE_HZ = 125.0

    def __init__(self, latent_dim, ratio, sample_rate=44100):
        super().__init__()
        self.readout = torch.nn.Conv1d(latent_dim, self.BANDS, 1)
        self.ratio = ratio
        size = 2 * ratio
        frequencies = torch.fft.rfftfreq(size, d=1.0 / sample_rate)
        edges = torch.cat([torch.zeros(1), self.LOWEST_EDGE_HZ * 2.0 ** (torch.arange(self.BANDS) / 2.0)])
        bands = ((frequencies[:, None] >= edges[:-1]) & (frequencies[:, None] < edges[1:])).float()  # [bins, BANDS]
        window = torch.hann_window(size, periodic=True)
        self.register_buffer("bands", bands, persistent=False)
        self.register_buffer("window", window / window.sum(), persistent=False)

    def target(self, x, frames):
        """(s [B, frames, BANDS], a [B, frames]) of the formula above, from x [B, 2, ≥ frames · ratio]."""
        half = self.ratio // 2
        mono = F.pad(x[:, :, :frames * self.ratio].mean(1), (half, half))
        windows = mono.unfold(-1, 2 * self.ratio, self.ratio)[:, :frames]  # [B, frames, 2·ratio]
        power = torch.fft.rfft(windows * self.window, dim=-1).abs().pow(2) @ self.bands
        active = (windows.pow(2).mean(-1) > 1e-6).float()
        return 10 * torch.log10(power + 1e-8) / 80, active

    def distance(self, z, x):
        spectrum, active = self.target(x, z.shape[-1])
        error = (self.readout(z).transpose(1, 2) - spectrum).pow(2).mean(-1)
        return (error * active).sum() / active.sum().clamp(min=1.0)


class SpectrogramDiscriminator(torch.nn.Module):
    """One scale of a multi-scale complex-STFT discriminator, the kind SAT's default autoencoder recipe uses
    (`EncodecDiscriminator`, EnCodec's MS-STFTD: Défossez et al. 2022, §3.4), written here because SAT's class needs
    torchaudio, whose PyPI wheels do not match this recipe's torch. Same layout and sizes as that design:

      S = STFT(x) / sqrt(Σ w²)  (Hann, n_fft, hop n_fft/4, no centring), the real and imaginary parts of each audio
      channel as 2·C input planes over (time, frequency);
      Conv2d(2C → F, (3, 9)), then Conv2d(F → F, (3, 9), time dilation 1, 2, 4), then Conv2d(F → F, (3, 3)), each
      followed by LeakyReLU(0.2) and kept as a feature map; Conv2d(F → 1, (3, 3)) gives the logits. All convolutions
      weight-normalised, padded to keep the size, stride 1: SAT's `DiscriminatorSTFT` default (EnCodec's paper
      strides the frequency axis by 2 in the dilated layers, which is cheaper).
    Training-only: nothing of it is exported."""

    def __init__(self, audio_channels, filters, n_fft):
        super().__init__()
        self.n_fft, self.hop = n_fft, n_fft // 4
        self.register_buffer("window", torch.hann_window(n_fft))
        weight_norm = torch.nn.utils.weight_norm
        layers = [weight_norm(torch.nn.Conv2d(2 * audio_channels, filters, (3, 9), padding=(1, 4)))]
        for dilation in (1, 2, 4):
            layers.append(weight_norm(torch.nn.Conv2d(filters, filters, (3, 9), dilation=(dilation, 1), padding=(dilation, 4))))
        layers.append(weight_norm(torch.nn.Conv2d(filters, filters, (3, 3), padding=(1, 1))))
        self.layers = torch.nn.ModuleList(layers)
        self.post = weight_norm(torch.nn.Conv2d(filters, 1, (3, 3), padding=(1, 1)))

    def forward(self, x):
        """x [B, C, T] -> (logits [B, 1, frames, bins], feature maps)"""
        batch, channels, _ = x.shape
        spectrum = torch.stft(x.reshape(batch * channels, -1), self.n_fft, self.hop, window=self.window, center=False,
                              return_complex=True) / self.window.pow(2).sum().sqrt()
        spectrum = spectrum.reshape(batch, channels, *spectrum.shape[-2:])  # [B, C, bins, frames]
        h = torch.cat([spectrum.real, spectrum.imag], dim=1).transpose(2, 3)  # [B, 2C, frames, bins]
        features = []
        for layer in self.layers:
            h = F.leaky_relu(layer(h), 0.2)
            features.append(h)
        return self.post(h), features


class AdversarialTerms(torch.nn.Module):
    """The adversarial and feature-matching losses of SAT's autoencoder recipe (its defaults: hinge loss, weights
    adversarial 0.1 and feature matching 5.0, seven STFT scales 2048…32, 32 filters); `build_adversarial` gives them
    their own AdamW, `training_step` uses them.
    Switched on by config `adversarial_weight` / `feature_matching_weight` (0 = off, the CPU default);
    `discriminator_fft_sizes` and `discriminator_filters` size the discriminator.

    Per scale s, with logits D_s and feature maps f_s,l (l = 1…L):
      discriminator:      relu(1 − D_s(x)).mean + relu(1 + D_s(y)).mean
      adversarial:        −D_s(y).mean
      feature matching:   (1/L) Σ_l mean|f_s,l(x) − f_s,l(y)|
    each averaged over the scales."""

    def __init__(self, tcfg, audio_channels):
        super().__init__()
        sizes = tcfg.get("discriminator_fft_sizes", [2048, 1024, 512, 256, 128, 64, 32])
        filters = int(tcfg.get("discriminator_filters", 32))
        self.scales = torch.nn.ModuleList([SpectrogramDiscriminator(audio_channels, filters, int(n)) for n in sizes])
        self.adversarial_weight = float(tcfg.get("adversarial_weight", 0.0))
        self.feature_matching_weight = float(tcfg.get("feature_matching_weight", 0.0))

    @staticmethod
    def enabled(tcfg):
        return bool(tcfg.get("adversarial_weight", 0.0) or tcfg.get("feature_matching_weight", 0.0))

    def generator_loss(self, y, x):
        """The autoencoder's part: (weighted sum, parts). The discriminator's weights get gradients too; its optimiser
        step zeroes them first."""
        adversarial, matching = 0.0, 0.0
        for scale in self.scales:
            logits_fake, features_fake = scale(y)
            with torch.no_grad():
                _, features_real = scale(x)
            adversarial = adversarial - logits_fake.mean()
            matching = matching + sum((real - fake).abs().mean() for real, fake in zip(features_real, features_fake)) / len(features_fake)
        adversarial, matching = adversarial / len(self.scales), matching / len(self.scales)
        total = self.adversarial_weight * adversarial + self.feature_matching_weight * matching
        return total, dict(adversarial=adversarial.item(), feature_matching=matching.item())

    def discriminator_loss(self, y, x):
        """Hinge loss of the discriminator on reals x and (detached) reconstructions y."""
        loss = 0.0
        for scale in self.scales:
            loss = loss + F.relu(1 - scale(x)[0]).mean() + F.relu(1 + scale(y.detach())[0]).mean()
        return loss / len(self.scales)


def _rescaled_convolutions(layer):
    """The weight-normalised convolutions that set a layer's gain: the layer itself if it is one, else the direct
    children of its `layers` (an Oobleck block's strided or transposed convolution, not those inside residual units)."""
    if hasattr(layer, "weight_g"):
        return [layer]
    return [child for child in getattr(layer, "layers", []) if hasattr(child, "weight_g")]


def _rms(t):
    return float(t.pow(2).mean().sqrt())


@torch.no_grad()
def initialize_for_unit_gain(model, x, iterations=3, decoder_only=False):
    """Data-dependent initialisation (LSUV-like) of the weight-norm magnitudes g, applied before the first step.

    PyTorch's default init contracts what varies between inputs: a ConvTranspose1d [in, out, 2s] draws weights with
    variance 1/(3·out·2s) but sums in·2 of them per output sample, a gain of √(in / (3·out·s)) (0.29–0.41 for the
    Oobleck decoder blocks). Five blocks put the part of the output that depends on the latent ~60 dB under the part
    that does not (Snake's sin² offsets through the upsamplers), and training on 2 CPU cores stalls there: the
    decoder settles on one input-independent output. For each top-level layer in turn, g of its own convolutions is
    multiplied by rms(Δ_in)/rms(Δ_out), where Δ is the difference between the activations of two halves of a batch,
    so that each layer passes input differences with unit gain; the decoder's last convolution instead maps them
    to the audio's own differences. Only magnitudes change; directions and the architecture stay SAT's. With
    `decoder_only` (a fresh decoder on a trained encoder, `--init-encoder`) the encoder is left as it is and the
    decoder is calibrated on its latents."""
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

    latent_a, latent_b = (model.encoder(a), model.encoder(b)) if decoder_only else \
        calibrate(list(model.encoder.layers), a, b)
    mean_a, mean_b = latent_a.chunk(2, dim=1)[0], latent_b.chunk(2, dim=1)[0]
    calibrate(list(model.decoder.layers), mean_a, mean_b, final_target=_rms(a - b))


@torch.no_grad()
def _set_convolution_weight(convolution, weight):
    """Makes `weight` the effective weight of a convolution, weight-normalised (SAT's WNConv1d / WNConvTranspose1d,
    weight_norm over dim 0: weight = g · v / ‖v‖) or not: v = weight, g = ‖weight‖ over all but dim 0."""
    if hasattr(convolution, "weight_v"):
        convolution.weight_v.copy_(weight)
        convolution.weight_g.copy_(weight.flatten(1).norm(dim=1).reshape(convolution.weight_g.shape))
    else:
        convolution.weight.copy_(weight)


def balance_polyphase(convolution):
    """Gives a ConvTranspose1d (weight [in, out, K], stride s) the same response to a constant input at every output
    phase. Its output at sample t sums the taps k ≡ t + padding (mod s), so a constant input c gives
      y[t] = b + Σ_i c_i S_i,o,r,   S_i,o,r = Σ_{k ≡ r (mod s)} w[i, o, k],
    a pattern of period s unless S is the same for every phase r. Each tap of phase r moves by
    (mean_r' S − S_r) / n_r (n_r taps share phase r), which makes S equal to its mean over the phases."""
    stride = convolution.stride[0]
    weight = convolution.weight.detach().clone()
    phase = torch.arange(weight.shape[-1], device=weight.device) % stride
    taps = torch.bincount(phase, minlength=stride).to(weight.dtype)
    sums = torch.stack([weight[..., phase == r].sum(-1) for r in range(stride)], -1)  # [in, out, s]
    weight -= ((sums - sums.mean(-1, keepdim=True)) / taps)[..., phase]
    _set_convolution_weight(convolution, weight)


@torch.no_grad()
def center_common_mode(model, x, decoder_only=False):
    """Data-dependent centring (session 11), the other half of `initialize_for_unit_gain`: removes the part of every
    layer's output that is the same for all inputs, which the unit-gain init leaves in place.

    Snake (x + sin²(αx)/β) adds a positive offset to every channel, convolutions carry it on, and each
    ConvTranspose1d turns a constant input into a pattern of period `stride`. Measured on 32 held-out tones at init
    (`vae_small.json`, unit-gain init): the output's input-independent part had RMS 1.22 against 0.13 for the part
    that depends on the input, 19 dB above it; already 6× above it in the latent means. Trained on fresh tone batches
    from there, the decoder first learns to cancel that part and settles on one input-independent output.

    Here: every ConvTranspose1d is `balance_polyphase`d; then, in one forward pass over x in layer order, every
    convolution with a bias subtracts the per-channel mean of its output (over batch and time) from that bias, and
    the decoder's bias-free last convolution loses the component of its weight that answers its input's
    per-channel mean m: w[o, :, k] −= (Σ_i,k w[o, i, k] m_i) / (K ‖m‖²) · m. Only the biases, the transposed
    convolutions' taps and that last weight move; the other weights and the architecture stay SAT's. With
    `decoder_only` only the decoder's convolutions change (the encoder's output is then whatever it is)."""
    convolutions = [m for m in (model.decoder if decoder_only else model).modules()
                    if isinstance(m, (torch.nn.Conv1d, torch.nn.ConvTranspose1d))]
    for convolution in convolutions:
        if isinstance(convolution, torch.nn.ConvTranspose1d):
            balance_polyphase(convolution)

    def subtract_mean(module, inputs, output):
        if module.bias is not None:
            mean = output.mean((0, 2))
            module.bias.sub_(mean)
            return output - mean[None, :, None]
        if isinstance(module, torch.nn.ConvTranspose1d):
            return output  # none in the Oobleck VAE
        input_mean = inputs[0].mean((0, 2))
        weight = module.weight.detach().clone()
        response = (weight.sum(-1) * input_mean).sum(-1)  # [out]: the output's answer to the input's mean
        weight -= (response / (input_mean.pow(2).sum().clamp(min=1e-12) * weight.shape[-1]))[:, None, None] \
            * input_mean[None, :, None]
        _set_convolution_weight(module, weight)
        return module._conv_forward(inputs[0], weight, None)

    handles = [convolution.register_forward_hook(subtract_mean) for convolution in convolutions]
    try:
        model.decode(model.encoder(x).chunk(2, dim=1)[0])
    finally:
        for handle in handles:
            handle.remove()


def initialize_fresh(model, x, rounds=2, centred=True, decoder_only=False):
    """The init of a fresh VAE: `initialize_for_unit_gain`, then (with `centred`, the default since session 11)
    `rounds` times `center_common_mode` followed by the unit-gain calibration again (centring changes what Snake
    sees, hence the gains), and a last centring. Measured on 32 held-out tones (vae_small, crop 8192): the output's
    input-independent part falls from RMS 1.22 to 0.034, about the sampling floor of a 32-item mean, while the
    input-dependent part is 0.185. With `decoder_only`, every step leaves the encoder as it is (`--init-encoder`)."""
    initialize_for_unit_gain(model, x, decoder_only=decoder_only)
    if not centred:
        return
    for _ in range(rounds):
        center_common_mode(model, x, decoder_only)
        initialize_for_unit_gain(model, x, decoder_only=decoder_only)
    center_common_mode(model, x, decoder_only)


def encode_with_noise_ramp(model, x, ramp):
    """SAT's `VAEBottleneck.encode` (bottleneck.vae_sample) with the sampling noise scaled by `ramp` in [0, 1]:
    stdev = softplus(scale) + 1e-4,  z = mean + ramp · stdev · ε,  KL = Σ_c (mean² + stdev² − ln stdev² − 1), batch mean.
    ramp = 1 is exactly SAT's bottleneck; the KL is returned unscaled."""
    mean, scale = model.encoder(x).chunk(2, dim=1)
    stdev = F.softplus(scale) + 1e-4
    variance = stdev * stdev
    kl = (mean * mean + variance - torch.log(variance) - 1).sum(1).mean()
    return mean + ramp * stdev * torch.randn_like(mean), kl


def apply_training_overrides(training, items):
    """Applies `--set KEY=VALUE` items (VALUE is JSON, KEY one of TRAINING_KEYS) to a config's training block in place;
    a malformed item stops with a message naming it."""
    for item in items:
        key, separator, value = item.partition("=")
        if not separator or key not in TRAINING_KEYS:
            raise SystemExit(f"--set {item}: expected KEY=VALUE with KEY one of {', '.join(sorted(TRAINING_KEYS))}")
        try:
            training[key] = json.loads(value)
        except json.JSONDecodeError as error:
            raise SystemExit(f"--set {item}: the value is not JSON ({error})")


def optimizer_step(optimizer, loss, lr=None, clip=10.0):
    """zero_grad, backward, set lr (when scheduled), clip the gradient norm of the optimiser's parameters at `clip`,
    step; returns the norm before clipping."""
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    parameters = [p for group in optimizer.param_groups for p in group["params"]]
    if lr is not None:
        for group in optimizer.param_groups:
            group["lr"] = lr
    norm = torch.nn.utils.clip_grad_norm_(parameters, clip)
    optimizer.step()
    return float(norm)


def adamw(parameters, training, lr):
    """The recipe's optimiser: AdamW with the training block's betas and weight decay."""
    return torch.optim.AdamW(parameters, lr=lr, betas=tuple(training["betas"]), weight_decay=training["weight_decay"])


def build_adversarial(training, audio_channels, lr, device="cpu"):
    """(AdversarialTerms, its AdamW) when the training block switches them on, else (None, None)."""
    if not AdversarialTerms.enabled(training):
        return None, None
    adversarial = AdversarialTerms(training, audio_channels).to(device)
    return adversarial, adamw(adversarial.parameters(), training, lr)


def build_position_probe(training, latent_dim, device="cpu"):
    """(PositionProbe, its parameters as a list) when the training block sets `position_probe_weight`, else
    (None, []); the caller's optimiser holds the parameters beside the VAE's."""
    if not training.get("position_probe_weight"):
        return None, []
    probe = PositionProbe(latent_dim).to(device)
    return probe, list(probe.parameters())


def build_spectrum_probe(training, latent_dim, ratio, device="cpu"):
    """(SpectrumProbe, its parameters as a list) when the training block sets `spectrum_probe_weight`, else
    (None, []), as `build_position_probe`."""
    if not training.get("spectrum_probe_weight"):
        return None, []
    probe = SpectrumProbe(latent_dim, ratio).to(device)
    return probe, list(probe.parameters())


def load_encoder(model, cfg, path):
    """Loads the encoder of the train_vae checkpoint `path` into `model` (built from `cfg`), for a fresh decoder on
    it (`--init-encoder`). Stops, naming the file and the key, when the checkpoint's encoder block differs from
    cfg's or a tensor is missing or misshapen."""
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=False)
    except (OSError, RuntimeError, EOFError) as error:
        raise SystemExit(f"{path}: cannot read the checkpoint ({error})")
    if not isinstance(checkpoint, dict) or "model" not in checkpoint or "config" not in checkpoint:
        raise SystemExit(f"{path}: not a train_vae checkpoint (needs 'model' and 'config')")
    theirs, ours = checkpoint["config"]["model"].get("encoder"), cfg["model"]["encoder"]
    if theirs != ours:
        raise SystemExit(f"{path}: model.encoder is {json.dumps(theirs)}, the config's is {json.dumps(ours)}")
    state = {k[len("encoder."):]: v for k, v in checkpoint["model"].items() if k.startswith("encoder.")}
    try:
        model.encoder.load_state_dict(state)
    except RuntimeError as error:
        raise SystemExit(f"{path}: its encoder tensors do not fit the config's encoder ({error})")


def training_step(model, loss_function, optimizer, x, ramp, step, lr=None, adversarial=None,
                  discriminator_optimizer=None, freeze_encoder=False, position_probe=None, latents=None,
                  spectrum_probe=None, position_channel=None):
    """One step of `train_vae` on the batch x (`step` counts from 0; `ramp` as in `encode_with_noise_ramp`, which
    also scales the KL). With `adversarial`, odd steps update the discriminator on the detached reconstruction (SAT's
    alternation) and even steps the VAE on VAELoss plus the adversarial terms; without it every step is the VAE's.
    With `position_probe` (whose parameters the optimiser holds too), its distance on z, times the training block's
    `position_probe_weight`, joins the VAE's loss; so does `spectrum_probe`'s (`spectrum_probe_weight`). With `latents`,
    the decoder is trained on them instead of on the encoder's sample (no encoder, no noise, no KL: `vae_init_check.py
    --oracle-latents`). With `position_channel` (a `position_channel.PositionChannel`), the encoder's sample has that
    channel redrawn from the input's L/R energy difference before the decoder sees it. Returns the parts to log."""
    if adversarial is not None and step % 2 == 1:
        with torch.no_grad():
            y = model.decode(encode_with_noise_ramp(model, x, ramp)[0])
        loss = adversarial.discriminator_loss(y, x)
        return dict(discriminator=loss.item(), discriminator_gnorm=optimizer_step(discriminator_optimizer, loss, lr))
    if latents is not None:
        z, kl = latents, torch.zeros(())
    else:
        with torch.set_grad_enabled(not freeze_encoder):
            z, kl = encode_with_noise_ramp(model, x, ramp)
    if position_channel is not None:
        z = position_channel.sample(z, x)
    y = model.decode(z)
    loss, parts = loss_function(y, x, kl * ramp, step)
    for name, probe in (("position_probe", position_probe), ("spectrum_probe", spectrum_probe)):
        if probe is not None:
            distance = probe.distance(z, x)
            loss = loss + loss_function.t[f"{name}_weight"] * distance
            parts[name] = distance.item()
    if adversarial is not None:
        adversarial_loss, adversarial_parts = adversarial.generator_loss(y, x)
        loss = loss + adversarial_loss
        parts.update(adversarial_parts)
    parts.update(loss=loss.item(), gnorm=optimizer_step(optimizer, loss, lr))
    return parts


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
    ap.add_argument("--keep-steps", default="", metavar="N,N,...",
                    help="also keep the weights at these steps as stepNNNNNNN.pt (besides every 20 saves), "
                         "so a run can be judged part-way without stopping it")
    ap.add_argument("--log-every", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", default=None, help="start from this checkpoint's weights (new optimizer)")
    ap.add_argument("--init-encoder", default=None, metavar="CKPT",
                    help="with --freeze-encoder: a fresh decoder (this config's, of any width) on the encoder of "
                         "this checkpoint, whose encoder block must equal the config's (session 48)")
    ap.add_argument("--freeze-encoder", action="store_true",
                    help="decoder-only finetuning: the latent space (and pre-encoded latents) stay valid")
    ap.add_argument("--position-channel", default=None, metavar="C:GAIN:STDEV",
                    help="with --freeze-encoder: the decoder sees latent channel C replaced by the input's L/R energy "
                         "difference times GAIN (position_channel.py); recorded in the checkpoint's config")
    ap.add_argument("--lr", type=float, default=0.0, help="learning rate (default: the config's learning_rate)")
    ap.add_argument("--warmup-steps", type=int, default=None,
                    help="linear warm-up from 0 over this many steps (default: the config's warmup_steps, else 0)")
    ap.add_argument("--default-init", action="store_true",
                    help="keep PyTorch's default init on a fresh start instead of initialize_for_unit_gain (the recipe "
                         "before session 3, whose decoder stalled on one input-independent output)")
    ap.add_argument("--uncentred-init", action="store_true",
                    help="unit-gain init without center_common_mode (the recipe of sessions 3-10, whose output at init "
                         "is dominated by an input-independent part)")
    add_cosine_arguments(ap)
    add_time_limit_argument(ap)
    ap.add_argument("--noise-ramp-steps", type=int, default=None,
                    help="(default: the config's noise_ramp_steps on a fresh run, 0 with --init) ramp the bottleneck's sampling noise and the KL weight from 0 to 1 over this many steps: "
                         "a plain autoencoder first, so the decoder learns to use the latents before they are noisy")
    ap.add_argument("--reload-until", type=int, default=10 ** 9, help="re-read metadata every 500 steps below this size")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override one key of the config's training block (VALUE is JSON, e.g. --set level_weight=1.0); "
                         "repeatable; the overridden config is saved in the checkpoints, pass the same --set on resume")
    a = ap.parse_args(argv)
    try:
        keep_steps = {int(value) for value in a.keep_steps.split(",") if value.strip()}
    except ValueError:
        ap.error(f"--keep-steps: expected comma-separated step numbers, got {a.keep_steps!r}")
    set_threads(a.threads)
    dev = pick_device(a.device)
    cfg = load_json(a.config)
    tc = cfg["training"]
    apply_training_overrides(tc, a.set)
    bs = a.batch_size or tc["batch_size"]
    if a.warmup_steps is None:
        a.warmup_steps = tc.get("warmup_steps", 0)
    if a.init_encoder and (a.init or not a.freeze_encoder):
        ap.error("--init-encoder needs --freeze-encoder and excludes --init")
    if a.noise_ramp_steps is None:  # the ramp is for fresh encoders; a run from a trained one keeps SAT's bottleneck
        a.noise_ramp_steps = 0 if a.init or a.init_encoder else tc.get("noise_ramp_steps", 0)
    position_channel = None
    if a.position_channel:
        from .position_channel import PositionChannel  # it imports this module
        if not a.freeze_encoder:
            ap.error("--position-channel needs --freeze-encoder (the encoder learns it in position_channel.py)")
        try:
            position_channel = PositionChannel.parse(a.position_channel)
            position_channel.check(cfg["model"]["latent_dim"])
        except ValueError as error:
            ap.error(str(error))
        cfg["position_channel"] = position_channel.record()
    peak_lr = a.lr or tc["learning_rate"]
    os.makedirs(a.ckpt, exist_ok=True)
    torch.manual_seed(a.seed)
    model = build_vae(cfg).to(dev)
    loss_fn = VAELoss(tc).to(dev)
    if a.init and not os.path.exists(os.path.join(a.ckpt, "last.pt")):
        model.load_state_dict(torch.load(a.init, map_location="cpu", weights_only=False)["model"])
        print(f"[vae] initialised from {a.init}", flush=True)
    if a.init_encoder and not os.path.exists(os.path.join(a.ckpt, "last.pt")):
        load_encoder(model, cfg, a.init_encoder)
        print(f"[vae] encoder from {a.init_encoder}, fresh decoder", flush=True)
    if a.freeze_encoder:
        model.encoder.requires_grad_(False)
    # the latent probes are trained beside the VAE, in its optimiser, and kept in its checkpoints
    position_probe, probe_parameters = build_position_probe(tc, cfg["model"]["latent_dim"], dev)
    spectrum_probe, spectrum_parameters = build_spectrum_probe(tc, cfg["model"]["latent_dim"],
                                                               cfg["model"]["downsampling_ratio"], dev)
    probes = {"position_probe": position_probe, "spectrum_probe": spectrum_probe}
    opt = adamw([p for p in model.parameters() if p.requires_grad] + probe_parameters + spectrum_parameters, tc,
                peak_lr)
    adversarial, opt_disc = build_adversarial(tc, cfg["audio_channels"], peak_lr, dev)
    step, wall_prev = 0, 0.0
    last = os.path.join(a.ckpt, "last.pt")
    if os.path.exists(last):
        st = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(st["model"])
        for name, probe in probes.items():
            if (probe is not None) != (name in st):
                raise SystemExit(f"{last}: the checkpoint was saved {'with' if name in st else 'without'} the "
                                 f"{name.replace('_', ' ')}; resume with the same {name}_weight setting (0 or not)")
            if probe is not None:
                probe.load_state_dict(st[name])
        opt.load_state_dict(st["opt"])
        if adversarial is not None and "discriminator" in st:  # a run that switches it on later starts it fresh
            adversarial.load_state_dict(st["discriminator"])
            opt_disc.load_state_dict(st["discriminator_opt"])
        step, wall_prev = st["step"], st.get("wall", 0.0)
        print(f"[vae] resumed at step {step}", flush=True)
    metas = read_meta(a.corpus, "train")
    fresh_unit_gain = step == 0 and not a.init and not a.default_init
    # what this run's weights started from, for the log (a resumed run's init was logged when it began)
    init_kind = ("resumed" if step > 0 else "from --init" if a.init else "pytorch default" if a.default_init
                 else ("encoder from --init-encoder, decoder " if a.init_encoder else "")
                 + "unit gain, " + ("uncentred" if a.uncentred_init else "common mode centred"))
    if fresh_unit_gain:
        initialize_fresh(model, CropSampler(a.corpus, metas, tc["crop"], a.seed + 10 ** 6).batch(16).to(dev),
                         centred=not a.uncentred_init, decoder_only=bool(a.init_encoder))
        print(f"[vae] fresh init: {init_kind}", flush=True)
    first_cosine_step = cosine_start(a, step)
    sampler = CropSampler(a.corpus, metas, tc["crop"], a.seed + step, tc.get("synthetic_tone_fraction", 0.0),
                          tc.get("silent_tail_fraction", 0.0))
    log = Logger(os.path.join(a.ckpt, "train_log.jsonl"))
    log.log(event="start", step=step, device=str(dev), params=sum(p.numel() for p in model.parameters()),
            clips=len(metas), batch=bs, crop=tc["crop"], lr=peak_lr, warmup_steps=a.warmup_steps,
            noise_ramp_steps=a.noise_ramp_steps, cosine_steps=a.cosine_steps, cosine_from=first_cosine_step, training=tc,
            init=init_kind,
            discriminator_params=0 if adversarial is None else sum(p.numel() for p in adversarial.parameters()))
    model.train()
    t_start = time.time()
    acc, counts, nacc, t_last = {}, {}, 0, time.time()
    while step < a.steps:
        if step % 500 == 0 and len(sampler.metas) < a.reload_until:  # corpus may still be rendering
            sampler.metas = read_meta(a.corpus, "train")
        x = sampler.batch(bs).to(dev)
        ramp = min(1.0, step / a.noise_ramp_steps) if a.noise_ramp_steps else 1.0
        lr = learning_rate_at(step, peak_lr, a.warmup_steps, first_cosine_step, a.cosine_steps) if a.warmup_steps or a.cosine_steps else None
        parts = training_step(model, loss_fn, opt, x, ramp, step, lr, adversarial, opt_disc, a.freeze_encoder,
                              position_probe, spectrum_probe=spectrum_probe, position_channel=position_channel)
        step += 1
        out_of_time = past_time_limit(a, t_start)
        for k, v in parts.items():
            acc[k] = acc.get(k, 0.0) + v
            counts[k] = counts.get(k, 0) + 1
        nacc += 1
        wall = wall_prev + time.time() - t_start
        if step % a.log_every == 0:
            dt = time.time() - t_last
            log.log(step=step, steps_per_s=nacc / dt, audio_s_per_s=nacc * bs * tc["crop"] / 44100 / dt,
                    total_wall=wall, **{k: v / counts[k] for k, v in acc.items()})
            acc, counts, nacc, t_last = {}, {}, 0, time.time()
        if step % a.save_every == 0 or step == a.steps or out_of_time:
            extra = {} if adversarial is None else dict(discriminator=adversarial.state_dict(), discriminator_opt=opt_disc.state_dict())
            extra.update({name: probe.state_dict() for name, probe in probes.items() if probe is not None})
            save_ckpt(last, model=model.state_dict(), opt=opt.state_dict(), step=step, wall=wall, config=cfg, **extra)
        if step % (a.save_every * 20) == 0 or step in keep_steps or out_of_time:
            save_ckpt(os.path.join(a.ckpt, f"step{step:07d}.pt"), model=model.state_dict(), step=step, config=cfg,
                      wall=wall)
        if out_of_time:
            log.log(event="time_limit", step=step, max_seconds=a.max_seconds)
            break


if __name__ == "__main__":
    main()
