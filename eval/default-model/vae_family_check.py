"""Is the VAE the bottleneck of the family bar? Classifies 2 eval clips per family with sfx-clap-mini, as they are
and after encode+decode through a VAE, and reports the reconstruction level against the source's. With --mrstft it
also runs run_eval's VAE section (MR-STFT with auraloss defaults, NaN, DC, bandwidth) on the first 64 eval clips.

  PYTHONPATH=. python eval/default-model/vae_family_check.py --model /work/checkpoints/export --clap models/sfx-clap-mini
  PYTHONPATH=. python eval/default-model/vae_family_check.py --vae /work/checkpoints/vae3/last.pt --mrstft

--model takes an exported model folder (its pretransform); --vae takes a train_vae checkpoint directly, so a VAE can
be judged before any diffusion model is trained on its latents. Encoding samples the posterior (as SAT's pretransform
does), with torch seed 0.
"""
import argparse, os, sys, json, collections, types
import numpy as np, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_eval as R
from models.training.common import load_clip, read_meta


def vae_from_checkpoint(path):
    """A train_vae checkpoint as a pretransform-like object (encode, decode, downsampling_ratio), latent scale 1."""
    from models.training import sat_compat  # noqa: F401  (SAT's optional imports)
    from models.training.encode_latents import load_vae
    vae, state = load_vae(path, "cpu")
    return types.SimpleNamespace(encode=vae.encode, decode=vae.decode, downsampling_ratio=vae.downsampling_ratio,
                                 step=state["step"])


ap = argparse.ArgumentParser()
source = ap.add_mutually_exclusive_group(required=True)
source.add_argument("--model", help="exported model folder")
source.add_argument("--vae", help="train_vae checkpoint (last.pt)")
ap.add_argument("--clap", default="models/sfx-clap-mini")
ap.add_argument("--corpus", default="/work/data/corpus")
ap.add_argument("--mrstft", action="store_true", help="also MR-STFT / NaN / DC / bandwidth on 64 eval clips")
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
if a.model:
    _, model, cfg = R.gen_fn(a.model, 10, 6.0, 0)
    pretransform, step = model.pretransform, None
else:
    pretransform = vae_from_checkpoint(a.vae)
    step = pretransform.step
classify = R.load_classifier(a.clap)
metas = read_meta(a.corpus, "eval")
by = collections.defaultdict(list)
for m in metas: by[m["family"]].append(m)
chosen = [v[i] for v in by.values() for i in range(2)]
ok_orig = ok_rec = 0; preds = collections.Counter(); level_gap = []
for m in chosen:
    x = torch.from_numpy(load_clip(a.corpus, m, 0, 262144))[None]
    with torch.no_grad():
        y = pretransform.decode(pretransform.encode(x))[0].numpy()
    n = int(round(m["seconds_total"] * 44100))
    xs, ys = x[0].numpy()[:, :n], y[:, :n]
    # level gap (dB) = 10 log10(mean y² / mean x²) over the sound
    level_gap.append(10 * np.log10((np.mean(ys ** 2) + 1e-12) / (np.mean(xs ** 2) + 1e-12)))
    po = classify(xs); pr = classify(ys)
    ok_orig += max(po, key=po.get) == m["family"]; p = max(pr, key=pr.get); ok_rec += p == m["family"]; preds[p] += 1
result = {"command": " ".join(sys.argv), "vae_step": step, "clips": len(chosen),
          "family_top1_original": ok_orig / len(chosen), "family_top1_vae_reconstruction": ok_rec / len(chosen),
          "most_predicted_on_reconstructions": preds.most_common(5),
          "level_gap_db_median": float(np.median(level_gap)), "level_gap_db_p10_p90": [float(np.percentile(level_gap, 10)), float(np.percentile(level_gap, 90))]}
if a.mrstft:
    result["vae"] = R.eval_vae(types.SimpleNamespace(pretransform=pretransform), a.corpus)
print(json.dumps(result))
