"""Do a diffusion model's latents for "high" and "low" prompts differ in register, even where its decoded clips do
not? The register probe of vae_pitch_check (a ridge regression from a latent's frame average and standard deviation
to the log2 spectral centroid of the source) is fitted on every held-out pitched clip's posterior mean, then applied to
the latents the model generates for pitch_words.py's six pairs (training phrasings, seeds 11-14, both prompts of a
pair from one seed). PyTorch reference sampler (SAT's generate_diffusion_cond with return_latents, 30 steps, CFG 6,
dpmpp-2m, the whole window); only the frames of the requested 3 s enter the features.

  PYTHONPATH=. python eval/default-model/generated_latent_probe.py --model d20_6300=/work/checkpoints/export20_6300 \
      --out /tmp/generated_latent_probe.json

If the probe orders the generated latents while the decoded clips are not ordered, the decoder is what loses the
pitch words and a decoder-only finetune (the encoder and so the diffusion model's latents unchanged) could bring them
back; if the probe does not order them either, the diffusion model has not learned the words.
"""
import json, os, sys
import numpy as np, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_eval as R
from measures import spectral_centroid
from pitch_words import PAIRS, SEEDS
from vae_pitch_check import (REGISTER_RANK, fit_ridge, frame_statistics, latent_features, parse_model_arguments,
                             probe_predictions)
from models.training.common import load_clip, read_meta

SECONDS = 3.0


def generated_latents(model, cfg, prompt, seed, steps=30, cfg_scale=6.0):
    """The sampled latent of one prompt, in the autoencoder's own units (SAT's pretransform divides by its scale)."""
    from stable_audio_tools.inference.generation import generate_diffusion_cond
    latent = generate_diffusion_cond(model, steps=steps, cfg_scale=cfg_scale, batch_size=1,
                                     conditioning=[dict(prompt=prompt, seconds_start=0.0, seconds_total=SECONDS)],
                                     sample_size=cfg["sample_size"], seed=seed, device="cpu", sampler_type="dpmpp-2m",
                                     sigma_min=0.01, sigma_max=100.0, return_latents=True)
    return latent.float() * model.pretransform.scale


def main():
    a = parse_model_arguments(model_help="LABEL=exported model folder (repeatable)")
    metas = [m for m in read_meta(a.corpus, "eval") if m["attrs"].get("register") in REGISTER_RANK]
    sources = [load_clip(a.corpus, m, 0, int(round(m["seconds_total"] * 44100))) for m in metas]
    targets = np.log2([spectral_centroid(x) + 1 for x in sources])

    report = dict(command=" ".join(sys.argv), probe_clips=len(metas), seeds=list(SEEDS), runs={})
    for label, folder in a.model:
        _, model, cfg = R.gen_fn(folder, 30, 6.0, 0)
        autoencoder, ratio = model.pretransform.model, model.pretransform.downsampling_ratio
        features = np.stack([latent_features(autoencoder, ratio, x) for x in sources])
        cross_validated = probe_predictions(features, targets)
        probe = fit_ridge(features, targets)
        frames = int(np.ceil(SECONDS * 44100 / ratio))
        rows = []
        for low, high in PAIRS:
            row = dict(pair=[low, high], probe_hz={"low": [], "high": []}, decoded_hz={"low": [], "high": []})
            for seed in SEEDS:
                for key, prompt in (("low", low), ("high", high)):
                    latent = generated_latents(model, cfg, prompt, seed)[:, :, :frames]
                    row["probe_hz"][key].append(float(2 ** probe(frame_statistics(latent[0].numpy())[None])[0]))
                    with torch.no_grad():
                        audio = autoencoder.decoder(latent)[0, :, :int(round(SECONDS * 44100))].numpy()
                    row["decoded_hz"][key].append(spectral_centroid(audio))
            for kind in ("probe_hz", "decoded_hz"):
                row[kind.replace("_hz", "_ordered")] = sum(h > l for l, h in zip(row[kind]["low"], row[kind]["high"]))
            rows.append(row)
            print(f"{label:10} probe {row['probe_ordered']}/{len(SEEDS)} (median {np.median(row['probe_hz']['low']):6.0f} / "
                  f"{np.median(row['probe_hz']['high']):6.0f} Hz)  decoded {row['decoded_ordered']}/{len(SEEDS)}  "
                  f"{low!r} / {high!r}", flush=True)
        report["runs"][label] = dict(
            model=folder, pairs=rows,
            probe_cross_validated_r_squared=float(1 - np.sum((cross_validated - targets) ** 2)
                                                  / np.sum((targets - targets.mean()) ** 2)),
            probe_ordered=sum(r["probe_ordered"] for r in rows), decoded_ordered=sum(r["decoded_ordered"] for r in rows),
            of=len(rows) * len(SEEDS))
        print(label, {k: v for k, v in report["runs"][label].items() if k not in ("pairs", "model")}, flush=True)
    with open(a.out, "w") as fh:
        json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
