#!/usr/bin/env python3
"""Parity fixture for the Swift port of sfx-clap-mini (Sources/SAAudioText): runs the training code's OWN classes
(models/training/train_clap.py `Clap`, `Features`, `AudioTower`, `TextTower`; the `SPTokenizer` of
models/training/t5_local.py) with a fixed seed and random weights, fp32, CPU, 1 thread, and writes

  Tests/SAAudioTextTests/Resources/sfx_clap_mini_fixture/          a model folder in the export layout
      sfx_clap_mini.json          the config `train_clap.export` writes (same keys; doc shortened)
      sfx_clap_mini.safetensors   `Clap.state_dict()`: parameters stored as F16, buffers (fb, win, mean, std) as F32
      spiece.model                the real sfx-clap-mini tokenizer (copied from the export folder)
  Tests/SAAudioTextTests/Resources/sfx_clap_mini_fixture.io.safetensors   inputs and PyTorch outputs

    PYTHONPATH=. /work/venv/bin/python Tests/Fixtures/make_audio_text_fixture.py [--export DIR]

(/work/venv is the training virtualenv: torch 2.13.0+cpu, sentencepiece, soundfile; `--export` defaults to
/work/checkpoints/clap-export and is only read for spiece.model.)

The model is the real architecture at its real size (vocabulary of the real tokenizer, 42 families). Its random
initial weights are perturbed (+0.07·N(0,1), the same rule as satref.perturb_) so the learned position table and
every bias matter, then ROUNDED TO FLOAT16 and loaded back as float32 before any output is computed: the F16 file
holds exactly the weights PyTorch ran with, so the Swift tolerances are not loosened by the storage (the file stays
under 2 MB). `features.mean` / `features.std` are set from the test clips' own features, as training sets them at
step 0 from a sample of clips. The clips are also rounded to float16 before use (stored as F16).

Tensors in the .io file (B = 3 clips / captions):
  in.audio.{i}            [2, n_i] F16   stereo test clip i (n = 88200, 44100, 20000: 2 s, 1 s, 0.45 s), zero padded to
                                         262144 samples by the model, as load_clip(…, 0, WINDOW) does
  in.ids, in.mask         [3, 64]  F32   SPTokenizer(spiece.model, 64)(captions) (ids; mask 1/0)
  out.features            [3, 2, 64, 257]  Features()(x): normalised [log-mel mid, log-mel L − log-mel R]
  out.debug.pooled        [3, 384]   concat(mean, amax) over (freq, time) of the last conv block
  out.audio_embedding     [3, 128]   AudioTower: normalize(proj(pooled))
  out.family_logits       [3, 42]    AudioTower: cls(pooled)
  out.text_embedding      [3, 128]   TextTower(ids, mask) (eval mode: no dropout)
  out.similarity          [3, 3]     audio_embedding @ text_embedding.T (cosines)
Metadata: generator, seed, versions, captions (JSON), clip_lengths, note.
"""

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))
import satref  # noqa: E402  (1 thread, deterministic algorithms, deterministic safetensors writer)
from satref import save_safetensors_deterministic, versions  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from models.training import train_clap as tc  # noqa: E402
from models.training.corpus.families import FAMILY_NAMES  # noqa: E402
from models.training.t5_local import SPTokenizer  # noqa: E402

OUT = ROOT / "Tests" / "SAAudioTextTests" / "Resources"
GENERATOR = "Tests/Fixtures/make_audio_text_fixture.py"
SEED = 20261122
CAPTIONS = [
    "heavy rain on a tin roof with distant thunder",
    "a short bright synth beep, then silence",
    # longer than 63 pieces: SPTokenizer keeps the first 63 and appends </s>
    " ".join(["a dog barks twice and footsteps cross a wooden floor while a kettle whistles"] * 6),
]
CLIP_LENGTHS = [88200, 44100, 20000]


def clips(seed):
    """Deterministic stereo clips: tones, chirps, noise bursts and an envelope, with different L/R content."""
    rng = np.random.default_rng(seed)
    out = []
    for i, n in enumerate(CLIP_LENGTHS):
        t = np.arange(n) / 44100.0
        env = np.minimum(1.0, t / 0.05) * np.exp(-t * (1.5 + i))
        tone = np.sin(2 * np.pi * (220.0 * (i + 1)) * t + 0.3 * np.sin(2 * np.pi * 3.0 * t))
        chirp = np.sin(2 * np.pi * (200.0 * t + 1500.0 * t * t * (i + 1)))
        noise = rng.standard_normal((2, n))
        left = 0.35 * env * tone + 0.1 * noise[0] + 0.15 * chirp * (t > 0.2)
        right = 0.25 * env * tone + 0.08 * noise[1] + 0.05 * np.roll(chirp, 300 * (i + 1))
        x = np.stack([left, right]).astype(np.float32)
        out.append(torch.from_numpy(x).half().float())  # the stored F16 values are the input
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--export", default="/work/checkpoints/clap-export")
    a = ap.parse_args()
    torch.manual_seed(SEED)
    tok_path = os.path.join(a.export, "spiece.model")
    tok = SPTokenizer(tok_path, 64)
    model = tc.Clap(tok.sp.get_piece_size(), len(FAMILY_NAMES)).eval()
    gen = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.add_(0.07 * torch.randn(p.shape, generator=gen))
            p.copy_(p.half().float())  # the F16 file holds exactly these values

    xs = clips(SEED + 2)
    batch = torch.stack([F.pad(x, (0, tc.WINDOW - x.shape[1])) for x in xs])  # load_clip(..., 0, WINDOW)
    with torch.no_grad():
        f = model.features(batch)  # mean 0 / std 1 buffers: raw features
        model.features.mean.copy_(f.mean(dim=(0, 2, 3)))
        model.features.std.copy_(f.std(dim=(0, 2, 3)))
        feats = model.features(batch)
        # check: the un-normalised log-mel of mid, L, R (the expression of Features.forward) gives the features
        B = batch.shape[0]
        sig = torch.stack([batch.mean(1), batch[:, 0], batch[:, 1]], 1).reshape(B * 3, -1)
        S = torch.stft(sig, tc.N_FFT, tc.HOP, window=model.features.win, center=True, pad_mode="reflect", return_complex=True)
        log_mel = torch.log(model.features.fb @ (S.abs() ** 2) + 1e-5).reshape(B, 3, tc.N_MELS, -1)
        h = model.audio.conv(feats)
        pooled = torch.cat([h.mean(dim=(2, 3)), h.amax(dim=(2, 3))], 1)
        audio_embedding, logits = model.audio(feats)
        ids, mask = tok(CAPTIONS)
        text_embedding = model.text(ids, mask)
        similarity = audio_embedding @ text_embedding.t()
    raw = torch.stack([log_mel[:, 0], log_mel[:, 1] - log_mel[:, 2]], 1)
    assert torch.allclose((raw - model.features.mean[None, :, None, None]) / model.features.std[None, :, None, None], feats)
    assert int(mask[2].sum()) == 64, "the long caption must fill max_length"

    folder = OUT / "sfx_clap_mini_fixture"
    folder.mkdir(parents=True, exist_ok=True)
    buffers = {"features.fb", "features.win", "features.mean", "features.std"}
    state = {k: (v.detach().float() if k in buffers else v.detach().half()) for k, v in model.state_dict().items()}
    meta = {"generator": GENERATOR, "seed": str(SEED), "versions": json.dumps(versions(), sort_keys=True),
            "note": "train_clap.Clap(vocab, 42) random init + 0.07·N perturbation, parameters rounded to F16 before "
                    "computing the .io outputs; buffers F32; features.mean/std from the fixture clips"}
    save_safetensors_deterministic(state, str(folder / "sfx_clap_mini.safetensors"), meta)
    shutil.copyfile(tok_path, folder / "spiece.model")
    cfg = dict(name="sfx-clap-mini (this project's own audio-text model; not LAION-CLAP)", step=0,
               sample_rate=44100, window=tc.WINDOW, n_fft=tc.N_FFT, hop=tc.HOP, n_mels=tc.N_MELS, mel_fmin=20.0,
               embed_dim=128, families=FAMILY_NAMES, tokenizer="spiece.model", max_length=64,
               doc="test fixture written by " + GENERATOR + " (random weights); see models/training/train_clap.py")
    with open(folder / "sfx_clap_mini.json", "w") as fh:
        json.dump(cfg, fh, indent=1)
        fh.write("\n")

    io = {f"in.audio.{i}": x.half() for i, x in enumerate(xs)}
    io.update({"in.ids": ids.float(), "in.mask": mask.float(), "out.features": feats,
               "out.debug.pooled": pooled, "out.audio_embedding": audio_embedding, "out.family_logits": logits,
               "out.text_embedding": text_embedding, "out.similarity": similarity})
    io_meta = dict(meta)
    io_meta.update({"captions": json.dumps(CAPTIONS), "clip_lengths": json.dumps(CLIP_LENGTHS),
                    "model_folder": "sfx_clap_mini_fixture",
                    "note": "Clap in eval mode under no_grad; features of the clips zero padded to WINDOW; "
                            "text: SPTokenizer(spiece.model, 64)(captions) -> model.text(ids, mask)"})
    save_safetensors_deterministic(io, str(OUT / "sfx_clap_mini_fixture.io.safetensors"), io_meta)
    print("similarity\n", similarity, "\nlogits std", logits.std().item(), "pooled", pooled.abs().max().item(),
          "\nfeature mean/std", model.features.mean.tolist(), model.features.std.tolist(), file=sys.stderr)


if __name__ == "__main__":
    main()
