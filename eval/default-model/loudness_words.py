"""Does a model follow loudness words in the corpus's own phrasings, or only lose them in the held-out one? (session 48)

Session 47's GPU runs lost loudness pairs of the bar, whose prompts use the held-out phrasing "high/low in volume".
This renders five families of those pairs with three (quiet, loud) phrasings: "quiet"/"loud" and "at low volume"/"at
high volume" (training phrasings, corpus/captions.py) and "low in volume"/"high in volume" (the held-out one), each
pair from one seed (the pair bar's paired design) for seeds 11-13, 3 s, with the Swift engine at the bar's settings
(30 steps, CFG 4.5, the CFG interval 0.3…1, the whole window). A pair-seed counts as ordered when the loud prompt's
level (measures.MEASURES["level"], the loudness pairs' measure) is the higher (ties wrong); the margin is
level(loud) − level(quiet) in dB.

  PYTHONPATH=. python eval/default-model/loudness_words.py --model soup46=models/default \
      --model b8k=/work/checkpoints/gpu47_b8k --out /tmp/loudness_words.json

If a model orders the training phrasings and not the held-out one, it learned the phrasing; if it orders neither as
well as another model does, it follows loudness less in general.
"""
import argparse, json, os, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measures import MEASURES
from pitch_words import labelled_path
from swift_engine import swift_gen_fn

FAMILIES = ("chime of a doorbell", "melody on the piano", "hiss of brown noise", "knocking at the door",
            "sound of heavy rain")
PHRASINGS = {"training: quiet / loud": ("quiet", "loud"),
             "training: at low / high volume": ("at low volume", "at high volume"),
             "held out: low / high in volume": ("low in volume", "high in volume")}
SEEDS = (11, 12, 13)
SECONDS = 3.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append", required=True, type=labelled_path,
                    help="LABEL=exported model folder (repeatable)")
    ap.add_argument("--binary", default=".build/release/stable-audio")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    level = MEASURES["level"]
    report = dict(command=" ".join(sys.argv), seeds=list(SEEDS), seconds=SECONDS, steps=30, cfg_scale=4.5,
                  cfg_interval="0.3,1", window="full", runs={})
    for label, folder in a.model:
        run = report["runs"][label] = dict(model=folder)
        generators = {seed: swift_gen_fn(folder, 30, 4.5, seed, a.binary, window="full", cfg_interval="0.3,1")
                      for seed in SEEDS}
        for name, (quiet, loud) in PHRASINGS.items():
            margins = []
            for family in FAMILIES:
                for seed, gen in generators.items():
                    # one call per prompt, so both prompts of a seed start from the same noise (seed + 0)
                    quiet_level = level(gen([f"{family}, {quiet}"], [SECONDS])[0])
                    margins.append(level(gen([f"{family}, {loud}"], [SECONDS])[0]) - quiet_level)
            run[name] = dict(ordered=int(np.sum(np.array(margins) > 0)), of=len(margins),
                             median_margin_db=float(np.median(margins)), margins_db=[round(m, 2) for m in margins])
            print(f"{label:10} {name:32} {run[name]['ordered']}/{len(margins)} ordered, median "
                  f"{run[name]['median_margin_db']:+.1f} dB", flush=True)
    with open(a.out, "w") as fh:
        json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
