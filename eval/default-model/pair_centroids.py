"""How bright are a run's renders, with and without their DC? The median spectral centroid (measures.spectral_centroid,
the pitch pairs' measure) over both renders of every pair of one category in `run_eval.py`'s saved pair WAVs
(OUT/pairs/<pair id>_a.wav, _b.wav), as rendered and after measures.dc_blocked. A constant offset adds energy at 0 Hz
and in the analysis window's first bins, which pulls the centroid down; the difference between the two columns is
what a decoder's DC does to this measure.

  python eval/default-model/pair_centroids.py shipped=/tmp/eval_shipped/seed0 new=/tmp/eval_new/seed0 \
      [--category pitch] [--out /tmp/centroids.json]
"""
import argparse
import glob
import json
import os
import sys

import numpy as np
import soundfile as sf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measures as M  # noqa: E402
from pitch_words import labelled_path  # noqa: E402


def centroids(run_dir, category):
    paths = sorted(glob.glob(os.path.join(run_dir, "pairs", f"{category}_*_[ab].wav")))
    if not paths:
        raise FileNotFoundError(f"{run_dir}/pairs: no {category}_*_a.wav / _b.wav renders")
    raw, blocked = [], []
    for path in paths:
        x = sf.read(path, always_2d=True)[0].T
        raw.append(M.spectral_centroid(x))
        blocked.append(M.spectral_centroid(M.dc_blocked(x)))
    return dict(renders=len(paths), median_centroid_hz=round(float(np.median(raw)), 1),
                median_centroid_dc_blocked_hz=round(float(np.median(blocked)), 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", type=labelled_path, help="LABEL=run_eval.py --out folder")
    ap.add_argument("--category", default="pitch")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    report = dict(command=" ".join(sys.argv), category=a.category,
                  runs={label: dict(folder=folder, **centroids(folder, a.category)) for label, folder in a.runs})
    print(json.dumps(report, indent=1))
    if a.out:
        with open(a.out, "w") as fh:
            json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
