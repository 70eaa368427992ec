#!/bin/bash
# Side-by-side generation benchmark of issue 4 (one run, same machine, every other heavy process paused):
#   bash eval/quiet.sh bash eval/generation/run_generation_benchmarks.sh 2>&1 | tee eval/generation/generation_benchmarks.log
# (QUIET_EXEMPT='stable-audio-bench|pytorch_generate|run_generation_benchmarks' keeps the benchmark itself running.)
# Needs: a release build of stable-audio-bench, /work/venv-ref (torch 2.13 cpu + SAT 0.0.19), the model folders
# written by eval/model-ports/pytorch_benchmark.py export and eval/generation/export_small.py under /work/bench-models.
set -u
cd "$(dirname "$0")/../.."
MODELS=${MODELS:-/work/bench-models}
PYTHON=${PYTHON:-/work/venv-ref/bin/python}
COMMON="--seconds 10 --steps 100 --sampler dpmpp-3m-sde --cfg 7 --sigma-min 0.03 --sigma-max 500"
echo "##### generation $(date +%T)  $(git rev-parse --short HEAD)  $(nproc) cores"
for model in small_unet sa1_unet; do
  echo "=== $model  PyTorch $(date +%T)"
  $PYTHON eval/generation/pytorch_generate.py $MODELS/$model $COMMON --threads 2 2>/dev/null | tail -1
  echo "=== $model  Swift $(date +%T)"
  OPENBLAS_CORETYPE=SkylakeX .build/release/stable-audio-bench generate $MODELS/$model $COMMON | tail -1
done
echo "=== 5 s vs 10 s (Swift, SAO-size DiT, 20 steps; the first run also warms the weights up) $(date +%T)"
OPENBLAS_CORETYPE=SkylakeX .build/release/stable-audio-bench generate $MODELS/sao_dit --seconds 10,5,10,5 --steps 20 \
  --sampler dpmpp-3m-sde --cfg 7 --sigma-min 0.03 --sigma-max 500 | tail -5
echo "##### done $(date +%T)"
