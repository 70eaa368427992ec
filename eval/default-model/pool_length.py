"""Pools length-bar runs (`run_eval.py --sections length --seed S`) over sampler seeds and compares two models cell by
cell, as `pool_pairs.py` does for the pair bar (sessions 34–35 did this by hand).

A cell is one (prompt, requested seconds, seed) render; it passes when the sound stays active to >= 95%
(`measures.LENGTH_BAR_FRACTION`) of the requested length (run_eval's `ratio`). Per model: renders passed of those
scored, the mean ratio, and the counts per requested length. Per `--compare A,B`: over the cells both models rendered,
how many only A passed and how many only B, and the exact two-sided sign test on those discordant cells.

    python eval/default-model/pool_length.py OUT.json LABEL=SEED:RUN/results.json ... [--compare A,B ...]
"""
import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measures import LENGTH_BAR_FRACTION as THRESHOLD  # noqa: E402
from pool_pairs import parse_argv, sign_test  # noqa: E402


def read_cells(path):
    """{(prompt, requested): ratio} of one run's length_detail, checked for the fields it needs."""
    with open(path) as f:
        run = json.load(f)
    detail = run.get("length_detail")
    if not isinstance(detail, list) or not detail:
        raise SystemExit(f"{path}: no length_detail (was the run made with --sections length?)")
    cells = {}
    for i, row in enumerate(detail):
        if not {"prompt", "requested", "ratio"} <= row.keys():
            raise SystemExit(f"{path}: length_detail[{i}] lacks prompt, requested or ratio")
        cells[(row["prompt"], float(row["requested"]))] = float(row["ratio"])
    return cells


def summarise(cells):
    """Passed, scored, mean ratio, and passed/scored per requested length over every (prompt, requested, seed) cell."""
    per_length = collections.defaultdict(lambda: [0, 0])
    for (_, requested, _), ratio in cells.items():
        per_length[requested][0] += ratio >= THRESHOLD
        per_length[requested][1] += 1
    return dict(passed=sum(passed for passed, _ in per_length.values()), scored=len(cells),
                mean_ratio=round(sum(cells.values()) / len(cells), 4),
                per_requested_seconds={f"{k:g}": f"{v[0]} of {v[1]}" for k, v in sorted(per_length.items())})


def main(argv):
    out, run_args, compares = parse_argv(argv)
    runs = collections.defaultdict(dict)
    for label, seed, path in run_args:
        for (prompt, requested), ratio in read_cells(path).items():
            runs[label][(prompt, requested, seed)] = ratio
    result = dict(models={label: summarise(cells) for label, cells in runs.items()}, compare={})
    for a, b in compares:
        common = runs[a].keys() & runs[b].keys()
        only_a = sum(runs[a][c] >= THRESHOLD > runs[b][c] for c in common)
        only_b = sum(runs[b][c] >= THRESHOLD > runs[a][c] for c in common)
        result["compare"][f"{a},{b}"] = dict(cells=len(common), only_a=only_a, only_b=only_b,
                                            sign_test_p=round(sign_test(only_a, only_b), 4))
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
