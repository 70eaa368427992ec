# Shared settings of the recipe's line scripts (run_ratio512.sh, run_ratio256.sh); sourced, not run. Each setting
# keeps a value already in the environment: DATA (rendered corpus), CK (checkpoints), DEVICE (auto|cpu|cuda),
# THREADS (torch threads), PY (the Python that has the recipe's packages), DIFF_STEPS (the step a diffusion stage
# stops at; default: none).
set -euo pipefail
export PYTHONPATH="${PYTHONPATH:-.}" OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
PY=${PY:-python}
DATA=${DATA:-/work/data/corpus}
CK=${CK:-/work/checkpoints}
DEVICE=${DEVICE:-auto}
THREADS=${THREADS:-2}
DIFF_STEPS=${DIFF_STEPS:-1000000000}
EXPERIMENTS=models/training/configs/experiments

# train_vae ARGS...: one train_vae run on the corpus with the device and threads above
train_vae() {
  $PY -m models.training.train_vae --corpus "$DATA" --device "$DEVICE" --threads "$THREADS" "$@"
}

# encode_corpus VAE OUT [ARGS...]: every train clip of the corpus through the VAE checkpoint's encoder into latent
# shards in OUT (ARGS go to encode_latents)
encode_corpus() {
  local vae=$1 out=$2
  shift 2
  $PY -m models.training.encode_latents --corpus "$DATA" --vae "$vae" --out "$out" --device "$DEVICE" \
      --threads "$THREADS" "$@"
}

# restore_export FOLDER OUT [ARGS...]: an exported model folder back as training checkpoints in OUT (once: skipped when
# OUT/diffusion.pt exists)
restore_export() {
  local folder=$1 out=$2
  shift 2
  [ -e "$out/diffusion.pt" ] || $PY -m models.training.restore --model "$folder" --out "$out" "$@"
}

# shipped_folder COMMIT NAME: prints $CK/NAME, a folder holding models/default as committed in COMMIT, taken from git
# history the first time (so it needs a clone with that history)
shipped_folder() {
  local commit=$1 out=$CK/$2 file
  mkdir -p "$out"
  for file in model_config.json model.safetensors spiece.model; do
    if [ ! -s "$out/$file" ]; then
      git show "$commit:models/default/$file" > "$out/$file.part"
      mv "$out/$file.part" "$out/$file"
    fi
  done
  echo "$out"
}

# session6_folder: the session-6 export (models/default from session 6 to 33, commit 9837cbc), which every line
# script's diffusion stages started from
session6_folder() {
  shipped_folder 9837cbc session6_default
}

# session34_folder: the session-34 export (models/default in sessions 34 to 36: text33 step 2,700 with the whole-window
# default, commit 4475d73), which text35 continued and session 37's interpolation started from
session34_folder() {
  shipped_folder 4475d73 session34_default
}

# session37_folder: the session-37 export (the average of the session-34 export and text35's step 4,000, commit
# 53101ae), which text37 continues and session 39's average (run_ratio2048.sh soup39) starts from
session37_folder() {
  shipped_folder 53101ae session37_default
}

# session39_folder: the session-39 export (half the session-37 export, half text37's step 1,000; commit 790c0d6, whose
# config samples with CFG 4.5; 73edae2 holds the same weights with CFG 6), which text39 continues
session39_folder() {
  shipped_folder 790c0d6 session39_default
}

# session41_folder: the session-41 export (soup42: half the session-39 U-Net and text encoder, half position40's, with
# decoder42 behind the encoder that centres channel 9; commit f283382), which the session-42 decoders start from
session41_folder() {
  shipped_folder f283382 session41_default
}

# session44_folder: the same weights with the sampling defaults of sessions 43-44 (CFG interval 0.3...1, 20 steps;
# commit ec10d44, the last with soup42 as models/default), which session 45's average (run_ratio2048.sh soup45) starts
# from, so that its config carries those defaults
session44_folder() {
  shipped_folder ec10d44 session44_default
}

# session45_folder: the session-45 export (soup45: half soup42, half shift45; commit a47b331), which session 46's
# stages (run_ratio2048.sh restore46, direction46, movement46) start from
session45_folder() {
  shipped_folder a47b331 session45_default
}

# session46_folder: the session-46 export (soup46: half soup45, half movement46, direction46's encoder; commit a6a4941),
# which session 49's stages (run_ratio2048.sh restore49, round49, soup49) start from
session46_folder() {
  shipped_folder a6a4941 session46_default
}

# session52_folder: the session-52 export (soup52: soup46 with a quarter of session 47's run a outside the attention
# blocks; commit 89ff0e7), which session 53's average (run_ratio2048.sh soup53) starts from
session52_folder() {
  shipped_folder 89ff0e7 session52_default
}

# restore_session6: the session-6 export back as training checkpoints in $CK/restored (once), the --init of the
# diffusion stages (restore_export models/default OUT continues from the weights shipped now)
restore_session6() {
  restore_export "$(session6_folder)" "$CK/restored"
}

# train_diffusion_from RESTORED ARGS...: one train_diffusion run from the weights restore_export (or restore_session6)
# left in RESTORED (its U-Net and T5, EMA weights, and its tokenizer), lr warm-up 100 steps, a checkpoint every 100
train_diffusion_from() {
  local restored=$1
  shift
  $PY -m models.training.train_diffusion --corpus "$DATA" --tokenizer "$restored/tokenizer" \
      --init "$restored/diffusion.pt" --warmup-steps 100 --save-every 100 --device "$DEVICE" --threads "$THREADS" "$@"
}

# train_diffusion_from_shipped ARGS...: train_diffusion_from the restored shipped weights; the tensors a new `factors`
# reshapes start fresh
train_diffusion_from_shipped() {
  train_diffusion_from "$CK/restored" --init-skip-reshaped "$@"
}
