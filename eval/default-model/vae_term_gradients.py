"""Which VAELoss term steers a train_vae checkpoint's updates, and what its L/R balance term can and cannot see (session 16).

On training crops drawn as `train_vae` draws them (`CropSampler`, the checkpoint's own crop and tone fraction), for
the checkpoint's own training block (`--set KEY=VALUE` overrides it, as in train_vae):

* `terms`: each switched-on term's weighted value and the norm of its gradient over all VAE parameters, alone
  (`VAELoss.terms`, the KL left out: it does not reach the decoder).
  With a checkpoint trained with the position probe (`position_probe_weight`, session 17), the probe's distance
  joins them as `position_probe`: the checkpoint's own probe read from the posterior mean (training reads the
  sampled z), its gradient over the VAE's parameters (not the probe's).
  `train_vae` clips the sum's gradient norm at 10, so a term whose gradient norm is far above the others' sets the
  direction of every step, whatever its value does.
* `balance_gradient_by_input_level`: where the balance term's gradient comes from. Its gradient with respect to the
  decoder output, split by the input frame's level (mean square of L and R, dBFS): frames, mean |share error| and
  share of the squared gradient norm per level band.
* `balance_baselines`: what the balance term reads for an output that is always centred (share 0.5) and for a mono
  copy of the input, beside the checkpoint's own value: a trained term must fall below both to have learned anything.
* `stereo`: how alike the decoder makes L and R (`decoder_symmetry`), how alike it moves them when its
  latent moves (`latent_response`), how much the encoder answers a side change
  (`encoder_side_gain`), how much of an input side change comes out as one
  (`autoencoder_side_transfer`), and whether swapping the input's L and R moves the output's balance (`swap_test`).
* `crops`: per crop (whole-crop energies), the input's and output's left share and channel levels: how many crops
  are hard-panned (one channel 20 dB or more under the other) and how far the output's share spreads.

    PYTHONPATH=. python eval/default-model/vae_term_gradients.py --vae /work/checkpoints/vae18_r512wb/last.pt \
        --batches 4 --out /tmp/terms.json
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from models.training import train_vae as T  # noqa: E402
from models.training.common import read_meta  # noqa: E402
from models.training.encode_latents import load_vae  # noqa: E402

LEVEL_BANDS_DB = [(-200, -80), (-80, -60), (-60, -40), (-40, -20), (-20, 10)]


def posterior_mean(model, x):
    """μ of SAT's VAE bottleneck for audio x [B, 2, T]: the encoder's first half of channels."""
    return model.encoder(x).chunk(2, dim=1)[0]


def reconstruct(model, x):
    """decode(μ(x)): the deterministic encode+decode this script judges."""
    return model.decode(posterior_mean(model, x))


def load_position_probe(training, state, latent_dim, path):
    """The checkpoint's `PositionProbe` when its training block switches the probe on, else None."""
    probe, _ = T.build_position_probe(training, latent_dim)
    if probe is None:
        return None
    if "position_probe" not in state:
        raise SystemExit(f"{path}: position_probe_weight is set but the checkpoint holds no position probe")
    probe.load_state_dict(state["position_probe"])
    return probe


def frame_share(signal):
    """`train_vae.frame_balance` of audio [B, 2, T]: each 2048-sample frame's left energy share (hop 512)."""
    return T.frame_balance(T.frame_energy(T.ms(signal)))


def crop_share(signal):
    """Each crop's left energy share from whole-crop mean squares, [B, 2, T] -> [B]."""
    energy = signal.pow(2).mean(-1)
    return energy[:, 0] / energy.sum(-1).clamp(min=1e-12)


def gradient_norm(value, parameters):
    """‖∂value/∂θ‖₂ over the parameters that value depends on."""
    gradients = torch.autograd.grad(value, parameters, retain_graph=True, allow_unused=True)
    return float(torch.sqrt(sum((g * g).sum() for g in gradients if g is not None)))


def balance_gradient_by_level(y, x, accumulator):
    """Adds, per input level band: frames, Σ |share error|, Σ ‖∂(mean |share error|)/∂y‖² over that band's frames.
    2048-sample frames, hop 512: the balance term's default frames."""
    energy_x = T.frame_energy(T.ms(x))
    level_db = 10 * torch.log10(energy_x[:, :2].mean(1) + 1e-20)
    y = y.detach().requires_grad_(True)
    error = (frame_share(y) - T.frame_balance(energy_x)).abs()
    for index, (low, high) in enumerate(LEVEL_BANDS_DB):
        band = ((level_db >= low) & (level_db < high)).float()
        if band.sum() == 0:
            continue
        gradient, = torch.autograd.grad((error * band).sum() / error.numel(), y, retain_graph=True)
        accumulator[index] += [float(band.sum()), float((error * band).sum()), float(gradient.pow(2).sum())]


def crop_rows(y, x):
    """Per crop: left share and channel levels (dBFS) of input and output, from whole-crop mean squares."""
    def levels_db(signal):
        return [[round(float(v), 1) for v in row] for row in 10 * torch.log10(signal.pow(2).mean(-1) + 1e-12)]
    return [dict(share_in=float(a), share_out=float(b), level_in_db=c, level_out_db=d)
            for a, b, c, d in zip(crop_share(x), crop_share(y), levels_db(x), levels_db(y))]


@torch.no_grad()
def latent_response(model, x, directions=8, scale=0.1):
    """How the decoder's output answers a change of its input latent: for random unit-RMS directions d added at
    `scale` to the posterior means of x, Δy = decode(z + scale·d) − decode(z); returns the median over directions
    of ‖Δy_L − Δy_R‖ / ‖Δy_L + Δy_R‖ (side over mid of the response). Near 0, every latent direction moves L and R
    alike, so the gradient that reaches the latent is the mid channel's alone."""
    generator = torch.Generator().manual_seed(0)
    z = posterior_mean(model, x)
    base = model.decode(z)
    ratios = []
    for _ in range(directions):
        d = torch.randn(z.shape, generator=generator)
        delta = model.decode(z + scale * d / d.pow(2).mean().sqrt()) - base
        ratios.append(float((delta[:, 0] - delta[:, 1]).norm() / (delta[:, 0] + delta[:, 1]).norm()))
    return float(np.median(ratios))


@torch.no_grad()
def encoder_side_gain(model, x, epsilon=0.05):
    """How much the encoder's latent answers a side change against a mid change of the same energy: with
    m = (x_L + x_R) / 2, p_mid = ε·[m, m] and p_side = ε·[m, −m],
    ‖μ(x + p_side) − μ(x)‖ / ‖μ(x + p_mid) − μ(x)‖ per crop (μ the posterior mean), median over the crops. Near 0,
    the encoder is blind to stereo position whatever the decoder could do with it."""
    mid = x.mean(1, keepdim=True)
    mean = posterior_mean(model, x)
    moved_mid = posterior_mean(model, x + epsilon * torch.cat([mid, mid], 1)) - mean
    moved_side = posterior_mean(model, x + epsilon * torch.cat([mid, -mid], 1)) - mean
    ratios = moved_side.flatten(1).norm(dim=1) / moved_mid.flatten(1).norm(dim=1).clamp(min=1e-12)
    return float(ratios.median())


@torch.no_grad()
def autoencoder_side_transfer(model, x, epsilon=0.05):
    """The same perturbations as `encoder_side_gain`, through encoder and decoder (posterior means), as signed gains:
    g_side = ⟨Δy_side, εm⟩ / ‖εm‖² with Δy_side = Δ(y_L − y_R) / 2 under p_side, g_mid = ⟨Δy_mid, εm⟩ / ‖εm‖² with
    Δy_mid = Δ(y_L + y_R) / 2 under p_mid; returns the medians over the crops of g_side / g_mid (1: stereo position
    passes as well as the sound; 0: not at all; negative: mirrored) and of the cosine between Δy_side and εm (a side
    change that comes out in some other shape is noise, not position)."""
    mid = x.mean(1, keepdim=True)
    base = reconstruct(model, x)
    out_mid = reconstruct(model, x + epsilon * torch.cat([mid, mid], 1)) - base
    out_side = reconstruct(model, x + epsilon * torch.cat([mid, -mid], 1)) - base
    target = epsilon * mid[:, 0]
    mid_change, side_change = (out_mid[:, 0] + out_mid[:, 1]) / 2, (out_side[:, 0] - out_side[:, 1]) / 2
    energy = target.pow(2).sum(-1).clamp(min=1e-20)
    gain_mid, gain_side = (mid_change * target).sum(-1) / energy, (side_change * target).sum(-1) / energy
    cosine = (side_change * target).sum(-1) / (side_change.norm(dim=-1) * target.norm(dim=-1)).clamp(min=1e-20)
    return {"side_over_mid_gain": round(float((gain_side / gain_mid).median()), 4),
            "side_change_cosine": round(float(cosine.median()), 4)}


@torch.no_grad()
def swap_test(model, x):
    """Swaps the input's L and R: median over the crops of |share(y(swap x)) − share(y(x))| against the same for the
    input, |1 − 2·share(x)| (whole-crop energy shares; 0 for an output whose balance ignores the input's side), of
    ‖y(swap x) − y(x)‖ / ‖y(x)‖ (the output does change), and of the side-over-mid RMS of output and input."""
    def side_over_mid(signal):
        return (signal[:, 0] - signal[:, 1]).norm(dim=-1) / (signal[:, 0] + signal[:, 1]).norm(dim=-1).clamp(min=1e-20)

    y, swapped = reconstruct(model, x), reconstruct(model, x.flip(1))
    return {"output_share_change": round(float((crop_share(swapped) - crop_share(y)).abs().median()), 4),
            "input_share_change": round(float((1 - 2 * crop_share(x)).abs().median()), 4),
            "output_relative_change": round(float(((swapped - y).flatten(1).norm(dim=1)
                                                   / y.flatten(1).norm(dim=1).clamp(min=1e-20)).median()), 4),
            "side_over_mid_rms_output": round(float(side_over_mid(y).median()), 4),
            "side_over_mid_rms_input": round(float(side_over_mid(x).median()), 4)}


def decoder_symmetry(model, crops_y):
    """How alike the decoder makes its two output channels: ‖W_L − W_R‖ / ‖W_L + W_R‖ of its last convolution
    (effective weights; about 1 for independent rows), and the median correlation between the output's L and R
    waveforms over the crops. The question behind it: a decoder whose every latent direction moved L and R alike
    would pass back to the latent only the mid channel's gradient, J^T (g_L + g_R), so no loss could teach the
    encoder a side channel."""
    last = [m for m in model.decoder.modules() if isinstance(m, torch.nn.Conv1d)][-1]
    weight = last.weight.detach()
    correlations = [float(np.corrcoef(y[0].numpy(), y[1].numpy())[0, 1]) for y in crops_y]
    return {"last_convolution_difference_over_sum": round(float((weight[0] - weight[1]).norm() / (weight[0] + weight[1]).norm()), 4),
            "median_output_lr_correlation": round(float(np.median(correlations)), 4)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vae", required=True, help="train_vae checkpoint (last.pt or stepNNNNNNN.pt)")
    parser.add_argument("--corpus", default="/work/data/corpus")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1, help="crop sampler seed (train_vae's run uses 0)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    model, state = load_vae(args.vae, "cpu")
    training = dict(state["config"]["training"])
    T.apply_training_overrides(training, args.set)
    loss = T.VAELoss(training)
    sampler = T.CropSampler(args.corpus, read_meta(args.corpus, "train"), training["crop"], args.seed,
                            training.get("synthetic_tone_fraction", 0.0))
    parameters = [p for p in model.parameters() if p.requires_grad]
    position_probe = load_position_probe(training, state, model.latent_dim, args.vae)

    term_rows, levels, baselines, crops, outputs = [], np.zeros((len(LEVEL_BANDS_DB), 3)), [], [], []
    for _ in range(args.batches):
        x = sampler.batch(args.batch_size)
        if not term_rows:
            first_batch = x  # the stereo measures run on the first batch only
        z = posterior_mean(model, x)
        y = model.decode(z)
        terms = list(loss.terms(y, x))
        if position_probe is not None:
            terms.append(("position_probe", training["position_probe_weight"], position_probe.distance(z, x)))
        term_rows.append({name: (float(weight * value.detach()), gradient_norm(weight * value, parameters))
                          for name, weight, value in terms})
        balance_gradient_by_level(y, x, levels)
        with torch.no_grad():
            share_x = frame_share(x)
            candidates = (torch.full_like(share_x, 0.5), frame_share(x.mean(1, keepdim=True).expand_as(x)), frame_share(y))
            baselines.append([float(F.l1_loss(share, share_x)) for share in candidates])
        crops += crop_rows(y.detach(), x)
        outputs += list(y.detach())

    names = term_rows[0].keys()
    total_squared = levels[:, 2].sum()
    hard = [c for c in crops if abs(c["level_in_db"][0] - c["level_in_db"][1]) >= 20]
    result = {
        "command": " ".join(["python"] + sys.argv), "vae": args.vae, "vae_step": state.get("step"),
        "crops": len(crops), "training_block": training,
        "terms": {name: {"weighted_value": round(float(np.mean([r[name][0] for r in term_rows])), 4),
                         "gradient_norm": round(float(np.mean([r[name][1] for r in term_rows])), 2)} for name in names},
        "balance_gradient_by_input_level": [
            {"input_dbfs": [low, high], "frames": int(n), "mean_share_error": round(e / max(n, 1), 3),
             "share_of_squared_gradient": round(g / max(total_squared, 1e-30), 3)}
            for (low, high), (n, e, g) in zip(LEVEL_BANDS_DB, levels)],
        "balance_baselines": dict(zip(("centred_output", "mono_copy_of_input", "this_checkpoint"),
                                      (round(v, 3) for v in np.mean(baselines, 0)))),
        "stereo": dict(decoder_symmetry(model, outputs),
                       latent_response_side_over_mid=round(latent_response(model, first_batch), 4),
                       encoder_side_over_mid_gain=round(encoder_side_gain(model, first_batch), 4),
                       autoencoder_side_transfer=autoencoder_side_transfer(model, first_batch),
                       lr_swap=swap_test(model, first_batch)),
        "crops_summary": {
            "hard_panned_fraction": round(len(hard) / len(crops), 3),
            "output_share_std": round(float(np.std([c["share_out"] for c in crops])), 3),
            "input_share_std": round(float(np.std([c["share_in"] for c in crops])), 3),
            "share_correlation": round(float(np.corrcoef([c["share_in"] for c in crops],
                                                         [c["share_out"] for c in crops])[0, 1]), 3),
            "median_level_gap_db": round(float(np.median([np.mean(c["level_out_db"]) - np.mean(c["level_in_db"])
                                                          for c in crops])), 1)},
        "crop_rows": crops,
    }
    text = json.dumps(result, indent=1)
    if args.out:
        with open(args.out + ".tmp", "w") as handle:
            handle.write(text + "\n")
        os.replace(args.out + ".tmp", args.out)
    print(json.dumps({k: v for k, v in result.items() if k not in ("crop_rows", "training_block")}, indent=1))


if __name__ == "__main__":
    main()
