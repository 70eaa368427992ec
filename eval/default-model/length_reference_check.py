"""Session 38: the length bar's measure applied to the corpus the model learns from.

The length bar (`run_eval.py --sections length`) asks six "long and steady" prompts for 1, 2.5, 4 and 5.5 s and passes
a render when it stays active (`measures.active_end`: 2,048-sample frames whose peak is within 40 dB of the clip's
loudest) to >= 95% of the request. This script scores the corpus's own clips of the same families the same way, with
each clip's `seconds_total` (the conditioning value the model is trained with) as the request, so a model that
imitates its corpus perfectly can be told apart from one that ends its sounds early:

* per room (dry / reverberant) and per requested-length bucket (the four requests of the bar), the clips that pass;
* how many of those families' sustained clips last less than 2.5 s (the corpus's shortest sustained sounds), since
  a sustained sound of 1 s is a request the model has hardly seen.

    PYTHONPATH=. python eval/default-model/length_reference_check.py --corpus /work/data/corpus --split train \
        --out /tmp/length_reference.json
"""
import argparse
import collections
import json
import os
import sys

import numpy as np
import soundfile as sf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measures as M  # noqa: E402

# the corpus family of each length-bar prompt (run_eval.eval_length)
PROMPT_FAMILIES = {
    "long and steady tone from a sine oscillator": "tone",
    "hiss of pink noise, long and steady": "noise",
    "wind, gentle gusts": "wind",
    "motor of a car idling": "engine",
    "sound of heavy rain": "rain",
    "buzz of electric mains": "buzz",
}
REQUESTS = (1.0, 2.5, 4.0, 5.5)


def nearest_request(seconds):
    """The length-bar request closest to a clip's seconds_total (the bucket it is reported in)."""
    return min(REQUESTS, key=lambda r: abs(r - seconds))


def read_rows(corpus, split):
    """The split's metadata rows, checked for the fields this script reads."""
    path = os.path.join(corpus, f"{split}.jsonl")
    if not os.path.isfile(path):
        raise SystemExit(f"{path}: no such metadata file (render the corpus first)")
    rows = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            row = json.loads(line)
            for key in ("family", "seconds_total", "path", "attrs", "post"):
                if key not in row:
                    raise SystemExit(f"{path}:{number}: row lacks '{key}'")
            if not 0 < float(row["seconds_total"]) <= 100:
                raise SystemExit(f"{path}:{number}: seconds_total {row['seconds_total']} out of range")
            rows.append(row)
    return rows


def clip_ratio(corpus, row):
    """active_end / seconds_total of one clip, cut to its seconds_total as a render is cut to its request."""
    audio, rate = sf.read(os.path.join(corpus, row["path"]), dtype="float32", always_2d=True)
    if rate != M.SR or audio.shape[1] != 2:
        raise SystemExit(f"{row['path']}: {rate} Hz, {audio.shape[1]} channels; expected {M.SR} Hz stereo")
    seconds = float(row["seconds_total"])
    return M.active_end(audio.T[:, : int(round(seconds * M.SR))]) / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--split", default="train")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    families = set(PROMPT_FAMILIES.values())
    cells = collections.defaultdict(lambda: [0, 0])  # (room, request) -> [passed, clips]
    per_family = collections.defaultdict(lambda: [0, 0])
    per_room = collections.defaultdict(lambda: [0, 0])
    durations = collections.defaultdict(list)
    for row in read_rows(args.corpus, args.split):
        # the families' sustained clips (buzz has no envelope attribute: always sustained)
        if row["family"] not in families or row["attrs"].get("envelope", "sustained") != "sustained":
            continue
        seconds = float(row["seconds_total"])
        durations[row["family"]].append(seconds)
        passed = clip_ratio(args.corpus, row) >= M.LENGTH_BAR_FRACTION
        room = row["post"]["room"]
        for counter in (cells[(room, nearest_request(seconds))], per_family[row["family"]], per_room[room]):
            counter[0] += passed
            counter[1] += 1

    result = dict(
        command="python " + " ".join(sys.argv),
        measure=f"measures.active_end / seconds_total >= {M.LENGTH_BAR_FRACTION} (run_eval's length bar)",
        families=PROMPT_FAMILIES,
        pass_by_room_and_request={f"{room} {request:g} s": f"{p} of {n}"
                                  for (room, request), (p, n) in sorted(cells.items())},
        pass_by_room={room: f"{p} of {n}" for room, (p, n) in sorted(per_room.items())},
        pass_by_family={family: f"{p} of {n}" for family, (p, n) in sorted(per_family.items())},
        sustained_clips_under_2_5_s={family: f"{int(np.sum(np.array(v) < 2.5))} of {len(v)}"
                                     for family, v in sorted(durations.items())},
        shortest_sustained_seconds={family: round(float(min(v)), 3) for family, v in sorted(durations.items())},
    )
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
