"""Session 41: one `run_eval.py` run with part of it re-measured by another run on the same renders (same model, seed,
steps and CFG; pairs keep their renders under `--categories`, since pair k's noise is seed + k).

    python eval/default-model/merge_runs.py BASE.json REDO.json OUT.json

OUT is BASE with every pair of REDO's `pairs_detail` (matched by id) and, when REDO has one, its length bar in place
of BASE's; the pair summary's accuracy and per-category shares are recomputed (its median margins dropped, as they
would mix the two runs). Session 41 made `runs_shipped41/` this way: `runs_shipped39/` with the duration and seconds
pairs and the length bar re-measured on DC-blocked audio (`measures.active_mask`).
"""
import json
import sys


def merge(base, redo):
    replaced = {row["id"]: row for row in redo.get("pairs_detail", [])}
    unknown = sorted(replaced.keys() - {row["id"] for row in base["pairs_detail"]})
    if unknown:
        raise SystemExit(f"pairs {unknown[:5]} of the re-measured run are not in the base run")
    detail = [replaced.get(row["id"], row) for row in base["pairs_detail"]]
    per_category = {}
    for row in detail:
        per_category.setdefault(row["category"], []).append(row["correct"])
    pairs = {k: v for k, v in base["pairs"].items() if k != "median_margin_per_category"}
    pairs.update(accuracy=sum(row["correct"] for row in detail) / len(detail),
                 per_category={k: sum(v) / len(v) for k, v in per_category.items()})
    out = dict(base, pairs=pairs, pairs_detail=detail, commands=[base["command"], redo["command"]])
    if "length_detail" in redo:
        out.update(length=redo["length"], length_detail=redo["length_detail"])
    out["note"] = (f"merge_runs.py: the base run with {len(replaced)} pairs"
                   f"{' and the length bar' if 'length_detail' in redo else ''} from the second command")
    return out


def main(argv):
    if len(argv) != 3:
        raise SystemExit(__doc__)
    runs = []
    for path in argv[:2]:
        with open(path) as f:
            run = json.load(f)
        if not {"command", "pairs", "pairs_detail"} <= run.keys():
            raise SystemExit(f"{path}: not a run_eval.py result with pairs (command, pairs, pairs_detail)")
        runs.append(run)
    with open(argv[2], "w") as f:
        json.dump(merge(*runs), f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
