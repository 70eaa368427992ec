#!/usr/bin/env bash
# The ratio-256 line of the recipe (sessions 24-25): a corpus VAE whose latent frame rate (172 frames/s) carries steady
# sines up to about 960 Hz (ratio 512: 480 Hz; results_s24_ratio.json), with vae20's terms (waveform L1 x 300, level
# term, 20% synthetic tones, balance x 10, position probe x 10). Each stage is the command that was run; the later
# stages (diffusion on 1,024-frame windows, export) follow run_ratio512.sh once they have been run.
#
#   bash models/training/run_ratio256.sh vae    # vae25_r256: fresh, 3,000-step cosine, seed 24; keeps steps 1,100
#                                               # and 1,800 for judging part-way (session 24's stop points)
#   bash models/training/run_ratio256.sh encode # latents25: every train clip through vae25_r256 at step 3,000
#
# Needs the rendered corpus (README "Stages" 1). On 2 CPU cores run it under `nohup nice -n 19 ... &` (about
# 0.45 steps/s, 1 h 50 min); add DEVICE=cuda on a GPU. Re-running a stage resumes it from its last.pt, and
# --cosine-from 0 makes the resumed run continue the same cosine (steps 0-3,000) instead of restarting it.
source "$(dirname "$0")/recipe_env.sh"

case "${1:-}" in
  vae)
    train_vae --config "$EXPERIMENTS/vae_small_ratio256_waveform.json" --ckpt "$CK/vae25_r256" --steps 3000 \
        --cosine-steps 3000 --cosine-from 0 --seed 24 --set balance_weight=10 --set position_probe_weight=10 --keep-steps 1100,1800 ;;
  encode)
    [ -e "$CK/vae25_r256/step0003000.pt" ] || cp "$CK/vae25_r256/last.pt" "$CK/vae25_r256/step0003000.pt"
    $PY -m models.training.encode_latents --corpus "$DATA" --vae "$CK/vae25_r256/step0003000.pt" --out "$CK/latents25" \
        --device "$DEVICE" --threads "$THREADS" ;;
  *) echo "usage: $0 vae|encode" >&2; exit 2 ;;
esac
