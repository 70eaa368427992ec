"""Can a VAE training loss teach a fresh VAE tones and stereo position at all? A fast check for loss changes.

A fresh VAE (a `train_vae` config, with `--set` overrides of its training block, the unit-gain init of a fresh run)
is trained as a plain autoencoder (posterior mean, no sampling noise, no KL) on ONE fixed, seeded batch of synthetic
tones: sine, square or sawtooth, 80 Hz to 6 kHz (log-uniform), amplitude 0.05 to 0.5, 70% of them panned at random
(constant-power law), the rest centred. It then reports, for each item of that batch, the input's and the output's
level per channel and the strongest frequency of each. A loss that can teach tones and stereo brings the output's
levels, balance and peak to the input's within a few hundred steps; one that cannot leaves the output near one
input-independent level. Overfitting one batch says nothing about generalisation: it separates "the loss does not
ask for this" from "the model has not learned it yet".

  PYTHONPATH=. python eval/default-model/vae_tone_overfit.py --steps 150 [--set spectral_floor_db=-50] [--out R.json]

With `--set adversarial_weight=0.1 --set feature_matching_weight=5.0` the discriminator of `train_vae` joins in and,
as there, every other step trains it instead of the VAE (so 300 steps give the VAE 150 updates).

Session 8 used it to narrow down why every VAE so far drops steady sines (results in `results_vae_session8.json`);
session 9 to find the term responsible (`results_vae_session9.json`: every magnitude-only term alone drops them, a
waveform L1 alone teaches them). `--save PATH` keeps the trained weights (a state_dict) for a closer look.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

from models.training.common import HERE as TRAINING_DIR, SR as RATE, load_json, set_threads
from models.training.train_vae import (VAELoss, adamw, apply_training_overrides, build_adversarial, build_vae,
                                      initialize_for_unit_gain, training_step)


def constant_power_gains(position):
    """position in [−1, 1] (−1 left) -> (gain_left, gain_right) = (cos θ, sin θ), θ = (position + 1) · π/4."""
    theta = (position + 1) * math.pi / 4
    return math.cos(theta), math.sin(theta)


def tone_batch(seed, size, samples):
    """`size` stereo tones of `samples` samples, [size, 2, samples] float32, and a description of each."""
    rng = np.random.default_rng(seed)
    time_s = np.arange(samples) / RATE
    items, described = [], []
    for _ in range(size):
        frequency = math.exp(rng.uniform(math.log(80), math.log(6000)))
        amplitude = rng.uniform(0.05, 0.5)
        waveform = ("sine", "square", "sawtooth")[int(rng.integers(3))]
        phase = 2 * math.pi * frequency * time_s + rng.uniform(0, 2 * math.pi)
        # square and sawtooth scaled to about the sine's RMS
        shape = {"sine": np.sin(phase), "square": 0.6 * np.sign(np.sin(phase)),
                 "sawtooth": 0.7 * ((phase / math.pi) % 2 - 1)}[waveform]
        position = rng.uniform(-1, 1) if rng.random() < 0.7 else 0.0
        left, right = constant_power_gains(position)
        items.append(np.stack([left * amplitude * shape, right * amplitude * shape]).astype(np.float32))
        described.append({"waveform": waveform, "hz": round(frequency, 1), "amplitude": round(amplitude, 3),
                          "position": round(position, 2)})
    return torch.from_numpy(np.stack(items)), described


def mean_square_db(channel):
    """10 log10(mean x²) of one channel (−120 dB for silence)."""
    return round(10 * math.log10(float(np.mean(channel.astype(np.float64) ** 2)) + 1e-12), 1)


def peak_hz(stereo):
    """The strongest frequency of L+R (Hann window)."""
    mono = stereo.sum(0)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(mono.size)))
    return round(float(np.fft.rfftfreq(mono.size, 1 / RATE)[spectrum.argmax()]), 1)


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
    args = parser.parse_args(argv)
    set_threads(args.threads)
    torch.manual_seed(0)
    config = load_json(args.config)
    training = config["training"]
    apply_training_overrides(training, args.set)
    batch, described = tone_batch(args.seed, training["batch_size"], training["crop"])
    model = build_vae(config)
    loss_function = VAELoss(training)
    initialize_for_unit_gain(model, tone_batch(args.seed + 1, 16, training["crop"])[0])
    optimizer = adamw(model.parameters(), training, training["learning_rate"])
    adversarial, discriminator_optimizer = build_adversarial(training, 2, training["learning_rate"])
    started, history, next_log = time.time(), [], 50
    for step in range(1, args.steps + 1):
        lr = training["learning_rate"] * min(1.0, step / 50)  # the recipe's 50-step linear warm-up
        # ramp 0: the posterior mean without sampling noise, KL weight 0
        parts = training_step(model, loss_function, optimizer, batch, 0.0, step - 1, lr, adversarial, discriminator_optimizer)
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
        "history": history, "items": items,
        "level_gap_db_median": round(float(np.median(gaps)), 1),
        "peak_within_3_percent": sum(abs(i["peak_hz_out"] - i["peak_hz_in"]) <= 0.03 * i["peak_hz_in"] for i in items),
        "balance_correlation": round(float(np.corrcoef(balance_in, balance_out)[0, 1]), 3),
    }
    print(json.dumps({k: result[k] for k in ("level_gap_db_median", "peak_within_3_percent", "balance_correlation")}))
    if args.out:
        with open(args.out + ".tmp", "w") as file:
            json.dump(result, file, indent=1)
        os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
