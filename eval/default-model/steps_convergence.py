"""Session 44: how far an N-step render is from the converged one, on the Swift engine with a model's own defaults.

dpmpp-2m integrates the probability-flow ODE, so with the seed fixed a render converges as the step count grows. The
quality bars (run_eval.py) judge a render by coarse measures against the prompt, and the bundled model is far from its
data (FD-mel ratio about 130), so they cannot see a sampler's discretisation error. This script measures it directly:
prompt i is rendered with seed `--seed` + i at every count in `--steps` and at `--reference` steps, and

    mel_l1(a, b) = mean over bands and frames of |ln mel(a) − ln mel(b)|       (measures.log_mel: 128 bands, hop 512)
    mrstft(a, b) = auraloss MultiResolutionSTFTLoss() with its defaults (the VAE bar's distance)

are taken between each N-step render and the reference render. For scale, the same distances between the reference
render and a reference render of the same prompt with another seed (`--seed` + 1000 + i): the change that a new seed
makes, which no step count can remove. Everything else (CFG scale and interval, rescale, window, sampler and
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measures as M  # noqa: E402
from swift_engine import swift_gen_fn  # noqa: E402

# Families across the corpus: noise-like, tonal, rhythmic and instrumental, in the caption vocabulary.
PROMPTS = ["heavy rain", "white noise hiss", "howling wind", "car engine idling", "doorbell chime, high in volume",
           "high sine tone", "police siren", "rock drum beat at 120 bpm", "knocking on a door, three knocks",
           "piano melody", "footsteps on gravel", "rumbling thunder, reverberant"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="models/default")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "..", ".build", "release", "stable-audio"))
    ap.add_argument("--steps", default="10,20,30,50", help="step counts to compare with the reference")
    ap.add_argument("--reference", type=int, default=100, help="the step count taken as converged")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--seed", type=int, default=44)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    import auraloss
    import torch
    counts = [int(v) for v in a.steps.split(",")]
    if any(n <= 0 or n >= a.reference for n in counts):
        raise SystemExit(f"--steps {a.steps}: every count must lie between 1 and --reference {a.reference} - 1")
    binary = os.path.abspath(a.binary)
    seconds = [a.seconds] * len(PROMPTS)

    def render(steps, seed_offset=0):
        """The prompts at `steps` with the model's other defaults; prompt i gets seed + 1000 · seed_offset + i."""
        return swift_gen_fn(a.model, steps, None, a.seed, binary, sampler=None)(PROMPTS, seconds, seed_offset)

    reference = render(a.reference)
    reference_mel = [M.log_mel(x) for x in reference]
    mrstft = auraloss.freq.MultiResolutionSTFTLoss()

    def distances(clips):
        """Per prompt: mel_l1 and mrstft of `clips` against the reference renders."""
        rows = []
        for x, y, y_mel in zip(clips, reference, reference_mel):
            with torch.no_grad():
                stft = float(mrstft(torch.from_numpy(x)[None], torch.from_numpy(y)[None]))
            rows.append(dict(mel_l1=float(np.mean(np.abs(M.log_mel(x) - y_mel))), mrstft=stft))
        return rows

    def summary(rows):
        return {k: dict(median=statistics.median(r[k] for r in rows), mean=statistics.fmean(r[k] for r in rows))
                for k in ("mel_l1", "mrstft")}

    seed_rows = distances(render(a.reference, seed_offset=1))
    result = dict(command=" ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:]), time=time.strftime("%Y-%m-%d %H:%M:%S"),
                  model=a.model, prompts=PROMPTS, seconds=a.seconds, seeds=f"{a.seed} + prompt index",
                  reference_steps=a.reference,
                  other_seed=dict(seeds=f"{a.seed} + 1000 + prompt index", per_prompt=seed_rows, **summary(seed_rows)),
                  steps={})
    print(f"another seed at {a.reference} steps: {json.dumps(summary(seed_rows))}", flush=True)
    for n in counts:
        rows = distances(render(n))
        result["steps"][str(n)] = dict(per_prompt=rows, **summary(rows))
        print(f"{n} steps against {a.reference}: {json.dumps(summary(rows))}", flush=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
