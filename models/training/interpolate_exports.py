"""Weight interpolation of two exported model folders that share an architecture (a "model soup" of two fine-tunes
of one start, as in WiSE-FT, Wortsman et al. 2022): every float tensor of the output is

    θ = (1 − w) · θ_a + w · θ_b

computed in float32 and stored in folder a's dtype; integer tensors must be equal in both folders.

  python -m models.training.interpolate_exports --a /work/checkpoints/session34_default \
      --b /work/checkpoints/export35_final --weight-b 0.5 --out /work/checkpoints/soup37_w50
  (what `bash models/training/run_ratio2048.sh soup37` runs)
  python -m models.training.interpolate_exports --a /work/checkpoints/session46_default \
      --b /work/checkpoints/gpu47_a8k --weight-b 0.25 --only-matching "$SOUP52_TENSORS" \
      --out /work/checkpoints/soup52_conv_w25
  (a partial soup, what `run_ratio2048.sh soup52` runs: only the tensors whose names the regular expression
  SOUP52_TENSORS of that script finds are mixed, the rest stay a's)

Meaningful only when b was trained from a's weights (or both from one start), so that the two lie in one basin;
session 37 uses it between the shipped `text33` step 2,700 and `text35`, which continued from it. The folders must
agree on the architecture (model_config.json's model block and sample size), the tokenizer (spiece.model, byte for
byte), the tensor names and shapes; otherwise the command stops and names what differs. The output config is a's,
with a `training.interpolation` record (both folders' export_info and w, and a folder's own interpolation record when
it is itself an average, as session 39's a is). Tensors equal in both folders (the frozen text encoder, the VAE) come
out unchanged. The tensors are the same on every run; the bytes of model.safetensors may not be, because safetensors
writes its `__metadata__` entries in no fixed order. A --take-b prefix that takes the text encoder whole also takes
b's `training.text_encoder` record (with a's under "replaces"), so the config describes the encoder it ships.
"""
import argparse
import copy
import filecmp
import json
import os
import re
import shutil

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from .common import interpolation_record, save_json, write_then_rename
from .restore import read_folder


def read_weights(path):
    """The tensors of a .safetensors file and its header metadata, in one read."""
    with safe_open(path, framework="pt") as handle:
        return {name: handle.get_tensor(name) for name in handle.keys()}, handle.metadata()


def interpolate(tensors_a, tensors_b, weight_b, source_a, source_b, take_b=(), only_matching=None):
    """θ = (1 − w) θ_a + w θ_b for each float tensor (in float32, stored in a's dtype); integer tensors must be equal.
    Tensors whose names start with a prefix in `take_b` are b's, unmixed. With `only_matching` (a compiled regular
    expression) only the tensors whose names it finds are mixed and the rest stay a's (a partial soup, session 52).
    Returns the tensors and how many of them were mixed."""
    if tensors_a.keys() != tensors_b.keys():
        only_a = sorted(tensors_a.keys() - tensors_b.keys())[:5]
        only_b = sorted(tensors_b.keys() - tensors_a.keys())[:5]
        raise SystemExit(f"{source_a} and {source_b} hold different tensors (only in a: {only_a}; only in b: {only_b})")
    out, differing = {}, 0
    for name, value_a in tensors_a.items():
        value_b = tensors_b[name]
        if value_a.shape != value_b.shape:
            raise SystemExit(f"{name}: shape {tuple(value_a.shape)} in {source_a}, "
                             f"{tuple(value_b.shape)} in {source_b}")
        if not value_a.is_floating_point():
            if not torch.equal(value_a, value_b):
                raise SystemExit(f"{name}: integer tensor differs between {source_a} and {source_b}")
            out[name] = value_a
            continue
        if torch.equal(value_a.float(), value_b.float()):
            out[name] = value_a
            continue
        if name.startswith(tuple(take_b)):
            out[name] = value_b.to(value_a.dtype).contiguous()
            continue
        if only_matching is not None and not only_matching.search(name):
            out[name] = value_a
            continue
        differing += 1
        mixed = (1.0 - weight_b) * value_a.float() + weight_b * value_b.float()
        out[name] = mixed.to(value_a.dtype).contiguous()
    return out, differing


# the model_config.json keys two folders must share for their tensors to mean the same thing
ARCHITECTURE_KEYS = ("model", "sample_size", "sample_rate", "audio_channels", "model_type")


def check_same_architecture(cfg_a, cfg_b, source_a, source_b):
    """Stops, naming the key, when two configs differ in an ARCHITECTURE_KEYS entry."""
    for key in ARCHITECTURE_KEYS:
        if cfg_a.get(key) != cfg_b.get(key):
            raise SystemExit(f"model_config.json key {key!r} differs between {source_a} and {source_b}")


def write_folder(out, tensors, metadata, cfg, spiece_path):
    """An exported folder in OUT: model.safetensors, model_config.json and a copy of spiece_path, each staged beside
    its final name and renamed over it, so an interrupted run leaves no half-written file."""
    os.makedirs(out, exist_ok=True)
    write_then_rename(os.path.join(out, "model.safetensors"),
                      lambda tmp: save_file(tensors, tmp, metadata=metadata or {"format": "pt"}))
    save_json(os.path.join(out, "model_config.json"), cfg, indent=2)
    write_then_rename(os.path.join(out, "spiece.model"), lambda tmp: shutil.copy(spiece_path, tmp))


# training records that describe the tensors under a name prefix: a --take-b that takes those tensors takes the record
# too (the text encoder's pretraining record, session 46), keeping a's under "replaces"
RECORDS_OF_PREFIX = {"conditioner.conditioners.prompt.": "text_encoder"}


def taken_records(take_b, training_a, training_b):
    """The training records that come from b because their tensors do (RECORDS_OF_PREFIX)."""
    records = {}
    for prefix, key in RECORDS_OF_PREFIX.items():
        if key in training_b and any(prefix.startswith(taken) for taken in take_b):
            records[key] = dict(training_b[key], **({"replaces": training_a[key]} if key in training_a else {}))
    return records


def source_record(folder, cfg, info):
    """One end's provenance: its folder name, its export_info and, when that end is itself an interpolation, that
    record too (so an average of an average keeps its whole lineage)."""
    record = dict(folder=os.path.basename(os.path.normpath(folder)), export_info=info)
    earlier = interpolation_record(cfg)
    if earlier is not None:
        record["interpolation"] = earlier
    return record


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True, help="exported folder a (its config and dtype are kept)")
    ap.add_argument("--b", required=True, help="exported folder b, trained from a's weights or a's start")
    ap.add_argument("--weight-b", type=float, required=True, help="w in θ = (1 − w) θ_a + w θ_b, 0 < w < 1")
    ap.add_argument("--out", required=True)
    ap.add_argument("--take-b", action="append", default=[], metavar="PREFIX",
                    help="tensors whose names start with PREFIX come from b unmixed (session 40: pretransform., the "
                         "VAE whose decoder reads b's position channel); repeatable")
    ap.add_argument("--only-matching", default=None, metavar="REGEX",
                    help="mix only the tensors whose names REGEX finds (re.search); the rest stay a's (--take-b "
                         "prefixes still come from b), e.g. "
                         "'^model\\.model\\.(?!.*\\.transformer\\.)' for every U-Net tensor outside the attention blocks")
    a = ap.parse_args(argv)
    try:
        only_matching = None if a.only_matching is None else re.compile(a.only_matching)
    except re.error as error:
        raise SystemExit(f"--only-matching {a.only_matching!r}: not a regular expression ({error})")
    if not 0.0 < a.weight_b < 1.0:
        raise SystemExit(f"--weight-b {a.weight_b}: expected a value strictly between 0 and 1")
    cfg_a, info_a, paths_a = read_folder(a.a)
    cfg_b, info_b, paths_b = read_folder(a.b)
    check_same_architecture(cfg_a, cfg_b, a.a, a.b)
    if not filecmp.cmp(paths_a["spiece.model"], paths_b["spiece.model"], shallow=False):
        raise SystemExit(f"spiece.model differs between {a.a} and {a.b}")
    tensors_a, metadata = read_weights(paths_a["model.safetensors"])
    tensors_b, _ = read_weights(paths_b["model.safetensors"])
    tensors, differing = interpolate(tensors_a, tensors_b, a.weight_b, a.a, a.b, a.take_b, only_matching)
    if only_matching is not None and differing == 0:
        raise SystemExit(f"--only-matching {a.only_matching!r} selects no tensor that differs between {a.a} and {a.b}")
    out_cfg = copy.deepcopy(cfg_a)
    training_a, training_b = cfg_a.get("training", {}), cfg_b.get("training", {})
    out_cfg["training"] = dict(training_a, **taken_records(a.take_b, training_a, training_b), interpolation=dict(
        formula="(1 - weight_b) * a + weight_b * b", weight_b=a.weight_b,
        a=source_record(a.a, cfg_a, info_a), b=source_record(a.b, cfg_b, info_b),
        tensors_interpolated=differing, **(dict(taken_from_b=a.take_b) if a.take_b else {}),
        **(dict(only_matching=a.only_matching) if only_matching is not None else {})))
    write_folder(a.out, tensors, metadata, out_cfg, paths_a["spiece.model"])
    print(json.dumps(dict(out=a.out, tensors=len(tensors), interpolated=differing, weight_b=a.weight_b)))


if __name__ == "__main__":
    main()
