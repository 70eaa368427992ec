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

  python -m models.training.graft_export strip --model EXPORT --drop model. --drop conditioner. \
      --drop pretransform.model.encoder. --out DECODER.safetensors
  python -m models.training.graft_export graft --new-decoder --partial DECODER.safetensors \
      --config EXPORT/model_config.json --base models/default --out FOLDER
      (session 48: a decoder trained alone on --base's frozen encoder, `train_vae --init-encoder` of another width;
      --base's decoder tensors are all replaced by PARTIAL's, and the configs may differ in the decoder block only.
      The tensors are loaded through SAT's factory into the output config's model, strict, before anything is
      written)
"""
import argparse
import copy
import json
import os

from safetensors.torch import save_file

from .common import load_json, write_then_rename
from .interpolate_exports import check_same_architecture, read_weights, write_folder
from .restore import read_folder
from .t5_local import create_model

DECODER_PREFIX = "pretransform.model.decoder."


def without_decoder(cfg):
    """cfg with its pretransform's decoder block removed: what two configs must share when a decoder is replaced."""
    out = copy.deepcopy(cfg)
    out.get("model", {}).get("pretransform", {}).get("config", {}).pop("decoder", None)
    return out


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
    if args.new_decoder:
        check_same_architecture(without_decoder(cfg), without_decoder(base_cfg), args.config, args.base)
    else:
        check_same_architecture(cfg, base_cfg, args.config, args.base)
    if not os.path.isfile(args.partial):
        raise SystemExit(f"{args.partial}: no such file (cat the parts that came back into it first)")
    partial, metadata = read_weights(args.partial)
    base, _ = read_weights(base_paths["model.safetensors"])
    if args.new_decoder:
        if not any(name.startswith(DECODER_PREFIX) for name in partial):
            raise SystemExit(f"{args.partial}: --new-decoder, but it holds no {DECODER_PREFIX}* tensor")
        base = {name: value for name, value in base.items() if not name.startswith(DECODER_PREFIX)}
        base.update({name: value for name, value in partial.items() if name.startswith(DECODER_PREFIX)})
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
    if args.new_decoder:  # shapes came from the partial alone: they must fit the model the config describes
        try:
            create_model(out_cfg, model_dir=args.base).load_state_dict(tensors, strict=True)
        except RuntimeError as error:
            raise SystemExit(f"{args.config}: the grafted tensors do not fit its model ({error})")
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
    g.add_argument("--new-decoder", action="store_true",
                   help="PARTIAL's decoder replaces --base's whole (another width allowed; the configs may differ in "
                        "the pretransform's decoder block only)")
    a = ap.parse_args(argv)
    {"strip": strip, "graft": graft}[a.command](a)


if __name__ == "__main__":
    main()
