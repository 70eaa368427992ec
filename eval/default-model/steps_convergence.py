"""Session 44: how far an N-step render is from the converged one, on the Swift engine with a model's own defaults.

dpmpp-2m integrates the probability-flow ODE, so with the seed fixed a render converges as the step count grows. The
quality bars (run_eval.py) judge a render by coarse measures against the prompt, and the bundled model is far from its
data (FD-mel ratio about 130), so they cannot see a sampler's discretisation error. This script measures it directly:
each prompt is rendered with the same seed at every count in `--steps` and at `--reference` steps, and

    mel_l1(a, b) = mean over bands and frames of |ln mel(a) − ln mel(b)|       (measures.log_mel: 128 bands, hop 512)
    mrstft(a, b) = auraloss MultiResolutionSTFTLoss() with its defaults (the VAE bar's distance)

are taken between each N-step render and the reference render. For scale, the same distances between the reference
render and a reference render of the same prompt with another seed (`seed + --other-seed-offset`): the change that a
new seed makes, which no step count can remove. Everything else (CFG scale and interval, rescale, window, sampler and
σ range) is the model's default.

    PYTHONPATH=. python eval/default-model/steps_convergence.py --model models/default --steps 10,20,30,50 \
        --reference 100 --out OUT.json
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measures as M  # noqa: E402
from swift_engine import rendered_batch  # noqa: E402

# Families across the corpus: noise-like, tonal, rhythmic and instrumental, in the caption vocabulary.
PROMPTS = ["heavy rain", "white noise hiss", "howling wind", "car engine idling", "doorbell chime, high in volume",
           "high sine tone", "police siren", "rock drum beat at 120 bpm", "knocking on a door, three knocks",
           "piano melody", "footsteps on gravel", "rumbling thunder, reverberant"]


def render_all(binary, model, steps, seconds, seeds):
    """{(prompt index, seed): float32 audio [2, n]} for every prompt and seed at `steps` (one batch call)."""
    items = [{"prompt": prompt, "seconds": seconds, "seed": seed, "name": f"p{i}-s{seed}"}
             for i, prompt in enumerate(PROMPTS) for seed in seeds]
    with rendered_batch(binary, model, items, ["--steps", str(steps), "--bit-depth", "32f"]) as (out, manifest):
        failed = [item for item in manifest["items"] if item.get("status") != "ok"]
        if failed:
            raise RuntimeError(f"--steps {steps}: {len(failed)} items failed: {json.dumps(failed)[:2000]}")
        audio = {}
        for i in range(len(PROMPTS)):
            for seed in seeds:
                x, rate = sf.read(os.path.join(out, f"p{i}-s{seed}.wav"), dtype="float32", always_2d=True)
                if rate != M.SR:
                    raise ValueError(f"--steps {steps}: p{i}-s{seed}.wav is {rate} Hz, not {M.SR}")
                audio[(i, seed)] = x.T
        return audio


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="models/default")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "..", ".build", "release", "stable-audio"))
    ap.add_argument("--steps", default="10,20,30,50", help="step counts to compare with the reference")
    ap.add_argument("--reference", type=int, default=100, help="the step count taken as converged")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=44)
    ap.add_argument("--other-seed-offset", type=int, default=500)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    import auraloss
    import torch
    counts = [int(v) for v in a.steps.split(",")]
    if any(n <= 0 or n >= a.reference for n in counts):
        raise SystemExit(f"--steps {a.steps}: every count must lie between 1 and --reference {a.reference} - 1")
    binary = os.path.abspath(a.binary)
    other = a.seed + a.other_seed_offset
    reference = render_all(binary, a.model, a.reference, a.seconds, [a.seed, other])
    mrstft = auraloss.freq.MultiResolutionSTFTLoss()

    def distances(x, y):
        mel = float(np.mean(np.abs(M.log_mel(x) - M.log_mel(y))))
        with torch.no_grad():
            stft = float(mrstft(torch.from_numpy(x)[None], torch.from_numpy(y)[None]))
        return dict(mel_l1=mel, mrstft=stft)

    def summary(rows):
        return {k: dict(median=statistics.median(r[k] for r in rows), mean=statistics.fmean(r[k] for r in rows))
                for k in ("mel_l1", "mrstft")}

    seed_rows = [distances(reference[(i, a.seed)], reference[(i, other)]) for i in range(len(PROMPTS))]
    result = dict(command=" ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:]), time=time.strftime("%Y-%m-%d %H:%M:%S"),
                  model=a.model, prompts=PROMPTS, seconds=a.seconds, seed=a.seed, reference_steps=a.reference,
                  other_seed=dict(seed=other, per_prompt=seed_rows, **summary(seed_rows)), steps={})
    print(f"another seed at {a.reference} steps: {json.dumps(summary(seed_rows))}", flush=True)
    for n in counts:
        rendered = render_all(binary, a.model, n, a.seconds, [a.seed])
        rows = [distances(rendered[(i, a.seed)], reference[(i, a.seed)]) for i in range(len(PROMPTS))]
        result["steps"][str(n)] = dict(per_prompt=rows, **summary(rows))
        print(f"{n} steps against {a.reference}: {json.dumps(summary(rows))}", flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
