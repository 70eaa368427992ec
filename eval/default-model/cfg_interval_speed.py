"""Session 43: what a CFG interval saves, timed side by side on one machine with the release engine.

Outside the interval (σ_v = sin(tπ/2) = σ/√(1+σ²) not in LO…HI) a step runs the U-Net once instead of on the doubled
CFG batch. The script renders the same batch of prompts with guidance at every step (`--cfg-interval 0,1`) and with
`--cfg-interval LO,HI`, alternating which goes first, ROUNDS times, and reports each setting's median of the engine's
own sampling and total seconds (manifest.json `timings`, summed over the batch) and the median over rounds of the
ratio within a round (this shared VM's speed drifts by ±15% between minutes, so only a round's two back-to-back
batches are compared). It also counts the steps the interval leaves unguided on SAT's polyexponential schedule with
ρ = 1 and the model's σ range (its config's `stable_audio_swift`, else the U-Net defaults 0.01…100),
    σᵢ = exp(ln σ_min + (1 − i/(n−1))·(ln σ_max − ln σ_min)),  i = 0…n−1,
one model evaluation per step for dpmpp-2m.

    python eval/default-model/cfg_interval_speed.py --model models/default --steps 30 --interval 0.3,1 --out OUT.json

Session 44 made the baseline a setting of its own (`--baseline-steps`, `--baseline-interval`; defaults: `--steps` and
0,1), so that step counts can be timed against each other the same way, e.g. 30 against 50 steps, both at 0.3,1:

    python eval/default-model/cfg_interval_speed.py --steps 30 --interval 0.3,1 --baseline-steps 50 \
        --baseline-interval 0.3,1 --out OUT.json
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from swift_engine import rendered_batch  # noqa: E402

PROMPTS = ["hiss of white noise", "sound of heavy rain", "chime of a doorbell, high in volume",
           "drum beat, rock groove, at a tempo of 120 bpm"]


def unguided_steps(steps, sigma_min, sigma_max, low, high):
    """How many of the schedule's `steps` evaluations fall outside σ_v ∈ [low, high]."""
    outside = 0
    for i in range(steps):
        ramp = 1 - i / (steps - 1)
        sigma = math.exp(math.log(sigma_min) + ramp * (math.log(sigma_max) - math.log(sigma_min)))
        sigma_v = sigma / math.sqrt(1 + sigma * sigma)
        outside += not (low <= sigma_v <= high)
    return outside


def sigma_range(model):
    """(σ_min, σ_max) from the model folder's config (`stable_audio_swift`), else the engine's U-Net defaults."""
    path = os.path.join(model, "model_config.json")
    with open(path) as f:
        section = json.load(f).get("stable_audio_swift", {})
    low, high = section.get("sigma_min", 0.01), section.get("sigma_max", 100.0)
    if not (isinstance(low, (int, float)) and isinstance(high, (int, float)) and 0 < low < high):
        raise SystemExit(f"{path}: stable_audio_swift sigma_min {low!r} / sigma_max {high!r} is not a range")
    return float(low), float(high)


def render(binary, model, steps, interval, seconds, seed):
    """Seconds of sampling and in all, summed over PROMPTS, for one `stable-audio generate --batch` call."""
    items = [{"prompt": prompt, "seconds": seconds, "seed": seed + i, "name": f"item-{i}"} for i, prompt in enumerate(PROMPTS)]
    with rendered_batch(binary, model, items, ["--steps", str(steps), "--cfg-interval", interval]) as (_, manifest):
        if any(item.get("status") != "ok" for item in manifest["items"]):
            raise RuntimeError(f"--cfg-interval {interval}: an item failed: {json.dumps(manifest)[:4000]}")
        return (sum(item["timings"]["sampling"] for item in manifest["items"]),
                sum(item["timings"]["total"] for item in manifest["items"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="models/default")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "..", ".build", "release", "stable-audio"))
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--interval", default="0.1,1", help="LO,HI to time against the baseline")
    ap.add_argument("--baseline-steps", type=int, default=None, help="the baseline's steps (default: --steps)")
    ap.add_argument("--baseline-interval", default="0,1", help="the baseline's LO,HI (default 0,1: every step guided)")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    sigmas = sigma_range(a.model)
    # Each setting is (steps, interval); the label names both.
    baseline = (a.baseline_steps or a.steps, a.baseline_interval)
    candidate = (a.steps, a.interval)
    if baseline == candidate:
        raise SystemExit(f"the baseline and the candidate are the same setting: {candidate}")
    label = {setting: f"{setting[0]} steps, {setting[1]}" for setting in (baseline, candidate)}
    times = {setting: [] for setting in (baseline, candidate)}
    for r in range(a.rounds):
        order = [baseline, candidate] if r % 2 == 0 else [candidate, baseline]
        for steps, interval in order:
            sampling, total = render(binary, a.model, steps, interval, a.seconds, 1000 * r)
            times[(steps, interval)].append(dict(sampling=sampling, total=total))
            print(f"round {r} {label[(steps, interval)]}: sampling {sampling:.2f} s, total {total:.2f} s", flush=True)

    def unguided(setting):
        low, high = (float(v) for v in setting[1].split(","))
        return unguided_steps(setting[0], *sigmas, low, high)

    def ratio(part):
        """Median over rounds of baseline time / candidate time within the round."""
        return statistics.median(b[part] / c[part] for b, c in zip(times[baseline], times[candidate]))

    median = {label[k]: {part: statistics.median(t[part] for t in v) for part in ("sampling", "total")}
              for k, v in times.items()}
    result = dict(
        command=" ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:]),
        time=time.strftime("%Y-%m-%d %H:%M:%S"), model=a.model, steps=a.steps, seconds_per_clip=a.seconds,
        clips_per_call=len(PROMPTS), rounds=a.rounds, interval=a.interval,
        baseline=dict(steps=baseline[0], interval=baseline[1], unguided_steps=unguided(baseline)),
        unguided_steps=unguided(candidate),
        runs={label[k]: v for k, v in times.items()}, median=median,
        sampling_ratio=ratio("sampling"), total_ratio=ratio("total"))
    print(json.dumps({k: result[k] for k in ("baseline", "unguided_steps", "median", "sampling_ratio", "total_ratio")},
                     indent=1))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
