"""How far a retrained text encoder's outputs moved from an exported model's, by kind of caption: the relative square
error direction_text.py anchors,
    error = sum_{tokens} |h - h0|^2 / sum_{tokens} |h0|^2     (h: the new encoder's output tokens, h0: the export's)
per eval-split caption (held-out phrasings), averaged over groups: movement captions, static left/right/centre
captions by wording ("panned to the ..." or "... side", the held-out static phrasings), wide, and captions stating no
position. The U-Net cross-attends to these tokens, so a group that moved far is one whose renders may change although
the U-Net did not.

    PYTHONPATH=. python eval/default-model/encoder_drift.py --model models/default \
        --encoder /work/checkpoints/direction46.pt --out /tmp/drift.json
"""
import argparse
import os
import sys
from collections import defaultdict

import numpy as np
import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
from models.training.common import read_meta, save_json, set_threads  # noqa: E402
from models.training.direction_text import exported_encoder, relative_square_error  # noqa: E402
from models.training.train_text_encoder import encoded_batch  # noqa: E402


def group_of(meta):
    """The caption's group: its stated position, with the wording of a static side."""
    caption, position = meta["caption"], meta.get("stated", {}).get("position")
    if position is None:
        return "no position"
    if position in ("left_to_right", "right_to_left"):
        return "movement"
    if position in ("left", "right", "centre"):
        wording = "panned to" if "panned to" in caption else "side" if "side" in caption else "other"
        return f"static {position}, {wording}"
    return f"static {position}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="exported model folder (the reference encoder)")
    ap.add_argument("--encoder", required=True, help="checkpoint with an 'encoder' state dict (direction_text.py)")
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    set_threads(a.threads)
    original, _ = exported_encoder(a.model)
    retrained, _ = exported_encoder(a.model)
    source = torch.load(a.encoder, map_location="cpu", weights_only=False)
    if "encoder" not in source:
        raise SystemExit(f"{a.encoder}: no 'encoder' state dict")
    retrained.model.load_state_dict(source["encoder"])
    original.eval(), retrained.eval()
    errors = defaultdict(list)
    with torch.no_grad():
        for meta in read_meta(a.corpus, "eval"):
            h, mask = encoded_batch(retrained, [meta["caption"]], "cpu")
            h0, _ = encoded_batch(original, [meta["caption"]], "cpu")
            errors[group_of(meta)].append(float(relative_square_error(h, h0, mask)))
    groups = {name: dict(captions=len(v), mean=round(float(np.mean(v)), 4), median=round(float(np.median(v)), 4))
              for name, v in sorted(errors.items())}
    result = dict(command=" ".join(sys.argv), model=a.model, encoder=a.encoder, relative_square_error=groups)
    save_json(a.out, result)
    for name, row in groups.items():
        print(f"{name:28s} {row['captions']:4d}  mean {row['mean']:.4f}  median {row['median']:.4f}")


if __name__ == "__main__":
    main()
