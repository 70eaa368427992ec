"""Time a train_vae step of each VAE config, side by side in one run: parameters, latent shape, and the seconds of
`--steps` calls of train_vae's own `training_step` (bottleneck sample, decode, VAELoss of the config's training
block with its KL, backward, clipping, the recipe's AdamW) on one random batch of B × 2 × crop samples, the first step
reported apart as warm-up. The corpus loader and the latent probes are left out, so a real run's step is slower by
about the same amount for every config.

  PYTHONPATH=. python eval/default-model/vae_step_cost.py models/training/configs/experiments/vae_small_ratio256_waveform.json \
      models/training/configs/experiments/vae_small_ratio256_wide.json
"""
import argparse, json, time
import torch
from models.training.train_vae import VAELoss, adamw, build_vae, training_step


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
        optimizer = adamw(model.parameters(), cfg["training"], cfg["training"]["learning_rate"])
        x = torch.randn(cfg["training"]["batch_size"], cfg["audio_channels"], cfg["training"]["crop"]) * 0.1
        seconds = []
        for step in range(a.steps):
            start = time.time()
            training_step(model, loss_function, optimizer, x, 1.0, step)
            seconds.append(time.time() - start)
        with torch.no_grad():
            latent_shape = list(model.encode(x).shape)
        print(json.dumps(dict(config=path, parameters=sum(p.numel() for p in model.parameters()),
                              latent_shape=latent_shape, warm_up_s=round(seconds[0], 2),
                              seconds_per_step=round(sum(seconds[1:]) / (len(seconds) - 1), 3))), flush=True)


if __name__ == "__main__":
    main()
