"""How far each contrast pair went the asked way, not only whether it did (session 29).

The pair bar (`run_eval.py --sections pairs`) counts a pair correct when its measurement moves the expected way by any
amount. Session 29 found a model whose 27 of 30 loudness pairs were "correct" by a median 0.5 dB and whose 11 of 12
movement pairs were "correct" by 0.0003 in pan slope, while the previous model's loudness pairs moved a median 4.2
dB. This reads one or more `results.json` files and reports, per category, the median and the 10th/90th percentile
of the oriented margin

    margin = m_b − m_a  (expect "a<b"),   m_a − m_b  (expect "a>b"),
    margin = min(p_a[f_a] − p_b[f_a], p_b[f_b] − p_a[f_b])  (family pairs: classifier probabilities),

in the measure's own unit (LUFS-like level dB, centroid Hz, L/R balance dB, pan slope, flatness, onsets per second,
seconds, probability). A positive margin is a correct pair; its size says whether the words moved the sound or the
pair was won by rounding. The expectations come from `contrast_pairs.json`, matched by pair id.

    python eval/default-model/pair_margins.py [--out OUT.json] LABEL=RUN/results.json ...
"""
import argparse
import collections
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def oriented_margin(pair, measured):
    """The pair's margin (formula in the module docstring) from its contrast_pairs.json entry and its results row."""
    a, b = measured["a"], measured["b"]
    if pair["measure"] == "classifier":  # a, b: [p(f_a), p(f_b)] of each clip
        return min(a[0] - b[0], b[1] - a[1])
    return {"a<b": b - a, "a>b": a - b}[pair["expect"]]


def margins_by_category(pairs, results):
    """{category: [margin, ...]} over the scored rows of one run's `pairs_detail`."""
    by_id = {pair["id"]: pair for pair in pairs}
    out = collections.defaultdict(list)
    for row in results["pairs_detail"]:
        if "correct" not in row:
            continue
        if row["id"] not in by_id:
            raise SystemExit(f"pair {row['id']} of a results file is not in contrast_pairs.json")
        out[row["category"]].append(float(oriented_margin(by_id[row["id"]], row)))
    return out


def summary(values):
    v = np.asarray(values)
    return dict(pairs=len(v), correct=int((v > 0).sum()), median=round(float(np.median(v)), 4),
                p10=round(float(np.percentile(v, 10)), 4), p90=round(float(np.percentile(v, 90)), 4))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("runs", nargs="+", metavar="LABEL=RESULTS_JSON")
    ap.add_argument("--pairs", default=os.path.join(HERE, "contrast_pairs.json"))
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    with open(a.pairs) as f:
        pairs = json.load(f)
    report = {}
    for run in a.runs:
        if "=" not in run:
            ap.error(f"{run!r}: expected LABEL=RESULTS_JSON")
        label, path = run.split("=", 1)
        with open(path) as f:
            results = json.load(f)
        if "pairs_detail" not in results:
            raise SystemExit(f"{path}: no pairs_detail (not a run_eval.py --sections pairs result)")
        report[label] = dict(file=path, per_category={category: summary(values) for category, values
                                                      in sorted(margins_by_category(pairs, results).items())})
        print(label)
        for category, s in report[label]["per_category"].items():
            print(f"  {category:14s} {s['correct']:2d}/{s['pairs']:2d}  median {s['median']:+10.4f}  "
                  f"p10 {s['p10']:+10.4f}  p90 {s['p90']:+10.4f}")
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            json.dump(dict(command="eval/default-model/pair_margins.py " + " ".join(a.runs), runs=report), f, indent=1)
        os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
