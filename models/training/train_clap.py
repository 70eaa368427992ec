"""Stage 8: the project's own small contrastive audio-text model ("SFX-CLAP-mini"; NOT LAION CLAP, NOT PANNs/PaSST),
trained on the same corpus, used by the learned metrics (text-audio cosine, Frechet distance on its audio embeddings,
KL between family distributions) and as the family classifier of the eval bars.

  python -m models.training.train_clap --corpus /work/data/corpus --tokenizer /work/checkpoints/tokenizer \
      --ckpt /work/checkpoints/clap            # then: --export /work/checkpoints/clap-export

Audio tower (input: the clip's window, stereo 44.1 kHz, up to 262144 samples, zero padded):
  features  = STFT(n_fft 2048, hop 1024, periodic Hann, center=True reflect pad) of mid=(L+R)/2, left, right;
              mel = fb @ |X|^2 with the HTK-style filterbank of models/training/common.py (64 bands, 20 Hz..22.05 kHz,
              each filter normalised to sum 1); ch0 = log(mel_mid + 1e-5), ch1 = log(mel_L + 1e-5) - log(mel_R + 1e-5)
              -> [2, 64, 257]; then (x - feat_mean[c]) / feat_std[c] with the constants stored in the config.
  4 blocks: Conv2d(3x3, pad 1) -> ReLU -> MaxPool2d(2)   channels 2->32->64->128->192
  pooled = concat(mean over (freq,time), max over (freq,time))   [384]
  audio_embed = normalize(Linear(384, 128)(pooled));  family_logits = Linear(384, n_families)(pooled)
Text tower: SentencePiece ids exactly as the t5_local conditioner (max_length 64, </s> appended, pad 0);
  Embedding(V,128) + learned positions [64,128] -> 2 x TransformerEncoderLayer(d 128, 4 heads, ff 512, GELU,
  norm_first, eps 1e-5, padding masked) -> LayerNorm -> masked mean -> normalize(Linear(128,128)).
Loss: symmetric InfoNCE with learned temperature + cross-entropy on the family.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .common import Logger, load_clip, mel_filterbank, pick_device, read_meta, save_ckpt, set_threads
from .corpus.families import FAMILY_NAMES
from .t5_local import SPTokenizer

N_FFT, HOP, N_MELS, WINDOW = 2048, 1024, 64, 262144


class Features(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("fb", mel_filterbank(44100, N_FFT, N_MELS, 20.0))
        self.register_buffer("win", torch.hann_window(N_FFT))
        self.register_buffer("mean", torch.zeros(2))
        self.register_buffer("std", torch.ones(2))

    def forward(self, x):  # x [B,2,T]
        B = x.shape[0]
        sig = torch.stack([x.mean(1), x[:, 0], x[:, 1]], 1).reshape(B * 3, -1)
        S = torch.stft(sig, N_FFT, HOP, window=self.win, center=True, pad_mode="reflect", return_complex=True)
        mel = torch.log(self.fb @ (S.abs() ** 2) + 1e-5).reshape(B, 3, N_MELS, -1)
        f = torch.stack([mel[:, 0], mel[:, 1] - mel[:, 2]], 1)
        return (f - self.mean[None, :, None, None]) / self.std[None, :, None, None]


class AudioTower(nn.Module):
    def __init__(self, n_classes, dim=128, chans=(32, 64, 128, 192)):
        super().__init__()
        layers, c = [], 2
        for co in chans:
            layers += [nn.Conv2d(c, co, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            c = co
        self.conv = nn.Sequential(*layers)
        self.proj = nn.Linear(2 * c, dim)
        self.cls = nn.Linear(2 * c, n_classes)

    def forward(self, f):
        h = self.conv(f)
        pooled = torch.cat([h.mean(dim=(2, 3)), h.amax(dim=(2, 3))], 1)
        return F.normalize(self.proj(pooled), dim=-1), self.cls(pooled)


class TextTower(nn.Module):
    def __init__(self, vocab, dim=128, max_len=64, layers=2):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.zeros(max_len, dim))
        layer = nn.TransformerEncoderLayer(dim, 4, 4 * dim, dropout=0.1, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, ids, mask):
        h = self.emb(ids) + self.pos[None, : ids.shape[1]]
        h = self.norm(self.enc(h, src_key_padding_mask=~mask))
        m = mask.unsqueeze(-1).float()
        return F.normalize(self.proj((h * m).sum(1) / m.sum(1).clamp(min=1)), dim=-1)


class Clap(nn.Module):
    def __init__(self, vocab, n_classes):
        super().__init__()
        self.features = Features()
        self.audio = AudioTower(n_classes)
        self.text = TextTower(vocab)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--tokenizer", default="/work/checkpoints/tokenizer")
    ap.add_argument("--ckpt", default="/work/checkpoints/clap")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10 ** 9)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--save-every", type=int, default=50)
    ap.add_argument("--export", default=None, help="write safetensors + JSON config here and exit")
    a = ap.parse_args(argv)
    set_threads(a.threads)
    dev = pick_device(a.device)
    os.makedirs(a.ckpt, exist_ok=True)
    tok = SPTokenizer(os.path.join(a.tokenizer, "spiece.model"), 64)
    model = Clap(tok.sp.get_piece_size(), len(FAMILY_NAMES)).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=1e-2)
    last = os.path.join(a.ckpt, "last.pt")
    step, wall_prev = 0, 0.0
    if os.path.exists(last):
        st = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step, wall_prev = st["step"], st["wall"]
    if a.export:
        return export(model, tok, a, step)
    metas = read_meta(a.corpus, "train")
    fam_idx = {f: i for i, f in enumerate(FAMILY_NAMES)}
    rng = np.random.default_rng(step)
    if step == 0:  # feature normalisation constants from a sample of clips
        with torch.no_grad():
            xs = torch.stack([torch.from_numpy(load_clip(a.corpus, metas[i], 0, WINDOW))
                              for i in rng.integers(len(metas), size=64)])
            f = model.features(xs.to(dev))
            model.features.mean.copy_(f.mean(dim=(0, 2, 3)))
            model.features.std.copy_(f.std(dim=(0, 2, 3)))
    log = Logger(os.path.join(a.ckpt, "train_log.jsonl"))
    log.log(event="start", step=step, clips=len(metas), params=sum(p.numel() for p in model.parameters()))
    t0, tl, acc, n = time.time(), time.time(), np.zeros(3), 0
    model.train()
    while step < a.steps:
        idx = rng.integers(len(metas), size=a.batch_size)
        x = torch.stack([torch.from_numpy(load_clip(a.corpus, metas[i], 0, WINDOW)) for i in idx]).to(dev)
        ids, mask = tok([metas[i]["caption"] for i in idx])
        y = torch.tensor([fam_idx[metas[i]["family"]] for i in idx], device=dev)
        ea, logits = model.audio(model.features(x))
        et = model.text(ids.to(dev), mask.to(dev))
        sim = model.logit_scale.exp().clamp(max=100) * ea @ et.t()
        # captions of the same family/attributes can coincide; plain InfoNCE is fine at this batch size
        lab = torch.arange(len(idx), device=dev)
        l_con = 0.5 * (F.cross_entropy(sim, lab) + F.cross_entropy(sim.t(), lab))
        l_cls = F.cross_entropy(logits, y)
        loss = l_con + l_cls
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        acc += [l_con.item(), l_cls.item(), (logits.argmax(1) == y).float().mean().item()]
        n += 1
        if step % 10 == 0:
            log.log(step=step, contrastive=acc[0] / n, cls=acc[1] / n, cls_acc=acc[2] / n,
                    steps_per_s=n / (time.time() - tl), total_wall=wall_prev + time.time() - t0)
            acc, n, tl = np.zeros(3), 0, time.time()
        if step % a.save_every == 0:
            save_ckpt(last, model=model.state_dict(), opt=opt.state_dict(), step=step,
                      wall=wall_prev + time.time() - t0)


def export(model, tok, a, step):
    from safetensors.torch import save_file
    import shutil
    os.makedirs(a.export, exist_ok=True)
    sd = {k: v.detach().float().contiguous().clone() for k, v in model.state_dict().items()}
    save_file(sd, os.path.join(a.export, "sfx_clap_mini.safetensors"))
    shutil.copy(os.path.join(a.tokenizer, "spiece.model"), os.path.join(a.export, "spiece.model"))
    cfg = dict(name="sfx-clap-mini (this project's own audio-text model; not LAION-CLAP)", step=step,
               sample_rate=44100, window=WINDOW, n_fft=N_FFT, hop=HOP, n_mels=N_MELS, mel_fmin=20.0,
               embed_dim=128, families=FAMILY_NAMES, tokenizer="spiece.model", max_length=64,
               doc=__doc__)
    with open(os.path.join(a.export, "sfx_clap_mini.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    print(f"[clap] exported step {step} to {a.export}")


if __name__ == "__main__":
    main()
