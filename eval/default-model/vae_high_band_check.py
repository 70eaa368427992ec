"""Does a VAE keep the high band? For the first --count held-out corpus clips (id order, each cut to its
seconds_total), encode (posterior mean, so the check is deterministic) and decode through each model's VAE, and
compare the channel mean of reconstruction and source:

    level(band)  = 10·log10 Σ_{f in band} |X(f)|²      bands 0–200 Hz, 200–1,000 Hz, 1–4 kHz, 4–22.05 kHz
    high share   = level(4–22.05 kHz) − 10·log10 Σ_f |X(f)|²      (dB re the clip's whole energy)

It reports, per model: the median of level(reconstruction) − level(source) per band, over all clips and per family
(families with 5 clips or more); the median high-band share of sources and reconstructions per family; the
correlation of the two shares from clip to clip; and a ridge probe (vae_pitch_check's: 5 folds, the latent's frame
average and standard deviation) reading the source's high-band share from the latent. If the reconstructions follow
the sources' share from clip to clip while their levels fall short, the latent carries brightness and the decoder
squeezes it; if the probe and the reconstructions both miss it, the encoder drops it.

  PYTHONPATH=. python eval/default-model/vae_high_band_check.py --model shipped=models/default \
      --model vae25_r256=/work/checkpoints/vae25_r256/step0003000.pt --out /tmp/vae_high_band.json
"""
import collections, json, os, sys
import numpy as np, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_eval as R
from vae_pitch_check import frame_statistics, parse_model_arguments, posterior_mean, probe_predictions
from models.training.common import load_clip, read_meta

SAMPLE_RATE = 44100
BANDS = ((0, 200), (200, 1000), (1000, 4000), (4000, SAMPLE_RATE // 2 + 1))
BAND_NAMES = ("0-200 Hz", "200-1000 Hz", "1-4 kHz", "4-22 kHz")


def band_levels(x):
    """x [2, n] -> (the channel mean's level in each of BANDS, its high-band share), dB (formulas above)."""
    power = np.abs(np.fft.rfft(x.mean(axis=0))) ** 2
    frequency = np.fft.rfftfreq(x.shape[-1], 1 / SAMPLE_RATE)
    levels = np.array([10 * np.log10(power[(frequency >= lo) & (frequency < hi)].sum() + 1e-12) for lo, hi in BANDS])
    return levels, levels[-1] - 10 * np.log10(power.sum() + 1e-12)


def medians(rows):
    """[[value per band], ...] -> the median of each band, rounded to 0.1 dB."""
    return [round(float(v), 1) for v in np.median(np.array(rows), axis=0)]


def main():
    a = parse_model_arguments(add_arguments=lambda ap: ap.add_argument(
        "--count", type=int, default=300, help="the first COUNT eval clips in id order"))
    metas = sorted(read_meta(a.corpus, "eval"), key=lambda m: m["id"])[:a.count]
    sources = [load_clip(a.corpus, m, 0, int(round(m["seconds_total"] * SAMPLE_RATE))) for m in metas]
    source_levels = [band_levels(x) for x in sources]
    source_share = np.array([share for _, share in source_levels])
    families = [m["family"] for m in metas]
    report = dict(command=" ".join(sys.argv), clips=len(metas), bands=BAND_NAMES, models={})
    for label, path in a.model:
        pretransform = R.load_pretransform(path)
        autoencoder, ratio = pretransform.model, pretransform.downsampling_ratio
        differences, shares, features = [], [], []
        for x, (levels, _) in zip(sources, source_levels):
            latent = posterior_mean(autoencoder, ratio, x)
            with torch.no_grad():
                y = autoencoder.decoder(latent)[0, :, :x.shape[-1]].numpy()
            reconstructed, share = band_levels(y)
            differences.append(reconstructed - levels)
            shares.append(share)
            features.append(frame_statistics(latent[0].numpy()))
        shares = np.array(shares)
        probe = probe_predictions(np.array(features), source_share)
        by_family = collections.defaultdict(list)
        for k, family in enumerate(families):
            by_family[family].append(k)
        report["models"][label] = dict(
            path=path,
            band_difference_median_db=medians(differences),
            high_share_median_db=dict(source=round(float(np.median(source_share)), 1),
                                      reconstruction=round(float(np.median(shares)), 1)),
            high_share_correlation=round(float(np.corrcoef(source_share, shares)[0, 1]), 3),
            probe_high_share_correlation=round(float(np.corrcoef(source_share, probe)[0, 1]), 3),
            families={f: dict(clips=len(ks), band_difference_median_db=medians([differences[k] for k in ks]),
                              high_share_median_db=[round(float(np.median(source_share[ks])), 1),
                                                    round(float(np.median(shares[ks])), 1)])
                      for f, ks in sorted(by_family.items()) if len(ks) >= 5})
        run = report["models"][label]
        print(f"{label}: band differences {run['band_difference_median_db']} dB; high share source "
              f"{run['high_share_median_db']['source']} dB, reconstruction {run['high_share_median_db']['reconstruction']} "
              f"dB, correlation {run['high_share_correlation']}, probe {run['probe_high_share_correlation']}", flush=True)
    with open(a.out, "w") as fh:
        json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
