"""Is the VAE the bottleneck of the family bar? Classifies 2 eval clips per family with sfx-clap-mini, as they are
and after encode+decode through a model folder's VAE (pretransform).

  PYTHONPATH=. python eval/default-model/vae_family_check.py --model /work/checkpoints/export --clap models/sfx-clap-mini
"""
import argparse, os, sys, json, collections, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_eval as R
from models.training.common import load_clip, read_meta
ap = argparse.ArgumentParser()
ap.add_argument("--model", required=True)
ap.add_argument("--clap", default="models/sfx-clap-mini")
ap.add_argument("--corpus", default="/work/data/corpus")
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
torch.set_num_threads(a.threads)
_, model, cfg = R.gen_fn(a.model, 10, 6.0, 0)
classify = R.load_classifier(a.clap)
metas = read_meta(a.corpus, "eval")
by = collections.defaultdict(list)
for m in metas: by[m["family"]].append(m)
chosen = [v[i] for v in by.values() for i in range(2)]
ok_orig = ok_rec = 0; preds = collections.Counter()
for m in chosen:
    x = torch.from_numpy(load_clip(a.corpus, m, 0, 262144))[None]
    with torch.no_grad():
        z = model.pretransform.encode(x)
        y = model.pretransform.decode(z)[0].numpy()
    n = int(round(m["seconds_total"] * 44100))
    po = classify(x[0].numpy()[:, :n]); pr = classify(y[:, :n])
    ok_orig += max(po, key=po.get) == m["family"]; p = max(pr, key=pr.get); ok_rec += p == m["family"]; preds[p] += 1
print(json.dumps({"clips": len(chosen), "family_top1_original": ok_orig / len(chosen), "family_top1_vae_reconstruction": ok_rec / len(chosen), "most_predicted_on_reconstructions": preds.most_common(5)}))
