"""Is the VAE the bottleneck of the family bar? Classifies 2 eval clips per family with sfx-clap-mini, as they are
and after encode+decode through a VAE, and reports the reconstruction level against the source's. With --mrstft it
also runs run_eval's VAE section (MR-STFT with auraloss defaults, NaN, DC, bandwidth) on the first 64 eval clips.

  PYTHONPATH=. python eval/default-model/vae_family_check.py --model /work/checkpoints/export --clap models/sfx-clap-mini
  PYTHONPATH=. python eval/default-model/vae_family_check.py --vae /work/checkpoints/vae3/last.pt --mrstft

--model takes an exported model folder (its pretransform); --vae takes a train_vae checkpoint directly, so a VAE can
be judged before any diffusion model is trained on its latents. Encoding samples the posterior (as SAT's pretransform
does), with torch seed 0.

The output also gives the median level gap per family, and --probe adds synthetic signals (sines across the
register, a square wave, beeps, white noise, silence; 1.5 s, stereo, centred), each with its level after encode+decode:
a VAE that drops steady tones while passing noise shows it here at once; and white noise panned left, centred and
right, each with its L/R balance before and after. The "stereo" entry (always printed) says whether the eval clips'
stereo position survives the round trip.
"""
import argparse, os, sys, json, collections, types
import numpy as np, torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_eval as R
from measures import level_gap_db, lr_balance_db as balance_db, stereo_kept  # balance: 10 log10(E_L / E_R), + = left
from models.training.common import load_clip, read_meta


ap = argparse.ArgumentParser()
source = ap.add_mutually_exclusive_group(required=True)
source.add_argument("--model", help="exported model folder")
source.add_argument("--vae", help="train_vae checkpoint (last.pt)")
ap.add_argument("--clap", default="models/sfx-clap-mini")
ap.add_argument("--corpus", default="/work/data/corpus")
ap.add_argument("--mrstft", action="store_true", help="also MR-STFT / NaN / DC / bandwidth on 64 eval clips")
ap.add_argument("--probe", action="store_true", help="also the level gap of synthetic tones, noise and silence")
ap.add_argument("--per-family", type=int, default=2,
                help="eval clips per family, the first in id order (2: the sessions-3-29 sample of 84 clips; more "
                     "narrows the family top-1's sampling error, about 5 points at 84 clips)")
ap.add_argument("--threads", type=int, default=2)
a = ap.parse_args()
if a.per_family < 1:
    raise SystemExit(f"--per-family {a.per_family}: must be at least 1")
torch.set_num_threads(a.threads)
torch.manual_seed(0)
if a.model:
    _, model, cfg = R.gen_fn(a.model, 10, 6.0, 0)
    pretransform, step = model.pretransform, None
else:
    pretransform = R.vae_from_checkpoint(a.vae)
    step = pretransform.step


def probe_signals(seconds=1.5, rate=44100):
    """Synthetic test signals, name -> mono waveform (duplicated to both channels)."""
    t = np.arange(int(seconds * rate)) / rate
    noise = np.random.default_rng(0).standard_normal(t.size)
    signals = {f"sine {hz} Hz": 0.3 * np.sin(2 * np.pi * hz * t) for hz in (80, 220, 440, 1000, 2400, 4800)}
    signals["square 220 Hz"] = 0.2 * np.sign(np.sin(2 * np.pi * 220 * t))
    signals["beeps 1 kHz, 4 per s"] = 0.3 * np.sin(2 * np.pi * 1000 * t) * ((t * 4) % 1 < 0.3)
    signals["white noise"] = 0.2 * noise
    signals["silence"] = np.zeros_like(t)
    return signals


roundtrip = R.vae_roundtrip_fn(pretransform)


classify = R.load_classifier(a.clap)
metas = read_meta(a.corpus, "eval")
by = collections.defaultdict(list)
for m in metas: by[m["family"]].append(m)
chosen = [v[i] for v in by.values() for i in range(min(a.per_family, len(v)))]
ok_orig = ok_rec = 0; preds = collections.Counter(); level_gap = []; gap_by_family = collections.defaultdict(list)
balances = []  # (source, reconstruction) L/R balance in dB
for m in chosen:
    x = load_clip(a.corpus, m, 0, 262144)
    y = roundtrip(x)
    n = int(round(m["seconds_total"] * 44100))
    xs, ys = x[:, :n], y[:, :n]
    level_gap.append(level_gap_db(xs, ys))  # over the sound only
    gap_by_family[m["family"]].append(level_gap[-1])
    balances.append((balance_db(xs), balance_db(ys)))
    po = classify(xs); pr = classify(ys)
    ok_orig += max(po, key=po.get) == m["family"]; p = max(pr, key=pr.get); ok_rec += p == m["family"]; preds[p] += 1
result = {"command": " ".join(sys.argv), "vae_step": step, "clips": len(chosen), "per_family": a.per_family,
          "family_top1_original": ok_orig / len(chosen), "family_top1_vae_reconstruction": ok_rec / len(chosen),
          "most_predicted_on_reconstructions": preds.most_common(5),
          "level_gap_db_median": float(np.median(level_gap)), "level_gap_db_p10_p90": [float(np.percentile(level_gap, 10)), float(np.percentile(level_gap, 90))],
          "level_gap_db_median_by_family": {f: round(float(np.median(g)), 1) for f, g in sorted(gap_by_family.items())}}
result["stereo"] = stereo_kept(balances)
if a.probe:
    probes = {}
    for name, mono in probe_signals().items():
        x = np.stack([mono, mono])
        y = roundtrip(x)
        probes[name] = {"rms_in": round(float(np.sqrt(np.mean(x ** 2))), 5), "rms_out": round(float(np.sqrt(np.mean(y ** 2))), 5),
                        "level_gap_db": None if name == "silence" else round(level_gap_db(x, y), 1)}
    noise = 0.2 * np.random.default_rng(1).standard_normal(int(1.5 * 44100))
    for name, (left, right) in {"noise panned left (+12 dB)": (1.0, 0.25), "noise centred": (1.0, 1.0),
                                "noise panned right (-12 dB)": (0.25, 1.0)}.items():
        x = np.stack([left * noise, right * noise])
        probes[name] = {"balance_in_db": round(balance_db(x), 1), "balance_out_db": round(balance_db(roundtrip(x)), 1)}
    result["probe"] = probes
if a.mrstft:
    result["vae"] = R.eval_vae(types.SimpleNamespace(pretransform=pretransform), a.corpus)
print(json.dumps(result))
