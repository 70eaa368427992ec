"""Stage 3: pre-encode the corpus with the frozen VAE encoder (posterior mean and stdev, fp16), in resumable shards.

  python -m models.training.encode_latents --vae /work/checkpoints/vae/last.pt --out /work/checkpoints/latents

Each clip's window is its sound followed by silence. Only the sound plus a margin is run through the encoder; the
frames after that are filled with the latent of silence (encoder output for an all-zero input), which is what a
full-window encode gives there up to edge effects that the margin absorbs.

`--position-channel C:GAIN:STDEV` (session 40, `position_channel.py`) replaces latent channel C of every frame by the
clip's L/R energy difference times GAIN (silence: 0) and its stdev by STDEV, so the latents carry stereo position that
the shipped encoder erases; the other channels are the encoder's.
"""
import argparse
import glob
import os
import time

import numpy as np
import torch

from .common import load_clip, load_json, pick_device, read_meta, set_threads
from .position_channel import PositionChannel, posterior_parts
from .train_vae import build_vae


def load_vae(path, dev):
    st = torch.load(path, map_location="cpu", weights_only=False)
    vae = build_vae(st["config"])
    vae.load_state_dict(st["model"])
    return vae.to(dev).eval(), st


@torch.no_grad()
def posterior(vae, x):
    """x [B,2,T] -> (mean, stdev) [B,latent,T/ratio] (SAT VAEBottleneck parameterisation; `posterior_parts`)."""
    return posterior_parts(vae.encoder, x)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--vae", default="/work/checkpoints/vae/last.pt")
    ap.add_argument("--out", default="/work/checkpoints/latents")
    ap.add_argument("--window", type=int, default=262144)
    ap.add_argument("--shard", type=int, default=500)
    ap.add_argument("--max-clips", type=int, default=0)
    ap.add_argument("--split", default="train")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--part", default="0/1", metavar="K/N",
                    help="encode only the shards whose index is K modulo N, so that N processes share one device")
    ap.add_argument("--position-channel", default=None, metavar="C:GAIN:STDEV",
                    help="replace latent channel C by the L/R energy difference times GAIN (position_channel.py)")
    a = ap.parse_args(argv)
    try:
        part, parts = (int(v) for v in a.part.split("/"))
    except ValueError:
        ap.error(f"--part: expected K/N, got {a.part!r}")
    if not 0 <= part < parts:
        ap.error(f"--part {a.part}: K must be in [0, N)")
    try:
        channel = PositionChannel.parse(a.position_channel) if a.position_channel else None
    except ValueError as error:
        ap.error(str(error))
    set_threads(a.threads)
    dev = pick_device(a.device)
    os.makedirs(a.out, exist_ok=True)
    vae, st = load_vae(a.vae, dev)
    if channel is not None:
        channel.check(st["config"]["model"]["latent_dim"])
    record = None if channel is None else channel.record()
    ratio = st["config"]["model"]["downsampling_ratio"]
    frames = a.window // ratio
    # latent of silence: middle frame of an all-zero encode
    m0, s0 = posterior(vae, torch.zeros(1, 2, ratio * 32, device=dev))
    if channel is not None:
        m0, s0 = channel.replace(m0, s0, torch.zeros(1, 2, ratio * 32, device=dev))
    sil_m, sil_s = m0[0, :, 16].cpu(), s0[0, :, 16].cpu()
    if part == 0:
        torch.save(dict(mean=sil_m, std=sil_s, vae_step=st["step"], position_channel=record),
                   os.path.join(a.out, "silence.pt"))
    metas = read_meta(a.corpus, a.split)
    if a.max_clips:
        metas = metas[: a.max_clips]
    t0 = time.time()
    margin = 8
    for si in range(0, len(metas), a.shard):
        path = os.path.join(a.out, f"{a.split}_{si // a.shard:05d}.pt")
        if (si // a.shard) % parts != part or os.path.exists(path):
            continue
        chunk = metas[si: si + a.shard]
        means = torch.empty(len(chunk), sil_m.shape[0], frames, dtype=torch.float16)
        stds = torch.empty_like(means)
        for i, m in enumerate(chunk):
            n = int(round(m["seconds_total"] * 44100))
            keep = min(frames, -(-n // ratio) + margin // 2)
            enc = min(frames, keep + margin // 2)
            x = torch.from_numpy(load_clip(a.corpus, m, 0, enc * ratio))[None].to(dev)
            mu, sd = posterior(vae, x)
            if channel is not None:
                mu, sd = channel.replace(mu, sd, x)
            means[i] = sil_m[:, None].to(torch.float16)
            stds[i] = sil_s[:, None].to(torch.float16)
            means[i, :, :keep] = mu[0, :, :keep].cpu().to(torch.float16)
            stds[i, :, :keep] = sd[0, :, :keep].cpu().to(torch.float16)
        torch.save(dict(ids=[m["id"] for m in chunk], mean=means, std=stds, vae_step=st["step"],
                        position_channel=record), path + ".tmp")
        os.replace(path + ".tmp", path)
        done = si + len(chunk)
        print(f"[encode] {done}/{len(metas)} clips, {done / (time.time() - t0):.2f} clips/s", flush=True)


if __name__ == "__main__":
    main()
