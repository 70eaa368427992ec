"""Time a train_vae step of each VAE config, side by side in one run: parameters, latent shape, and the seconds of
`--steps` steps (encode, decode, VAELoss of the config's training block, backward, AdamW) on one random batch of
B × 2 × crop samples, the first step reported apart as warm-up. The corpus loader and the latent probes are left out,
so a real run's step is slower by about the same amount for every config.

  PYTHONPATH=. python eval/default-model/vae_step_cost.py models/training/configs/experiments/vae_small_ratio256_waveform.json \
      models/training/configs/experiments/vae_small_ratio256_wide.json
"""
import argparse, json, os, sys, time
import torch
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from models.training.train_vae import VAELoss, build_vae


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("configs", nargs="+", help="train_vae config files")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    if a.steps < 2:
        ap.error("--steps must be at least 2 (the first is warm-up)")
    torch.set_num_threads(a.threads)
    for path in a.configs:
        with open(path) as fh:
            cfg = json.load(fh)
        torch.manual_seed(0)
        model, loss_function = build_vae(cfg), VAELoss(cfg["training"])
        optimizer = torch.optim.AdamW(model.parameters(), 1e-4)
        x = torch.randn(cfg["training"]["batch_size"], cfg["audio_channels"], cfg["training"]["crop"]) * 0.1
        seconds = []
        for _ in range(a.steps):
            start = time.time()
            z = model.encode(x)
            loss, _ = loss_function(model.decode(z), x, torch.zeros(()), 0)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            seconds.append(time.time() - start)
        print(json.dumps(dict(config=path, parameters=sum(p.numel() for p in model.parameters()),
                              latent_shape=list(z.shape), warm_up_s=round(seconds[0], 2),
                              seconds_per_step=round(sum(seconds[1:]) / (len(seconds) - 1), 3))), flush=True)


if __name__ == "__main__":
    main()
