#!/usr/bin/env bash
# The recipe on a lent GPU in one time-boxed lease (session 29: one H200, 30 device-minutes, nothing downloadable):
# render a larger corpus on the machine's cores, continue a VAE at a GPU batch, encode, train diffusion from scratch,
# export. Stages run one after the other (the corpus renders while the VAE starts on what is there); each stage is
# one of the recipe's commands with --device cuda and a --max-seconds box, so its step count is what the box held.
#
#   bash models/training/gpu_bundle.sh unpack            # once per machine (see that file)
#   setsid nohup bash models/training/run_gpu.sh all > $W/pipeline.log 2>&1 &
#   bash models/training/run_gpu.sh pack OUT_DIR [FIRST_PART LAST_PART]   # the export as parts of 15 MiB, and the logs
#
# Through this workplace's `device` tool (calls of at most 10 min; the machine stays warm 30 s after each, so issue
# the next call at once; move models/default and Tests/SAModelsTests/Resources aside so the upload stays under
# 64 MiB, carry [".gpu"]), session 29's lessons as three calls:
#   1. bash models/training/gpu_bundle.sh unpack && export PYTHONPATH=/tmp/site:. && python3 -c "import fluidsynth,
#      soundfile, stable_audio_tools, auraloss" && (SETTINGS setsid nohup bash models/training/run_gpu.sh all
#      > /tmp/w/pipeline.log 2>&1 < /dev/null &); then poll the logs for up to 9 min, stopping early if
#      `pgrep -f "[r]un_gpu.sh all"` finds nothing (a pattern without the brackets matches the call itself)
#   2. the same polling, as often as needed
#   3. bash models/training/run_gpu.sh pack $OUT 0 3, then a last call for pack $OUT 4 9, model_config.json, the
#      VAE step file and the logs (at most 8 files and 64 MiB come back per call)
#
# W is the work folder on the machine (default /tmp/w): corpus/, vae/, latents/, diffusion/, export/. Settings (each
# keeps a value from the environment): COUNT clips to render, RENDER_S its box, VAE_S, DIFF_S the training boxes,
# VAE_BATCH, DIFF_BATCH, DIFF_LR, the cosine lengths VAE_STEPS and DIFF_STEPS (a guess of what the box holds: the
# lr then ends near lr/10 when the box ends); DEVICE and BF16 ("" off) for a trial run on CPU.
set -euo pipefail
export PYTHONPATH="/tmp/site:${PYTHONPATH:-.}" OMP_NUM_THREADS=${OMP_NUM_THREADS:-4}
W=${W:-/tmp/w}
BUNDLE=${BUNDLE:-.gpu}
COUNT=${COUNT:-40000}
RENDER_S=${RENDER_S:-300}
VAE_S=${VAE_S:-360}
DIFF_S=${DIFF_S:-700}
VAE_BATCH=${VAE_BATCH:-64}
VAE_STEPS=${VAE_STEPS:-2500}
DIFF_BATCH=${DIFF_BATCH:-256}
DIFF_LR=${DIFF_LR:-3e-4}
DIFF_STEPS=${DIFF_STEPS:-5000}
DEVICE=${DEVICE:-cuda}
BF16=${BF16---bf16}
EXPERIMENTS=models/training/configs/experiments
PY=${PY:-python3}

render() {
  $PY -m models.training.corpus.render --count "$COUNT" --out "$W/corpus" --split train --workers "$(nproc)" \
      --soundfont "$BUNDLE/FluidR3_GM.sf3" --max-seconds "$RENDER_S"
}

# vae: the wide ratio-256 VAE (vae27_r256w's config and terms) from the weights in $BUNDLE/init_vae.pt, a new optimiser
vae() {
  $PY -m models.training.train_vae --corpus "$W/corpus" --config "$EXPERIMENTS/vae_small_ratio256_wide.json" \
      --ckpt "$W/vae" --init "$BUNDLE/init_vae.pt" --device "$DEVICE" --threads 4 --batch-size "$VAE_BATCH" --lr 4e-4 \
      --warmup-steps 100 --steps "$VAE_STEPS" --cosine-steps "$VAE_STEPS" --max-seconds "$VAE_S" --save-every 100 \
      --seed 29 --set balance_weight=10 --set position_probe_weight=10
}

last_vae() { ls "$W"/vae/step*.pt | sort | tail -1; }

encode() {
  local parts=4 k
  for k in $(seq 0 $((parts - 1))); do
    $PY -m models.training.encode_latents --corpus "$W/corpus" --vae "$(last_vae)" --out "$W/latents" --device "$DEVICE" \
        --threads 2 --part "$k/$parts" &
  done
  wait
}

# diffusion: from scratch (no --init: the shipped weights do not fit the upload beside the corpus tools)
diffusion() {
  $PY -m models.training.train_diffusion --corpus "$W/corpus" --latents "$W/latents" --tokenizer "$BUNDLE" \
      --vae "$(last_vae)" --config "$EXPERIMENTS/diffusion_ratio256.json" --ckpt "$W/diffusion" --device "$DEVICE" \
      --threads 4 $BF16 --batch-size "$DIFF_BATCH" --lr "$DIFF_LR" --warmup-steps 300 --steps "$DIFF_STEPS" \
      --cosine-steps "$DIFF_STEPS" --max-seconds "$DIFF_S" --save-every 250 --short-padding 0.5 --seed 29
}

export_model() {
  $PY -m models.training.export --diffusion "$W/diffusion/last.pt" --vae "$(last_vae)" --tokenizer "$BUNDLE" \
      --out "$W/export" --threads 8
}

case "${1:-}" in
  all)
    mkdir -p "$W"
    echo "[gpu] start $(date -u +%T)"
    render > "$W/render.log" 2>&1 &
    render_pid=$!
    until [ -f "$W/corpus/train.jsonl" ] && [ "$(wc -l < "$W/corpus/train.jsonl")" -ge 2000 ]; do
      kill -0 $render_pid 2>/dev/null || { echo "[gpu] render stopped early"; cat "$W/render.log"; exit 1; }
      sleep 2
    done
    echo "[gpu] vae $(date -u +%T)"; vae > "$W/vae.log" 2>&1
    wait $render_pid
    echo "[gpu] encode $(date -u +%T) clips $(wc -l < "$W/corpus/train.jsonl")"; encode > "$W/encode.log" 2>&1
    echo "[gpu] diffusion $(date -u +%T)"; diffusion > "$W/diffusion.log" 2>&1
    echo "[gpu] export $(date -u +%T)"; export_model > "$W/export.log" 2>&1
    echo "[gpu] done $(date -u +%T)" ;;
  render|vae|encode|diffusion) "$1" ;;
  export) export_model ;;
  pack)
    out=${2:?pack OUT_DIR [FIRST LAST]}
    first=${3:-0} last=${4:-99}
    mkdir -p "$W/pack"
    [ -f "$W/pack/done" ] || {
      split -b 15M -d -a 2 "$W/export/model.safetensors" "$W/pack/model.safetensors.part"
      touch "$W/pack/done"
    }
    for part in "$W"/pack/model.safetensors.part*; do
      n=${part##*part}
      if [ "$((10#$n))" -ge "$first" ] && [ "$((10#$n))" -le "$last" ]; then cp "$part" "$out/"; fi
    done ;;
  *) echo "usage: $0 all|render|vae|encode|diffusion|export|pack OUT_DIR [FIRST LAST]" >&2; exit 2 ;;
esac
