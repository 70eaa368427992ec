"""Where does a VAE lose the family: in its encoder or in its decoder? (session 48)

The family bar's judge names 97.6% of the held-out clips' families as rendered and 10.7% after the shipped VAE's
encode+decode (session 47, vae_family_check.py). A decoder-only run keeps the latent space, so the shipped U-Net stays
valid on it (the cheap next GPU lease); a whole new VAE needs the U-Net retrained. Which one pays depends on whether
the latents still carry the family. This asks with two read-outs, each fitted on three representations of the same
clips:

    features of clip i:  f_i = [mean_t(s_t), std_t(s_t)]   (frame_statistics: 2 × 32 numbers)
      latent:      s_t = the encoder's posterior mean at latent frame t (32 channels, one frame per 2048 samples)
      source mel:  s_t = the clip's log-mel (measures.log_mel, 128 bands) averaged over 4 adjacent bands (32 bands)
      decoded mel: the same of the VAE's encode+decode of the clip (run_eval.vae_roundtrip_fn, posterior sampled)
    read-outs, each clip predicted by a fit on the other folds (5 folds; the families interleaved so that every
    fold holds every family), predicted family = argmax_k of the read-out's k-th output, Y the one-hot families:
      linear:  W = argmin ‖[F̂ 1] W − Y‖² + λ‖W‖²  (vae_pitch_check.fit_ridge, λ = 10, F̂ the standardised features)
      kernel:  A = (K + μI)⁻¹ Y,  K_ij = exp(−‖f̂_i − f̂_j‖² / D),  output for a clip x: Σ_i exp(−‖x̂ − f̂_i‖² / D) A_i
               (RBF kernel ridge, D = the feature count, μ = 0.1, standardised on the training folds; both settings
               fixed in advance, not tuned on the folds)

If the latent reads the family about as well as the source mel, and the decoded mel much worse, the decoder loses it;
if the latent reads it as badly as the decoded mel, the encoder does. Chance is 1/42. Limits: a read-out of
clip-level statistics gives a lower bound on what each representation holds, not what a decoder could recover; the
frames counted are the sound's own (the clip's length), not the silence after it.

  PYTHONPATH=. python eval/default-model/latent_family_probe.py --model shipped=models/default \
      --out eval/default-model/latent_family_probe48.json
"""
import collections, json, os, sys
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measures as M
import run_eval as R
from vae_pitch_check import fit_ridge, frame_statistics, parse_model_arguments, posterior_mean
from models.training.common import load_clip, read_meta

MEL_GROUP = 4  # adjacent mel bands averaged, 128 -> 32, the latent's channel count


def mel_features(x):
    """x [2, n] -> frame_statistics of its log-mel in 128 / MEL_GROUP bands."""
    mel = M.log_mel(x)
    return frame_statistics(mel.reshape(-1, MEL_GROUP, mel.shape[1]).mean(axis=1))


def fit_kernel_ridge(features, targets, ridge=0.1):
    """RBF kernel ridge regression (module doc) on features standardised by the training set's mean and deviation.
    Returns features [N, F] -> outputs [N, K]."""
    mu, sd = features.mean(axis=0), features.std(axis=0) + 1e-8
    train = (features - mu) / sd

    def kernel(x):
        x = (x - mu) / sd
        squared = (x * x).sum(1)[:, None] + (train * train).sum(1)[None, :] - 2 * x @ train.T
        return np.exp(-np.maximum(squared, 0.0) / train.shape[1])
    weights = np.linalg.solve(kernel(features) + ridge * np.eye(len(features)), targets)
    return lambda x: kernel(x) @ weights


READ_OUTS = {"linear": fit_ridge, "kernel": fit_kernel_ridge}


def family_probe(features, labels, families, fit, folds=5):
    """Cross-validated read-out of the family by `fit` (a READ_OUTS entry; module doc): each clip's prediction comes
    from a fit on the other folds. Returns (top-1 accuracy, per-family accuracy)."""
    targets = np.eye(len(families))[labels]
    fold = np.arange(len(labels)) % folds
    predicted = np.zeros(len(labels), dtype=int)
    for k in range(folds):
        predict = fit(features[fold != k], targets[fold != k])
        predicted[fold == k] = predict(features[fold == k]).argmax(axis=1)
    hit = predicted == labels
    return float(hit.mean()), {f: float(hit[labels == j].mean()) for j, f in enumerate(families)}


def main():
    a = parse_model_arguments(add_arguments=lambda ap: ap.add_argument(
        "--limit", type=int, default=0, help="only the first N eval clips in family order (smoke runs)"))
    metas = sorted(read_meta(a.corpus, "eval"), key=lambda m: (m["family"], m["id"]))
    if a.limit:
        metas = metas[: a.limit]
    families = sorted({m["family"] for m in metas})
    # interleave the families so that the fold index (clip index mod 5) spreads each family over every fold
    by_family = collections.defaultdict(list)
    for m in metas:
        by_family[m["family"]].append(m)
    order = [m for k in range(max(len(v) for v in by_family.values())) for f in families
             for m in by_family[f][k:k + 1]]
    labels = np.array([families.index(m["family"]) for m in order])
    sources = [load_clip(a.corpus, m, 0, int(round(m["seconds_total"] * 44100))) for m in order]
    report = dict(command=" ".join(sys.argv), clips=len(order), families=len(families), chance=1 / len(families),
                  read_outs="linear: ridge, lambda 10; kernel: RBF kernel ridge, D = feature count, mu 0.1; "
                            "standardised frame mean and std, 5 folds", runs={})

    def record(name, features, **extra):
        report["runs"][name] = dict(extra)
        for read_out, fit in READ_OUTS.items():
            accuracy, per_family = family_probe(features, labels, families, fit)
            report["runs"][name][read_out] = dict(top1=accuracy, per_family=per_family)
            print(f"{name:22} {read_out:7} {accuracy:.3f}", flush=True)

    record("source mel", np.stack([mel_features(x) for x in sources]))
    for label, folder in a.model:
        pretransform = R.load_pretransform(folder)
        autoencoder, ratio = pretransform.model, pretransform.downsampling_ratio
        latent = np.stack([frame_statistics(posterior_mean(autoencoder, ratio, x)[0].numpy()) for x in sources])
        roundtrip = R.vae_roundtrip_fn(pretransform)
        decoded = np.stack([mel_features(roundtrip(x)) for x in sources])
        record(f"{label} latent", latent, model=folder)
        record(f"{label} decoded mel", decoded, model=folder)
    with open(a.out, "w") as fh:
        json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
