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
    ap.add_argument("--interval", default="0.1,1", help="LO,HI to time against 0,1")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    low, high = (float(v) for v in a.interval.split(","))
    binary = os.path.abspath(a.binary)
    times = {"0,1": [], a.interval: []}
    for r in range(a.rounds):
        order = ["0,1", a.interval] if r % 2 == 0 else [a.interval, "0,1"]
        for interval in order:
            sampling, total = render(binary, a.model, a.steps, interval, a.seconds, 1000 * r)
            times[interval].append(dict(sampling=sampling, total=total))
            print(f"round {r} interval {interval}: sampling {sampling:.2f} s, total {total:.2f} s", flush=True)
    median = {k: {part: statistics.median(t[part] for t in v) for part in ("sampling", "total")} for k, v in times.items()}
    result = dict(
        command=" ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:]),
        time=time.strftime("%Y-%m-%d %H:%M:%S"), model=a.model, steps=a.steps, seconds_per_clip=a.seconds,
        clips_per_call=len(PROMPTS), rounds=a.rounds, interval=a.interval,
        unguided_steps=unguided_steps(a.steps, *sigma_range(a.model), low, high),
        runs=times, median=median,
        sampling_ratio=statistics.median(g["sampling"] / i["sampling"] for g, i in zip(times["0,1"], times[a.interval])),
        total_ratio=statistics.median(g["total"] / i["total"] for g, i in zip(times["0,1"], times[a.interval])))
    print(json.dumps({k: result[k] for k in ("unguided_steps", "median", "sampling_ratio", "total_ratio")}, indent=1))
    if a.out:
        with open(a.out, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
