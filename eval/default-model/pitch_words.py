"""Does a model follow pitch words in the corpus's own phrasings? Six (lower, higher) prompt pairs worded as training
captions are, each rendered by the Swift engine with both prompts from one seed (the pair bar's paired design) for
seeds 11-14, 3 s, 30 steps, CFG 6, the `fit` window (`--window full` samples the whole window, as SAT does); each
clip's spectral centroid is measures.spectral_centroid, the pitch pairs' measure. A pair-seed counts as ordered when
the higher prompt's centroid is the higher (ties wrong).

  PYTHONPATH=. python eval/default-model/pitch_words.py --model shipped=models/default \
      --model d20_6300=/work/checkpoints/export20_6300 --out /tmp/pitch_words.json

Where the bar's held-out pitch pairs fail, this tells whether the words themselves are not followed or only their
unseen phrasings.
"""
import argparse, json, os, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measures import spectral_centroid
from swift_engine import swift_gen_fn

PAIRS = [
    ("low-pitched pure sine tone", "high-pitched pure sine tone"),
    ("square wave tone low pitch", "square wave tone high pitch"),
    ("pure sine tone, playing c3", "pure sine tone, playing c6"),
    ("piano single note low pitch", "piano single note high pitch"),
    ("strings, low-pitched", "strings, high-pitched"),
    ("flute, mid-pitched", "flute, high-pitched"),
]
SEEDS = (11, 12, 13, 14)


def labelled_path(text):
    """The --model value LABEL=PATH (these pitch checks' common form; PATH a model folder, or for the VAE checks also
    a train_vae checkpoint) -> (label, path)."""
    label, separator, path = text.partition("=")
    if not separator or not label or not path:
        raise argparse.ArgumentTypeError(f"expected LABEL=PATH, got {text!r}")
    return label, path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append", required=True, type=labelled_path,
                    help="LABEL=exported model folder (repeatable)")
    ap.add_argument("--binary", default=".build/release/stable-audio")
    ap.add_argument("--window", choices=["fit", "full"], default="fit")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    report = dict(command=" ".join(sys.argv), seeds=list(SEEDS), seconds=3.0, steps=30, cfg_scale=6.0, window=a.window,
                  runs={})
    for label, folder in a.model:
        rows = []
        for low, high in PAIRS:
            lows, highs = [], []
            for seed in SEEDS:
                gen = swift_gen_fn(folder, 30, 6.0, seed, a.binary, window=a.window)
                # one call per prompt, so both prompts of a seed start from the same noise (seed + 0)
                lows.append(spectral_centroid(gen([low], [3.0])[0]))
                highs.append(spectral_centroid(gen([high], [3.0])[0]))
            ordered = sum(h > l for l, h in zip(lows, highs))
            rows.append(dict(pair=[low, high], low_hz=[round(v, 1) for v in lows], high_hz=[round(v, 1) for v in highs],
                             ordered=ordered, median_high_over_low=float(np.median(np.array(highs) / np.array(lows)))))
            print(f"{label:10} {ordered}/{len(SEEDS)} low {np.median(lows):7.0f} Hz  high {np.median(highs):7.0f} Hz  "
                  f"{low!r} / {high!r}", flush=True)
        report["runs"][label] = dict(model=folder, pairs=rows,
                                     ordered=sum(r["ordered"] for r in rows), of=len(rows) * len(SEEDS))
    with open(a.out, "w") as fh:
        json.dump(report, fh, indent=1)
    for label, run in report["runs"].items():
        print(label, f"{run['ordered']}/{run['of']}")


if __name__ == "__main__":
    main()
