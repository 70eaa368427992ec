"""Regenerate captions of an already rendered split from its metadata (after editing captions.py).

  python -m models.training.corpus.recaption --out /work/data/corpus --split train [--seed 1234]
"""
import argparse
import json
import os

from .render import caption_for


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/work/data/corpus")
    ap.add_argument("--split", default="train")
    ap.add_argument("--seed", type=int, default=1234)
    a = ap.parse_args(argv)
    p = os.path.join(a.out, f"{a.split}.jsonl")
    metas = []
    with open(p) as f:
        for line in f:
            try:
                metas.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    for m in metas:
        caption_for(m, a.seed, a.split, int(m["id"].split("_")[1]))
    with open(p + ".tmp", "w") as f:
        for m in metas:
            f.write(json.dumps(m) + "\n")
    os.replace(p + ".tmp", p)
    print(f"[recaption] {len(metas)} captions rewritten in {p}")


if __name__ == "__main__":
    main()
