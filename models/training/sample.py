"""Stage 6: sample from an exported model folder with SAT's own generate_diffusion_cond (k-diffusion sampler).

  python -m models.training.sample --model /work/checkpoints/export --prompt "three knocks on a door" \
      --seconds 2 --out /tmp/knock.wav [--steps 50 --cfg 6 --sampler dpmpp-2m --seed 0]

Trims the output to --seconds (SAT's UI does the same) and writes 16-bit WAV. No peak normalisation unless --normalize.
"""
import argparse
import json
import os

import numpy as np
import soundfile as sf
import torch
from safetensors.torch import load_file

from .common import pick_device, set_threads
from .t5_local import create_model


def load_model(folder, device="cpu"):
    with open(os.path.join(folder, "model_config.json")) as f:
        cfg = json.load(f)
    model = create_model(cfg, model_dir=folder)
    model.load_state_dict(load_file(os.path.join(folder, "model.safetensors")), strict=True)
    return model.to(device).eval().requires_grad_(False), cfg


def generate(model, cfg, prompts, seconds, steps=50, cfg_scale=6.0, sampler="dpmpp-2m", seed=0, device="cpu",
             sigma_min=0.01, sigma_max=100.0):
    from stable_audio_tools.inference.generation import generate_diffusion_cond
    cond = [dict(prompt=p, seconds_start=0.0, seconds_total=float(s)) for p, s in zip(prompts, seconds)]
    audio = generate_diffusion_cond(model, steps=steps, cfg_scale=cfg_scale, conditioning=cond, batch_size=len(cond),
                                    sample_size=cfg["sample_size"], seed=seed, device=device, sampler_type=sampler,
                                    sigma_min=sigma_min, sigma_max=sigma_max)
    return audio.float().cpu()


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="/work/checkpoints/export")
    ap.add_argument("--prompt", action="append", required=True)
    ap.add_argument("--seconds", type=float, action="append")
    ap.add_argument("--out", required=True, help="wav path, or a folder when several prompts are given")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--cfg", type=float, default=6.0)
    ap.add_argument("--sampler", default="dpmpp-2m")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--normalize", action="store_true")
    a = ap.parse_args(argv)
    set_threads(a.threads)
    dev = pick_device(a.device)
    model, cfg = load_model(a.model, dev)
    secs = a.seconds or [3.0]
    secs = (secs * len(a.prompt))[: len(a.prompt)] if len(secs) < len(a.prompt) else secs
    audio = generate(model, cfg, a.prompt, secs, a.steps, a.cfg, a.sampler, a.seed, str(dev))
    for i, (p, s) in enumerate(zip(a.prompt, secs)):
        x = audio[i, :, : int(round(s * cfg["sample_rate"]))].numpy()
        if a.normalize:
            x = x / max(1e-9, np.abs(x).max())
        path = a.out if len(a.prompt) == 1 else os.path.join(a.out, f"{i:03d}.wav")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        sf.write(path, np.clip(x, -1, 1).T, cfg["sample_rate"], subtype="PCM_16")
        print(f"{path}\t{s}s\t{p}\tpeak {np.abs(x).max():.3f}", flush=True)


if __name__ == "__main__":
    main()
