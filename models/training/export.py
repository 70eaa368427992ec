"""Stage 5: export a SAT-style model folder: model_config.json + model.safetensors (+ spiece.model).

  python -m models.training.export --diffusion /work/checkpoints/diffusion/last.pt \
      --tokenizer /work/checkpoints/tokenizer --vae /work/checkpoints/vae/last.pt --out /work/checkpoints/export

Weights: EMA U-Net + EMA conditioners (T5 + seconds) + VAE, keys exactly as SAT's ConditionedDiffusionModelWrapper
state_dict (model.model.*, conditioner.conditioners.*, pretransform.model.*). Float tensors stored as --dtype.
The export is verified by reloading it through SAT's factory (strict) and comparing outputs with the fp32 model.
"""
import argparse
import copy
import json
import os
import shutil

import torch
from safetensors.torch import load_file, save_file

from .common import checkpoint_name, set_threads
from .t5_local import create_model
from .train_diffusion import trainable


def adopt_decoder(cfg, vae_config, vae_ckpt):
    """A decoder trained alone on a frozen encoder (train_vae --freeze-encoder, and with --init-encoder of another
    width, session 48) leaves the latent space, and so the diffusion model, as it was: the exported pretransform takes
    the VAE checkpoint's decoder block in place of the one the diffusion checkpoint recorded. A checkpoint whose
    encoder block differs from the recorded one stops the export, naming both, since the diffusion model's latents
    would then mean something else."""
    recorded = cfg["model"]["pretransform"]["config"]
    theirs = vae_config["model"]
    if theirs["encoder"] != recorded["encoder"]:
        raise SystemExit(f"{vae_ckpt}: encoder {json.dumps(theirs['encoder'])} differs from the one the diffusion "
                         f"checkpoint's latents came from, {json.dumps(recorded['encoder'])}")
    if theirs["decoder"] != recorded["decoder"]:
        print(f"[export] the VAE's decoder block replaces the recorded one: {json.dumps(theirs['decoder'])}")
        recorded["decoder"] = copy.deepcopy(theirs["decoder"])


def load_trained(diff_ckpt, vae_ckpt, tok_dir, weights="ema"):
    """weights: "ema" (what ships) or "raw", the optimiser's current weights (early in a run, while the EMA still
    averages in the first steps' weights, e.g. to judge a short comparison run)."""
    st = torch.load(diff_ckpt, map_location="cpu", weights_only=False)
    cfg = copy.deepcopy(st["config"])
    for c in cfg["model"]["conditioning"]["configs"]:
        if c["type"] == "t5_local":
            c["config"]["tokenizer"] = "spiece.model"
            c["config"]["t5_config"]["dropout_rate"] = 0.0
    vst = torch.load(vae_ckpt, map_location="cpu", weights_only=False)
    adopt_decoder(cfg, vst["config"], vae_ckpt)
    model = create_model(cfg, model_dir=tok_dir)
    model.model.load_state_dict(st["unet"])
    model.conditioner.load_state_dict(st["cond"])
    if weights == "ema":
        with torch.no_grad():
            for p, e in zip(trainable(model), st["ema"]):
                p.copy_(e)
    elif weights != "raw":
        raise ValueError(f"weights {weights!r}: expected 'ema' or 'raw'")
    if vst["step"] != cfg.get("vae_step", vst["step"]):
        print(f"[export] note: latents were encoded with VAE step {cfg.get('vae_step')}, decoder from step {vst['step']}")
    model.pretransform.model.load_state_dict(vst["model"])
    model.eval()
    info = dict(diffusion_step=st["step"], weights=weights, diffusion_wall_s=round(st["wall"]), vae_step=vst["step"],
                vae_wall_s=round(vst.get("wall", 0)), latents_vae_step=cfg.get("vae_step"))
    if vst["config"].get("position_channel"):  # session 40: the VAE's latent channel that carries L/R position
        info["vae_position_channel"] = vst["config"]["position_channel"]
    return model, cfg, info


@torch.no_grad()
def probe(model, cfg):
    """Deterministic outputs of every part, for the reload check."""
    torch.manual_seed(0)
    md = [dict(prompt="loud high-pitched sine tone on the left", seconds_start=0.0, seconds_total=1.5),
          dict(prompt="three knocks on a door, reverberant", seconds_start=0.0, seconds_total=2.5)]
    cond = model.conditioner(md, "cpu")
    inp = model.get_conditioning_inputs(cond)
    L = cfg["sample_size"] // model.pretransform.downsampling_ratio
    x = torch.randn(2, cfg["model"]["io_channels"], L)
    v = model.model(x, torch.tensor([0.3, 0.8]), cfg_scale=5.0, batch_cfg=True, rescale_cfg=True, **inp)
    audio = model.pretransform.decode(x[:, :, :16])
    return dict(prompt=cond["prompt"][0], v=v, audio=audio)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--diffusion", default="/work/checkpoints/diffusion/last.pt")
    ap.add_argument("--vae", default="/work/checkpoints/vae/last.pt")
    ap.add_argument("--tokenizer", default="/work/checkpoints/tokenizer")
    ap.add_argument("--out", default="/work/checkpoints/export")
    ap.add_argument("--dtype", default="float16", choices=["float16", "float32"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--weights", default="ema", choices=["ema", "raw"],
                    help="the EMA weights (default; what ships) or the optimiser's current ones")
    ap.add_argument("--window", default=None, choices=["fit", "full"],
                    help="the engine's default latent length (stable-audio generate --window), written into the "
                         "config's stable_audio_swift object; unset: the engine's own default (fit)")
    ap.add_argument("--cfg-scale", type=float, default=6.0,
                    help="the engine's default classifier-free guidance scale, written into stable_audio_swift")
    a = ap.parse_args(argv)
    set_threads(a.threads)
    model, cfg, info = load_trained(a.diffusion, a.vae, a.tokenizer, a.weights)
    ref = probe(model, cfg)
    dt = getattr(torch, a.dtype)
    sd = {}
    for k, v in model.state_dict().items():
        v = v.detach().clone().contiguous()
        sd[k] = v.to(dt) if v.is_floating_point() else v
    os.makedirs(a.out, exist_ok=True)
    out_cfg = copy.deepcopy(cfg)
    out_cfg.pop("vae_step", None)
    out_cfg["training"] = dict(out_cfg.get("training", {}), export_info=info)
    init = out_cfg.get("init_from")
    if init and "path" in init:  # runs started before session 5 recorded a machine path; ship folder/file only
        out_cfg["init_from"] = dict(checkpoint=checkpoint_name(init.pop("path")), **init)
    # Sampling defaults of the Swift engine (`stable-audio generate` without flags), the same as stage 6 (sample.py):
    # SAT's generate_diffusion_cond with k-diffusion dpmpp-2m, 50 steps, CFG 6 (--cfg-scale; the bundled model's
    # config says 4.5 since session 39), U-Net CFG rescale 0.4, σ 0.01…100.
    out_cfg["stable_audio_swift"] = dict(steps=50, sampler="dpmpp-2m", cfg_scale=a.cfg_scale, cfg_rescale=0.4,
                                         sigma_min=0.01, sigma_max=100.0)
    if a.window:
        out_cfg["stable_audio_swift"]["window"] = a.window
    with open(os.path.join(a.out, "model_config.json"), "w") as f:
        json.dump(out_cfg, f, indent=2)
    save_file(sd, os.path.join(a.out, "model.safetensors"), metadata={"format": "pt", "dtype": a.dtype})
    shutil.copy(os.path.join(a.tokenizer, "spiece.model"), os.path.join(a.out, "spiece.model"))
    # reload exactly as a SAT user would (plus t5_local), strict
    with open(os.path.join(a.out, "model_config.json")) as f:
        rcfg = json.load(f)
    m2 = create_model(rcfg, model_dir=a.out)
    m2.load_state_dict(load_file(os.path.join(a.out, "model.safetensors")), strict=True)
    m2.eval()
    got = probe(m2, rcfg)
    rel = {k: float((got[k] - ref[k]).norm() / (ref[k].norm() + 1e-12)) for k in ref}
    size = os.path.getsize(os.path.join(a.out, "model.safetensors"))
    print(json.dumps(dict(out=a.out, tensors=len(sd), bytes=size, reload_rel_err=rel, **info), indent=1))


if __name__ == "__main__":
    main()
