"""Generation backend for run_eval.py that renders with the Swift engine (`stable-audio generate --batch`).

The issue's quality bars are to be measured on the Swift engine once it generates. This backend has the same contract
as run_eval.gen_fn's generator: g(prompts, seconds, seed_offset=0) -> list of float32 arrays [2, round(s*44100)].

Each call writes one batch list (JSONL: prompt, seconds, seed, name) and runs

    stable-audio generate --batch LIST --out-dir DIR -m MODEL --steps N --cfg-scale X --sampler SAMPLER \
        --bit-depth 32f --progress none --overwrite [--window fit|full] [--cfg-rescale PHI] [--cfg-interval LO,HI]

(`--window`, `--cfg-rescale` and `--cfg-interval` only when given, and `--cfg-scale` and `--sampler` unless None;
otherwise the model's defaults apply.)

Item i of a call gets seed = base_seed + 1000 * seed_offset + i (PyTorch's backend draws one batch of noise per call
instead; the two engines' noise differs anyway). 32-bit float WAVs keep the samples exactly as the engine made them.
A failed item raises with the engine's message from manifest.json.
"""
import contextlib
import json
import math
import os
import subprocess
import tempfile

import soundfile as sf


def require_binary(binary):
    """Raises unless `binary` is an executable file."""
    if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
        raise FileNotFoundError(f"{binary}: no stable-audio executable (swift build -c release --product stable-audio)")


@contextlib.contextmanager
def rendered_batch(binary, model_dir, items, options, workdir=None):
    """Runs `stable-audio generate --batch` on `items` (dicts with prompt, seconds, seed, name) with the extra CLI
    `options`, and yields (output folder, manifest.json) while the temporary output still exists. Raises with the
    engine's message when it wrote no manifest (a failed item is reported in the manifest, not raised)."""
    require_binary(binary)
    with tempfile.TemporaryDirectory(dir=workdir) as d:
        batch = os.path.join(d, "batch.jsonl")
        with open(batch, "w") as f:
            for item in items:
                f.write(json.dumps(item) + "\n")
        out = os.path.join(d, "out")
        cmd = [binary, "generate", "--batch", batch, "--out-dir", out, "-m", model_dir, "--progress", "none",
               "--overwrite"] + list(options)
        run = subprocess.run(cmd, capture_output=True, text=True)
        manifest_path = os.path.join(out, "manifest.json")
        if not os.path.exists(manifest_path):
            raise RuntimeError(f"stable-audio generate failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
        with open(manifest_path) as f:
            manifest = json.load(f)
        manifest["stderr"] = run.stderr.strip()[-2000:]
        yield out, manifest


def swift_gen_fn(model_dir, steps, cfg_scale, seed, binary, sampler="dpmpp-2m", workdir=None, window=None,
                 cfg_rescale=None, cfg_interval=None):
    require_binary(binary)  # at once, before the caller's other work
    options = ["--steps", str(steps), "--bit-depth", "32f"] \
        + (["--cfg-scale", str(cfg_scale)] if cfg_scale is not None else []) \
        + (["--sampler", sampler] if sampler else []) \
        + (["--window", window] if window else []) \
        + (["--cfg-rescale", str(cfg_rescale)] if cfg_rescale is not None else []) \
        + (["--cfg-interval", cfg_interval] if cfg_interval else [])

    def g(prompts, seconds, seed_offset=0):
        items = [{"prompt": p, "seconds": float(s), "seed": seed + 1000 * seed_offset + i, "name": f"item-{i:04d}"}
                 for i, (p, s) in enumerate(zip(prompts, seconds))]
        with rendered_batch(binary, model_dir, items, options, workdir) as (out, manifest):
            clips = []
            for i in range(len(prompts)):
                path = os.path.join(out, f"item-{i:04d}.wav")
                if not os.path.exists(path):
                    raise RuntimeError(f"item {i} ({prompts[i]!r}) was not rendered: {json.dumps(manifest)[:4000]}")
                audio, rate = sf.read(path, dtype="float32", always_2d=True)
                # the engine rounds S·44100 half away from zero (Python's round() would round half to even)
                frames = int(math.floor(float(seconds[i]) * 44100 + 0.5))
                if rate != 44100 or audio.shape[1] != 2 or audio.shape[0] != frames:
                    raise RuntimeError(f"{path}: {rate} Hz, shape {audio.shape}, expected 44100 Hz stereo {frames} frames")
                clips.append(audio.T.copy())
            return clips
    return g
