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
# Stage R5 (session 47), `continue`: the shipped export continued on the GPU instead of a from-scratch run. It renders
# FIRST_COUNT train clips, restores the shipped export (run_ratio2048.sh's restore), encodes them with its VAE and the
# position channel, starts the CONTINUE_RUNS side by side on the one GPU, renders and encodes up to COUNT clips while
# they train (the runs pick the new shards up), and exports each run's EMA weights. Session 47's six calls (1,563
# device-seconds in all; models/default, models/sfx-clap-mini, eval/ and Tests/*/Resources moved aside, so the repo
# sent was 2 MB; each next call issued within the 30 s the machine stays warm):
#   here: bash models/training/gpu_bundle.sh make; SHIPPED_MB=24 bash models/training/gpu_bundle.sh shipped
#   1. carry [".gpu"]: cp -r . /tmp/repo; cd /tmp/repo; gpu_bundle.sh unpack; the import check with PYTHONPATH set;
#      (COUNT=40000 FIRST_COUNT=10000 RENDER_S=300 RENDER2_S=300 DIFF_S=900 setsid nohup bash
#      models/training/run_gpu.sh continue > /tmp/w/pipeline.log 2>&1 < /dev/null &)   (the copy keeps the pipeline's
#      files out of later calls' working trees)
#   2. carry [".gpu2"]: mkdir -p /tmp/w/incoming; cp .gpu2/* /tmp/w/incoming/; touch /tmp/w/incoming/ready; then poll
#   3. poll until pipeline.log says done; W=/tmp/w bash models/training/run_gpu.sh pack-run a $OUT
#   4. W=/tmp/w bash models/training/run_gpu.sh pack-run b $OUT
#   5. the device time left: both runs resumed from last.pt for another 230 s, exported and stripped, then pack-run a
#      (session 47 typed continue_run's and export_run's commands into the call; `DIFF_S=230 W=/tmp/w bash
#      models/training/run_gpu.sh resume` now runs the same functions); 6. pack-run b
#   here: cat the parts; python -m models.training.graft_export graft --partial ... --base models/default --out ...
#
# Session 49 adds validation to R5's runs (`continue` and `resume`): beside each run, models/training/validate_run.py
# judges its EMA weights every VALIDATE_EVERY steps (default 1,000; 0 turns it off) on the contrast pairs and length
# prompts with SAT's sampler on the GPU, at seed VALIDATE_SEED (4000, none of the bar's), into
# $W/run_NAME/validation.jsonl (`run_gpu.sh validation NAME` prints it), and after the runs end exports the checkpoint
# with the most renders passing (pairs won + lengths filled) as $W/export_NAME_best; `pack-best NAME $OUT` returns it
# like pack-run, with the table. It needs eval/default-model's scripts and contrast_pairs.json in the upload (move
# aside only its runs_* folders and results_*.json) and, for the family pairs, models/sfx-clap-mini (3.8 MB; then
# SHIPPED_MB=18 keeps call 1 under 64 MiB). A CPU dry run: eval/default-model/results_s49.json.
# Session 51 (results_s51.json): a quarter of session 47's run a averaged into the shipped weights (interpolate_exports
# --weight-b 0.25), at CFG 6, filled all 96 lengths and won 244 of 272 pairs (one pair-seed under the bar), so R5's
# runs are candidates for such averages too; the validators' loudness and family counts say which checkpoint to take.
# Session 52 (results_s52.json) shipped such an average made only outside the attention blocks (run_ratio2048.sh
# soup52: interpolate_exports --only-matching), which filled all 96 lengths and kept the loudness pairs (246 of 272
# pairs), so R5 now continues soup52; average its runs into it the same way (interpolate_exports --a models/default
# --b RUN_EXPORT --weight-b 0.25 --only-matching with run_ratio2048.sh's SOUP52_TENSORS). Session 53
# (results_s53.json) shipped soup53: half of run b averaged into soup52's cross-attention layers but the innermost
# upsampling level's (SOUP53_TENSORS), which follows movement words (14 of 16) at a cost of loudness and family pairs;
# R5 now continues soup53, and a run with the shift is judged both as a SOUP52_TENSORS and as a SOUP53_TENSORS average.
#
# Stage R6 (session 48; run on a GPU in session 50), `decoders`: decoders trained alone on the shipped, frozen
# encoder, so the shipped U-Net stays valid (the latent space is unchanged) and only decoder tensors come back (the
# shipped one continued, 2.4 MB; a fresh 32-channel one, 9.4 MB). Same bundle and the same first two calls as R5, with
#   (COUNT=30000 FIRST_COUNT=10000 RENDER_S=300 RENDER2_S=300 DEC_S=1200 DEC_STEPS=3600 setsid nohup bash
#    models/training/run_gpu.sh decoders > /tmp/w/pipeline.log 2>&1 < /dev/null &)
# in call 1; then `W=/tmp/w bash models/training/run_gpu.sh poll 540` (from the machine's copy, /tmp/repo) until it
# prints "[gpu] done", and `W=/tmp/w bash models/training/run_gpu.sh pack-decoders $OUT` (every run's decoder tensors,
# config and log, and the work folder's logs, as one tar in 10 MiB parts). Here: `cat PARTS | tar -x -C FOLDER`, then
# for each run `graft_export graft --partial FOLDER/NAME/trained.safetensors.part00 --config
# FOLDER/NAME/model_config.json --base models/default --out ...`, with `--new-decoder` for a decoder of another
# width. A CPU dry run of all of it: eval/default-model/results_s48.json.
# Session 50 ran it (results_s50.json), in five calls and 1,652 device-seconds: call 1 (carry .gpu) unpacked and
# started `decoders` with DEC_S=1100, call 2 (carry .gpu2) delivered the second half and polled. The fresh decoders
# (w, g) stopped at once on the GPU (train_vae's balance_polyphase built its phase index on the CPU; fixed), so call 3
# waited for the pipeline to end, copied the fixed train_vae.py into the machine's copy and ran
#   DECODER_RUNS="w:decoder32 g:decoder32:gan" DEC_S=800 bash models/training/run_gpu.sh decoders-resume
# (the DECODER_RUNS on what $W holds: no render, no restore; each resumes from its last.pt if there). A call brings
# files back at 16 MiB each at most, so a 22 MB tar of the three packs did not come back, and its 10 MiB parts did:
# `poll` and `pack-decoders` are that lease's ad-hoc polling and packing calls, made stages afterwards.
# Speeds on the H200 at batch 64: the shipped decoder alone 6-8 steps/s, the fresh 32-channel one 5.3, the same with
# the adversarial terms beside it 1.2-2 (its 800 s held 1,044 steps).
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

# render_range START COUNT BOX WORKERS: train clips START ... START + COUNT - 1 into $W/corpus, for at most BOX seconds
render_range() {
  $PY -m models.training.corpus.render --start "$1" --count "$2" --max-seconds "$3" --workers "$4" --out "$W/corpus" \
      --split train --soundfont "$BUNDLE/FluidR3_GM.sf3"
}

render() { render_range 0 "$COUNT" "$RENDER_S" "$(nproc)"; }

# vae: the wide ratio-256 VAE (vae27_r256w's config and terms) from the weights in $BUNDLE/init_vae.pt with a new
# optimiser, or, without that file, from train_vae's fresh init (unit gain, common mode centred; session 50: none of the
# ratio-256 VAEs of sessions 25-31 survives, since checkpoints stay outside git and the machine was replaced)
vae() {
  local init=()
  [ -f "$BUNDLE/init_vae.pt" ] && init=(--init "$BUNDLE/init_vae.pt")
  $PY -m models.training.train_vae --corpus "$W/corpus" --config "$EXPERIMENTS/vae_small_ratio256_wide.json" \
      --ckpt "$W/vae" "${init[@]}" --device "$DEVICE" --threads 4 --batch-size "$VAE_BATCH" --lr 4e-4 \
      --warmup-steps 100 --steps "$VAE_STEPS" --cosine-steps "$VAE_STEPS" --max-seconds "$VAE_S" --save-every 100 \
      --seed 29 --set balance_weight=10 --set position_probe_weight=10
}

last_vae() { ls "$W"/vae/step*.pt | sort | tail -1; }

# encode_with VAE ARGS...: the corpus's train clips through the VAE checkpoint into $W/latents, 4 processes, plus ARGS
# (encode_latents skips the shards already there)
encode_with() {
  local vae=$1 parts=4 k pids=()
  shift
  for k in $(seq 0 $((parts - 1))); do
    $PY -m models.training.encode_latents --corpus "$W/corpus" --vae "$vae" --out "$W/latents" --device "$DEVICE" \
        --threads 2 --part "$k/$parts" "$@" &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k"; done
}

encode() { encode_with "$(last_vae)"; }

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

# ---- stage R5 (session 47): the shipped export continued on the GPU, several runs side by side ----
# The shipped model.safetensors (71 MB) does not fit one upload beside the bundle, so `gpu_bundle.sh shipped` puts its
# first bytes in $BUNDLE/shipped (with model_config.json, spiece.model and the whole file's sha256) and the rest in
# .gpu2/, which a second call copies to $W/incoming before it touches $W/incoming/ready.
FIRST_COUNT=${FIRST_COUNT:-11000}          # clips rendered before training starts (a multiple of SHARD)
SHARD=${SHARD:-500}                        # encode_latents' shard size
RENDER2_S=${RENDER2_S:-300}                # the box of the second render, beside the training runs
RENDER2_WORKERS=${RENDER2_WORKERS:-10}
CONTINUE_RUNS=${CONTINUE_RUNS:-"a:1 b:2"}  # NAME:TIMESTEP_SHIFT of each run, all on the one GPU
CONTINUE_LR=${CONTINUE_LR:-1e-4}
SAVE_EVERY=${SAVE_EVERY:-500}              # a run's last.pt is replaced every this many steps (what validators see)
VALIDATE_EVERY=${VALIDATE_EVERY:-1000}     # validate_run.py: judge each run every this many steps (0: off)
VALIDATE_SEED=${VALIDATE_SEED:-4000}       # none of the bar's seeds
VALIDATE_CLAP=${VALIDATE_CLAP:-models/sfx-clap-mini}  # the family judge, when the upload carries it
VALIDATE_EXTRA=${VALIDATE_EXTRA:-}         # more validate_run.py watch options (a dry run's --max-pairs 1 --steps 4)
VALIDATOR_PIDS=()
RUN_FROZEN="conditioner.conditioners.prompt. pretransform."  # the prefixes of what a continue run does not train
POSITION_CHANNEL=9:1.0:0.05                # run_ratio2048.sh's: channel 9 carries the L/R energy difference

assemble_shipped() {
  until [ -f "$W/incoming/ready" ]; do sleep 2; done
  mkdir -p "$W/shipped"
  cp "$BUNDLE/shipped/model_config.json" "$BUNDLE/shipped/spiece.model" "$W/shipped/"
  cat "$BUNDLE"/shipped/model.safetensors.part* "$W"/incoming/model.safetensors.part* > "$W/shipped/model.safetensors"
  (cd "$W/shipped" && sha256sum -c --quiet) < "$BUNDLE/shipped/model.safetensors.sha256"
  $PY -m models.training.restore --model "$W/shipped" --out "$W/restored" --threads 4
}

# continue_run NAME SHIFT: the restored export continued on $W/latents with its text encoder frozen, movement46's
# padding and the timestep shift SHIFT, at the GPU batch, until the DIFF_S box ends
continue_run() {
  $PY -m models.training.train_diffusion --corpus "$W/corpus" --latents "$W/latents" --tokenizer "$W/restored/tokenizer" \
      --init "$W/restored/diffusion.pt" --vae "$W/restored/vae.pt" --ckpt "$W/run_$1" --keep-latent-scale \
      --freeze-text-encoder --device "$DEVICE" --threads 2 $BF16 --batch-size "$DIFF_BATCH" --lr "$CONTINUE_LR" \
      --warmup-steps 100 --save-every "$SAVE_EVERY" --max-seconds "$DIFF_S" --short-padding 0.25 --timestep-shift "$2" \
      --seed 47
}

# export_stripped DIFFUSION VAE OUT DROP...: the EMA weights of DIFFUSION with the VAE checkpoint VAE (and the restored
# tokenizer) as a model folder in OUT, and its tensors without the DROP prefixes (graft_export strip) in
# OUT/trained.safetensors and its 15 MiB parts for the way back
export_stripped() {
  local diffusion=$1 vae=$2 out=$3
  shift 3
  $PY -m models.training.export --diffusion "$diffusion" --vae "$vae" --tokenizer "$W/restored/tokenizer" \
      --weights ema --window full --cfg-scale 4.5 --out "$out"
  strip_parts "$out" "$@"
}

# strip_parts FOLDER DROP...: a model folder's tensors without the DROP prefixes (graft_export strip) in
# FOLDER/trained.safetensors, and its 15 MiB parts for the way back
strip_parts() {
  local out=$1 drop=() prefix
  shift
  for prefix in "$@"; do drop+=(--drop "$prefix"); done
  $PY -m models.training.graft_export strip --model "$out" "${drop[@]}" --out "$out/trained.safetensors"
  split -b 15M -d -a 2 "$out/trained.safetensors" "$out/trained.safetensors.part"
}

# export_run NAME: run NAME's EMA weights in $W/export_NAME, and the tensors it trained (without the frozen text
# encoder and the VAE) in parts
export_run() {
  # shellcheck disable=SC2086  # RUN_FROZEN is a list of prefixes
  export_stripped "$W/run_$1/last.pt" "$W/restored/vae.pt" "$W/export_$1" $RUN_FROZEN
}

# export_best NAME: the validated export of run NAME with the most renders passing (validate_run.py best), stripped
# as export_run strips, with its validation table (validation.jsonl) beside it; $W/export_NAME_best links to it
export_best() {
  local best
  best=$($PY -m models.training.validate_run best --run "$W/run_$1")
  $PY -m models.training.validate_run show --run "$W/run_$1"
  echo "best: $best"
  # shellcheck disable=SC2086  # RUN_FROZEN is a list of prefixes
  [ -f "$best/trained.safetensors" ] || strip_parts "$best" $RUN_FROZEN
  cp "$W/run_$1/validation.jsonl" "$best/"
  ln -sfn "$best" "$W/export_$1_best"
}

# pack_parts EXPORT LOG OUT LOG_NAME: an export's trained.safetensors parts and model_config.json, and the run's
# train log as OUT/LOG_NAME, into OUT for the way back
pack_parts() {
  cp "$1"/trained.safetensors.part* "$1/model_config.json" "$3/"
  cp "$2" "$3/$4"
}

# restore_while_rendering: the shipped export checked and restored (it waits for the second call's half) while the
# first FIRST_COUNT clips render on every core; stops the stage if the restore fails
restore_while_rendering() {
  mkdir -p "$W"
  echo "[gpu] start $(date -u +%T)"
  assemble_shipped > "$W/restore.log" 2>&1 &
  local restore_pid=$!
  render_range 0 "$FIRST_COUNT" "$RENDER_S" "$(nproc)" > "$W/render.log" 2>&1
  wait "$restore_pid" || { echo "[gpu] the shipped export failed its check or restore"; cat "$W/restore.log"; exit 1; }
}

# validate NAME: validate_run.py watch on run NAME (log $W/validate_NAME.log) until $W/run_NAME/stop appears: every
# VALIDATE_EVERY steps its EMA weights judged on the pairs and lengths at seed VALIDATE_SEED, on the run's device
validate() {
  local clap=()
  [ -d "$VALIDATE_CLAP" ] && clap=(--clap "$VALIDATE_CLAP")
  # shellcheck disable=SC2086  # VALIDATE_EXTRA is a list of options
  $PY -m models.training.validate_run watch --run "$W/run_$1" --restored "$W/restored" --every "$VALIDATE_EVERY" \
      --seed "$VALIDATE_SEED" --device "$DEVICE" --stop-file "$W/run_$1/stop" "${clap[@]}" $VALIDATE_EXTRA
}

# start_runs: each of CONTINUE_RUNS in the background (a run whose $W/run_NAME/last.pt exists resumes from it), their
# names and process ids in RUN_NAMES and RUN_PIDS, and with VALIDATE_EVERY > 0 a validator beside each
# (VALIDATOR_PIDS)
start_runs() {
  local run name
  RUN_NAMES=() RUN_PIDS=() VALIDATOR_PIDS=()
  echo "[gpu] train $(date -u +%T): $CONTINUE_RUNS"
  for run in $CONTINUE_RUNS; do
    name=${run%%:*}
    rm -f "$W/run_$name/stop"
    continue_run "$name" "${run#*:}" >> "$W/run_$name.log" 2>&1 &
    RUN_PIDS+=($!) RUN_NAMES+=("$name")
    if [ "$VALIDATE_EVERY" -gt 0 ]; then
      validate "$name" >> "$W/validate_$name.log" 2>&1 &
      VALIDATOR_PIDS+=($!)
    fi
  done
}

# finish_runs [EXPORT PREFIX]: wait for the runs in RUN_PIDS (names in RUN_NAMES, logs $W/PREFIX_NAME.log), then
# EXPORT NAME for each (log $W/export_PREFIX_NAME.log); by default start_runs' runs (export_run, prefix run)
finish_runs() {
  local export=${1:-export_run} prefix=${2:-run} k run
  for k in "${!RUN_PIDS[@]}"; do
    wait "${RUN_PIDS[$k]}" || echo "[gpu] $prefix ${RUN_NAMES[$k]} failed: see $W/${prefix}_${RUN_NAMES[$k]}.log"
    [ ${#VALIDATOR_PIDS[@]} -eq 0 ] || touch "$W/${prefix}_${RUN_NAMES[$k]}/stop"  # its validator's last round
  done
  for run in "${RUN_NAMES[@]}"; do
    echo "[gpu] export $prefix $run $(date -u +%T)"
    "$export" "$run" > "$W/export_${prefix}_$run.log" 2>&1 \
        || echo "[gpu] export $run failed: see $W/export_${prefix}_$run.log"
  done
  for k in "${!VALIDATOR_PIDS[@]}"; do
    wait "${VALIDATOR_PIDS[$k]}" || echo "[gpu] validator ${RUN_NAMES[$k]} failed: see $W/validate_${RUN_NAMES[$k]}.log"
    echo "[gpu] export best ${RUN_NAMES[$k]} $(date -u +%T)"
    export_best "${RUN_NAMES[$k]}" > "$W/export_best_${RUN_NAMES[$k]}.log" 2>&1 \
        || echo "[gpu] export best ${RUN_NAMES[$k]} failed: see $W/export_best_${RUN_NAMES[$k]}.log"
  done
  echo "[gpu] done $(date -u +%T)"
}

continue_all() {
  [ $((FIRST_COUNT % SHARD)) -eq 0 ] || { echo "[gpu] FIRST_COUNT $FIRST_COUNT is not a multiple of SHARD $SHARD"; exit 2; }
  restore_while_rendering
  echo "[gpu] encode $(date -u +%T) clips $(wc -l < "$W/corpus/train.jsonl")"
  encode_with "$W/restored/vae.pt" --position-channel "$POSITION_CHANNEL" --shard "$SHARD" --max-clips "$FIRST_COUNT" \
      > "$W/encode.log" 2>&1
  start_runs
  # more clips beside the runs; their shards join the runs' data at the next 100-step check (train_diffusion)
  render_range "$FIRST_COUNT" "$((COUNT - FIRST_COUNT))" "$RENDER2_S" "$RENDER2_WORKERS" >> "$W/render.log" 2>&1
  echo "[gpu] encode more $(date -u +%T) clips $(wc -l < "$W/corpus/train.jsonl")"
  encode_with "$W/restored/vae.pt" --position-channel "$POSITION_CHANNEL" --shard "$SHARD" >> "$W/encode.log" 2>&1
  echo "[gpu] encoded $(date -u +%T)"
  finish_runs
}

# ---- stage R6 (session 48): decoders trained alone on the shipped, frozen encoder, several side by side ----
# The latent space stays the shipped one, so the shipped U-Net stays valid and only the decoder comes back. Each of
# DECODER_RUNS is NAME:START[:gan]; START "shipped" continues the shipped decoder (vae_small.json, lr
# DEC_LR_CONTINUE), any other START is a fresh decoder of configs/experiments/vae_small_START.json on the shipped
# encoder (train_vae --init-encoder, lr DEC_LR_FRESH); ":gan" adds SAT's adversarial and feature-matching terms
# (weights 0.1 and 5.0). All carry the shipped decoder's terms (run_ratio2048.sh's dc_decoder: the position channel
# with balance_weight 10, level 1, DC 100, a quarter of the crops in the silence after a sound) plus DEC_EXTRA.
DECODER_RUNS=${DECODER_RUNS:-"n:shipped w:decoder32 g:decoder32:gan"}
DEC_S=${DEC_S:-900}
DEC_STEPS=${DEC_STEPS:-3600}  # the cosine's length, a guess of what the box holds (lr ends near lr/10 at the box's end)
DEC_BATCH=${DEC_BATCH:-64}
DEC_LR_CONTINUE=${DEC_LR_CONTINUE:-1e-4}
DEC_LR_FRESH=${DEC_LR_FRESH:-6e-4}
DEC_EXTRA=${DEC_EXTRA:-}

# decoder_run NAME START [gan]: one of DECODER_RUNS (above) in $W/dec_NAME, until the DEC_S box ends (a run whose
# last.pt exists resumes from it)
decoder_run() {
  local start_args
  if [ "$2" = shipped ]; then
    start_args=(--config models/training/configs/vae_small.json --init "$W/restored/vae.pt" --lr "$DEC_LR_CONTINUE")
  else
    start_args=(--config "$EXPERIMENTS/vae_small_$2.json" --init-encoder "$W/restored/vae.pt" --lr "$DEC_LR_FRESH")
  fi
  case "${3:-}" in
    "") ;;
    gan) start_args+=(--set adversarial_weight=0.1 --set feature_matching_weight=5.0) ;;
    *) echo "[gpu] decoder run $1: unknown option ${3}" >&2; return 2 ;;
  esac
  # shellcheck disable=SC2086  # DEC_EXTRA is a list of options
  $PY -m models.training.train_vae --corpus "$W/corpus" --ckpt "$W/dec_$1" "${start_args[@]}" --freeze-encoder \
      --position-channel "$POSITION_CHANNEL" --set balance_weight=10 --set level_weight=1.0 \
      --set silent_tail_fraction=0.25 --set dc_weight=100 --device "$DEVICE" --threads 2 --batch-size "$DEC_BATCH" \
      --warmup-steps 50 --steps "$DEC_STEPS" --cosine-steps "$DEC_STEPS" --max-seconds "$DEC_S" --save-every 250 \
      --seed 48 $DEC_EXTRA
}

# export_decoder NAME: the shipped U-Net and text encoder with run NAME's VAE in $W/export_dec_NAME (export.py takes
# the run's decoder block), and its decoder tensors alone in parts
export_decoder() {
  export_stripped "$W/restored/diffusion.pt" "$W/dec_$1/last.pt" "$W/export_dec_$1" model. conditioner. \
      pretransform.model.encoder.
}

# start_decoder_runs: each of DECODER_RUNS in the background on what $W holds (a run whose $W/dec_NAME/last.pt exists
# resumes from it), names and process ids in RUN_NAMES and RUN_PIDS
start_decoder_runs() {
  local run name start option
  RUN_NAMES=() RUN_PIDS=()
  echo "[gpu] decoders $(date -u +%T) clips $(wc -l < "$W/corpus/train.jsonl"): $DECODER_RUNS"
  for run in $DECODER_RUNS; do
    IFS=: read -r name start option <<< "$run"
    decoder_run "$name" "$start" "$option" >> "$W/dec_$name.log" 2>&1 &
    RUN_PIDS+=($!) RUN_NAMES+=("$name")
  done
}

decoder_all() {
  restore_while_rendering
  start_decoder_runs
  # more clips beside the runs; train_vae re-reads the corpus list every 500 steps
  render_range "$FIRST_COUNT" "$((COUNT - FIRST_COUNT))" "$RENDER2_S" "$RENDER2_WORKERS" >> "$W/render.log" 2>&1
  finish_runs export_decoder dec
}

# poll SECONDS [LOG]: a lease's polling call. Waits until LOG (default $W/pipeline.log) says done or SECONDS pass, then
# prints it, the end of each run, decoder and validator log in $W, and the GPU's load
poll() {
  local log=${2:-$W/pipeline.log} end=$((SECONDS + $1)) f
  while [ $SECONDS -lt $end ] && ! grep -q "^\[gpu\] done" "$log" 2>/dev/null; do sleep 10; done
  date -u +%T
  cat "$log" 2>/dev/null || echo "[gpu] no $log yet"
  for f in "$W"/run_*.log "$W"/dec_*.log "$W"/validate_*.log; do
    if [ -f "$f" ]; then echo "== $f"; tail -c 700 "$f"; echo; fi
  done
  if command -v nvidia-smi > /dev/null; then nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv; fi
}

# pack_decoder NAME OUT: run NAME's decoder tensors in parts, its model_config.json and its train log, into OUT
pack_decoder() {
  pack_parts "$W/export_dec_$1" "$W/dec_$1/train_log.jsonl" "$2" "train_log_dec_$1.jsonl"
}

# pack_decoders OUT: every one of DECODER_RUNS packed as pack_decoder packs it (NAME/ in a tar), with $W's logs, as
# that tar in 10 MiB parts in OUT: one call brings back at most 8 files of at most 16 MiB (session 50: the three
# default runs make 22 MB, three parts). Here: cat OUT/decoders.tar.part* | tar -x -C FOLDER
pack_decoders() {
  local back=$W/back run name
  rm -rf "$back"
  for run in $DECODER_RUNS; do
    name=${run%%:*}
    mkdir -p "$back/$name"
    pack_decoder "$name" "$back/$name"
  done
  cp "$W"/*.log "$back/"
  tar -C "$back" -cf - . | split -b 10M -d -a 2 - "$1/decoders.tar.part"
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
  continue) continue_all ;;
  resume) start_runs; finish_runs ;;
  decoders) decoder_all ;;
  decoders-resume) start_decoder_runs; finish_runs export_decoder dec ;;
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
  pack-run)
    name=${2:?pack-run NAME OUT_DIR} out=${3:?pack-run NAME OUT_DIR}
    pack_parts "$W/export_$name" "$W/run_$name/train_log.jsonl" "$out" "train_log_$name.jsonl" ;;
  validation) $PY -m models.training.validate_run show --run "$W/run_${2:?validation NAME}" ;;
  pack-best)
    name=${2:?pack-best NAME OUT_DIR} out=${3:?pack-best NAME OUT_DIR}
    pack_parts "$W/export_${name}_best" "$W/run_$name/validation.jsonl" "$out" "validation_$name.jsonl" ;;
  pack-decoder) pack_decoder "${2:?pack-decoder NAME OUT_DIR}" "${3:?pack-decoder NAME OUT_DIR}" ;;
  pack-decoders) pack_decoders "${2:?pack-decoders OUT_DIR}" ;;
  poll) poll "${2:?poll SECONDS [LOG]}" "${3:-}" ;;
  *) stages="all|continue|resume|decoders|decoders-resume|render|vae|encode|diffusion|export|pack OUT_DIR [FIRST LAST]"
     packs="pack-run NAME OUT_DIR|pack-best NAME OUT_DIR|pack-decoder NAME OUT_DIR|pack-decoders OUT_DIR"
     echo "usage: $0 $stages|validation NAME|$packs|poll SECONDS [LOG]" >&2
     exit 2 ;;
esac
