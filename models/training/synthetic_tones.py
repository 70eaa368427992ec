"""Synthetic stereo tones for the VAE: the check batches of `eval/default-model/vae_tone_overfit.py` and
`vae_init_check.py` (and `strongest_frequency`, the pitch those checks compare), and the optional tone crops that
`train_vae.CropSampler` mixes into corpus batches (config `synthetic_tone_fraction`)."""
import math

import numpy as np

from .common import SR as RATE


def constant_power_gains(position):
    """position in [−1, 1] (−1 left) -> (gain_left, gain_right) = (cos θ, sin θ), θ = (position + 1) · π/4."""
    theta = (position + 1) * math.pi / 4
    return math.cos(theta), math.sin(theta)


def random_tone(rng, samples):
    """One stereo tone of `samples` samples, [2, samples] float32, and its description: sine, square or sawtooth,
    80 Hz to 6 kHz (log-uniform), amplitude 0.05 to 0.5, random start phase, 70% panned at random (constant-power
    law), the rest centred. The square and sawtooth are scaled to about the sine's RMS."""
    time_s = np.arange(samples) / RATE
    frequency = math.exp(rng.uniform(math.log(80), math.log(6000)))
    amplitude = rng.uniform(0.05, 0.5)
    waveform = ("sine", "square", "sawtooth")[int(rng.integers(3))]
    phase = 2 * math.pi * frequency * time_s + rng.uniform(0, 2 * math.pi)
    shape = {"sine": np.sin(phase), "square": 0.6 * np.sign(np.sin(phase)),
             "sawtooth": 0.7 * ((phase / math.pi) % 2 - 1)}[waveform]
    position = rng.uniform(-1, 1) if rng.random() < 0.7 else 0.0
    left, right = constant_power_gains(position)
    tone = np.stack([left * amplitude * shape, right * amplitude * shape]).astype(np.float32)
    return tone, {"waveform": waveform, "hz": round(frequency, 1), "amplitude": round(amplitude, 3),
                  "position": round(position, 2)}


def tone_batch(seed, size, samples):
    """`size` tones from `random_tone` with numpy seed `seed`: [size, 2, samples] float32 and their descriptions."""
    rng = np.random.default_rng(seed)
    tones, described = zip(*(random_tone(rng, samples) for _ in range(size)))
    return np.stack(tones), list(described)


def strongest_frequency(stereo):
    """The frequency in Hz of the largest bin of |rfft(w · (L + R))|, w the Hann window; stereo [2, samples]."""
    mono = stereo.sum(0)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(mono.size)))
    return float(np.fft.rfftfreq(mono.size, 1 / RATE)[spectrum.argmax()])
