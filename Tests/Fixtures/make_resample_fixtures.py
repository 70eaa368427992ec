"""Parity fixtures for audio conversion: torchaudio's `transforms.Resample` and SAT's `prepare_audio`.

Writes ``Tests/SAAudioTests/Resources/resample_fixtures.safetensors`` (read by ``AudioResamplerTests``):

* ``resample_<from>_<to>``: ``input`` [C, T] (noise plus a sine) and ``output`` = ``torchaudio.transforms.Resample(
  from, to)(input)`` with torchaudio's defaults (``sinc_interp_hann``, ``lowpass_filter_width`` 6, ``rolloff``
  0.99), which is what SAT's ``prepare_audio`` builds. Also ``kernel`` [new/gcd, 2·width + orig/gcd], the transform's
  stored filter bank (where it is small), so that a mismatch can be told apart from the convolution.
* ``prepare_<name>``: ``input`` [C, T] and ``output`` = ``stable_audio_tools.inference.utils.prepare_audio(input,
  in_sr, 44100, target_length, target_channels, "cpu")[0]``: resampling, then ``PadCrop(randomize=False)``, then
  ``set_audio_channels``.

Case hyperparameters go in ``__metadata__`` as ``case.<name>``; the metadata also records the versions and the seed.

torchaudio 2.11.0 (the newest on PyPI) ships compiled extensions built against CUDA 13.0 that refuse to load next to
torch 2.15.0+cu132 (`_check_cuda_version`). Neither `Resample` nor `prepare_audio` uses them, so the wheel is
installed with ``--no-deps`` into a folder whose ``torchaudio/lib/*.so`` files are moved away, and torchaudio then
imports in its pure-Python mode:

    pip install --no-deps --target /tmp/ta torchaudio==2.11.0 && mkdir /tmp/ta-ext && mv /tmp/ta/torchaudio/lib/*.so /tmp/ta-ext/
    PYTHONPATH=/tmp/ta /work/venv/bin/python Tests/Fixtures/make_resample_fixtures.py

(/work/venv: torch 2.15.0, stable-audio-tools 0.0.19, safetensors 0.8.0, numpy 2.4.6.)
"""

import math
import os
import sys

import torch
import torchaudio
from stable_audio_tools.inference.utils import prepare_audio

sys.path.insert(0, os.path.dirname(__file__))
from make_engine_fixtures import Fixtures, compact, save_deterministic  # noqa: E402

SEED = 20261123
GENERATOR = "Tests/Fixtures/make_resample_fixtures.py"
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO_ROOT, "Tests", "SAAudioTests", "Resources", "resample_fixtures.safetensors")


def signal(channels, frames, rate, generator):
    """Noise at 0.3 plus a 1 kHz sine at 0.5 (a tone the filter must pass, on top of broadband noise it must cut)."""
    t = torch.arange(frames, dtype=torch.float64) / rate
    sine = 0.5 * torch.sin(2 * math.pi * 1000.0 * t)
    noise = 0.3 * torch.randn(channels, frames, generator=generator, dtype=torch.float64)
    return (noise + sine).to(torch.float32)


def main():
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(SEED)
    fx = Fixtures()
    # Rates a user's file may have, to the engine's 44.1 kHz (and one the other way); reduced ratios from 1/2 to 441/80.
    for source, target, channels, frames in [(48000, 44100, 2, 4800), (22050, 44100, 1, 2205), (16000, 44100, 2, 1601),
                                             (32000, 44100, 1, 3203), (96000, 44100, 2, 9600), (8000, 44100, 1, 807),
                                             (44100, 48000, 2, 4410)]:
        transform = torchaudio.transforms.Resample(source, target)
        x = signal(channels, frames, source, generator)
        y = transform(x)
        tensors = {"input": x, "output": y}
        if transform.kernel.numel() < 30000:  # the filter banks of the larger ratios would triple the file
            tensors["kernel"] = transform.kernel[:, 0, :]
        fx.add(f"resample_{source}_{target}",
               dict(op="resample", source_rate=source, target_rate=target, lowpass_filter_width=6, rolloff=0.99,
                    width=transform.width),
               tensors)
    # SAT's prepare_audio: resample, pad or crop from the start, then the channel rule (mono -> both sides, more than
    # two -> the first two, any -> mono by the mean).
    for name, source, channels, frames, target_length, target_channels in [
            ("mono_48k_to_stereo_padded", 48000, 1, 4000, 4096, 2),
            ("three_channels_48k_to_stereo_cropped", 48000, 3, 6000, 4096, 2),
            ("stereo_44k_to_mono", 44100, 2, 3000, 4096, 1),
            ("stereo_22k_to_stereo", 22050, 2, 2500, 4096, 2)]:
        x = signal(channels, frames, source, generator)
        y = prepare_audio(x, in_sr=source, target_sr=44100, target_length=target_length, target_channels=target_channels,
                          device="cpu")[0]
        fx.add(f"prepare_{name}",
               dict(op="prepare_audio", source_rate=source, target_rate=44100, target_length=target_length,
                    target_channels=target_channels),
               {"input": x, "output": y})
    metadata = {f"case.{name}": fx.meta[name] for name in fx.order}
    metadata.update(generator=GENERATOR, seed=str(SEED), cases=compact(fx.order),
                    versions=compact({"torch": torch.__version__, "torchaudio": torchaudio.__version__,
                                      "stable_audio_tools": "0.0.19"}))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    save_deterministic(fx.tensors, OUT, metadata)
    print(f"wrote {OUT}: {len(fx.order)} cases, {sum(t.numel() for t in fx.tensors.values())} floats")


if __name__ == "__main__":
    main()
