"""Does a model follow movement words in the corpus's own phrasings, or only miss the held-out one? The four sound
sources of the bar's movement pairs (contrast_pairs.json, `movement_*`), each followed by every phrasing of
left-to-right and right-to-left movement in corpus/captions.py (the three training phrasings and the held-out one, in
matching order), rendered by the Swift engine with both directions from one seed (the pair bar's paired design) for
seeds 11-13, 4 s, 30 steps, the model's CFG and the `full` window; each clip is judged by measures.pan_trajectory
(the movement pairs' measure: the slope of the L/R balance over active frames, negative = moves left to right). A
pair-seed counts as ordered when the left-to-right render's slope is the lower (ties wrong), as the bar counts it.

  PYTHONPATH=. python eval/default-model/movement_words.py --model shipped=models/default --out /tmp/movement.json

Where the bar's movement pairs fail, this tells whether movement is not rendered at all or only the held-out
phrasing ("moving to the right from the left") is not understood.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
from measures import pan_trajectory  # noqa: E402
from pitch_words import labelled_path  # noqa: E402
from swift_engine import swift_gen_fn  # noqa: E402
from models.training.corpus.captions import ATTR  # noqa: E402

SEEDS = (11, 12, 13)
SECONDS = 4.0
STEPS = 30


def movement_sources(pairs_path):
    """The sound source of each movement pair: its 'a' prompt up to the movement phrase."""
    with open(pairs_path) as fh:
        pairs = json.load(fh)
    sources = []
    for pair in pairs:
        if pair["category"] == "movement":
            source, separator, _ = pair["a"]["prompt"].partition(", moving")
            if not separator:
                raise ValueError(f"{pairs_path}: {pair['id']}: no ', moving' in {pair['a']['prompt']!r}")
            sources.append(source)
    if not sources:
        raise ValueError(f"{pairs_path}: no movement pairs")
    return sources


def phrasings():
    """[(kind, left-to-right phrase, right-to-left phrase)]: the training phrasings, then the held-out ones."""
    train_lr, held_lr = ATTR[("position", "left_to_right")]
    train_rl, held_rl = ATTR[("position", "right_to_left")]
    if len(train_lr) != len(train_rl) or len(held_lr) != len(held_rl):
        raise ValueError("captions.ATTR: the two movement directions have different numbers of phrasings")
    return ([("train", lr, rl) for lr, rl in zip(train_lr, train_rl)]
            + [("held-out", lr, rl) for lr, rl in zip(held_lr, held_rl)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append", required=True, type=labelled_path,
                    help="LABEL=exported model folder (repeatable)")
    ap.add_argument("--binary", default=".build/release/stable-audio")
    ap.add_argument("--cfg", type=float, default=4.5)
    ap.add_argument("--pairs", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "contrast_pairs.json"))
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    sources = movement_sources(a.pairs)
    report = dict(command=" ".join(sys.argv), seeds=list(SEEDS), seconds=SECONDS, steps=STEPS, cfg_scale=a.cfg,
                  window="full", measure="pan_trajectory (dB of L/R balance per 2048-sample frame; negative = to the right)",
                  runs={})
    for label, folder in a.model:
        rows = []
        for kind, left_to_right, right_to_left in phrasings():
            for source in sources:
                slopes_lr, slopes_rl = [], []
                for seed in SEEDS:
                    gen = swift_gen_fn(folder, STEPS, a.cfg, seed, a.binary, window="full")
                    # one call per prompt, so both directions of a seed start from the same noise (seed + 0)
                    slopes_lr.append(pan_trajectory(gen([f"{source}, {left_to_right}"], [SECONDS])[0]))
                    slopes_rl.append(pan_trajectory(gen([f"{source}, {right_to_left}"], [SECONDS])[0]))
                ordered = sum(lr < rl for lr, rl in zip(slopes_lr, slopes_rl))
                rows.append(dict(kind=kind, phrasing=[left_to_right, right_to_left], source=source,
                                 slope_left_to_right=[round(v, 5) for v in slopes_lr],
                                 slope_right_to_left=[round(v, 5) for v in slopes_rl], ordered=ordered))
                print(f"{label:10} {kind:8} {ordered}/{len(SEEDS)}  L>R {np.median(slopes_lr):+.4f}  "
                      f"R>L {np.median(slopes_rl):+.4f}  {source!r}, {left_to_right!r}", flush=True)
        summary = {}
        for kind in ("train", "held-out"):
            mine = [r for r in rows if r["kind"] == kind]
            margins = [rl - lr for r in mine for lr, rl in zip(r["slope_left_to_right"], r["slope_right_to_left"])]
            summary[kind] = dict(ordered=sum(r["ordered"] for r in mine), of=len(mine) * len(SEEDS),
                                 median_margin=round(float(np.median(margins)), 5))
        report["runs"][label] = dict(model=folder, rows=rows, summary=summary)
    with open(a.out, "w") as fh:
        json.dump(report, fh, indent=1)
    for label, run in report["runs"].items():
        print(label, json.dumps(run["summary"]))


if __name__ == "__main__":
    main()
