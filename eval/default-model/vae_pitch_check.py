"""Does a VAE keep pitch register? For every held-out corpus clip whose attributes give a pitch register (low, mid,
high), the spectral centroid (measures.spectral_centroid, the pitch pairs' measure) of the clip as it is and after
encode+decode through each model's VAE. Per family with two registers or more it reports how often a higher-register
clip has the higher centroid over all (lower, higher) clip pairs (the pitch pairs' judgement, AUC-style: 1.0 means
every pair ordered), and over all clips the median ratio centroid(reconstruction) / centroid(source).

  PYTHONPATH=. python eval/default-model/vae_pitch_check.py --model shipped=models/default \
      --model vae20=/work/checkpoints/export20_6300 --out /tmp/vae_pitch.json

It separates the two places a pitch word can be lost: if the reconstructions keep the order, the VAE passes pitch and
the diffusion model is what does not follow the words. Encoding samples the posterior (torch seed 0), as SAT's
pretransform does.
"""
import argparse, collections, itertools, json, os, sys
import numpy as np, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_eval as R
from measures import spectral_centroid
from models.training.common import load_clip, read_meta

REGISTER_RANK = {"low": 0, "mid": 1, "high": 2}


def ordered_fraction(clips):
    """Over all pairs of clips of different registers: the share whose centroids are in register order (ties count
    as wrong, as in the pair bar)."""
    good = total = 0
    for (ra, ca), (rb, cb) in itertools.combinations(clips, 2):
        if ra == rb:
            continue
        total += 1
        good += int((ca < cb) if ra < rb else (cb < ca))
    return good / total if total else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append", required=True, help="LABEL=exported model folder (repeatable)")
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    metas = [m for m in read_meta(a.corpus, "eval") if m["attrs"].get("register") in REGISTER_RANK]
    by_family = collections.defaultdict(list)
    for m in metas:
        by_family[m["family"]].append(m)
    families = sorted(f for f, ms in by_family.items() if len({m["attrs"]["register"] for m in ms}) > 1)
    chosen = [m for f in families for m in by_family[f]]

    sources = {}
    for m in chosen:
        n = int(round(m["seconds_total"] * 44100))
        sources[m["id"]] = load_clip(a.corpus, m, 0, n)

    centroids = {"source": {i: spectral_centroid(x) for i, x in sources.items()}}
    for spec in a.model:
        label, folder = spec.split("=", 1)
        _, model, _ = R.gen_fn(folder, 10, 6.0, 0)
        roundtrip = R.vae_roundtrip_fn(model.pretransform)
        centroids[label] = {i: spectral_centroid(roundtrip(x)) for i, x in sources.items()}

    report = dict(command=" ".join(sys.argv), clips=len(chosen), families={}, overall={})
    for label, cents in centroids.items():
        per_family = {}
        for f in families:
            clips = [(REGISTER_RANK[m["attrs"]["register"]], cents[m["id"]]) for m in by_family[f]]
            per_family[f] = dict(
                ordered=ordered_fraction(clips),
                median_centroid_hz={r: float(np.median([cents[m["id"]] for m in by_family[f]
                                                        if m["attrs"]["register"] == r]))
                                    for r in REGISTER_RANK if any(m["attrs"]["register"] == r for m in by_family[f])})
        ratios = [cents[i] / max(centroids["source"][i], 1e-9) for i in sources]
        report["families"][label] = per_family
        report["overall"][label] = dict(
            mean_ordered=float(np.mean([v["ordered"] for v in per_family.values()])),
            median_centroid_ratio=None if label == "source" else float(np.median(ratios)),
            log_centroid_correlation=float(np.corrcoef(np.log([centroids["source"][i] + 1 for i in sources]),
                                                       np.log([cents[i] + 1 for i in sources]))[0, 1]))
    with open(a.out, "w") as fh:
        json.dump(report, fh, indent=1)
    labels = list(centroids)
    print("family".ljust(10) + "".join(f"{l:>22}" for l in labels))
    for f in families:
        row = ""
        for l in labels:
            v = report["families"][l][f]
            med = "/".join(f"{v['median_centroid_hz'][r]:.0f}" for r in v["median_centroid_hz"])
            row += f"{v['ordered']:>6.2f} {med:>15}"
        print(f.ljust(10) + row)
    print(json.dumps(report["overall"], indent=1))


if __name__ == "__main__":
    main()
