#!/usr/bin/env bash
# All stages in order, each resumable (re-running skips finished work). Usage from the repo root:
#   DEVICE=cuda VAE_STEPS=20000 DIFF_STEPS=50000 bash models/training/run_pipeline.sh
# On the 2-core CPU machines run the stages one by one in the background instead (see README.md).
set -euo pipefail
export PYTHONPATH="${PYTHONPATH:-.}"
PY=${PY:-python}
DATA=${DATA:-/work/data/corpus}
CK=${CK:-/work/checkpoints}
DEVICE=${DEVICE:-auto}
COUNT=${COUNT:-24000}
VAE_STEPS=${VAE_STEPS:-20000}
DEC_STEPS=${DEC_STEPS:-0}
DIFF_STEPS=${DIFF_STEPS:-50000}
CLAP_STEPS=${CLAP_STEPS:-3000}
VAE_BS=${VAE_BS:-0}
VAE_CONFIG=${VAE_CONFIG:-models/training/configs/vae.json}   # vae_small.json on CPU
DIFF_BS=${DIFF_BS:-0}
$PY -m models.training.corpus.render --count "$COUNT" --out "$DATA" --split train --workers "${WORKERS:-2}"
$PY -m models.training.corpus.render --count 1200 --out "$DATA" --split eval --workers "${WORKERS:-2}"
$PY -m models.training.train_vae --config "$VAE_CONFIG" --corpus "$DATA" --ckpt "$CK/vae" --steps "$VAE_STEPS" --device "$DEVICE" --batch-size "$VAE_BS"
VAE_FOR_DECODE="$CK/vae/last.pt"
if [ "$DEC_STEPS" -gt 0 ]; then
  $PY -m models.training.train_vae --config "$VAE_CONFIG" --corpus "$DATA" --init "$CK/vae/last.pt" --freeze-encoder --ckpt "$CK/vae_dec" \
      --steps "$DEC_STEPS" --device "$DEVICE" --batch-size "$VAE_BS"
  VAE_FOR_DECODE="$CK/vae_dec/last.pt"
fi
$PY -m models.training.encode_latents --corpus "$DATA" --vae "$CK/vae/last.pt" --out "$CK/latents" --device "$DEVICE"
$PY -m models.training.train_tokenizer --corpus "$DATA" --out "$CK/tokenizer"
$PY -m models.training.train_diffusion --corpus "$DATA" --latents "$CK/latents" --tokenizer "$CK/tokenizer" \
    --vae "$CK/vae/last.pt" --ckpt "$CK/diffusion" --steps "$DIFF_STEPS" --device "$DEVICE" --batch-size "$DIFF_BS"
$PY -m models.training.export --diffusion "$CK/diffusion/last.pt" --vae "$VAE_FOR_DECODE" --tokenizer "$CK/tokenizer" \
    --out "$CK/export"
$PY -m models.training.train_clap --corpus "$DATA" --build-cache "$CK/clap_features"
$PY -m models.training.train_clap --corpus "$DATA" --tokenizer "$CK/tokenizer" --ckpt "$CK/clap" --steps "$CLAP_STEPS" --device "$DEVICE" \
    --feature-cache "$CK/clap_features" --cosine-steps "$CLAP_STEPS" --eval-json eval/default-model/clap_eval.json
$PY -m models.training.train_clap --tokenizer "$CK/tokenizer" --ckpt "$CK/clap" --export "$CK/clap-export"
$PY -m models.training.sample --model "$CK/export" --prompt "three knocks on a door, dry" --seconds 2 --out "$CK/sample_knock.wav"
