"""Bring an exported model folder back from a lent GPU machine in fewer bytes than its 71 MB (session 47: at most
64 MiB come back per call of the `device` tool), and make it whole again here.

  python -m models.training.graft_export strip --model EXPORT --drop conditioner.conditioners.prompt. \
      --drop pretransform. --out PARTIAL.safetensors
      (there: the tensors whose names start with none of the --drop prefixes, i.e. what the run trained)
  python -m models.training.graft_export graft --partial PARTIAL.safetensors --config EXPORT/model_config.json \
      --base models/default --out FOLDER
      (here: PARTIAL's tensors, and every other tensor taken from --base, the folder the run started from)

`graft` checks that every tensor of PARTIAL is one of --base's, with the same shape and dtype, and that the run's
config agrees with --base's on the model block, sample size, rate, channels and type; otherwise it stops and names what
differs. The output config is --config's (the run's export record) with a `training.grafted` record: how many tensors
came from --base and their name groups (first three name parts); spiece.model and the engine's sampling defaults
(`stable_audio_swift`) are --base's. A run whose text encoder and VAE were frozen (`train_diffusion
--freeze-text-encoder` on latents encoded by --base's VAE) leaves those tensors equal to --base's, so the graft is the
run's own export, tensor for tensor.
"""
import argparse
import copy
import json
import os

from safetensors.torch import save_file

from .common import load_json, write_then_rename
from .interpolate_exports import check_same_architecture, read_weights, write_folder
from .restore import read_folder


def strip(args):
    _, _, paths = read_folder(args.model)
    tensors, metadata = read_weights(paths["model.safetensors"])
    kept = {name: value for name, value in tensors.items() if not name.startswith(tuple(args.drop))}
    if len(kept) == len(tensors):
        raise SystemExit(f"{args.model}: no tensor starts with any of {args.drop}")
    write_then_rename(args.out, lambda tmp: save_file(kept, tmp, metadata=metadata or {"format": "pt"}))
    print(json.dumps(dict(out=args.out, kept=len(kept), dropped=len(tensors) - len(kept),
                          bytes=os.path.getsize(args.out))))


def graft(args):
    base_cfg, _, base_paths = read_folder(args.base)
    try:
        cfg = load_json(args.config)
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(f"{args.config}: cannot read the run's config ({error})")
    check_same_architecture(cfg, base_cfg, args.config, args.base)
    if not os.path.isfile(args.partial):
        raise SystemExit(f"{args.partial}: no such file (cat the parts that came back into it first)")
    partial, metadata = read_weights(args.partial)
    base, _ = read_weights(base_paths["model.safetensors"])
    unknown = sorted(partial.keys() - base.keys())
    if unknown:
        raise SystemExit(f"{args.partial}: {len(unknown)} tensors that {args.base} lacks, e.g. {unknown[:3]}")
    for name, value in partial.items():
        if value.shape != base[name].shape or value.dtype != base[name].dtype:
            raise SystemExit(f"{args.partial}: {name} is {value.dtype} {tuple(value.shape)}, {args.base} holds "
                             f"{base[name].dtype} {tuple(base[name].shape)}")
    taken = sorted(base.keys() - partial.keys())
    tensors = dict(base, **partial)
    out_cfg = copy.deepcopy(cfg)
    if "stable_audio_swift" in base_cfg:  # the engine's sampling defaults were chosen for --base's line: kept
        out_cfg["stable_audio_swift"] = copy.deepcopy(base_cfg["stable_audio_swift"])
    out_cfg.setdefault("training", {})["grafted"] = dict(
        base=os.path.basename(os.path.normpath(args.base)), tensors_from_base=len(taken),
        groups_from_base=sorted({".".join(name.split(".")[:3]) for name in taken}))
    write_folder(args.out, tensors, metadata, out_cfg, base_paths["spiece.model"])
    print(json.dumps(dict(out=args.out, tensors=len(tensors), from_partial=len(partial), from_base=len(taken))))


def main(argv=None):
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("strip", help="an export's tensors without the --drop prefixes, as one .safetensors file")
    s.add_argument("--model", required=True)
    s.add_argument("--drop", action="append", required=True, metavar="PREFIX")
    s.add_argument("--out", required=True)
    g = sub.add_parser("graft", help="a stripped file completed with the tensors it lacks from --base")
    g.add_argument("--partial", required=True)
    g.add_argument("--config", required=True, help="the run's model_config.json (its export record is kept)")
    g.add_argument("--base", required=True, help="the exported folder the run started from")
    g.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    {"strip": strip, "graft": graft}[a.command](a)


if __name__ == "__main__":
    main()
