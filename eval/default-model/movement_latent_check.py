"""Do the training latents carry movement? For the first N train clips of each stereo position, the change of the
position channel (`encode_latents --position-channel`, channel 9 of latents40) over the clip's sound:
    change = slope of a least-squares line through the channel's posterior means over the sound's frames × frames
(p_t = (E_L − E_R) / (E_L + E_R): +1 hard left, −1 hard right, so a left-to-right movement falls by about 2). If the
moving clips' latents ramp the right way, a U-Net that renders both directions alike has not learned it; the targets
are not at fault.

    PYTHONPATH=. python eval/default-model/movement_latent_check.py --latents /work/checkpoints/latents40 \
        --out /tmp/movement_latents.json

Session 46: left to right −2.03 (all 200 falling), right to left +1.99 (all 200 rising), static left −0.08, static
right +0.11 (the first 200 train clips whose caption states each).
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
from models.training.common import save_json  # noqa: E402
from models.training.train_diffusion import LatentSet  # noqa: E402

POSITIONS = ("left_to_right", "right_to_left", "left", "right")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--latents", required=True)
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--channel", type=int, default=9)
    ap.add_argument("--window-seconds", type=float, default=262144 / 44100)
    ap.add_argument("--clips", type=int, default=200, help="clips per position")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    data = LatentSet(a.latents, a.corpus)
    if not 0 <= a.channel < data.mean.shape[1]:
        raise SystemExit(f"--channel {a.channel}: the latents have {data.mean.shape[1]} channels")
    frames = data.mean.shape[-1]
    changes = {p: [] for p in POSITIONS}
    for i, meta in enumerate(data.meta):
        position = meta.get("stated", {}).get("position")
        if position not in changes or len(changes[position]) >= a.clips:
            continue
        sound = min(frames, math.ceil(meta["seconds_total"] / a.window_seconds * frames))
        if sound < 8:
            continue
        channel = data.mean[i, a.channel, :sound].float().numpy()
        changes[position].append(float(np.polyfit(np.arange(sound), channel, 1)[0] * sound))
    rows = {p: dict(clips=len(v), median_change=round(float(np.median(v)), 3),
                    share_rising=round(float(np.mean(np.asarray(v) > 0)), 3)) for p, v in changes.items() if v}
    result = dict(command=" ".join(sys.argv), latents=a.latents, channel=a.channel, positions=rows)
    save_json(a.out, result)
    for position, row in rows.items():
        print(f"{position:14s} {row['clips']:4d} clips  median change {row['median_change']:+.3f}  "
              f"rising {row['share_rising']:.2f}")


if __name__ == "__main__":
    main()
