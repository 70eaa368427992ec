"""Does a VAE's latent carry a clip's stereo position? A linear probe on `encode_latents` shards.

  PYTHONPATH=. python eval/default-model/latent_stereo_probe.py /work/checkpoints/latents7 /work/checkpoints/latents17

For each clip of a shard, the features are the time average of the posterior mean and of its square over the frames
that hold the sound (the clip's `seconds_total`; the rest of the window is the latent of silence):

  f = [mean_t z[c, t], mean_t z[c, t]²]  for every latent channel c

and the target is the corpus's measured L/R level difference `post.lr_db` (train.jsonl). A ridge regression
(standardised features, λ = 10) is fitted on the first shard and judged on the second: the correlation of its
predictions with the truth, and how often it gets the side right for the clips panned by more than 3 dB. The same
probe of the clip's level (`post.level_db`) is the positive control: it shows what the probe finds when a latent does
carry an attribute.

Its limits: a linear probe of time averages. A latent that kept stereo position only in the phase relation between
channels, or only frame by frame, could score low here and still let a decoder recover it; a high score, on the other
hand, shows the information is there. Read it beside the decoded panned-noise probes of `vae_family_check.py --probe`.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

SAMPLE_RATE = 44100


def load_captions(corpus):
    path = os.path.join(corpus, "train.jsonl")
    table = {}
    with open(path) as handle:
        for number, line in enumerate(handle, 1):
            try:
                meta = json.loads(line)
                table[meta["id"]] = (float(meta["seconds_total"]), float(meta["post"]["lr_db"]),
                                     float(meta["post"]["level_db"]))
            except (ValueError, KeyError, TypeError) as error:
                raise SystemExit(f"{path}:{number}: expected id, seconds_total, post.lr_db and post.level_db ({error})")
    return table


def shard_features(path, captions, ratio):
    """(features [N, 2C], targets [N, 2]: lr_db, level_db) of one shard."""
    shard = torch.load(path, map_location="cpu", weights_only=False)
    if "ids" not in shard or "mean" not in shard or shard["mean"].dim() != 3:
        raise SystemExit(f"{path}: expected an encode_latents shard (ids, mean [N, C, frames])")
    features, targets = [], []
    frames = shard["mean"].shape[-1]
    for index, clip in enumerate(shard["ids"]):
        if clip not in captions:
            raise SystemExit(f"{path}: clip {clip} is not in the corpus's train.jsonl")
        seconds, lr_db, level_db = captions[clip]
        active = min(frames, max(2, int(np.ceil(seconds * SAMPLE_RATE / ratio))))
        z = shard["mean"][index, :, :active].float()
        features.append(torch.cat([z.mean(-1), z.pow(2).mean(-1)]).numpy())
        targets.append((lr_db, level_db))
    return np.array(features), np.array(targets)


def probe(root, captions, window, ridge=10.0, panned_db=3.0):
    first, second = (os.path.join(root, f"train_{n:05d}.pt") for n in (0, 1))
    for path in (first, second):
        if not os.path.exists(path):
            raise SystemExit(f"{path}: missing (the probe fits on shard 0 and tests on shard 1)")
    frames = torch.load(first, map_location="cpu", weights_only=False)["mean"].shape[-1]
    ratio = window // frames
    train_x, train_y = shard_features(first, captions, ratio)
    test_x, test_y = shard_features(second, captions, ratio)
    centre, spread = train_x.mean(0), train_x.std(0) + 1e-6
    design = np.c_[(train_x - centre) / spread, np.ones(len(train_x))]
    held = np.c_[(test_x - centre) / spread, np.ones(len(test_x))]
    # W = (AᵀA + λI)⁻¹ AᵀY, one column per target
    weights = np.linalg.solve(design.T @ design + ridge * np.eye(design.shape[1]), design.T @ train_y)
    predicted = held @ weights

    def correlation(column):
        return round(float(np.corrcoef(predicted[:, column], test_y[:, column])[0, 1]), 3)

    lr_true, lr_predicted = test_y[:, 0], predicted[:, 0]
    panned = np.abs(lr_true) > panned_db
    return {"latents": root, "downsampling_ratio": int(ratio), "latent_channels": int(train_x.shape[1] // 2),
            "train_clips": int(len(train_y)), "test_clips": int(len(test_y)),
            "lr_db_held_out_correlation": correlation(0),
            "lr_db_side_agreement_panned": round(float(np.mean(np.sign(lr_predicted[panned]) == np.sign(lr_true[panned]))), 3),
            "panned_clips": int(panned.sum()),
            "level_db_held_out_correlation": correlation(1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("latents", nargs="+", help="encode_latents output folders")
    parser.add_argument("--corpus", default="/work/data/corpus")
    parser.add_argument("--window", type=int, default=262144, help="the latents' window in samples")
    args = parser.parse_args(argv)
    captions = load_captions(args.corpus)
    for root in args.latents:
        print(json.dumps(probe(root, captions, args.window)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
