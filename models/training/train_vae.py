"""Stage 2: train the Oobleck VAE (SAT classes) on the corpus. Resumable.

  python -m models.training.train_vae --corpus /work/data/corpus --ckpt /work/checkpoints/vae [--device cuda]

Losses: multi-resolution STFT (auraloss; on L, R, mid and side) + multi-resolution log-mel L1 + KL.
No adversarial loss (measured not worth its cost on 2 CPU cores; see README).
"""
import argparse
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from .common import HERE, LogMel, Logger, load_clip, load_json, pick_device, read_meta, save_ckpt, set_threads
from stable_audio_tools.models.autoencoders import create_autoencoder_from_config
import auraloss


def build_vae(cfg):
    return create_autoencoder_from_config({"model": cfg["model"], "sample_rate": cfg["sample_rate"]})


class CropSampler:
    def __init__(self, corpus, metas, crop, seed):
        self.corpus, self.metas, self.crop = corpus, metas, crop
        self.rng = np.random.default_rng(seed)

    def batch(self, b):
        out = []
        for _ in range(b):
            m = self.metas[self.rng.integers(len(self.metas))]
            n = int(round(m["seconds_total"] * 44100))
            # crops mostly inside the sound, some crossing its end into the silence that follows
            lo, hi = -self.crop // 8, max(1, n - self.crop // 2)
            s = int(self.rng.integers(lo, hi))
            x = load_clip(self.corpus, m, s, s + self.crop)
            if self.rng.random() < 0.5:  # random gain augmentation keeps quiet sounds represented
                x *= 10 ** (self.rng.uniform(-6, 3) / 20)
            out.append(x)
        return torch.from_numpy(np.stack(out))


def ms(x):
    return torch.cat([x, x[:, :1] + x[:, 1:], x[:, :1] - x[:, 1:]], dim=1)


class VAELoss(torch.nn.Module):
    def __init__(self, tcfg):
        super().__init__()
        self.stft = auraloss.freq.MultiResolutionSTFTLoss(
            fft_sizes=[2048, 1024, 512, 256, 128, 64], hop_sizes=[512, 256, 128, 64, 32, 16],
            win_lengths=[2048, 1024, 512, 256, 128, 64])
        self.mels = torch.nn.ModuleList([LogMel(n_fft=n, hop=n // 4, n_mels=m) for n, m in [(2048, 128), (1024, 80), (512, 40)]])
        self.t = tcfg

    def forward(self, y, x, kl):
        Y, X = ms(y), ms(x)
        l_stft = self.stft(Y, X)
        yb, xb = Y.reshape(-1, Y.shape[-1]), X.reshape(-1, X.shape[-1])
        l_mel = sum(F.l1_loss(m(yb), m(xb)) for m in self.mels) / len(self.mels)
        total = self.t["stft_weight"] * l_stft + self.t["mel_weight"] * l_mel + self.t["kl_weight"] * kl
        return total, dict(stft=l_stft.item(), mel=l_mel.item(), kl=float(kl.detach()))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--config", default=os.path.join(HERE, "configs", "vae.json"))
    ap.add_argument("--ckpt", default="/work/checkpoints/vae")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=1000000)
    ap.add_argument("--batch-size", type=int, default=0)
    ap.add_argument("--save-every", type=int, default=100)
    ap.add_argument("--log-every", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", default=None, help="start from this checkpoint's weights (new optimizer)")
    ap.add_argument("--freeze-encoder", action="store_true",
                    help="decoder-only finetuning: the latent space (and pre-encoded latents) stay valid")
    ap.add_argument("--reload-until", type=int, default=10 ** 9, help="re-read metadata every 500 steps below this size")
    a = ap.parse_args(argv)
    set_threads(a.threads)
    dev = pick_device(a.device)
    cfg = load_json(a.config)
    tc = cfg["training"]
    bs = a.batch_size or tc["batch_size"]
    os.makedirs(a.ckpt, exist_ok=True)
    torch.manual_seed(a.seed)
    model = build_vae(cfg).to(dev)
    loss_fn = VAELoss(tc).to(dev)
    if a.init and not os.path.exists(os.path.join(a.ckpt, "last.pt")):
        model.load_state_dict(torch.load(a.init, map_location="cpu", weights_only=False)["model"])
        print(f"[vae] initialised from {a.init}", flush=True)
    if a.freeze_encoder:
        model.encoder.requires_grad_(False)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=tc["learning_rate"], betas=tuple(tc["betas"]), weight_decay=tc["weight_decay"])
    step, wall_prev = 0, 0.0
    last = os.path.join(a.ckpt, "last.pt")
    if os.path.exists(last):
        st = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        step, wall_prev = st["step"], st.get("wall", 0.0)
        print(f"[vae] resumed at step {step}", flush=True)
    metas = read_meta(a.corpus, "train")
    sampler = CropSampler(a.corpus, metas, tc["crop"], a.seed + step)
    log = Logger(os.path.join(a.ckpt, "train_log.jsonl"))
    log.log(event="start", step=step, device=str(dev), params=sum(p.numel() for p in model.parameters()),
            clips=len(metas), batch=bs, crop=tc["crop"])
    model.train()
    t_start = time.time()
    acc, nacc, t_last = {}, 0, time.time()
    while step < a.steps:
        if step % 500 == 0 and len(sampler.metas) < a.reload_until:  # corpus may still be rendering
            sampler.metas = read_meta(a.corpus, "train")
        x = sampler.batch(bs).to(dev)
        if a.freeze_encoder:
            with torch.no_grad():
                z, info = model.encode(x, return_info=True)
        else:
            z, info = model.encode(x, return_info=True)
        y = model.decode(z)
        loss, parts = loss_fn(y, x, info["kl"])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 10.0)
        opt.step()
        step += 1
        for k, v in dict(loss=loss.item(), gnorm=float(gn), **parts).items():
            acc[k] = acc.get(k, 0.0) + v
        nacc += 1
        if step % a.log_every == 0:
            dt = time.time() - t_last
            log.log(step=step, steps_per_s=nacc / dt, audio_s_per_s=nacc * bs * tc["crop"] / 44100 / dt,
                    total_wall=wall_prev + time.time() - t_start, **{k: v / nacc for k, v in acc.items()})
            acc, nacc, t_last = {}, 0, time.time()
        if step % a.save_every == 0 or step == a.steps:
            save_ckpt(last, model=model.state_dict(), opt=opt.state_dict(), step=step,
                      wall=wall_prev + time.time() - t_start, config=cfg)
            if step % (a.save_every * 20) == 0:
                save_ckpt(os.path.join(a.ckpt, f"step{step:07d}.pt"), model=model.state_dict(), step=step, config=cfg)


if __name__ == "__main__":
    main()
