"""Where does a VAE's latent keep pitch: in each frame's values, or in fine structure across frames? Held-out pitched
clips (tone, piano, strings, flute, beeps, alarm with a register attribute) are encoded to the posterior mean, the
latent is moving-averaged along time over about 0, 93 and 370 ms (replicate padding; 1, 8 and 32 frames at ratio
512, 1, 2 and 8 at ratio 2048), decoded, and judged as vae_pitch_check judges them (register order of the spectral
centroid over all clip pairs of a family).

  PYTHONPATH=. python eval/default-model/latent_smoothing_check.py --model shipped=models/default \
      --model vae20=/work/checkpoints/export20_6300 --out /tmp/latent_smoothing.json

A decoder whose register order survives the smoothing reads pitch from slowly varying latent values; one whose order
is lost by it reads pitch from frame-to-frame detail, which a generated latent must then reproduce.
"""
import collections, json, os, sys
import numpy as np, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_eval as R
from measures import spectral_centroid
from vae_pitch_check import REGISTER_RANK, ordered_fraction, parse_model_arguments, posterior_mean
from models.training.common import load_clip, read_meta

FAMILIES = ("tone", "piano", "strings", "flute", "beeps", "alarm")
SMOOTHING_MS = (0, 93, 370)


def moving_average(latent, frames):
    """latent [1, C, T] -> its mean over a centred window of `frames` frames (edges replicated), same shape."""
    if frames <= 1:
        return latent
    padded = torch.nn.functional.pad(latent, ((frames - 1) // 2, frames // 2), mode="replicate")
    return torch.nn.functional.avg_pool1d(padded, frames, stride=1)


def summarise(rows):
    """rows: (family, register rank, centroid) -> per family the ordered share and the median centroid per register."""
    out = {}
    for family in FAMILIES:
        clips = [(rank, c) for f, rank, c in rows if f == family]
        out[family] = dict(ordered=ordered_fraction(clips),
                           median_centroid_hz={r: round(float(np.median([c for rr, c in clips if rr == rank])))
                                               for r, rank in REGISTER_RANK.items() if any(rr == rank for rr, _ in clips)})
    return dict(families=out, mean_ordered=float(np.mean([v["ordered"] for v in out.values()])))


def main():
    a = parse_model_arguments()
    metas = [m for m in read_meta(a.corpus, "eval")
             if m["family"] in FAMILIES and m["attrs"].get("register") in REGISTER_RANK]
    sources = {m["id"]: load_clip(a.corpus, m, 0, int(round(m["seconds_total"] * 44100))) for m in metas}
    rank = {m["id"]: REGISTER_RANK[m["attrs"]["register"]] for m in metas}
    family = {m["id"]: m["family"] for m in metas}

    report = dict(command=" ".join(sys.argv), clips=len(metas), results={})
    report["results"]["source"] = summarise([(family[i], rank[i], spectral_centroid(x)) for i, x in sources.items()])
    for label, folder in a.model:
        pretransform = R.load_pretransform(folder)
        autoencoder, ratio = pretransform.model, pretransform.downsampling_ratio
        rows = collections.defaultdict(list)
        with torch.no_grad():
            for i, x in sources.items():
                n = x.shape[-1]
                mean = posterior_mean(autoencoder, ratio, x)
                for ms in SMOOTHING_MS:
                    frames = max(1, int(round(ms / 1000 * 44100 / ratio)))
                    y = autoencoder.decoder(moving_average(mean, frames))[0, :, :n].numpy()
                    rows[ms].append((family[i], rank[i], spectral_centroid(y)))
        for ms in SMOOTHING_MS:
            report["results"][f"{label}, {ms} ms"] = summarise(rows[ms])
    with open(a.out, "w") as fh:
        json.dump(report, fh, indent=1)
    for key, result in report["results"].items():
        print(f"{key:18} mean ordered {result['mean_ordered']:.3f}  " +
              "  ".join(f"{f} {v['ordered']:.2f}" for f, v in result["families"].items()))


if __name__ == "__main__":
    main()
