"""Stage 0 (optional): turn an exported model folder back into training checkpoints, so a run can continue from
shipped weights when the training checkpoints are gone (they live outside git, and a new machine starts without them).

  python -m models.training.restore --model models/default --out /work/checkpoints/restored

Writes, under --out:
  tokenizer/spiece.model   the folder's tokenizer                      (train_diffusion --tokenizer, export --tokenizer)
  vae.pt                   the VAE as a train_vae checkpoint            (train_vae --init, encode_latents --vae,
                                                                         train_diffusion --vae, export --vae)
  diffusion.pt             U-Net + conditioners as a train_diffusion    (train_diffusion --init, export --diffusion)
                           checkpoint; its EMA list is the exported weights themselves
What cannot come back: the optimiser states, the raw (non-EMA) weights, and fp32 precision when the folder stores fp16
(the restored tensors are the fp16 values widened to fp32). So a continued run starts with a fresh optimiser
(`--init`, plus a short `--warmup-steps`), as after a VAE change. Steps and wall times are carried over from the
folder's `training.export_info`. The VAE's `training` block is taken from --vae-config (the export keeps only the
architecture); the architecture in that file must equal the folder's, or the command stops.
"""
import argparse
import copy
import json
import os
import shutil

from .common import HERE, load_json, save_ckpt, set_threads
from .sample import load_model
from .train_diffusion import trainable


def read_folder(folder):
    """The config, its export_info and the three file paths of an exported folder, each checked before use."""
    paths = {name: os.path.join(folder, name) for name in ("model_config.json", "model.safetensors", "spiece.model")}
    for name, path in paths.items():
        if not os.path.isfile(path):
            raise SystemExit(f"{folder}: {name} is missing")
    try:
        cfg = load_json(paths["model_config.json"])
    except json.JSONDecodeError as error:
        raise SystemExit(f"{paths['model_config.json']}: not JSON ({error})")
    if cfg.get("model_type") != "diffusion_cond":
        raise SystemExit(f"{paths['model_config.json']}: model_type {cfg.get('model_type')!r}, expected 'diffusion_cond'")
    info = cfg.get("training", {}).get("export_info")
    if not isinstance(info, dict) or not {"diffusion_step", "vae_step"} <= info.keys():
        raise SystemExit(f"{paths['model_config.json']}: training.export_info with diffusion_step and vae_step is "
                         "missing (the folder was not written by models.training.export)")
    return cfg, info, paths


def vae_checkpoint_config(cfg, vae_config_path):
    """The autoencoder config a train_vae checkpoint carries: the folder's architecture, the training block of
    --vae-config. Refuses a --vae-config whose architecture differs, so a later `train_vae --init` builds the same net."""
    base = load_json(vae_config_path)
    if base["model"] != cfg["model"]["pretransform"]["config"]:
        raise SystemExit(f"{vae_config_path}: its model block differs from the folder's pretransform config; pass the "
                         "VAE config the folder was trained with (--vae-config)")
    return base


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/default", help="exported folder (model_config.json, model.safetensors, spiece.model)")
    ap.add_argument("--out", default="/work/checkpoints/restored")
    ap.add_argument("--vae-config", default=os.path.join(HERE, "configs", "vae_small.json"))
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    set_threads(a.threads)
    cfg, info, paths = read_folder(a.model)
    try:  # load_state_dict widens fp16 tensors into the model's fp32 parameters
        model, _ = load_model(a.model)
    except RuntimeError as error:
        raise SystemExit(f"{paths['model.safetensors']}: does not match {paths['model_config.json']} ({error})")
    os.makedirs(os.path.join(a.out, "tokenizer"), exist_ok=True)
    shutil.copy(paths["spiece.model"], os.path.join(a.out, "tokenizer", "spiece.model"))

    vae_config = vae_checkpoint_config(cfg, a.vae_config)
    save_ckpt(os.path.join(a.out, "vae.pt"), model=model.pretransform.model.state_dict(), step=info["vae_step"],
              wall=info.get("vae_wall_s", 0), config=vae_config, restored_from=os.path.normpath(a.model))

    diffusion_config = copy.deepcopy(cfg)
    diffusion_config["training"].pop("export_info", None)
    diffusion_config["vae_step"] = info.get("latents_vae_step", info["vae_step"])
    save_ckpt(os.path.join(a.out, "diffusion.pt"), unet=model.model.state_dict(), cond=model.conditioner.state_dict(),
              ema=[p.detach().clone() for p in trainable(model)], step=info["diffusion_step"],
              wall=info.get("diffusion_wall_s", 0), config=diffusion_config, restored_from=os.path.normpath(a.model))
    print(json.dumps(dict(out=a.out, diffusion_step=info["diffusion_step"], vae_step=info["vae_step"],
                          tensors=len(model.state_dict()), latent_scale=cfg["model"]["pretransform"].get("scale")), indent=1))


if __name__ == "__main__":
    main()
