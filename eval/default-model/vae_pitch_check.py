"""Does a VAE keep pitch register? For every held-out corpus clip whose attributes give a pitch register (low, mid,
high), the spectral centroid (measures.spectral_centroid, the pitch pairs' measure) of the clip as it is and after
encode+decode through each model's VAE. Per family with two registers or more it reports how often a higher-register
clip has the higher centroid over all (lower, higher) clip pairs (the pitch pairs' judgement, AUC-style: 1.0 means
every pair ordered), and over all clips the median ratio centroid(reconstruction) / centroid(source).

  PYTHONPATH=. python eval/default-model/vae_pitch_check.py --model shipped=models/default \
      --model vae20=/work/checkpoints/export20_6300 --out /tmp/vae_pitch.json

--model takes an exported model folder or (since session 23) a train_vae checkpoint, LABEL=PATH, repeatable.

It separates the two places a pitch word can be lost: if the reconstructions keep the order, the VAE passes pitch and
the diffusion model is what does not follow the words. Encoding samples the posterior (torch seed 0), as SAT's
pretransform does.

Per family and register it also gives the share of clips whose reconstruction's strongest frequency
(`synthetic_tones.strongest_frequency`) lies within a semitone of the source's (`strongest_frequency_kept`).

It also asks whether the encoder or the decoder loses register: a ridge probe (5 folds over the clips) reads each
clip's log2 source centroid from its latent (posterior mean, averaged and its standard deviation over the clip's
frames: 2 × latent_dim features, standardised). The probe's predictions are judged by the same register order; if the
latent orders clips far better than the reconstructions do, the encoder keeps register and the decoder drops it.
"""
import argparse, collections, itertools, json, os, sys
import numpy as np, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_eval as R
from measures import spectral_centroid
from pitch_words import labelled_path
from models.training.common import load_clip, read_meta
from models.training.synthetic_tones import strongest_frequency

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


def within_semitone(frequency, reference):
    """Whether two frequencies (Hz) lie within a semitone of each other, |log2(f / f_ref)| < 1/12."""
    return abs(np.log2(max(frequency, 1.0) / max(reference, 1.0))) < 1 / 12


def by_register(metas):
    """The clips of one family grouped by register, in REGISTER_RANK order: {register: [meta, ...]}."""
    return {r: [m for m in metas if m["attrs"]["register"] == r] for r in REGISTER_RANK
            if any(m["attrs"]["register"] == r for m in metas)}


def posterior_mean(autoencoder, ratio, x):
    """x [2, n] -> the encoder's posterior mean [1, latent_dim, ceil(n / ratio)] (x zero padded to whole frames)."""
    n = x.shape[-1]
    padded = np.zeros((2, -(-n // ratio) * ratio), dtype=np.float32)
    padded[:, :n] = x
    with torch.no_grad():
        return autoencoder.encoder(torch.from_numpy(padded)[None]).chunk(2, dim=1)[0]


def frame_statistics(latent):
    """latent [latent_dim, frames] -> its average and standard deviation over the frames, [2 × latent_dim]: the
    probe's features."""
    return np.concatenate([latent.mean(axis=1), latent.std(axis=1)])


def latent_features(autoencoder, ratio, x):
    """x [2, n] -> `frame_statistics` of the posterior mean."""
    return frame_statistics(posterior_mean(autoencoder, ratio, x)[0].numpy())


def fit_ridge(features, targets, ridge=10.0):
    """Ridge regression on standardised features with an unpenalised intercept, w = (XᵀX + λI)⁻¹ Xᵀy.
    Returns features [N, F] -> predictions [N]."""
    mu, sd = features.mean(axis=0), features.std(axis=0) + 1e-8

    def design(x):
        return np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    penalty = ridge * np.eye(features.shape[1] + 1)
    penalty[-1, -1] = 0
    weights = np.linalg.solve(design(features).T @ design(features) + penalty, design(features).T @ targets)
    return lambda x: design(x) @ weights


def probe_predictions(features, targets, folds=5):
    """Cross-validated ridge probe: every clip's prediction comes from a fit on the other folds."""
    fold = np.arange(len(targets)) % folds
    predictions = np.zeros(len(targets))
    for k in range(folds):
        predictions[fold == k] = fit_ridge(features[fold != k], targets[fold != k])(features[fold == k])
    return predictions


def parse_model_arguments(argv=None, model_help="LABEL=exported model folder or train_vae checkpoint (repeatable)",
                          add_arguments=None):
    """The command line these VAE checks share: --model LABEL=PATH (repeatable; a list of (label, path)),
    --corpus, --out, --threads (applied to torch here), and whatever `add_arguments(parser)` adds."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append", required=True, type=labelled_path,
                    help=model_help)
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    if add_arguments:
        add_arguments(ap)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    return a


def main():
    a = parse_model_arguments()

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
    ids = list(sources)
    targets = np.log2([centroids["source"][i] + 1 for i in ids])
    probes, peak_kept = {}, {}
    source_peaks = {i: strongest_frequency(x) for i, x in sources.items()}
    for label, folder in a.model:
        pretransform = R.load_pretransform(folder)
        roundtrip = R.vae_roundtrip_fn(pretransform)
        reconstructions = {i: roundtrip(x) for i, x in sources.items()}
        centroids[label] = {i: spectral_centroid(y) for i, y in reconstructions.items()}
        peak_kept[label] = {f: {r: float(np.mean([within_semitone(strongest_frequency(reconstructions[m["id"]]),
                                                                   source_peaks[m["id"]]) for m in ms]))
                                for r, ms in by_register(by_family[f]).items()} for f in families}
        autoencoder, ratio = pretransform.model, pretransform.downsampling_ratio
        features = np.stack([latent_features(autoencoder, ratio, sources[i]) for i in ids])
        predicted = probe_predictions(features, targets)
        probes[label] = dict(r_squared=float(1 - np.sum((predicted - targets) ** 2) / np.sum((targets - targets.mean()) ** 2)))
        centroids[f"{label} latent probe"] = {i: float(2 ** p) for i, p in zip(ids, predicted)}

    report = dict(command=" ".join(sys.argv), clips=len(chosen), families={}, overall={}, latent_probe_r_squared=probes,
                  strongest_frequency_kept=peak_kept)
    for label, cents in centroids.items():
        per_family = {}
        for f in families:
            clips = [(REGISTER_RANK[m["attrs"]["register"]], cents[m["id"]]) for m in by_family[f]]
            per_family[f] = dict(
                ordered=ordered_fraction(clips),
                median_centroid_hz={r: float(np.median([cents[m["id"]] for m in ms]))
                                    for r, ms in by_register(by_family[f]).items()})
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
    for label, kept in peak_kept.items():
        print(f"{label}: strongest frequency within a semitone of the source's, by register: " +
              "; ".join(f"{f} " + "/".join(f"{r} {v:.2f}" for r, v in k.items()) for f, k in kept.items()))


if __name__ == "__main__":
    main()
