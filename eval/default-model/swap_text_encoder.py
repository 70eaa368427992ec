"""An exported model folder with its prompt encoder replaced by a train_text_encoder-style checkpoint's (for example
direction_text.py's), everything else bit for bit: a quick look at what a new encoder does to a U-Net that was not
trained on it, before spending a U-Net run on it.

    PYTHONPATH=. python eval/default-model/swap_text_encoder.py --model models/default \
        --encoder /work/checkpoints/direction46.pt --out /work/checkpoints/swap46

Session 46: the shipped U-Net with the first direction encoder (movement grammar only) read the held-out movement
pairs 3 of 4 at seed 0, but its position pairs ("panned to the left") fell from 10 to 4 of 10, which is why
direction_text.py gained `--static-phrasings`.
"""
import argparse
import os
import shutil

import torch
from safetensors.torch import load_file, save_file

PROMPT_PREFIX = "conditioner.conditioners.prompt.model."


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="exported model folder (model_config.json, model.safetensors, "
                                                   "spiece.model)")
    ap.add_argument("--encoder", required=True, help="checkpoint with an 'encoder' state dict of the same T5 shape")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    weights_path = os.path.join(a.model, "model.safetensors")
    weights = load_file(weights_path)
    source = torch.load(a.encoder, map_location="cpu", weights_only=False)
    if "encoder" not in source:
        raise SystemExit(f"{a.encoder}: no 'encoder' state dict")
    ours = {k for k in weights if k.startswith(PROMPT_PREFIX)}
    theirs = {PROMPT_PREFIX + k for k in source["encoder"]}
    if ours != theirs:
        raise SystemExit(f"{a.encoder}: tensors differ from {weights_path}'s prompt encoder: missing "
                         f"{sorted(ours - theirs)[:3]}, unexpected {sorted(theirs - ours)[:3]}")
    for name, tensor in source["encoder"].items():
        key = PROMPT_PREFIX + name
        if tuple(tensor.shape) != tuple(weights[key].shape):
            raise SystemExit(f"{a.encoder}: {name} has shape {tuple(tensor.shape)}, {weights_path} "
                             f"{tuple(weights[key].shape)}")
        weights[key] = tensor.to(weights[key].dtype).contiguous()
    os.makedirs(a.out, exist_ok=True)
    tmp = os.path.join(a.out, "model.safetensors.tmp")
    save_file(weights, tmp)
    os.replace(tmp, os.path.join(a.out, "model.safetensors"))
    for name in ("model_config.json", "spiece.model"):
        shutil.copy(os.path.join(a.model, name), os.path.join(a.out, name))
    print(f"{a.out}: {len(ours)} prompt-encoder tensors from {a.encoder}, the rest from {a.model}")


if __name__ == "__main__":
    main()
