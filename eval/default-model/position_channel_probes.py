"""The small measurements behind session 40's position channel (models/training/position_channel.py), in one run:

  python eval/default-model/position_channel_probes.py --vae /work/checkpoints/restored39/vae.pt --model models/default

* `channel_sensitivity`: each latent channel of the VAE set to its mean over 10 eval clips (every 20th of the first
  200, the first 64 latent frames), decoded; the RMS change of the output and the change of auraloss's MR-STFT
  distance to the source (defaults). The position channel should be one the decoder barely reads.
* `channel_spread`: per channel, the spread (std) of the posterior means and the mean posterior stdev over the sound
  of the first 120 eval clips.
* `silence_latent`: the VAE's posterior of digital silence (mean, stdev) on each channel.
* `target_variance`: the mean of p_t² (p_t = `PositionProbe.target`) over 10 training batches of 8 crops of 65,536
  samples (`CropSampler`, seed 5): what the encoder's channel error is when it outputs 0.
* `prompt_embeddings` (with --model): the relative distance ‖a − b‖ / ‖a‖ between the prompt conditioner's outputs for
  a movement pair and a position pair of the contrast set.
"""
import argparse
import json
import os
import sys

import auraloss
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models.training.common import load_clip, read_meta
from models.training.encode_latents import load_vae, posterior
from models.training.train_vae import CropSampler, PositionProbe

PROMPT_PAIRS = {
    "movement": ("hiss of pink noise, moving to the right from the left",
                 "hiss of pink noise, moving to the left from the right"),
    "position": ("hiss of pink noise, on the left", "hiss of pink noise, on the right"),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vae", required=True, help="train_vae checkpoint (the shipped VAE: restore's vae.pt)")
    ap.add_argument("--model", default=None, help="exported model folder, for the prompt embeddings")
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    vae, state = load_vae(a.vae, "cpu")
    ratio = state["config"]["model"]["downsampling_ratio"]
    metas = read_meta(a.corpus, "eval")
    out = dict(vae=a.vae, vae_step=state["step"])
    with torch.no_grad():
        x = torch.stack([torch.from_numpy(load_clip(a.corpus, m, 0, 64 * ratio)) for m in metas[:200:20]])
        z = posterior(vae, x)[0]
        base = vae.decode(z)
        distance = auraloss.freq.MultiResolutionSTFTLoss()
        base_distance = float(distance(base, x))
        sensitivity = {}
        for channel in range(z.shape[1]):
            flat = z.clone()
            flat[:, channel] = z[:, channel].mean()
            y = vae.decode(flat)
            sensitivity[channel] = dict(rms_change=round(float((y - base).pow(2).mean().sqrt()), 4),
                                        mrstft_change=round(float(distance(y, x)) - base_distance, 3))
        out["channel_sensitivity"] = dict(mrstft=round(base_distance, 3), per_channel=sensitivity)
        means, stdevs = [], []
        for meta in metas[:120]:
            frames = -(-int(round(meta["seconds_total"] * 44100)) // ratio)
            mean, stdev = posterior(vae, torch.from_numpy(load_clip(a.corpus, meta, 0, frames * ratio))[None])
            means.append(mean[0]), stdevs.append(stdev[0])
        means, stdevs = torch.cat(means, 1), torch.cat(stdevs, 1)
        out["channel_spread"] = {c: dict(mean_std=round(float(means[c].std()), 3),
                                         posterior_stdev=round(float(stdevs[c].mean()), 3))
                                 for c in range(means.shape[0])}
        mean, stdev = posterior(vae, torch.zeros(1, 2, 32 * ratio))
        out["silence_latent"] = {c: dict(mean=round(float(mean[0, c, 16]), 3), stdev=round(float(stdev[0, c, 16]), 3))
                                 for c in range(mean.shape[1])}
    sampler = CropSampler(a.corpus, read_meta(a.corpus, "train"), 65536, 5)
    squares = [float(PositionProbe.target(sampler.batch(8), 65536 // ratio)[0].pow(2).mean()) for _ in range(10)]
    out["target_variance"] = round(float(np.mean(squares)), 4)
    if a.model:
        import run_eval
        _, model, _ = run_eval.gen_fn(a.model, 10, 4.5, 0)

        def embed(prompt):
            return model.conditioner([{"prompt": prompt, "seconds_start": 0, "seconds_total": 4}], "cpu")["prompt"][0][0]

        out["prompt_embeddings"] = {}
        for name, (first, second) in PROMPT_PAIRS.items():
            e1, e2 = embed(first), embed(second)
            out["prompt_embeddings"][name] = dict(a=first, b=second,
                                                  relative_distance=round(float((e1 - e2).norm() / e1.norm()), 3))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
