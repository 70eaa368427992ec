"""Pools pair-bar runs (`run_eval.py --sections pairs --seed S`) over sampler seeds, so that two models can be told
apart by more than one noise draw per pair (session 21: one 68-pair run moves by about 3 points from seed to seed).

Per model: each seed's accuracy, the pooled accuracy over every (pair, seed) cell with its Wilson 95% interval, and
the per-category counts. Per `--compare A,B`: over the cells both models scored, how many only A got right and how
many only B, and the exact two-sided sign test on those discordant cells (p = 2 · P(Bin(n, ½) ≤ min)).

    python eval/default-model/pool_pairs.py OUT.json LABEL=SEED:RUN/results.json ... [--compare A,B ...]
"""
import collections
import json
import math
import sys


def wilson(correct, total, z=1.96):
    """Wilson score interval: (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)."""
    if total == 0:
        return 0.0, 0.0
    p = correct / total
    centre, half = p + z * z / (2 * total), z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    scale = 1 + z * z / total
    return (centre - half) / scale, (centre + half) / scale


def sign_test(only_a, only_b):
    """Exact two-sided sign test on the discordant cells."""
    n = only_a + only_b
    if n == 0:
        return 1.0
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(min(only_a, only_b) + 1)) / 2 ** n)


def parse_argv(argv):
    """OUT LABEL=SEED:PATH ... [--compare A,B ...] -> (OUT, [(label, seed, path), ...], [[A, B], ...]); shared with
    pool_length.py."""
    if not argv:
        raise SystemExit("usage: OUT.json LABEL=SEED:RUN/results.json ... [--compare A,B ...]")
    out, runs, compares, i = argv[0], [], [], 1
    while i < len(argv):
        if argv[i] == "--compare":
            pair = argv[i + 1].split(",") if i + 1 < len(argv) else []
            if len(pair) != 2:
                raise SystemExit("--compare takes A,B")
            compares.append(pair)
            i += 2
            continue
        try:
            label, rest = argv[i].split("=", 1)
            seed, path = rest.split(":", 1)
            runs.append((label, int(seed), path))
        except ValueError:
            raise SystemExit(f"{argv[i]}: expected LABEL=SEED:PATH")
        i += 1
    labels = {label for label, _, _ in runs}
    for a, b in compares:
        if a not in labels or b not in labels:
            raise SystemExit(f"--compare {a},{b}: both labels must name runs")
    return out, runs, compares


def main(argv):
    out, run_args, compares = parse_argv(argv)
    runs = collections.defaultdict(dict)
    for label, seed, path in run_args:
        with open(path) as f:
            runs[label][seed] = (path, json.load(f))
    result, cells_of = dict(models={}, comparisons=[]), {}
    for label, seeds in runs.items():
        cells, per_seed, lengths = {}, {}, {}
        categories = collections.defaultdict(lambda: [0, 0])
        for seed, (path, run) in sorted(seeds.items()):
            per_seed[seed] = dict(accuracy=round(run["pairs"]["accuracy"], 4), ties=run["pairs"]["ties"], file=path,
                                  command=run["command"])
            if "length" in run:
                lengths[seed] = dict(frac_ge_95=round(run["length"]["frac_ge_95"], 4),
                                     mean_ratio=round(run["length"]["mean_ratio"], 4))
            for pair in run["pairs_detail"]:
                cells[(pair["id"], seed)] = bool(pair["correct"])
                categories[pair["category"]][0] += bool(pair["correct"])
                categories[pair["category"]][1] += 1
        correct, total = sum(cells.values()), len(cells)
        low, high = wilson(correct, total)
        result["models"][label] = dict(
            per_seed=per_seed, length=lengths,
            pooled=dict(correct=correct, scored=total, accuracy=round(correct / total, 4), wilson95=[round(low, 4), round(high, 4)]),
            per_category={c: f"{v[0]}/{v[1]}" for c, v in sorted(categories.items())})
        cells_of[label] = cells
    for a, b in compares:
        cells_a, cells_b = cells_of[a], cells_of[b]
        common = sorted(set(cells_a) & set(cells_b))
        only_a = sum(cells_a[c] and not cells_b[c] for c in common)
        only_b = sum(cells_b[c] and not cells_a[c] for c in common)
        result["comparisons"].append(dict(a=a, b=b, cells=len(common), a_right_b_wrong=only_a, b_right_a_wrong=only_b,
                                          sign_test_p=round(sign_test(only_a, only_b), 4)))
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    for label, model in result["models"].items():
        print(label, model["pooled"], {s: v["accuracy"] for s, v in model["per_seed"].items()}, model["per_category"])
    for comparison in result["comparisons"]:
        print(comparison)


if __name__ == "__main__":
    main(sys.argv[1:])
