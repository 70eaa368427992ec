#!/usr/bin/env bash
# The ratio-256 line of the recipe (sessions 24-27): a corpus VAE whose latent frame rate (172 frames/s) carries steady
# sines up to about 960 Hz (ratio 512: 480 Hz; results_s24_ratio.json), with vae20's terms (waveform L1 x 300, level
# term, 20% synthetic tones, balance x 10, position probe x 10), and diffusion on its latents. Each stage is the command
# that was run.
#
#   bash models/training/run_ratio256.sh vae       # vae25_r256: fresh, 3,000-step cosine, seed 24; keeps steps 1,100
#                                                  # and 1,800 for judging part-way (session 24's stop points)
#   bash models/training/run_ratio256.sh encode    # latents25: every train clip through vae25_r256 at step 3,000
#   bash models/training/run_ratio256.sh restore   # the session-6 weights back as checkpoints (diffusion --init)
#   bash models/training/run_ratio256.sh diffusion # diffusion26: the shipped U-Net and T5 on latents25
#   bash models/training/run_ratio256.sh export    # model folder for the Swift engine and eval/default-model
#   bash models/training/run_ratio256.sh decoder   # vae27_dec: vae25_r256's decoder fine-tuned, waveform L1 < 1.5 kHz
#   bash models/training/run_ratio256.sh vae-lowpass # vae27_r256lp: the vae stage with the waveform L1 < 1.5 kHz
#   bash models/training/run_ratio256.sh vae-wide  # vae27_r256w: the vae stage with a fifth, 256-channel level
#   bash models/training/run_ratio256.sh encode29  # latents29: every train clip through session 29's GPU VAE
#   bash models/training/run_ratio256.sh diffusion29 # diffusion29: session 29's GPU export continued on latents29
#   bash models/training/run_ratio256.sh vae30     # vae30: session 29's GPU VAE continued on the CPU
#   bash models/training/run_ratio256.sh vae31     # vae31: vae30 continued the same way (started at the end of session 30)
#   bash models/training/run_ratio256.sh text32    # text32: the t5_local encoder pretrained on the captions (stage 4c)
#   bash models/training/run_ratio256.sh text32w   # text32w: the same with word dropout 0.1
#   bash models/training/run_ratio256.sh crop32-joint  # crop32a: diffusion from scratch on 128-frame crops of latents29,
#                                                      # its T5 learned jointly (the recipe so far)
#   bash models/training/run_ratio256.sh crop32-frozen # crop32b: the same run with text32's encoder, frozen
#
# Needs the rendered corpus (README "Stages" 1). On 2 CPU cores run it under `nohup nice -n 19 ... &` (vae: about
# 0.45 steps/s, 1 h 50 min; diffusion: about 0.2 steps/s); add DEVICE=cuda on a GPU. Re-running a stage resumes it
# from its last.pt; --cosine-from 0 makes a resumed vae run continue the same cosine (steps 0-3,000) instead of
# restarting it. DIFF_STEPS stops the diffusion stage at that step.
source "$(dirname "$0")/recipe_env.sh"

# vae25_recipe ARGS...: vae25_r256's training (fresh, 3,000-step cosine, seed 24, its terms) plus ARGS (--ckpt, --set;
# a later --config replaces the first)
vae25_recipe() {
  train_vae --config "$EXPERIMENTS/vae_small_ratio256_waveform.json" --steps 3000 --cosine-steps 3000 --cosine-from 0 \
      --seed 24 --set balance_weight=10 --set position_probe_weight=10 --keep-steps 1100,1800 "$@"
}

# wide_vae_leg NAME INIT SEED: a CPU leg of the wide ratio-256 VAE from INIT's weights into $CK/NAME: the config's
# batch 8, session 29's terms, lr 1e-4 after 50 warm-up steps along a cosine over 2,000 steps
wide_vae_leg() {
  train_vae --config "$EXPERIMENTS/vae_small_ratio256_wide.json" --ckpt "$CK/$1" --init "$2" --lr 1e-4 \
      --warmup-steps 50 --steps 2000 --cosine-steps 2000 --seed "$3" --set balance_weight=10 \
      --set position_probe_weight=10 --keep-steps 500,1000,1500
}

# crop_run CKPT ARGS...: diffusion from scratch on latents29 (session 29's GPU VAE), its latent scale, 128-frame crops,
# batch 32, seed 32, stopped at DIFF_STEPS
crop_run() {
  local ckpt=$1
  shift
  $PY -m models.training.train_diffusion --corpus "$DATA" --latents "$CK/latents29" --vae "$CK/gpu29/vae_gpu29.pt" \
      --tokenizer "$CK/restored29/tokenizer" --config "$EXPERIMENTS/diffusion_ratio256.json" --ckpt "$ckpt" \
      --crop-frames 128 --batch-size 32 --seed 32 --save-every 100 --steps "$DIFF_STEPS" --device "$DEVICE" \
      --threads "$THREADS" "$@"
}

case "${1:-}" in
  vae) vae25_recipe --ckpt "$CK/vae25_r256" ;;
  encode)
    [ -e "$CK/vae25_r256/step0003000.pt" ] || cp "$CK/vae25_r256/last.pt" "$CK/vae25_r256/step0003000.pt"
    encode_corpus "$CK/vae25_r256/step0003000.pt" "$CK/latents25" ;;
  restore) restore_session6 ;;
  # diffusion26 (session 26): diffusion20's recipe in its final form (short padding 0.5 from the start) on latents25.
  # The window is 1,024 latent frames (ratio 256), so the U-Net's first factor is 8 instead of 4
  # (diffusion_ratio256.json): its inner levels run at the same 128 frames as diffusion20's, 4.5 s a step on 2 idle
  # cores where factor 4 takes 8.4 s; the first downsample and last upsample start fresh (--init-skip-reshaped).
  diffusion)
    train_diffusion_from_shipped --config "$EXPERIMENTS/diffusion_ratio256.json" --latents "$CK/latents25" \
        --vae "$CK/vae25_r256/step0003000.pt" --ckpt "$CK/diffusion26" --short-padding 0.5 --steps "$DIFF_STEPS" ;;
  # export: the latest diffusion26 checkpoint (session 26 exported its step 1,000, then last.pt, as export26_1000)
  export)
    $PY -m models.training.export --diffusion "$CK/diffusion26/last.pt" --vae "$CK/vae25_r256/step0003000.pt" \
        --tokenizer "$CK/restored/tokenizer" --out "$CK/export26" ;;
  # decoder (session 27): vae25_r256 decodes held-out clips a median 11.3 dB short above 4 kHz (the guess: the waveform
  # L1 shrinks what the latent cannot carry sample by sample); this fine-tunes its decoder alone with that L1 on the band below
  # 1.5 kHz only (waveform_lowpass_hz), so latents25 and diffusion26 stay valid. The position probe is off: the
  # encoder is frozen. Measured: +2.3 dB above 4 kHz, worse MR-STFT and family top-1 (results_s27_lowpass.json).
  decoder)
    train_vae --config "$EXPERIMENTS/vae_small_ratio256_waveform.json" --ckpt "$CK/vae27_dec" \
        --init "$CK/vae25_r256/step0003000.pt" --freeze-encoder --lr 3e-4 --warmup-steps 50 --steps 800 --seed 27 \
        --set balance_weight=10 --set waveform_lowpass_hz=1500 --keep-steps 400 ;;
  # vae-lowpass (session 27): the decoder stage recovered only 2.3 of the 11.3 dB (results_s27_lowpass.json), and the
  # latent probe reads vae25_r256's high-band share poorly (0.20, shipped 0.68), so the encoder may drop it too: the
  # vae stage again, same seed, with the waveform L1 below 1.5 kHz only from the start. Stopped by hand at step 1,100:
  # no brighter than vae25_r256 at that step and worse elsewhere (results_s27_lowpass.json), so the L1 is not the cause.
  vae-lowpass) vae25_recipe --ckpt "$CK/vae27_r256lp" --set waveform_lowpass_hz=1500 ;;
  # vae-wide (session 27): the shipped VAE keeps its high band with 2.4 M parameters (five levels, widths 16-256);
  # vae25_r256 has 0.51 M (four levels, 16-128). vae_small_ratio256_wide.json adds the fifth level at the same ratio
  # (strides [2,2,4,4,4]): 1.87 M parameters, 1.7x the time of a vae25_r256 step (3.05 s against 1.79 s, B8, 2 cores,
  # eval/default-model/vae_step_cost.py).
  vae-wide) vae25_recipe --ckpt "$CK/vae27_r256w" --config "$EXPERIMENTS/vae_small_ratio256_wide.json" \
      --keep-steps 800,1100,1800 ;;
  # encode29 / diffusion29 (session 29): the GPU run's VAE (vae27_r256w + 791 GPU steps, $CK/gpu29/vae_gpu29.pt) on
  # the corpus rendered here, and its export (1,408 GPU steps from scratch, $CK/gpu29/export, restored into training
  # checkpoints) continued on those latents at CPU batch 32, with the export's latent scale (the same VAE). On 2 cores
  # an hour is about 13 s of the GPU run (results_s29_gpu.json); this keeps the line moving between leases.
  encode29) encode_corpus "$CK/gpu29/vae_gpu29.pt" "$CK/latents29" ;;
  diffusion29)
    restore_export "$CK/gpu29/export" "$CK/restored29" --vae-config "$EXPERIMENTS/vae_small_ratio256_wide.json"
    train_diffusion_from "$CK/restored29" --latents "$CK/latents29" --vae "$CK/gpu29/vae_gpu29.pt" \
        --config "$EXPERIMENTS/diffusion_ratio256.json" --ckpt "$CK/diffusion29" --keep-latent-scale --lr 5e-5 \
        --short-padding 0.5 --seed 29 --steps "$DIFF_STEPS" ;;
  # vae30 (session 30, no GPU): the VAE is what caps the family bar (round trip 54.8% with vae_gpu29, shipped 14.3%)
  # and a VAE step is cheap enough on the CPU (about 1/100 of the GPU's crops a second, against 1/300 for diffusion)
  # for a session to add to it: vae_gpu29 continued at the config's batch 8 with the GPU run's terms, lr 1e-4 after
  # 50 warm-up steps, falling along a cosine over 2,000 steps. The next lease starts from it if it measures better.
  vae30) wide_vae_leg vae30 "$CK/gpu29/vae_gpu29.pt" 30 ;;
  # vae31: vae30's step 2,000 measured better than its start on every line but one (results_s30.json, MR-STFT 2.11 ->
  # 1.99 with 1,000 steps giving 2.04), so the same leg again from there, to be judged like vae30 before a lease uses it.
  # Session 31: it did not improve on vae30 (results_s31.json: family 58.9% both, MR-STFT 2.00 against 1.99, less
  # bandwidth), so vae30's step 2,000 stays the lease's start and no further CPU leg follows.
  vae31) wide_vae_leg vae31 "$CK/vae30/step0002000.pt" 31 ;;
  # text32 / crop32-* (session 32, no GPU): a diffusion classifier on held-out clips finds that the shipped and GPU
  # models barely use the family words (eval/default-model/diffusion_classifier.py), while Stable Audio conditions on
  # a pretrained, frozen text encoder. text32 pretrains the t5_local encoder on the captions (train_text_encoder);
  # the two crop32 runs are one paired comparison (same seed, init and batches; the text encoder the only
  # difference) on 128-frame crops (a CPU step at about half a window's cost), 1,000 steps each: the joint run was
  # stopped after its step-1,000 save, the frozen one ran with DIFF_STEPS=1000. Both judged 2.4% (chance) by the
  # diffusion classifier: too few steps to tell (results_s32.json).
  text32)
    $PY -m models.training.train_text_encoder --corpus "$DATA" --tokenizer "$CK/restored29/tokenizer" \
        --config "$EXPERIMENTS/diffusion_ratio256.json" --out "$CK/text32.pt" --steps 1500 --batch-size 64 \
        --captions-per-clip 4 --device "$DEVICE" --threads "$THREADS" ;;
  # text32w: text32 with word dropout 0.1 (its position words did not carry over to the held-out templates: 45%)
  text32w)
    $PY -m models.training.train_text_encoder --corpus "$DATA" --tokenizer "$CK/restored29/tokenizer" \
        --config "$EXPERIMENTS/diffusion_ratio256.json" --out "$CK/text32w.pt" --steps 1500 --batch-size 64 \
        --captions-per-clip 4 --word-dropout 0.1 --device "$DEVICE" --threads "$THREADS" ;;
  crop32-joint) crop_run "$CK/crop32a" ;;
  crop32-frozen) crop_run "$CK/crop32b" --text-encoder "$CK/text32.pt" --freeze-text-encoder ;;
  *) echo "usage: $0 vae|encode|restore|diffusion|export|decoder|vae-lowpass|vae-wide|encode29|diffusion29|vae30|vae31|text32|text32w|crop32-joint|crop32-frozen" >&2
     exit 2 ;;
esac
