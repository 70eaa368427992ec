"""How much of the family bar's judge is the family? Classifies held-out eval clips with sfx-clap-mini as they are and
after generic, model-free degradations of the kind a VAE or a generator adds, and reports family top-1 for each.

  PYTHONPATH=. python eval/default-model/clap_degradation_check.py --per-family 5 \
      [--clap models/sfx-clap-mini OTHER_EXPORT ...]   # one or more judges, each on the same degraded clips
      [--model models/default]                         # also the shipped model's VAE round trip, for comparison

The degradations (each applied to the clip's own window, both channels alike unless stated):
  mono            L = R = (L + R) / 2: stereo position erased, level and spectrum kept
  low-pass F      linear-phase FIR (train_vae.lowpass_kernel: 511-tap Blackman windowed sinc, -6 dB at F)
  high band -G dB x_low + 10^(-G/20) (x - x_low) with x_low the 4 kHz low-pass: the band above 4 kHz G dB darker,
                  the shape session 25-27's VAEs leave
  noise at -D dBFS  + independent white noise per channel of RMS 10^(-D/20) over the whole window
  gain -12 dB     x / 4
Every condition is judged on the same clips, so the differences are the degradation's alone. A judge whose top-1
falls far under a degradation that leaves the sound's family audible is measuring the degradation, not the family:
that bounds what the bar's number can say about a model whose output carries that degradation.
"""
import argparse
import collections
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_eval as R  # noqa: E402
from models.training.common import load_clip, read_meta  # noqa: E402
from models.training.train_clap import WINDOW  # noqa: E402
from models.training.train_vae import lowpass_kernel  # noqa: E402


def lowpass(x, cutoff_hz):
    """x [2, n] through lowpass_kernel(cutoff_hz), same length (zero padding at both ends)."""
    kernel = lowpass_kernel(cutoff_hz)
    y = F.conv1d(torch.as_tensor(x, dtype=torch.float32)[:, None], kernel, padding=kernel.shape[-1] // 2)
    return y[:, 0].numpy()


def white_noise(x, dbfs, seed):
    return x + 10 ** (dbfs / 20) * np.random.default_rng(seed).standard_normal(x.shape).astype(np.float32)


def degradations(seed):
    """name -> fn(x [2, n]) -> [2, n]."""
    d = {"original": lambda x: x,
         "mono": lambda x: np.repeat(x.mean(axis=0, keepdims=True), 2, axis=0)}
    for cutoff in (12000, 8000, 4000):
        d[f"low-pass {cutoff // 1000} kHz"] = lambda x, c=cutoff: lowpass(x, c)
    for gap_db in (6, 12):
        d[f"band above 4 kHz -{gap_db} dB"] = lambda x, g=gap_db: (
            lambda low: low + 10 ** (-g / 20) * (x - low))(lowpass(x, 4000))
    for dbfs in (-50, -40, -30):
        d[f"white noise at {dbfs} dBFS"] = lambda x, level=dbfs: white_noise(x, level, seed)
    d["gain -12 dB"] = lambda x: x / 4
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clap", nargs="+", default=["models/sfx-clap-mini"], help="sfx-clap-mini export folder(s)")
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--per-family", type=int, default=5, help="eval clips per family (the first N of each)")
    ap.add_argument("--model", help="exported model folder: also its VAE round trip (posterior sampled, seed 0)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0, help="seed of the added noise")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    judges = {folder: R.load_classifier(folder) for folder in a.clap}
    by_family = collections.defaultdict(list)
    for meta in read_meta(a.corpus, "eval"):
        by_family[meta["family"]].append(meta)
    chosen = [meta for family in sorted(by_family) for meta in by_family[family][:a.per_family]]
    conditions = degradations(a.seed)
    if a.model:
        _, model, _ = R.gen_fn(a.model, 10, 6.0, 0)
        conditions[f"VAE round trip ({a.model})"] = R.vae_roundtrip_fn(model.pretransform)

    # (judge, condition) -> counts
    correct = collections.Counter()
    correct_by_family = collections.defaultdict(collections.Counter)
    predicted = collections.defaultdict(collections.Counter)
    report_every = max(1, len(chosen) // 10)
    for done, meta in enumerate(chosen, 1):
        x = load_clip(a.corpus, meta, 0, WINDOW).astype(np.float32)
        for name, degrade in conditions.items():
            y = degrade(x)
            for judge, classify in judges.items():
                probs = classify(y)
                guess = max(probs, key=probs.get)
                hit = guess == meta["family"]
                correct[judge, name] += hit
                correct_by_family[judge, name][meta["family"]] += hit
                predicted[judge, name][guess] += 1
        if done % report_every == 0 or done == len(chosen):  # progress on stderr; the result alone goes to stdout
            print(f"{done}/{len(chosen)} clips", file=sys.stderr, flush=True)
    families = sorted(by_family)
    result = {"command": " ".join(sys.argv), "clips": len(chosen), "families": len(families), "judges": {}}
    for judge in judges:
        result["judges"][judge] = {
            "family_top1": {name: round(correct[judge, name] / len(chosen), 4) for name in conditions},
            "most_predicted": {name: predicted[judge, name].most_common(3) for name in conditions},
            "families_at_or_below_half": {
                name: sorted(f for f in families
                             if correct_by_family[judge, name][f] <= len(by_family[f][:a.per_family]) / 2)
                for name in conditions}}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
