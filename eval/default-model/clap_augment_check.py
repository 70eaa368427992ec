"""Does clap_augment's feature-space noise look like real added noise? For the first N eval clips (every 4th of the
first 4N), white noise of RMS 10^(D/20) per channel is added to the waveform over the clip's length and its features
computed (train_clap.Features.raw); beside it, FeatureDegradation (filter off, noise always on, at the same level)
is applied to the clean features stored as float16, as the cache holds them. Reports per level the mean |feature
change| that the real noise makes (channel 0: log-mel mid, channel 1: log L/R ratio) and the mean |difference|
between the real and the simulated result: the simulation is useful when the second is far below the first.

  PYTHONPATH=. python eval/default-model/clap_augment_check.py [--clips 10] [--levels -70 -50 -40]
"""
import argparse
import json
import sys

import numpy as np
import torch

from models.training.clap_augment import FeatureDegradation
from models.training.common import load_clip, read_meta
from models.training.train_clap import HOP, N_FFT, WINDOW, Features


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--clips", type=int, default=10)
    ap.add_argument("--levels", type=float, nargs="+", default=[-70.0, -50.0, -40.0], help="noise RMS in dBFS")
    a = ap.parse_args()
    torch.set_num_threads(1)
    features = Features()
    simulate = FeatureDegradation(features.fb, 44100, N_FFT, HOP, p_filter=0.0, p_noise=1.0)
    metas = read_meta(a.corpus, "eval")[:4 * a.clips:4]
    result = {"command": " ".join(sys.argv), "clips": len(metas), "levels": {}}
    for dbfs in a.levels:
        simulate.noise_power = lambda n, generator, d=dbfs: (
            10 ** (d / 10) * simulate.window_power * torch.ones(n, features.fb.shape[0]))[:, :, None]
        real_change, simulation_error = [], []
        for meta in metas:
            x = load_clip(a.corpus, meta, 0, WINDOW)
            n = min(int(round(meta["seconds_total"] * 44100)), WINDOW)
            noise = np.zeros_like(x)
            noise[:, :n] = 10 ** (dbfs / 20) * np.random.default_rng(0).standard_normal((2, n))
            with torch.no_grad():
                clean = features.raw(torch.from_numpy(x)[None])
                real = features.raw(torch.from_numpy(x + noise.astype(np.float32))[None])
            simulated = simulate(clean.half(), torch.tensor([n]), torch.Generator().manual_seed(0))
            real_change.append((real - clean).abs().mean(dim=(0, 2, 3)).numpy())
            simulation_error.append((real - simulated).abs().mean(dim=(0, 2, 3)).numpy())
        result["levels"][f"{dbfs:g} dBFS"] = {
            "real_change_ch0_ch1": [round(float(v), 3) for v in np.mean(real_change, axis=0)],
            "real_minus_simulated_ch0_ch1": [round(float(v), 3) for v in np.mean(simulation_error, axis=0)]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
