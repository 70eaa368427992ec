"""Does bfloat16 autocast scramble what the loudness words change in the U-Net's output? (session 51)

Session 47's GPU continuations, which trained under bf16 autocast (`train_diffusion --bf16`), lost the loudness words
the CPU rounds (float32) kept. This asks whether bf16 rounding in the forward pass is large beside what a loudness word
changes. For real latents x0 (the first 8 rain, wind, noise and engine clips of a latent shard, divided by the model's
latent scale, as train_diffusion feeds them), one noise draw and the v-objective's noisy input at t

    x_t = cos(πt/2)·x0 + sin(πt/2)·ε,

the U-Net's velocity v_P for a quiet prompt P = q and its loud counterpart P = l is computed in float32 and under CPU
bf16 autocast (b_P), and reported per t and prompt pair:

    cond_diff_rel        = ‖v_q − v_l‖ / ‖v_q‖                 (what the word changes)
    bf16_err_rel         = ‖b_q − v_q‖ / ‖v_q‖                 (bf16 rounding of the whole output)
    bf16_err_in_diff_rel = ‖(b_q − b_l) − (v_q − v_l)‖ / ‖v_q − v_l‖
    diff_cos             = cosine of (b_q − b_l) and (v_q − v_l)

Limits: the forward pass only (not the gradients, nor the optimiser in float32 that train_diffusion keeps), on the
CPU's bf16 kernels rather than CUDA's, one model, three prompt pairs.

  PYTHONPATH=. python eval/default-model/bf16_conditioning_check.py --model models/default \
      --latents /work/checkpoints/latents40/train_00000.pt --out /tmp/bf16_conditioning.json
"""
import argparse
import math

import torch

from models.training.common import read_meta, save_json, set_threads
from models.training.sample import load_model

PROMPT_PAIRS = (("sound of heavy rain, quiet", "sound of heavy rain, loud"),
                ("wind, at low volume", "wind, at high volume"),
                ("pink noise, low in volume", "pink noise, high in volume"))
FAMILIES = ("rain", "wind", "noise", "engine")
TIMES = (0.95, 0.8, 0.6, 0.4, 0.2)


def velocity(model, prompt, xt, t, bf16):
    """The U-Net's v-prediction for `prompt` (seconds_total 5) at xt, t, float32 or under CPU bf16 autocast."""
    conditioning = [dict(prompt=prompt, seconds_start=0.0, seconds_total=5.0)] * xt.shape[0]
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        cond = model.conditioner(conditioning, "cpu")
        out = model.model(xt, t, **model.get_conditioning_inputs(cond))
    return out.float()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="models/default")
    ap.add_argument("--latents", default="/work/checkpoints/latents40/train_00000.pt",
                    help="an encode_latents shard of the model's VAE (ids, mean)")
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--clips", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    set_threads(a.threads)
    torch.manual_seed(0)
    model, config = load_model(a.model)
    scale = config["model"]["pretransform"]["scale"]
    shard = torch.load(a.latents, map_location="cpu", weights_only=False)
    families = {m["id"]: m["family"] for m in read_meta(a.corpus, "train")}
    rows = [i for i, clip in enumerate(shard["ids"]) if families.get(clip) in FAMILIES][: a.clips]
    if not rows:
        raise SystemExit(f"{a.latents}: no clip of the families {FAMILIES} among its ids")
    x0 = shard["mean"][rows].float() / scale
    noise = torch.randn_like(x0)
    results = []
    for time in TIMES:
        t = torch.full((len(rows),), time)
        # x_t = cos(πt/2)·x0 + sin(πt/2)·ε
        xt = math.cos(time * math.pi / 2) * x0 + math.sin(time * math.pi / 2) * noise
        for quiet, loud in PROMPT_PAIRS:
            vq, vl = velocity(model, quiet, xt, t, False), velocity(model, loud, xt, t, False)
            bq, bl = velocity(model, quiet, xt, t, True), velocity(model, loud, xt, t, True)
            difference, bf16_difference = vq - vl, bq - bl
            results.append(dict(
                t=time, quiet=quiet, loud=loud,
                cond_diff_rel=round(float(difference.norm() / vq.norm()), 4),
                bf16_err_rel=round(float((bq - vq).norm() / vq.norm()), 4),
                bf16_err_in_diff_rel=round(float((bf16_difference - difference).norm() / difference.norm()), 3),
                diff_cos=round(float(torch.nn.functional.cosine_similarity(
                    bf16_difference.flatten(), difference.flatten(), dim=0)), 3)))
            print(results[-1], flush=True)
    save_json(a.out, dict(model=a.model, latents=a.latents, clips=[shard["ids"][i] for i in rows], rows=results))


if __name__ == "__main__":
    main()
