"""Shared helpers: configs, data, logging, checkpoints."""
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import soundfile as sf
import torch

from . import sat_compat  # noqa: F401  (must precede stable_audio_tools imports)

HERE = os.path.dirname(os.path.abspath(__file__))
SR = 44100


def load_json(p):
    with open(p) as f:
        return json.load(f)


def file_sha256(path):
    """Hex SHA-256 of a file's bytes (e.g. to check that two stages used the same tokenizer)."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def read_meta(corpus, split="train"):
    out = []
    with open(os.path.join(corpus, f"{split}.jsonl")) as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:  # a line still being written
                    pass
    out.sort(key=lambda m: m["id"])
    return out


def load_clip(corpus, meta, start=0, stop=None):
    """Returns float32 [2, n] for samples [start, stop) of the clip's window (zero beyond the sound)."""
    n = int(sf.info(os.path.join(corpus, meta["path"])).frames)
    stop = stop if stop is not None else n
    out = np.zeros((2, stop - start), dtype=np.float32)
    a, b = max(0, start), min(n, stop)
    if b > a:
        x, _ = sf.read(os.path.join(corpus, meta["path"]), start=a, stop=b, dtype="float32", always_2d=True)
        out[:, a - start:b - start] = x.T
    return out


class Logger:
    def __init__(self, path):
        self.f = open(path, "a")
        self.t0 = time.time()

    def log(self, **kw):
        kw = {k: (round(v, 5) if isinstance(v, float) else v) for k, v in kw.items()}
        kw["wall_s"] = round(time.time() - self.t0, 1)
        kw["time"] = time.strftime("%H:%M:%S")
        line = json.dumps(kw)
        print(line, flush=True)
        self.f.write(line + "\n")
        self.f.flush()


def cosine_fall(u):
    """½ (1 + cos(π u)): 1 at u = 0, 0 at u = 1 (the half-cosine schedules of the lr and of annealed loss weights)."""
    return 0.5 * (1 + math.cos(math.pi * u))


def learning_rate_at(step, peak, warmup_steps, start_step, cosine_steps):
    """lr(step) = peak · min(1, (step + 1) / warmup) · c,  c = 0.1 + 0.9 · ½ (1 + cos(π u)),
    u = clamp((step − start_step) / cosine_steps, 0, 1) (c = 1 without a cosine phase)."""
    lr = peak * (min(1.0, (step + 1) / warmup_steps) if warmup_steps else 1.0)
    if cosine_steps:
        u = min(1.0, max(0.0, (step - start_step) / cosine_steps))
        lr *= 0.1 + 0.9 * cosine_fall(u)
    return lr


def add_cosine_arguments(parser):
    """--cosine-steps / --cosine-from, the lr schedule options that train_vae and train_diffusion share (the cosine of
    `learning_rate_at`); `cosine_start(args, step)` reads them back."""
    parser.add_argument("--cosine-steps", type=int, default=0,
                        help="cosine decay of the lr to lr/10 over this many steps from --cosine-from")
    parser.add_argument("--cosine-from", type=int, default=None,
                        help="the step the cosine starts at (default: the step this run starts at); give it, with the "
                             "first run's --lr, so that a resumed run continues the same cosine instead of restarting it")


def cosine_start(args, step):
    """The step the cosine of `add_cosine_arguments` starts at, for a run that starts at `step`."""
    return step if args.cosine_from is None else args.cosine_from


def checkpoint_name(path):
    """A checkpoint path as its folder and file name only ("/work/checkpoints/diffusion/last.pt" -> "diffusion/last.pt"),
    for configs that ship inside exported models."""
    return os.path.join(*os.path.normpath(path).split(os.sep)[-2:])


def interpolation_record(config):
    """The `training.interpolation` record of an averaged export's config (and of the checkpoints `restore` makes from
    it), or None for a config that is not an average."""
    return config.get("training", {}).get("interpolation")


def write_then_rename(path, write):
    """Calls write(path + ".tmp"), then renames that file over `path`: a failure never leaves half a file."""
    write(path + ".tmp")
    os.replace(path + ".tmp", path)


def save_ckpt(path, **state):
    write_then_rename(path, lambda tmp: torch.save(state, tmp))


def save_json(path, value, indent=1):
    """Writes `value` as indented JSON through write_then_rename."""
    def write(tmp):
        with open(tmp, "w") as file:
            json.dump(value, file, indent=indent)
    write_then_rename(path, write)


def pick_device(name):
    """torch.device for --device auto|cpu|cuda. On CUDA, float32 matrix products and convolutions may use TF32 (a 10-bit
    mantissa for the products, float32 sums): the training speed a GPU is lent for, at a precision far below the
    recipe's noise (minibatch noise, posterior sampling)."""
    device = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if name == "auto" else name)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    return device


def add_time_limit_argument(parser):
    """--max-seconds, shared by train_vae and train_diffusion: a time-boxed run (a lent GPU's lease) stops at the first
    step after this many seconds of this process's training and saves last.pt there; `past_time_limit` reads it."""
    parser.add_argument("--max-seconds", type=float, default=0.0,
                        help="stop (saving last.pt) at the first step after this many seconds of this run; 0: no limit")


def past_time_limit(args, started):
    """True once the run begun at time.time() == `started` has used up --max-seconds (never without a limit)."""
    return args.max_seconds > 0 and time.time() - started >= args.max_seconds


def set_threads(n):
    if n > 0:
        torch.set_num_threads(n)


def mel_filterbank(sr, n_fft, n_mels, fmin=0.0, fmax=None):
    """HTK-style triangular mel filterbank [n_mels, n_fft//2+1] (no librosa needed)."""
    fmax = fmax or sr / 2
    hz2mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)
    mel2hz = lambda m: 700.0 * (10 ** (m / 2595.0) - 1.0)
    mels = np.linspace(hz2mel(fmin), hz2mel(fmax), n_mels + 2)
    hz = mel2hz(mels)
    bins = np.fft.rfftfreq(n_fft, 1.0 / sr)
    fb = np.zeros((n_mels, len(bins)))
    for i in range(n_mels):
        lo, c, hi = hz[i], hz[i + 1], hz[i + 2]
        up = (bins - lo) / max(c - lo, 1e-9)
        down = (hi - bins) / max(hi - c, 1e-9)
        fb[i] = np.clip(np.minimum(up, down), 0, None)
    fb /= np.maximum(fb.sum(axis=1, keepdims=True), 1e-9)
    return torch.tensor(fb, dtype=torch.float32)


class LogMel(torch.nn.Module):
    """log(M·|STFT(x)|² + floor), M the band-averaging `mel_filterbank`, Hann window. `floor` 1e-5 is the recipe's
    original constant; `VAELoss` passes a level-derived one when its config sets `spectral_floor_db`."""

    def __init__(self, sr=SR, n_fft=2048, hop=512, n_mels=80, floor=1e-5):
        super().__init__()
        self.n_fft, self.hop, self.floor = n_fft, hop, floor
        self.register_buffer("fb", mel_filterbank(sr, n_fft, n_mels, 20.0))
        self.register_buffer("win", torch.hann_window(n_fft))

    def forward(self, x):  # x [B, T] -> [B, n_mels, frames]
        s = torch.stft(x, self.n_fft, self.hop, window=self.win, return_complex=True).abs() ** 2
        return torch.log(self.fb @ s + self.floor)
