"""Does the denoiser know the families? A diffusion classifier (Li et al. 2023, "Your diffusion model is secretly a
zero-shot classifier") on held-out corpus clips, for an exported model folder.

The family bar judges generated clips with sfx-clap-mini; both the shipped model and session 29's GPU export score
3.6% there, and session 30 found the same on training captions. This asks the question one level down, without the
sampler: given a held-out clip's latent x0, is the v-prediction error lower under a caption of the clip's own family
than under the other families' captions?

For each clip, noise level t and one noise draw shared by every candidate (so the candidates differ only in their
text):
    x_t = cos(t pi/2) x0 + sin(t pi/2) eps,  v = cos(t pi/2) eps - sin(t pi/2) x0
    error(c, t) = mean (v_theta(x_t, t, c) - v)^2
with the candidates c: one training caption for each of the 42 families (the first train clip of the family with the
fewest stated attributes, listed in the output), the clip's own caption, and the null condition (the U-Net's learned
CFG embedding, as condition dropout trains it). seconds_start/seconds_total are the clip's own for every candidate.
The predicted family is argmin_f mean_t error(f, t); chance is 1/42.

    python eval/default-model/diffusion_classifier.py --model models/default --per-family 2 \
        --out /tmp/diffusion_classifier_shipped.json

Reads the eval split of --corpus (posterior mean of the model's own VAE over the whole window, the clip followed by
silence, as train_diffusion's latents are made).
"""
import argparse
import collections
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
from models.training.common import load_clip, read_meta, set_threads  # noqa: E402
from models.training.sample import load_model  # noqa: E402
from measures import first_clips_per_family  # noqa: E402  (this script's folder is on sys.path when run)


def family_candidates(train_metas):
    """One caption per family: the first train clip (by id) among those with the fewest stated attributes."""
    best = {}
    for m in train_metas:
        key = (len(m.get("stated", {})), m["id"])
        if m["family"] not in best or key < best[m["family"]][0]:
            best[m["family"]] = (key, m["caption"])
    return {f: c for f, (_, c) in sorted(best.items())}


@torch.no_grad()
def clip_latent(model, cfg, corpus, meta):
    """Posterior mean / latent scale of the whole window [1, C, frames]."""
    x = torch.from_numpy(load_clip(corpus, meta, 0, cfg["sample_size"]))[None]
    pre = model.pretransform
    h = pre.model.encoder(x)
    mean, _ = h.chunk(2, dim=1)
    return mean / pre.scale


@torch.no_grad()
def errors(model, x0, meta, captions, t_values, generator):
    """error[k, j] for caption k (the last row: the null condition) and noise level t_values[j]."""
    n = len(captions)
    md = [dict(prompt=c, seconds_start=float(meta["seconds_start"]), seconds_total=float(meta["seconds_total"]))
          for c in captions]
    inputs = model.get_conditioning_inputs(model.conditioner(md, "cpu"))
    null_inputs = {k: (val[:1] if torch.is_tensor(val) else val) for k, val in inputs.items()}  # dropped anyway
    out = torch.empty(n + 1, len(t_values))
    for j, tv in enumerate(t_values):
        eps = torch.randn(x0.shape, generator=generator)
        alpha, sigma = math.cos(tv * math.pi / 2), math.sin(tv * math.pi / 2)
        xt = (alpha * x0 + sigma * eps).expand(n, -1, -1)
        target = alpha * eps - sigma * x0
        t = torch.full((n,), float(tv))
        v = model.model(xt, t, cfg_dropout_prob=0.0, **inputs)
        out[:n, j] = ((v - target) ** 2).mean(dim=(1, 2))
        v0 = model.model(xt[:1], t[:1], cfg_dropout_prob=1.0, **null_inputs)
        out[n, j] = ((v0 - target) ** 2).mean()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="exported model folder (model_config.json + model.safetensors)")
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--per-family", type=int, default=2)
    ap.add_argument("--t", default="0.1,0.3,0.5,0.7,0.9", help="noise levels t in (0, 1), comma-separated")
    ap.add_argument("--crop-frames", type=int, default=0,
                    help="judge only the first N latent frames (for models trained with train_diffusion --crop-frames)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    set_threads(a.threads)
    torch.manual_seed(a.seed)  # the U-Net's dropout paths are off in eval(); this only fixes anything left random
    t_values = [float(v) for v in a.t.split(",")]
    if not all(0.0 < v < 1.0 for v in t_values):
        ap.error(f"--t {a.t}: every noise level must lie in (0, 1)")
    model, cfg = load_model(a.model)
    candidates = family_candidates(read_meta(a.corpus, "train"))
    families = list(candidates)
    clips = first_clips_per_family(read_meta(a.corpus, "eval"), a.per_family)
    unknown = sorted({m["family"] for m in clips} - set(families))
    if unknown:
        raise SystemExit(f"{a.corpus}: eval families without a train caption: {unknown}")
    generator = torch.Generator().manual_seed(a.seed)
    rows, t0 = [], time.time()
    for i, m in enumerate(clips):
        x0 = clip_latent(model, cfg, a.corpus, m)
        if a.crop_frames:
            if not 0 < a.crop_frames <= x0.shape[-1]:
                raise SystemExit(f"--crop-frames {a.crop_frames}: the latent has {x0.shape[-1]} frames")
            x0 = x0[..., : a.crop_frames]
        e = errors(model, x0, m, [candidates[f] for f in families] + [m["caption"]], t_values, generator)
        family_error = e[: len(families)].mean(dim=1)
        order = torch.argsort(family_error).tolist()
        truth = families.index(m["family"])
        rows.append(dict(id=m["id"], family=m["family"], predicted=families[order[0]], rank=order.index(truth) + 1,
                         per_t_predicted=[families[int(k)] for k in e[: len(families)].argmin(dim=0)],
                         true_family=e[truth].tolist(), other_families=(
                             (e[: len(families)].sum(dim=0) - e[truth]) / (len(families) - 1)).tolist(),
                         own_caption=e[len(families)].tolist(), null=e[len(families) + 1].tolist()))
        print(f"{i + 1}/{len(clips)} {m['family']:>12} -> {families[order[0]]:<12} rank {rows[-1]['rank']:>2} "
              f"({time.time() - t0:.0f} s)", file=sys.stderr, flush=True)

    def mean_over_rows(key):
        return [float(np.mean([r[key][j] for r in rows])) for j in range(len(t_values))]

    per_t_top1 = [float(np.mean([r["per_t_predicted"][j] == r["family"] for r in rows])) for j in range(len(t_values))]
    result = dict(
        model=os.path.abspath(a.model), corpus=a.corpus, clips=len(rows), families=len(families),
        per_family=a.per_family, t=t_values, seed=a.seed, crop_frames=a.crop_frames, seconds=round(time.time() - t0, 1),
        command="python " + " ".join([os.path.relpath(__file__)] + (argv if argv is not None else sys.argv[1:])),
        top1=float(np.mean([r["predicted"] == r["family"] for r in rows])), chance=1.0 / len(families),
        top5=float(np.mean([r["rank"] <= 5 for r in rows])), median_rank=float(np.median([r["rank"] for r in rows])),
        per_t_top1=per_t_top1,
        mean_error=dict(true_family=mean_over_rows("true_family"), other_families=mean_over_rows("other_families"),
                        own_caption=mean_over_rows("own_caption"), null=mean_over_rows("null")),
        predicted_counts=collections.Counter(r["predicted"] for r in rows).most_common(),
        candidates=candidates, rows=rows)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)
    summary = {k: result[k] for k in ("clips", "top1", "top5", "median_rank", "per_t_top1", "mean_error")}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
