"""What the VAE bar's MR-STFT distance (auraloss defaults, run_eval's 64 eval clips) is made of on this corpus.

Two measurements (session 12):

* `--floor-db L1 L2 ...`: the distance between each source clip and the same clip plus white noise at L dBFS RMS
  (numpy seed 0). It calibrates the bar: the corpus's clips are synthetic, with digital silence between and after
  sounds and empty spectral bins around pure tones, and auraloss's log-magnitude term (|STFT| clamped at 1e-4, i.e.
  |STFT|² at 1e-8) charges any noise floor in those bins in full.
* `--vae CKPT ...`: each train_vae checkpoint's reconstructions (decoded from the posterior mean, so deterministic;
  run_eval samples the posterior, which moves the mean by about 0.01), split into
  - the full distance,
  - the distance with the output zeroed wherever the source is digital silence for 1,024 samples or more (how much
    the decoder's output for silence costs),
  - its spectral-convergence part ‖|Y| − |X|‖_F / ‖|X|‖_F (1 for a silent output) and its log-magnitude part
    mean |ln|Y| − ln|X||, each the mean over the three resolutions, as auraloss computes them.

  PYTHONPATH=. python eval/default-model/mrstft_anatomy.py --floor-db -90 -80 -70 -60 -50 -40 \
      --vae /work/checkpoints/restored/vae.pt [--out R.json]

Clips are run_eval.eval_vae's: the first 64 of the eval split, `seconds_total` long, zero padded to whole latent
frames (of 2048 samples for --floor-db).
"""
import argparse
import sys

import numpy as np
import torch

from models.training import sat_compat  # noqa: F401  (SAT's optional imports)
from models.training.common import load_clip, read_meta, save_json, set_threads
from models.training.encode_latents import load_vae


def eval_clips(corpus, ratio, n=64):
    """run_eval.eval_vae's clips: a list of [1, 2, samples] tensors, the sound zero padded to a multiple of `ratio`."""
    clips = []
    for meta in read_meta(corpus, "eval")[:n]:
        samples = -(-int(round(meta["seconds_total"] * 44100)) // ratio) * ratio
        clips.append(torch.from_numpy(load_clip(corpus, meta, 0, samples))[None])
    return clips


def outside_digital_silence(x, run=1024):
    """[samples] mask: 0 where every channel of x [2, samples] is exactly 0 for `run` samples or more, else 1."""
    silent = (x.abs().amax(0) == 0).numpy()
    mask = np.ones(silent.size, dtype=np.float32)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], silent.astype(np.int8), [0]])))
    for start, end in zip(edges[::2], edges[1::2]):
        if end - start >= run:
            mask[start:end] = 0
    return torch.from_numpy(mask)


def main(argv=None):
    import auraloss
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default="/work/data/corpus")
    parser.add_argument("--floor-db", type=float, nargs="*", default=[])
    parser.add_argument("--vae", nargs="*", default=[])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    set_threads(args.threads)
    full = auraloss.freq.MultiResolutionSTFTLoss()
    convergence = auraloss.freq.MultiResolutionSTFTLoss(w_log_mag=0.0)
    log_magnitude = auraloss.freq.MultiResolutionSTFTLoss(w_sc=0.0)
    result = {"command": "eval/default-model/mrstft_anatomy.py " + " ".join(sys.argv[1:] if argv is None else argv),
              "torch": torch.__version__, "auraloss": getattr(auraloss, "__version__", "?"),
              "source_plus_white_noise": {}, "vae": {}}
    clips_by_ratio = {}  # each ratio's clips are read once, for every noise level and checkpoint

    def clips(ratio):
        if ratio not in clips_by_ratio:
            clips_by_ratio[ratio] = eval_clips(args.corpus, ratio)
        return clips_by_ratio[ratio]

    rng = np.random.default_rng(0)
    for level_db in args.floor_db:
        distances = []
        for x in clips(2048):
            noise = torch.from_numpy(rng.standard_normal(x.shape).astype(np.float32))
            distances.append(float(full(x + 10 ** (level_db / 20) * noise, x)))
        result["source_plus_white_noise"][f"{level_db:g} dBFS"] = round(float(np.mean(distances)), 3)
        print(f"source + white noise at {level_db:g} dBFS: MR-STFT {np.mean(distances):.3f}", flush=True)
    for path in args.vae:
        vae, state = load_vae(path, "cpu")
        rows = []
        with torch.no_grad():
            for x in clips(state["config"]["model"]["downsampling_ratio"]):
                y = vae.decoder(vae.encoder(x).chunk(2, dim=1)[0])[:, :, :x.shape[-1]]
                keep = outside_digital_silence(x[0])
                rows.append([float(full(y, x)), float(full(y * keep, x)), float(convergence(y, x)),
                             float(log_magnitude(y, x)), float(1 - keep.mean())])
        means = np.mean(rows, axis=0)
        result["vae"][path] = dict(step=state["step"], mrstft=round(means[0], 3),
                                   mrstft_output_zeroed_in_digital_silence=round(means[1], 3),
                                   spectral_convergence=round(means[2], 3), log_magnitude=round(means[3], 3),
                                   share_of_samples_in_digital_silence=round(means[4], 3))
        print(path, result["vae"][path], flush=True)
    if args.out:
        save_json(args.out, result)


if __name__ == "__main__":
    main()
