"""An explicit stereo-position channel in the shipped VAE's latent (session 40).

Every VAE of the shipped line erases stereo position in its encoder (model card, "Why it is weak (2)"), so the
diffusion model cannot place a sound left or right: the position pairs of the bar go the right way in 20% of the
pair-seeds (session 39, `runs_shipped39`). Session 17 taught a ratio-512 VAE to keep position (a training-time probe
plus the balance term), but its latents differ from the shipped ones everywhere, so the U-Net would have to be
retrained from them (session 15: 1,500 CPU steps on new latents lost the words). This module changes one latent
channel only and leaves the other 31 as they are, so the shipped U-Net stays valid on them:

  z'_c = gain · p_t,   z'_k = z_k for k ≠ c,   posterior stdev on channel c: `stdev`,

with p_t the signed L/R energy difference of latent frame t (`PositionProbe.target`: the `ratio` input samples
[ratio·t, ratio·(t+1)), δ = 1e-6):

  p_t = (E_L − E_R) / (E_L + E_R + δ),  in [−1, 1]; 0 for centred sound and for silence.

Channel c is one the shipped decoder barely reads (session 40: setting channel 9 to its mean moves the decoded eval
clips by 0.0005 RMS and their MR-STFT by −0.001). Three stages use it:
  * `train_vae --freeze-encoder --position-channel C:GAIN:STDEV` teaches the decoder to pan by channel c, with the
    balance term on its output (the frozen encoder's sample with channel c replaced is what the decoder sees);
  * `encode_latents --position-channel ...` writes training latents with channel c replaced, so the diffusion model
    learns z'_c from the captions' position words;
  * this module's `main` fine-tunes the encoder to output z' itself (mean square error to the frozen encoder's
    posterior with channel c replaced), so the exported VAE's encoder and decoder agree. In session 40 it did not
    learn the channel (its error stayed at the target's variance over 230 steps at lr 1e-4 and 280 at 5e-4), so
    `--centre-only` instead makes the encoder output the centre on channel c (`centre_encoder_channel`).
A VAE is still an Oobleck VAE (SAT's `AudioAutoencoder`, unchanged shapes), so the Swift engine runs it as before.
Limits: p_t is an energy balance per 46 ms frame, so the decoder can pan but not widen or narrow the image.
"""
import argparse
import copy
import os
import time

import torch

from .common import Logger, learning_rate_at, pick_device, read_meta, save_ckpt, set_threads
from .train_vae import CropSampler, PositionProbe, adamw, build_vae, optimizer_step


class PositionChannel:
    """The replacement of latent channel `channel` by `gain` · p_t (module doc), with posterior stdev `stdev`."""

    def __init__(self, channel, gain, stdev):
        self.channel, self.gain, self.stdev = int(channel), float(gain), float(stdev)

    @classmethod
    def parse(cls, text):
        """'C:GAIN:STDEV' (e.g. '9:1.0:0.05') -> PositionChannel; a malformed value raises ValueError naming it."""
        parts = text.split(":")
        if len(parts) != 3:
            raise ValueError(f"position channel {text!r}: expected CHANNEL:GAIN:STDEV, e.g. 9:1.0:0.05")
        try:
            return cls(int(parts[0]), float(parts[1]), float(parts[2]))
        except ValueError:
            raise ValueError(f"position channel {text!r}: CHANNEL must be an integer, GAIN and STDEV numbers") from None

    def record(self):
        return dict(channel=self.channel, gain=self.gain, stdev=self.stdev,
                    signal="p_t = (E_L - E_R) / (E_L + E_R + 1e-6) over latent frame t's samples")

    def check(self, latent_dim):
        if not 0 <= self.channel < latent_dim:
            raise ValueError(f"position channel {self.channel}: the latent has channels 0-{latent_dim - 1}")

    def signal(self, x, frames):
        """gain · p_t, [B, frames], from audio x [B, 2, ≥ frames · ratio] (ratio = x's samples per frame)."""
        return self.gain * PositionProbe.target(x, frames)[0]

    def replace(self, mean, stdev, x):
        """The posterior (mean, stdev) [B, C, frames] with channel c set to the signal of x and to `stdev`."""
        mean, stdev = mean.clone(), stdev.clone()
        mean[:, self.channel] = self.signal(x, mean.shape[-1]).to(mean.dtype)
        stdev[:, self.channel] = self.stdev
        return mean, stdev

    def sample(self, z, x):
        """A bottleneck sample z [B, C, frames] with channel c redrawn: gain · p_t + stdev · ε."""
        z = z.clone()
        signal = self.signal(x, z.shape[-1]).to(z.dtype)
        z[:, self.channel] = signal + self.stdev * torch.randn_like(signal)
        return z


def centre_encoder_channel(vae, channel):
    """Makes a VAE's encoder output the centre on channel c for every input: mean 0 and stdev `stdev`, by zeroing the
    gain of the encoder's last convolution (SAT's weight norm: w = g · v / ‖v‖) on the channel's mean and scale rows
    and setting their biases, softplus(b) + 1e-4 = stdev:  b = ln(exp(stdev − 1e-4) − 1).
    The round trip through such a VAE then centres everything, as the shipped encoder already does (it erases
    position), while the decoder still pans generated latents."""
    last = vae.encoder.layers[-1]
    latent_dim = last.bias.shape[0] // 2
    scale_bias = float(torch.log(torch.expm1(torch.tensor(channel.stdev - 1e-4))))
    with torch.no_grad():
        for row, bias in ((channel.channel, 0.0), (latent_dim + channel.channel, scale_bias)):
            last.weight_g[row] = 0.0
            last.bias[row] = bias


def posterior_parts(encoder, x):
    """(mean, stdev) [B, latent, T/ratio] of SAT's VAEBottleneck from an Oobleck encoder's output on x [B, 2, T]:
    stdev = softplus(scale) + 1e-4 (`encode_latents.posterior` is this without gradients)."""
    mean, scale = encoder(x).chunk(2, dim=1)
    return mean, torch.nn.functional.softplus(scale) + 1e-4


def encoder_distance(encoder, reference, channel, x):
    """Mean square distance of the encoder's (mean, log stdev) to the reference encoder's with channel c replaced,
    channel c weighted as much as the other channels together (a plain mean over 32 channels left its error at 0.5
    for 20 steps, session 40):
      d = mean_{B,C,t} [(μ − μ')² + (ln σ − ln σ')²] + mean_{B,t} (μ_c − μ'_c)²;
    also returns the last term."""
    mean, stdev = posterior_parts(encoder, x)
    with torch.no_grad():
        target_mean, target_stdev = channel.replace(*posterior_parts(reference, x), x)
    mean_error = (mean - target_mean).pow(2)
    channel_error = mean_error[:, channel.channel].mean()
    distance = mean_error.mean() + (stdev.log() - target_stdev.log()).pow(2).mean() + channel_error
    return distance, float(channel_error.detach())


def main(argv=None):
    ap = argparse.ArgumentParser(description="fine-tune a VAE's encoder to output the position channel (module doc)")
    ap.add_argument("--vae", required=True, help="train_vae checkpoint whose decoder (and config) the result keeps")
    ap.add_argument("--reference", required=True, help="train_vae checkpoint of the frozen encoder whose other "
                                                       "channels the result keeps")
    ap.add_argument("--position-channel", required=True, metavar="C:GAIN:STDEV")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--centre-only", action="store_true",
                    help="no training: write --vae with its encoder centring the channel (centre_encoder_channel)")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--crop", type=int, default=65536)
    ap.add_argument("--lr", type=float, default=5e-4,
                    help="peak learning rate, reached by a linear warm-up over --warmup-steps (session 40: at 1e-4 the "
                         "channel's mean square error was still 0.3 after 230 steps)")
    ap.add_argument("--warmup-steps", type=int, default=20)
    ap.add_argument("--save-every", type=int, default=50)
    ap.add_argument("--seed", type=int, default=40)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="auto")
    a = ap.parse_args(argv)
    set_threads(a.threads)
    dev = pick_device(a.device)
    try:
        channel = PositionChannel.parse(a.position_channel)
    except ValueError as error:
        ap.error(str(error))
    state = torch.load(a.vae, map_location="cpu", weights_only=False)
    cfg = state["config"]
    channel.check(cfg["model"]["latent_dim"])
    model = build_vae(cfg)
    model.load_state_dict(state["model"])
    if a.centre_only:
        centre_encoder_channel(model, channel)
        config = copy.deepcopy(cfg)
        config["position_channel"] = dict(channel.record(), encoder="centred (centre_encoder_channel)")
        os.makedirs(a.ckpt, exist_ok=True)
        save_ckpt(os.path.join(a.ckpt, "last.pt"), model=model.state_dict(), step=state["step"],
                  wall=state.get("wall", 0.0), config=config)
        return
    reference_state = torch.load(a.reference, map_location="cpu", weights_only=False)
    reference = build_vae(reference_state["config"])
    reference.load_state_dict(reference_state["model"])
    reference = reference.encoder.to(dev).eval().requires_grad_(False)
    encoder = model.encoder.to(dev).train()
    optimizer = adamw(encoder.parameters(), cfg["training"], a.lr)
    os.makedirs(a.ckpt, exist_ok=True)
    last, step, wall_before = os.path.join(a.ckpt, "last.pt"), 0, 0.0
    if os.path.exists(last):
        resumed = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(resumed["model"])
        optimizer.load_state_dict(resumed["opt"])
        step, wall_before = resumed["step"], resumed.get("wall", 0.0)
    torch.manual_seed(a.seed + step)
    sampler = CropSampler(a.corpus, read_meta(a.corpus, "train"), a.crop, a.seed + step)
    log = Logger(os.path.join(a.ckpt, "train_log.jsonl"))
    log.log(event="start", step=step, vae=a.vae, reference=a.reference, position_channel=channel.record(),
            batch=a.batch_size, crop=a.crop, lr=a.lr)
    started = time.time()
    while step < a.steps:
        distance, channel_error = encoder_distance(encoder, reference, channel, sampler.batch(a.batch_size).to(dev))
        gnorm = optimizer_step(optimizer, distance, learning_rate_at(step, a.lr, a.warmup_steps, 0, 0))
        step += 1
        wall = wall_before + time.time() - started
        if step % 10 == 0:
            log.log(step=step, distance=float(distance), channel_error=channel_error, gnorm=gnorm, total_wall=wall)
        if step % a.save_every == 0 or step == a.steps:
            config = copy.deepcopy(cfg)
            config["position_channel"] = channel.record()
            save_ckpt(last, model=model.state_dict(), opt=optimizer.state_dict(), step=step, wall=wall, config=config)


if __name__ == "__main__":
    main()
