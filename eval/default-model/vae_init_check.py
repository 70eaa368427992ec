"""Does a fresh VAE's output depend on its input, at init and while it trains on fresh tone batches?

Session 11 found that the unit-gain init of sessions 3-10 (`train_vae.initialize_for_unit_gain`) leaves the output of a
fresh VAE dominated by a part that is the same for every input (Snake's positive offsets, carried on by the
convolutions and turned into period-`stride` patterns by the transposed ones), and added `center_common_mode`. This
check measures both inits side by side on synthetic tones (`synthetic_tones.tone_batch`):

* at init, layer by layer, on 32 held-out tones (seed 77): the RMS of the part of the activations that is common to
  the batch (the batch mean; its own DC in brackets) and of the part that depends on the input (activation − batch
  mean). With 32 items the common part has a floor of about dep / √32 from sampling alone.
* then (with --steps > 0) a plain autoencoder (posterior mean, no noise, no KL, as `vae_tone_overfit.py`) trained on a
  new tone batch every step (seeds 1000 + step), reporting every 50 steps the training loss parts (50-step means) and,
  on the held-out tones: the correlation between input and output level (dB, per item), the median level gap, the
  RMS of the output's input-dependent part and of the whole output, and how many of the 32 come back with their
  strongest frequency within 3%.
* `--oracle-latents` (session 12) asks whether the *decoder* can learn tones when it is told what each tone is: the
  encoder is not used, and the decoder alone is trained on latents built from each tone's description
  (`oracle_latents`: log frequency with 13 sine/cosine features of it, the left and right amplitudes and the
  waveform, constant over time). If it learns the held-out tones' pitch that way but not from the encoder's latents,
  the encoder is what loses them; if not even that way, the decoder and the loss are.

* `--vae CKPT` (session 13) judges a trained checkpoint on the same 32 held-out tones instead of a fresh init, so a
  corpus run can be read next to the fresh-batch checks. Every held-out row also counts the tones at their pitch per
  waveform (`peaks_by_waveform`), since pure sines are the ones every VAE so far has lost, and correlates the input's
  and output's L/R balance (`balance_correlation`, 10 log10(E_L / E_R) per tone; 19 of the 32 are panned).
* When the training block sets `position_probe_weight` (session 17), `train_vae.PositionProbe` trains beside the VAE
  as in `train_vae`, and every held-out row adds `probe_correlation`: how well its readout (time mean) follows each
  tone's signed L/R energy difference, i.e. whether the latent carries position whether or not the output shows it.

  PYTHONPATH=. python eval/default-model/vae_init_check.py --steps 300 [--uncentred-init] [--oracle-latents] [--set KEY=VALUE] [--out R.json]
  PYTHONPATH=. python eval/default-model/vae_init_check.py --vae /work/checkpoints/vae17_r512w/last.pt --out R.json
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

from models.training.common import HERE as TRAINING_DIR, learning_rate_at, load_json, save_json, set_threads
from models.training.encode_latents import load_vae
from models.training.synthetic_tones import constant_power_gains, strongest_frequency, tone_batch
from models.training.train_vae import (PositionProbe, VAELoss, adamw, apply_training_overrides, build_adversarial,
                                      build_position_probe, build_vae, initialize_fresh, training_step)


def split_rms(activations):
    """(common, its DC, input-dependent) RMS of activations [B, C, T]: common = the batch mean."""
    common = activations.mean(0, keepdim=True)
    return (float(common.pow(2).mean().sqrt()), float(common.mean(-1).pow(2).mean().sqrt()),
            float((activations - common).pow(2).mean().sqrt()))


def oracle_latents(described, channels, frames):
    """Latents [B, channels, frames] that state each tone's attributes, the same in every frame: with
    u = 2 (ln f − ln 80) / (ln 6000 − ln 80) − 1 (the range of `synthetic_tones.random_tone`),
    channel 0 = u; 1, 2 = 4 · amplitude · (left, right) constant-power gain; 3-5 = the waveform, one-hot;
    then sin(k π u), cos(k π u) for k = 1, 2, ... until `channels` are filled (13 pairs for 32 channels)."""
    rows = []
    for tone in described:
        u = 2 * (np.log(tone["hz"]) - np.log(80)) / (np.log(6000) - np.log(80)) - 1
        left, right = constant_power_gains(tone["position"])
        features = [u, 4 * tone["amplitude"] * left, 4 * tone["amplitude"] * right,
                    *[float(tone["waveform"] == w) for w in ("sine", "square", "sawtooth")]]
        k = 1
        while len(features) < channels:
            features += [np.sin(k * np.pi * u), np.cos(k * np.pi * u)]
            k += 1
        rows.append(features[:channels])
    return torch.tensor(rows, dtype=torch.float32)[:, :, None].expand(-1, -1, frames).contiguous()


@torch.no_grad()
def layer_table(model, x):
    """`split_rms` after every top-level layer of the encoder, on the posterior mean, and of the decoder."""
    rows = []

    def run(name, layers, h):
        for index, layer in enumerate(layers):
            h = layer(h)
            common, common_dc, dependent = split_rms(h)
            rows.append({"layer": f"{name}.{index} {type(layer).__name__}", "common": round(common, 4),
                         "common_dc": round(common_dc, 4), "dependent": round(dependent, 4)})
        return h

    run("decoder", model.decoder.layers, run("encoder", model.encoder.layers, x).chunk(2, dim=1)[0])
    return rows


@torch.no_grad()
def held_out_stats(model, x, latents=None, described=None, position_probe=None):
    """Level, pitch and input dependence of the outputs for the held-out tones x, decoded from the encoder's posterior
    mean or, when given, from `latents`; with the tones' descriptions, also the pitch count per waveform; with a
    `PositionProbe`, the correlation of its readout (time mean) with each tone's signed L/R energy difference."""
    if latents is None:
        latents = model.encoder(x).chunk(2, dim=1)[0]
    output = model.decode(latents)
    level_in = 10 * torch.log10(x.pow(2).mean((1, 2)) + 1e-12)
    level_out = 10 * torch.log10(output.pow(2).mean((1, 2)) + 1e-12)
    _, _, dependent = split_rms(output)
    # balance = 10 log10(E_L / E_R) per item, in and out; null correlation when the output's balance does not vary
    balance_in, balance_out = (10 * torch.log10((a[:, 0].pow(2).sum(-1) + 1e-20) / (a[:, 1].pow(2).sum(-1) + 1e-20))
                               for a in (x, output))
    at_pitch = []
    for source, reconstruction in zip(x.numpy(), output.numpy()):
        frequency = strongest_frequency(source)
        at_pitch.append(abs(strongest_frequency(reconstruction) - frequency) <= 0.03 * frequency)
    stats = {"level_correlation": round(float(np.corrcoef(level_in.numpy(), level_out.numpy())[0, 1]), 3),
             "level_gap_db_median": round(float((level_out - level_in).median()), 1),
             "output_dependent_rms": round(dependent, 4), "output_rms": round(float(output.pow(2).mean().sqrt()), 4),
             "balance_correlation": (round(float(np.corrcoef(balance_in.numpy(), balance_out.numpy())[0, 1]), 3)
                                     if float(balance_out.std()) > 0 else None),
             "peaks_within_3_percent_of_32": int(sum(at_pitch))}
    if position_probe is not None:
        position, _ = PositionProbe.target(x, latents.shape[-1])
        readout = position_probe.readout(latents)[:, 0].mean(-1)
        stats["probe_correlation"] = round(float(np.corrcoef(position.mean(-1).numpy(), readout.numpy())[0, 1]), 3)
    if described is not None:
        waveforms = [tone["waveform"] for tone in described]
        stats["peaks_by_waveform"] = {
            name: f"{sum(hit for hit, w in zip(at_pitch, waveforms) if w == name)} of {waveforms.count(name)}"
            for name in ("sine", "square", "sawtooth")}
    return stats


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=os.path.join(TRAINING_DIR, "configs", "vae_small.json"))
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--crop", type=int, default=8192)
    parser.add_argument("--steps", type=int, default=0)
    parser.add_argument("--uncentred-init", action="store_true", help="the init of sessions 3-10")
    parser.add_argument("--oracle-latents", action="store_true",
                        help="train the decoder alone on latents that state each tone's attributes (oracle_latents)")
    parser.add_argument("--vae", help="judge this train_vae checkpoint (last.pt) instead of a fresh init; with "
                        "--steps 0, only its held-out stats (corpus checkpoints next to the fresh-batch checks)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    set_threads(args.threads)
    torch.manual_seed(0)
    if args.vae:
        model, state = load_vae(args.vae, "cpu")
        config, init = state["config"], f"{args.vae} (step {state.get('step')})"
    else:
        config = load_json(args.config)
        model = build_vae(config)
        initialize_fresh(model, torch.from_numpy(tone_batch(4, 16, args.crop)[0]), centred=not args.uncentred_init)
        init = "unit gain" if args.uncentred_init else "unit gain + centred"
    training = config["training"]
    apply_training_overrides(training, args.set + [f"crop={args.crop}"])
    loss_function = VAELoss(training)
    held_out_audio, held_out_described = tone_batch(77, 32, args.crop)
    held_out = torch.from_numpy(held_out_audio)
    frames = args.crop // model.downsampling_ratio
    held_out_latents = oracle_latents(held_out_described, model.latent_dim, frames) if args.oracle_latents else None
    result = {"command": "eval/default-model/vae_init_check.py " + " ".join(sys.argv[1:] if argv is None else argv),
              "torch": torch.__version__, "init": init,
              "trained": "decoder on oracle_latents" if args.oracle_latents else "encoder and decoder",
              "layers_at_init": layer_table(model, held_out), "held_out_at_init": held_out_stats(model, held_out, held_out_latents, held_out_described),
              "history": []}
    print(json.dumps(result["held_out_at_init"]), flush=True)
    trained = model.decoder if args.oracle_latents else model
    # train_vae's position probe when the training block switches it on (session 17), in the same optimiser
    position_probe, probe_parameters = build_position_probe(training, model.latent_dim)
    if position_probe is not None and args.oracle_latents:
        raise SystemExit("--oracle-latents trains the decoder alone; it does not take the position probe")
    optimizer = adamw(list(trained.parameters()) + probe_parameters, training, training["learning_rate"])
    # the adversarial terms when the training block switches them on (odd steps train the discriminator, as in train_vae)
    adversarial, discriminator_optimizer = build_adversarial(training, config["audio_channels"], training["learning_rate"])
    if adversarial is not None and args.oracle_latents:
        raise SystemExit("--oracle-latents trains the decoder alone; it does not take the adversarial terms")
    started, window = time.time(), []
    for step in range(1, args.steps + 1):
        lr = learning_rate_at(step - 1, training["learning_rate"], 50, 0, 0)  # the recipe's 50-step linear warm-up
        audio, described = tone_batch(1000 + step, training["batch_size"], args.crop)
        x = torch.from_numpy(audio)
        latents = (oracle_latents(described, model.latent_dim, x.shape[-1] // model.downsampling_ratio)
                   if args.oracle_latents else None)
        window.append(training_step(model, loss_function, optimizer, x, 0.0, step - 1, lr, adversarial,
                                    discriminator_optimizer, position_probe=position_probe, latents=latents))
        if step % 50 == 0 or step == args.steps:
            names = list(dict.fromkeys(k for parts in window for k in parts))  # discriminator steps log other parts
            row = {"step": step, **{k: round(float(np.mean([p[k] for p in window if k in p])), 3) for k in names},
                   **held_out_stats(model, held_out, held_out_latents, held_out_described, position_probe),
                   "seconds": round(time.time() - started)}
            result["history"].append(row)
            print(json.dumps(row), flush=True)
            window = []
    if args.out:
        save_json(args.out, result)


if __name__ == "__main__":
    main()
