"""Which steady sines does a VAE carry, and where is the rest lost: in the encoder or in the decoder?

For sines on a half-octave grid from 60 Hz to 7.7 kHz (1.5 s, amplitude 0.3, centred) it reports, per VAE:
  * the round trip (encode with a posterior sample, torch seed 0, then decode, as `run_eval.vae_roundtrip_fn`;
    `--decode-mean` decodes the posterior mean instead): the strongest frequency of the output
    (`synthetic_tones.strongest_frequency`), the share of its energy within a semitone of the input's frequency (dB),
    and its level against the input's (dB). A sine is *kept* when the strongest frequency is within a semitone and
    that share is above −3 dB.
  * the latent (posterior mean, the frames at least 5 frames from either end): the average over frames of |mean| and
    the standard deviation over frames averaged over channels (a sine carried as a waveform varies from frame to
    frame), and each sine's distance to the nearest other sine of the grid, ‖m̄_f − m̄_g‖ of the frame-averaged means.
    Set it against the posterior's standard deviation and against the distances between the sines the VAE keeps:
    latents that differ little from each other leave a decoder little to render, and a diffusion model's error less.

  PYTHONPATH=. python eval/default-model/vae_sine_sweep.py --model shipped=models/default \
      --model vae20=/work/checkpoints/vae20_r512wpb/last.pt --out /tmp/sine_sweep.json

--model takes an exported model folder or a train_vae checkpoint (LABEL=PATH, repeatable). Session 23 used it to
qualify session 22's reading of the register probe ("the encoder keeps register, the decoder drops it"): vae20 carries
the sines up to 480 Hz as frame-to-frame waveform detail, and encodes every sine from 679 Hz up as a small, nearly
constant latent, close to the other high sines' (`results_s23_sines.json`).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_eval as R  # noqa: E402
from measures import level_gap_db  # noqa: E402
from pitch_words import labelled_path  # noqa: E402
from vae_pitch_check import posterior_mean, within_semitone  # noqa: E402
from models.training.synthetic_tones import strongest_frequency  # noqa: E402

RATE = 44100
SECONDS = 1.5
AMPLITUDE = 0.3
EDGE_FRAMES = 5
SEMITONE = 2 ** (1 / 12)
# half-octave grid: 60 · 2^(k/2) Hz, k = 0…14 (60 Hz … 7.7 kHz)
FREQUENCIES = [round(60 * 2 ** (k / 2)) for k in range(15)]


def sine(frequency):
    """A centred stereo sine, [2, SECONDS · RATE] float32."""
    t = np.arange(int(SECONDS * RATE)) / RATE
    return np.repeat((AMPLITUDE * np.sin(2 * np.pi * frequency * t))[None], 2, axis=0).astype(np.float32)


def band_share_db(y, frequency):
    """10 log10 of the share of the output's energy (periodogram of L + R, Hann window) within a semitone of f."""
    mono = y.sum(0)
    power = np.abs(np.fft.rfft(mono * np.hanning(mono.size))) ** 2
    bins = np.fft.rfftfreq(mono.size, 1 / RATE)
    near = (bins > frequency / SEMITONE) & (bins < frequency * SEMITONE)
    return float(10 * np.log10(power[near].sum() / max(power.sum(), 1e-30) + 1e-12))


def sweep(pretransform, decode_mean=False):
    """The per-sine table of one VAE: a list of dicts, in FREQUENCIES order. With `decode_mean` the round trip decodes
    the posterior mean instead of a sample (for autoencoders trained without the bottleneck's noise, such as
    `vae_tone_overfit.py --save`'s)."""
    roundtrip = R.vae_roundtrip_fn(pretransform)
    autoencoder, ratio = pretransform.model, pretransform.downsampling_ratio
    rows, averaged = [], []
    for frequency in FREQUENCIES:
        x = sine(frequency)
        latent = posterior_mean(autoencoder, ratio, x)
        if decode_mean:
            with torch.no_grad():
                y = autoencoder.decoder(latent)[0, :, :x.shape[-1]].numpy()
        else:
            y = roundtrip(x)
        strongest = strongest_frequency(y)
        share = band_share_db(y, frequency)
        mean = latent[0, :, EDGE_FRAMES:-EDGE_FRAMES].numpy()
        averaged.append(mean.mean(axis=1))
        rows.append(dict(hz=frequency, strongest_hz=round(strongest, 1), share_db=round(share, 1),
                         level_gap_db=round(level_gap_db(x, y), 1),
                         kept=bool(within_semitone(strongest, frequency) and share > -3.0),
                         latent_abs_mean=round(float(np.abs(mean).mean()), 3),
                         latent_frame_std=round(float(mean.std(axis=1).mean()), 3)))
    averaged = np.stack(averaged)
    distances = np.linalg.norm(averaged[:, None] - averaged[None], axis=-1)
    np.fill_diagonal(distances, np.inf)
    for row, nearest in zip(rows, distances.min(axis=1)):
        row["nearest_latent_distance"] = round(float(nearest), 3)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", action="append", required=True, type=labelled_path,
                    help="LABEL=exported model folder or train_vae checkpoint (repeatable)")
    ap.add_argument("--decode-mean", action="store_true",
                    help="decode the posterior mean, not a sample (autoencoders trained without the bottleneck's noise)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    report = dict(command=" ".join(sys.argv), frequencies_hz=FREQUENCIES, models={})
    for label, path in a.model:
        rows = sweep(R.load_pretransform(path), a.decode_mean)
        kept = [r["hz"] for r in rows if r["kept"]]
        report["models"][label] = dict(path=path, kept=f"{len(kept)} of {len(rows)}",
                                       highest_kept_hz=max(kept) if kept else None, sines=rows)
        print(f"{label}: kept {len(kept)} of {len(rows)}, highest {max(kept) if kept else None} Hz")
        print("      Hz  strongest  share dB  level dB  |latent|  frame std  nearest")
        for r in rows:
            print(f"  {r['hz']:6d} {r['strongest_hz']:10.0f} {r['share_db']:9.1f} {r['level_gap_db']:9.1f} "
                  f"{r['latent_abs_mean']:9.3f} {r['latent_frame_std']:10.3f} {r['nearest_latent_distance']:8.3f}"
                  + ("  kept" if r["kept"] else ""))
    with open(a.out, "w") as fh:
        json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
