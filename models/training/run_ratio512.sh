#!/usr/bin/env bash
# The ratio-512 line of the recipe (sessions 13-18): the VAE that keeps stereo position (vae20_r512wpb) and the
# diffusion run on its latents (diffusion20), one command per stage, each stage exactly the commands that were run,
# with the same stop points (a resumed train_vae restarts its warm-up and cosine at the step it resumes from, so the
# stop points are part of the recipe). Every stage resumes from its last.pt; re-running a finished stage does nothing.
#
#   bash models/training/run_ratio512.sh vae-base       # vae17_r512w: fresh ratio-512 VAE, steps 0-1,100
#   bash models/training/run_ratio512.sh vae-position   # vae20_r512wpb: + balance term and position probe, 3,000 steps
#   bash models/training/run_ratio512.sh encode         # latents20: every train clip through vae20
#   bash models/training/run_ratio512.sh restore        # the session-6 weights back as checkpoints (diffusion --init)
#   bash models/training/run_ratio512.sh diffusion      # diffusion20: the shipped U-Net and T5 on latents20
#                                                       # ("short" clips as longer files from step 2,400)
#   bash models/training/run_ratio512.sh export         # model folder for the Swift engine and eval/default-model
#
# Needs the rendered corpus (README "Stages" 1). On 2 CPU cores run it under `nohup nice -n 19 ... &`; add DEVICE=cuda
# on a GPU. DIFF_STEPS stops the diffusion stage earlier (its last leg ends at step 6,300: see the README's run log).
source "$(dirname "$0")/recipe_env.sh"

# vae17_r512w (session 13's recipe, as reproduced in session 16): 500 steps of a 3,000-step cosine, then resumed with
# the cosine restarted over the remaining 2,500; vae20 starts from its step 1,100.
vae_base() {
  local base=(--config "$EXPERIMENTS/vae_small_ratio512.json" --ckpt "$CK/vae17_r512w"
              --set waveform_weight=300 --set level_weight=1.0 --set synthetic_tone_fraction=0.2)
  train_vae "${base[@]}" --steps 500 --cosine-steps 3000
  train_vae "${base[@]}" --steps 1100 --cosine-steps 2500
  cp "$CK/vae17_r512w/last.pt" "$CK/vae17_r512w/step0001100.pt"
}

# vae20_r512wpb (session 17): balance term x 10 throughout; position probe x 10 (steps 0-500), x 100 (500-1,500),
# x 10 (1,500-3,000); each stage restarts the 1,500-step cosine from lr 4e-4.
vae_position() {
  local base=(--config "$EXPERIMENTS/vae_small_ratio512_waveform.json" --ckpt "$CK/vae20_r512wpb"
              --init "$CK/vae17_r512w/step0001100.pt" --cosine-steps 1500 --lr 4e-4 --warmup-steps 50 --seed 17
              --set balance_weight=10)
  train_vae "${base[@]}" --steps 500 --set position_probe_weight=10
  train_vae "${base[@]}" --steps 1500 --set position_probe_weight=100
  train_vae "${base[@]}" --steps 3000 --set position_probe_weight=10
}

case "${1:-}" in
  vae-base) vae_base ;;
  vae-position) vae_position ;;
  encode)
    encode_corpus "$CK/vae20_r512wpb/last.pt" "$CK/latents20" ;;
  restore) restore_session6 ;;
  # diffusion20 (session 18): the shipped model's U-Net and T5 (its EMA weights), the two tensors that the new
  # `factors` reshape start fresh; a new latent scale measured on latents20; constant lr 2e-4 after 100 warm-up steps
  diffusion)
    # steps 0-2,400 as run in sessions 18-19; from step 2,400 on, clips captioned "short" also train as longer files
    # (--short-padding 0.5: train_diffusion.LatentSet.batch); from step 4,100 (session 20) the lr falls along a
    # cosine to lr/10 over steps 4,100-5,100; from step 5,100 (session 21) a warm restart: the lr back up to 1e-4, then
    # a cosine to 1e-5 over steps 5,100-6,300
    diffusion20() {
      train_diffusion_from_shipped --config "$EXPERIMENTS/diffusion_ratio512.json" --latents "$CK/latents20" \
          --vae "$CK/vae20_r512wpb/last.pt" --ckpt "$CK/diffusion20" "$@"
    }
    diffusion20 --steps $(( DIFF_STEPS < 2400 ? DIFF_STEPS : 2400 ))
    diffusion20 --steps $(( DIFF_STEPS < 4100 ? DIFF_STEPS : 4100 )) --short-padding 0.5
    diffusion20 --steps $(( DIFF_STEPS < 5100 ? DIFF_STEPS : 5100 )) --short-padding 0.5 --cosine-steps 1000 --cosine-from 4100
    diffusion20 --steps $(( DIFF_STEPS < 6300 ? DIFF_STEPS : 6300 )) --short-padding 0.5 --lr 1e-4 --cosine-steps 1200 \
        --cosine-from 5100 ;;
  export)
    $PY -m models.training.export --diffusion "$CK/diffusion20/last.pt" --vae "$CK/vae20_r512wpb/last.pt" \
        --tokenizer "$CK/restored/tokenizer" --out "$CK/export20" ;;
  *) echo "usage: $0 vae-base|vae-position|encode|restore|diffusion|export" >&2; exit 2 ;;
esac
