"""Can a VAE training loss teach a fresh VAE tones and stereo position at all? A fast check for loss changes.

A fresh VAE (a `train_vae` config, with `--set` overrides of its training block, the unit-gain init of a fresh run)
is trained as a plain autoencoder (posterior mean, no sampling noise, no KL) on ONE fixed, seeded batch of synthetic
tones: sine, square or sawtooth, 80 Hz to 6 kHz (log-uniform), amplitude 0.05 to 0.5, 70% of them panned at random
(constant-power law), the rest centred. It then reports, for each item of that batch, the input's and the output's
level per channel and the strongest frequency of each. A loss that can teach tones and stereo brings the output's
levels, balance and peak to the input's within a few hundred steps; one that cannot leaves the output near one
input-independent level. Overfitting one batch says nothing about generalisation: it separates "the loss does not
ask for this" from "the model has not learned it yet". `--fresh-batches` asks the other question: it trains on a new
random batch every step and reports on the fixed batch, which training never sees (session 10: neither the waveform
L1 after 300 steps nor the cosine + level terms after 1,200 had learned tones in general, `results_vae_session10.json`).

  PYTHONPATH=. python eval/default-model/vae_tone_overfit.py --steps 150 [--set spectral_floor_db=-50] [--out R.json]

With `--set adversarial_weight=0.1 --set feature_matching_weight=5.0` the discriminator of `train_vae` joins in and,
as there, every other step trains it instead of the VAE (so 300 steps give the VAE 150 updates).

Session 8 used it to narrow down why every VAE so far drops steady sines (results in `results_vae_session8.json`);
session 9 to find the term responsible (`results_vae_session9.json`: every magnitude-only term alone drops them, a
waveform L1 alone teaches them); session 10 to try a level-blind phase term (`--set waveform_cosine_weight=10`,
`results_vae_session10.json`). `--save PATH` keeps the trained weights (a state_dict) for a closer look.
Sessions 8-10 ran it with the unit-gain init alone; since session 11 the fresh VAE is also centred
(`train_vae.center_common_mode`), and `--uncentred-init` gives the old init back (`vae_init_check.py` compares them).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

from models.training.common import HERE as TRAINING_DIR, learning_rate_at, load_json, save_json, set_threads
from models.training.synthetic_tones import strongest_frequency, tone_batch as tone_arrays
from models.training.train_vae import (VAELoss, adamw, apply_training_overrides, build_adversarial, build_vae,
                                      initialize_fresh, training_step)


def tone_batch(seed, size, samples):
    """`synthetic_tones.tone_batch` as a torch tensor, and the descriptions."""
    tones, described = tone_arrays(seed, size, samples)
    return torch.from_numpy(tones), described


def mean_square_db(channel):
    """10 log10(mean x²) of one channel (−120 dB for silence)."""
    return round(10 * math.log10(float(np.mean(channel.astype(np.float64) ** 2)) + 1e-12), 1)


def peak_hz(stereo):
    """`synthetic_tones.strongest_frequency`, to 0.1 Hz."""
    return round(strongest_frequency(stereo), 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=os.path.join(TRAINING_DIR, "configs", "vae_small.json"))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override one key of the config's training block, as train_vae's --set")
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--seed", type=int, default=3, help="seed of the fixed batch")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", help="also write the result JSON here")
    parser.add_argument("--save", help="also save the trained VAE's state_dict here (torch.save)")
    parser.add_argument("--fresh-batches", action="store_true",
                        help="train on a new random tone batch every step (seeds seed + 1000 + step) and report on the "
                             "fixed batch, which training never sees: whether the loss teaches tones in general")
    parser.add_argument("--uncentred-init", action="store_true",
                        help="the unit-gain init without train_vae.center_common_mode (sessions 8-10's runs)")
    args = parser.parse_args(argv)
    set_threads(args.threads)
    torch.manual_seed(0)
    config = load_json(args.config)
    training = config["training"]
    apply_training_overrides(training, args.set)
    batch, described = tone_batch(args.seed, training["batch_size"], training["crop"])
    model = build_vae(config)
    loss_function = VAELoss(training)
    initialize_fresh(model, tone_batch(args.seed + 1, 16, training["crop"])[0], centred=not args.uncentred_init)
    optimizer = adamw(model.parameters(), training, training["learning_rate"])
    adversarial, discriminator_optimizer = build_adversarial(training, 2, training["learning_rate"])
    started, history, next_log = time.time(), [], 50
    for step in range(1, args.steps + 1):
        lr = learning_rate_at(step - 1, training["learning_rate"], 50, 0, 0)  # the recipe's 50-step linear warm-up
        # ramp 0: the posterior mean without sampling noise, KL weight 0
        x = tone_batch(args.seed + 1000 + step, training["batch_size"], training["crop"])[0] if args.fresh_batches else batch
        parts = training_step(model, loss_function, optimizer, x, 0.0, step - 1, lr, adversarial, discriminator_optimizer)
        if "loss" in parts and (step >= next_log or step >= args.steps - 1):  # the VAE's steps
            next_log += 50
            history.append({"step": step, **{k: round(v, 4) for k, v in parts.items()}})
            print(json.dumps(history[-1]), flush=True)
    model.eval()
    if args.save:
        torch.save(model.state_dict(), args.save)
    with torch.no_grad():
        output = model.decode(model.encoder(batch).chunk(2, dim=1)[0]).numpy()
    items = []
    for source, reconstruction, description in zip(batch.numpy(), output, described):
        items.append({**description,
                      "level_db_in": [mean_square_db(source[0]), mean_square_db(source[1])],
                      "level_db_out": [mean_square_db(reconstruction[0]), mean_square_db(reconstruction[1])],
                      "peak_hz_in": peak_hz(source), "peak_hz_out": peak_hz(reconstruction)})
    gaps = [np.mean(item["level_db_out"]) - np.mean(item["level_db_in"]) for item in items]
    balance_in = [item["level_db_in"][0] - item["level_db_in"][1] for item in items]
    balance_out = [item["level_db_out"][0] - item["level_db_out"][1] for item in items]
    result = {
        "command": "eval/default-model/vae_tone_overfit.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "torch": torch.__version__, "seconds": round(time.time() - started, 1), "training": training,
        "trained_on": "a fresh tone batch each step (the reported batch held out)" if args.fresh_batches else "the reported batch",
        "history": history, "items": items,
        "level_gap_db_median": round(float(np.median(gaps)), 1),
        "peak_within_3_percent": sum(abs(i["peak_hz_out"] - i["peak_hz_in"]) <= 0.03 * i["peak_hz_in"] for i in items),
        # null when the output's balance does not vary (an input-independent output)
        "balance_correlation": (round(float(np.corrcoef(balance_in, balance_out)[0, 1]), 3)
                                if np.std(balance_out) > 0 else None),
    }
    print(json.dumps({k: result[k] for k in ("level_gap_db_median", "peak_within_3_percent", "balance_correlation")}))
    if args.out:
        save_json(args.out, result)


if __name__ == "__main__":
    main()
