#!/usr/bin/env bash
# The shipped line of the recipe: the bundled model's own VAE (ratio 2048, 128 latent frames a window) and U-Net,
# continued with a pretrained text encoder. Each stage is the command that was run.
#
#   bash models/training/run_ratio2048.sh restore  # the session-6 export (shipped until session 33) back as
#                                                  # checkpoints in $CK/restored
#   bash models/training/run_ratio2048.sh encode33 # latents33: every train clip through the shipped VAE
#   bash models/training/run_ratio2048.sh text33   # text33: the shipped U-Net fine-tuned on latents33 with text32w's
#                                                  # encoder (run_ratio256.sh text32w) in place of its T5, frozen
#   bash models/training/run_ratio2048.sh export33 # model folder of a text33 or text35 checkpoint (CKPT, default
#                                                  # text33/last.pt; WEIGHTS=ema|raw; OUT, default $CK/export33_$WEIGHTS)
#   bash models/training/run_ratio2048.sh restore34 # the session-34 export (text33 step 2,700, models/default in
#                                                   # sessions 34-36, from git history) back as checkpoints in
#                                                   # $CK/restored34
#   bash models/training/run_ratio2048.sh text35   # text33 continued from the shipped export (its encoder kept frozen;
#                                                  # fresh optimiser after a 100-step warm-up), for a machine without
#                                                  # text33's checkpoints
#                                                  # (session 35 ran 1,400 steps, session 36 resumed it to 4,000;
#                                                  # neither shipped: results_s35.json, results_s36.json)
#   bash models/training/run_ratio2048.sh soup37   # the shipped model since session 37: the session-34 export and
#                                                  # text35's step 4,000 (B, default $CK/export35_final; made with
#                                                  # OUT=$CK/export35_final WEIGHTS=raw CKPT=$CK/text35/step4000.pt
#                                                  # ... export33) interpolated, (1 - W) a + W b, W default 0.5
#                                                  # (interpolate_exports.py; SOUP_OUT, default $CK/soup37_w50)
#   bash models/training/run_ratio2048.sh restore37 # the session-37 average (models/default since session 37, from
#                                                   # git history) back as checkpoints in $CK/restored37
#   bash models/training/run_ratio2048.sh text37   # the average continued with half text35's lr (5e-5) and half its
#                                                  # short padding (0.25), encoder frozen, seed 37 (session 38 measured
#                                                  # its step 1,000, DIFF_STEPS=1000: results_s38.json)
#   bash models/training/run_ratio2048.sh text38   # text37's settings plus --sustained-truncation 0.5: dry sustained
#                                                  # clips also train as 0.5-2.5 s sounds, which the corpus lacks
#                                                  # (session 38: no more lengths than text37, a worse FD-mel)
#   bash models/training/run_ratio2048.sh soup39   # the shipped model since session 39: the session-37 average and
#                                                  # text37's step 1,000 (B, default $CK/export37_1000; made with
#                                                  # OUT=$CK/export37_1000 WEIGHTS=raw CKPT=$CK/text37/step1000.pt
#                                                  # ... export33 after DIFF_STEPS=1000 ... text37) interpolated,
#                                                  # (1 - W) a + W b, W default 0.5 (SOUP_OUT, default $CK/soup39_w50)
#   bash models/training/run_ratio2048.sh restore39 # the session-39 average (models/default since session 39, from
#                                                   # git history) back as checkpoints in $CK/restored39
#   bash models/training/run_ratio2048.sh text39   # text37's recipe from the session-39 average, seed 39: the next
#                                                  # continue-then-average round (DIFF_STEPS=1000, session 39)
#   bash models/training/run_ratio2048.sh soup40   # the session-39 export and text39's step 1,000 (B, default
#                                                  # $CK/export39_1000: OUT=$CK/export39_1000 WEIGHTS=raw
#                                                  # CKPT=$CK/text39/step1000.pt ... export33) averaged, W default 0.5
#                                                  # (session 39: 60 against 65 of 72 lengths, pairs a tie; not shipped)
#   bash models/training/run_ratio2048.sh encode40  # session 40, the position channel (position_channel.py,
#                                                   # POSITION_CHANNEL, default 9:1.0:0.05): latents40, every train
#                                                   # clip through the shipped encoder with channel 9 replaced by its
#                                                   # L/R energy difference
#   bash models/training/run_ratio2048.sh decoder40 # the shipped decoder taught to pan by that channel (encoder
#                                                   # frozen, balance term x 10; vae40_dec)
#   bash models/training/run_ratio2048.sh decoder41 # decoder40 continued with the level term (x 1; frame RMS in log10
#                                                   # with a -80 dB floor) added, against its -39 dB floor in silence
#                                                   # (vae41_dec; session 40 ran it 20 minutes)
#   bash models/training/run_ratio2048.sh encoder40 # the shipped encoder taught to output it (vae40_enc, decoder40's
#                                                   # decoder kept; session 40: its channel error stayed at the
#                                                   # target's variance, at lr 1e-4 for 230 steps and 5e-4 for 280)
#   bash models/training/run_ratio2048.sh centre40  # instead: decoder40's VAE with an encoder that outputs the centre
#                                                   # on the channel (vae40_centred; what export40 takes)
#   bash models/training/run_ratio2048.sh position40 # the shipped U-Net continued on latents40 (lr 1e-4, seed 40;
#                                                   # session 40: DIFF_STEPS=1400, then 1700)
#   bash models/training/run_ratio2048.sh export40  # model folder of position40 (CKPT_40, default
#                                                   # position40/last.pt; raw weights; CFG 4.5) with VAE_40 (default
#                                                   # vae40_centred/last.pt); OUT_40, default $CK/export40
#   bash models/training/run_ratio2048.sh decoder42 # session 41: decoder41 continued with the DC term (DC_WEIGHT,
#                                                   # default 100) against its -40 dB floor, which is a DC offset, and
#                                                   # a quarter of its crops in the silence after a sound
#                                                   # (silent_tail_fraction 0.25) (vae42_dec; DEC_STEPS, default 1000)
#   bash models/training/run_ratio2048.sh decoder43 # decoder42's step 1,000 continued 800 steps with the DC term x 500
#                                                   # (vae43_dec; session 41: decoder42 left a -52.5 dB offset)
#   bash models/training/run_ratio2048.sh decoder44 # decoder43 with the DC term on whole-crop means (dc_frame 16384),
#                                                   # which charge the offset only (vae44_dec)
#   bash models/training/run_ratio2048.sh centre42  # decoder42's VAE with the centring encoder (vae42_centred;
#                                                   # centre43, centre44: decoder43's, decoder44's)
#   bash models/training/run_ratio2048.sh export42  # export40 with vae42_centred into $CK/export42 (export43,
#                                                   # export44: vae43_centred, vae44_centred)
#   bash models/training/run_ratio2048.sh soup42    # the session-39 export's U-Net and text encoder averaged with
#                                                   # export42's (W, default 0.5), export42's VAE taken whole
#                                                   # (soup43, soup44: export43's, export44's)
#   bash models/training/run_ratio2048.sh restore42 # session 42: the session-41 export (soup42, models/default since
#                                                   # session 41, from git history) back as checkpoints in
#                                                   # $CK/restored42
#   bash models/training/run_ratio2048.sh decoder45 # its decoder continued with the DC term between decoder42's x 100
#                                                   # and decoder43's x 500 (DC_WEIGHT, default 200; DEC_STEPS, default
#                                                   # 800); its encoder already centres channel 9 (vae45_dec)
#   bash models/training/run_ratio2048.sh export45  # the session-41 export's U-Net and text encoder (restored42's EMA
#                                                   # list, bit for bit) with VAE_45 (default vae45_dec/last.pt); OUT_45,
#                                                   # default $CK/export45
#   bash models/training/run_ratio2048.sh direction42 # the session-41 export's text encoder taught to read which way a
#                                                     # movement goes (direction_text.py: mirrored captions, anchored
#                                                     # to the original's outputs; $CK/direction42.pt); it reads the
#                                                     # held-out phrasing backwards, so no U-Net was trained on it
#   bash models/training/run_ratio2048.sh direction42r # the same with ROLE_PHRASINGS (destination named first) added
#                                                      # ($CK/direction42r.pt); held-out phrasing still backwards
#   bash models/training/run_ratio2048.sh shift45   # session 45: the session-41 export (restored42) continued on
#                                                   # latents40 with position40's padding, half its lr (5e-5) and the
#                                                   # timestep shift (SHIFT, default 2: train_diffusion's
#                                                   # training_times), which trains more at the high noise where the
#                                                   # sampler spends its first steps; seed 45
#   bash models/training/run_ratio2048.sh soup45    # shift45's CKPT_45 (default shift45/last.pt) exported with raw
#                                                   # weights and restored42's VAE into $CK/export_shift45, then averaged
#                                                   # with soup42 as committed in ec10d44 (session44_folder; W, default
#                                                   # 0.5) into $CK/soup45_w50
#   bash models/training/run_ratio2048.sh restore46 # session 46: the session-45 export (soup45, from git history) back
#                                                   # as checkpoints in $CK/restored46
#   bash models/training/run_ratio2048.sh direction46 # its text encoder taught to read which way a movement goes by role
#                                                     # words, not word order (direction_text.py --phrasing-grammar
#                                                     # GRAMMAR_COPIES, default 2; --static-phrasings STATIC_COPIES,
#                                                     # default 2; DIRECTION_STEPS, default 800; $CK/direction46.pt)
#   bash models/training/run_ratio2048.sh movement46 # restored46 continued on latents40 with direction46 in place of its
#                                                    # encoder, frozen; lr LR (default 1e-4, position40's), shift45's
#                                                    # padding and timestep shift; seed 46
#   bash models/training/run_ratio2048.sh movement46r # the same plus --movement-rephrase REPHRASE (default 0.5): half the
#                                                     # moving clips train with a movement_phrasings wording (session
#                                                     # 46: DIFF_STEPS=500, no better; not shipped)
#   bash models/training/run_ratio2048.sh movement46s # movement46 plus --movement-share SHARE (default 0.375: 12 of a
#                                                     # batch of 32 from the moving clips, against about 4;
#                                                     # session 46: DIFF_STEPS=500, no better; not shipped)
#   bash models/training/run_ratio2048.sh soup46    # movement46's CKPT_46 (default last.pt) exported with raw weights
#                                                   # into $CK/export_movement46, its U-Net averaged with soup45's (W,
#                                                   # default 0.5) and its text encoder taken unmixed, into
#                                                   # $CK/soup46_w50
#   bash models/training/run_ratio2048.sh restore49 # session 49: the session-46 export (soup46, from git history) back
#                                                   # as checkpoints in $CK/restored49
#   bash models/training/run_ratio2048.sh round49   # restored49 continued on latents40 (encode40) with its own encoder
#                                                   # frozen, movement46's lr, padding and timestep shift; seed 49: the
#                                                   # next continue-then-average round, for the lengths
#   bash models/training/run_ratio2048.sh soup49    # round49's CKPT_49 (default last.pt) exported with raw weights into
#                                                   # $CK/export_round49, its U-Net averaged with soup46's (W, default
#                                                   # 0.5) into $CK/soup49_w50
#   bash models/training/run_ratio2048.sh soup52    # session 52: a quarter (W, default 0.25) of session 47's GPU run a
#                                                   # (RUN_A, default $CK/gpu47_a8k: run_gpu.sh continue, pack-run a)
#                                                   # averaged into soup46's U-Net outside its attention blocks (the
#                                                   # convolution blocks, samplers, time and mapping MLPs, and the seconds
#                                                   # embedders; ONLY, a regular expression of tensor names), the
#                                                   # attention blocks and the rest soup46's, into $CK/soup52_conv_w25
#   bash models/training/run_ratio2048.sh soup53    # session 53: half (W, default 0.5) of session 47's GPU run b
#                                                   # (RUN_B, default $CK/gpu47_b8k: run_gpu.sh continue, pack-run b,
#                                                   # the shift-2 run) averaged into soup52's cross-attention layers
#                                                   # but the innermost upsampling one's (ONLY, a regular expression
#                                                   # of tensor names, default SOUP53_TENSORS), the rest soup52's, into
#                                                   # $CK/soup53_xattn_w50
#
# Session 37 shipped soup37 (W 0.5) as models/default: against the session-34 export, over three seeds, pairs 74.0%
# against 76.0% (16 to 12 discordant, p = 0.57; the difference in stereo position), length 56 against 55 of 72, family
# top-1 10.7% against 8.3%, FD-mel ratio 135 and 145 against 188 at two seeds (results_s37.json).
#
# Session 34 resumed text33 to step 2,700 and shipped that step's export as models/default
# (WEIGHTS=raw CKPT=$CK/text33/step2700.pt bash models/training/run_ratio2048.sh export33; the config's default window
# is full): over three seeds pairs 76.0% against the session-6 weights' 60.3%, length 55 against 34 of 72, family
# top-1 8.3% against 3.6%, FD-mel ratio 188 against 226 (results_s34.json).
#
# Session 33 (no GPU lent): session 32 found that the shipped U-Net barely uses its text (diffusion classifier: family
# top-1 3.6%, chance 2.4%) and that its jointly trained T5 keeps less of the captions than a random init, while text32w
# reads them on held-out phrasings (family 97%, register 93%). From scratch on the CPU, 1,000 steps were too few to
# show whether a U-Net uses such an encoder; the shipped U-Net already renders the corpus, so here only its
# cross-attention has to learn to read the new encoder. A step costs 3.3 s at batch 32 (128 frames; ratio 256: 4.5 s).
# text33 ran 1,300 steps (3.3 s each on 2 idle cores) and was stopped after that save: its family gap (diffusion
# classifier) rose from 0.1% at step 400 to 2.7% at t = 0.9, close to the shipped model's 3.0%, and the pair bar went
# from 42 to 43 of 68 (results_s33.json). Resumed the same session: step 1,700's gap 4.2%. Re-running the stage
# resumes it from last.pt.
source "$(dirname "$0")/recipe_env.sh"
WEIGHTS=${WEIGHTS:-ema}
CKPT=${CKPT:-$CK/text33/last.pt}
OUT=${OUT:-$CK/export33_$WEIGHTS}

# continue_average RESTORED NAME ARGS...: a shipped average restored as checkpoints in $CK/RESTORED (restore37,
# restore39) continued on latents33 into $CK/NAME with half text35's lr (5e-5) and short padding (0.25), encoder
# frozen, plus ARGS
continue_average() {
  local restored=$CK/$1 name=$2
  shift 2
  train_diffusion_from "$restored" --latents "$CK/latents33" --vae "$restored/vae.pt" --ckpt "$CK/$name" \
      --keep-latent-scale --freeze-text-encoder --lr 5e-5 --short-padding 0.25 --steps "$DIFF_STEPS" "$@"
}

# average_exports A B OUT [ARGS...]: (1 - W) A + W B, W default 0.5, weight by weight (interpolate_exports.py), plus
# ARGS; B and OUT are defaults that the B and SOUP_OUT variables override
average_exports() {
  $PY -m models.training.interpolate_exports --a "$1" --b "${B:-$2}" --weight-b "${W:-0.5}" --out "${SOUP_OUT:-$3}" \
      "${@:4}"
}

# export_raw DIFFUSION VAE TOKENIZER OUT: the raw (not EMA) weights of the diffusion checkpoint DIFFUSION with the VAE
# checkpoint VAE and the tokenizer folder TOKENIZER as a model folder in OUT (whole window, CFG 4.5)
export_raw() {
  $PY -m models.training.export --diffusion "$1" --vae "$2" --tokenizer "$3" --weights raw --window full \
      --cfg-scale 4.5 --out "$4"
}

# soup_round CKPT RESTORED NAME BASE OUT ARGS...: a continue-then-average round's second half: the continuation's
# checkpoint CKPT exported raw (with the VAE and tokenizer of the restored folder RESTORED) into $CK/export_NAME, then
# averaged with the export BASE into OUT (average_exports, plus ARGS)
soup_round() {
  local ckpt=$1 restored=$2 name=$3 base=$4 out=$5
  shift 5
  export_raw "$ckpt" "$restored/vae.pt" "$restored/tokenizer" "$CK/export_$name"
  average_exports "$base" "$CK/export_$name" "$out" "$@"
}

POSITION_CHANNEL=${POSITION_CHANNEL:-9:1.0:0.05}

# soup52's tensors: the seconds embedders and every U-Net tensor outside an attention block (session 52: run a's change
# there fills the lengths; in the attention blocks it does not, results_s52.json)
SOUP52_TENSORS='^(conditioner\.conditioners\.seconds_|model\.model\.(?!.*\.transformer\.))'
# soup53's tensors: the U-Net's cross-attention layers (norms, query, key-value and output projections) at every level
# but the innermost upsampling one: 48 of the 56 cross-attention tensors. Session 53, at seeds 0 and 2000 (soup52: 2 of
# 8 movement pair-seeds, 48 of 48 lengths): half of run b in all seven cross-attention layers won 7 of 8 movement
# pair-seeds but filled 20 of 24 lengths at seed 0; in upsamples.0's alone, 42 of 48 lengths (sounds ending 70-130 ms
# early at 1 and 2.5 s); in the other six, 7 of 8 movement pair-seeds and 48 of 48 lengths; in the downsampling half
# and bottleneck alone, 3 of 8 movement pair-seeds (results_s53.json)
SOUP53_TENSORS='(?<!upsamples\.0)\.transformer\.blocks\.\d+\.cross_attention\.'

# position_decoder INIT CKPT ARGS...: train_vae of the decoder alone from the VAE checkpoint INIT into $CK/CKPT, on the
# shipped encoder's latents with the position channel redrawn, vae_small's terms plus the balance term x 10, plus ARGS
position_decoder() {
  local init=$1 ckpt=$2
  shift 2
  train_vae --config models/training/configs/vae_small.json --init "$init" --freeze-encoder \
      --position-channel "$POSITION_CHANNEL" --set balance_weight=10 --ckpt "$CK/$ckpt" --save-every 100 "$@"
}

# dc_decoder INIT CKPT DC_WEIGHT STEPS ARGS...: position_decoder with the level term (x 1), the DC term (x DC_WEIGHT)
# and a quarter of the crops in the silence after a sound, lr 1e-4 cosine over STEPS (session 41), plus ARGS
dc_decoder() {
  local init=$1 ckpt=$2 dc_weight=$3 steps=$4
  shift 4
  position_decoder "$init" "$ckpt" --set level_weight=1.0 --set silent_tail_fraction=0.25 --set dc_weight="$dc_weight" \
      --steps "$steps" --cosine-steps "$steps" --lr 1e-4 --warmup-steps 20 "$@"
}

# position_encoder VAE CKPT ARGS...: position_channel.py on the VAE checkpoint VAE (its encoder against the shipped
# one) into $CK/CKPT, plus ARGS
position_encoder() {
  local vae=$1 ckpt=$2
  shift 2
  $PY -m models.training.position_channel --corpus "$DATA" --vae "$vae" \
      --reference "$CK/restored39/vae.pt" --position-channel "$POSITION_CHANNEL" --ckpt "$CK/$ckpt" "$@"
}

# direction_encoder NAME ARGS...: direction_text.py on the text encoder of $FOLDER (default: the session-41 export)
# into $CK/NAME.pt, plus ARGS
direction_encoder() {
  local name=$1
  shift
  $PY -m models.training.direction_text --model "${FOLDER:-$(session41_folder)}" --corpus "$DATA" --device "$DEVICE" \
      --threads "$THREADS" --out "$CK/$name.pt" "$@"
}

case "${1:-}" in
  restore) restore_session6 ;;
  encode33) encode_corpus "$CK/restored/vae.pt" "$CK/latents33" ;;
  text33)
    train_diffusion_from "$CK/restored" --latents "$CK/latents33" --vae "$CK/restored/vae.pt" --ckpt "$CK/text33" \
        --keep-latent-scale --text-encoder "$CK/text32w.pt" --freeze-text-encoder --lr 1e-4 --short-padding 0.5 --seed 33 \
        --steps "$DIFF_STEPS" ;;
  export33)
    $PY -m models.training.export --diffusion "$CKPT" --vae "$CK/restored/vae.pt" \
        --tokenizer "$CK/restored/tokenizer" --weights "$WEIGHTS" --window full --out "$OUT" ;;
  restore34) restore_export "$(session34_folder)" "$CK/restored34" ;;
  text35)
    train_diffusion_from "$CK/restored34" --latents "$CK/latents33" --vae "$CK/restored34/vae.pt" --ckpt "$CK/text35" \
        --keep-latent-scale --freeze-text-encoder --lr 1e-4 --short-padding 0.5 --seed 35 --steps "$DIFF_STEPS" ;;
  soup37) average_exports "$(session34_folder)" "$CK/export35_final" "$CK/soup37_w50" ;;
  soup39) average_exports "$(session37_folder)" "$CK/export37_1000" "$CK/soup39_w50" ;;
  restore37) restore_export "$(session37_folder)" "$CK/restored37" ;;
  text37) continue_average restored37 text37 --seed 37 ;;
  text38) continue_average restored37 text38 --sustained-truncation 0.5 --seed 38 ;;
  restore39) restore_export "$(session39_folder)" "$CK/restored39" ;;
  text39) continue_average restored39 text39 --seed 39 ;;
  soup40) average_exports "$(session39_folder)" "$CK/export39_1000" "$CK/soup40_w50" ;;
  encode40) encode_corpus "$CK/restored39/vae.pt" "$CK/latents40" --position-channel "$POSITION_CHANNEL" ;;
  decoder40)
    position_decoder "$CK/restored39/vae.pt" vae40_dec --steps 2400 --cosine-steps 2400 --lr 3e-4 --warmup-steps 50 \
        --keep-steps 600,1200,1800 ;;
  decoder41)
    position_decoder "$CK/vae40_dec/last.pt" vae41_dec --set level_weight=1.0 --steps 1000 --cosine-steps 1000 \
        --lr 1e-4 --warmup-steps 20 ;;
  decoder42) dc_decoder "$CK/vae41_dec/last.pt" vae42_dec "${DC_WEIGHT:-100}" "${DEC_STEPS:-1000}" ;;
  decoder43) dc_decoder "$CK/vae42_dec/step0001000.pt" vae43_dec 500 800 ;;
  decoder44) dc_decoder "$CK/vae42_dec/step0001000.pt" vae44_dec 500 800 --set dc_frame=16384 ;;
  encoder40) position_encoder "$CK/vae40_dec/last.pt" vae40_enc --device "$DEVICE" --threads "$THREADS" ;;
  centre40) position_encoder "$CK/vae40_dec/last.pt" vae40_centred --centre-only ;;
  centre42|centre43|centre44) position_encoder "$CK/vae${1#centre}_dec/last.pt" "vae${1#centre}_centred" --centre-only ;;
  position40)
    train_diffusion_from "$CK/restored39" --latents "$CK/latents40" --vae "$CK/restored39/vae.pt" \
        --ckpt "$CK/position40" --keep-latent-scale --freeze-text-encoder --lr 1e-4 --short-padding 0.25 --seed 40 \
        --steps "$DIFF_STEPS" ;;
  export40)
    export_raw "${CKPT_40:-$CK/position40/last.pt}" "${VAE_40:-$CK/vae40_centred/last.pt}" "$CK/restored39/tokenizer" \
        "${OUT_40:-$CK/export40}" ;;
  export42|export43|export44) VAE_40=$CK/vae${1#export}_centred/last.pt OUT_40=$CK/$1 bash "$0" export40 ;;
  restore42) restore_export "$(session41_folder)" "$CK/restored42" ;;
  decoder45) dc_decoder "$CK/restored42/vae.pt" vae45_dec "${DC_WEIGHT:-200}" "${DEC_STEPS:-800}" ;;
  export45)
    $PY -m models.training.export --diffusion "$CK/restored42/diffusion.pt" --weights ema \
        --vae "${VAE_45:-$CK/vae45_dec/last.pt}" --tokenizer "$CK/restored42/tokenizer" --window full --cfg-scale 4.5 \
        --out "${OUT_45:-$CK/export45}" ;;
  direction42) direction_encoder direction42 ;;
  direction42r) direction_encoder direction42r --role-phrasings ;;
  shift45)
    train_diffusion_from "$CK/restored42" --latents "$CK/latents40" --vae "$CK/restored42/vae.pt" --ckpt "$CK/shift45" \
        --keep-latent-scale --freeze-text-encoder --lr 5e-5 --short-padding 0.25 --timestep-shift "${SHIFT:-2}" \
        --seed 45 --steps "$DIFF_STEPS" ;;
  soup45)
    soup_round "${CKPT_45:-$CK/shift45/last.pt}" "$CK/restored42" shift45 "$(session44_folder)" "$CK/soup45_w50" ;;
  restore46) restore_export "$(session45_folder)" "$CK/restored46" ;;
  direction46) FOLDER=$(session45_folder) direction_encoder direction46 --phrasing-grammar "${GRAMMAR_COPIES:-2}" \
      --static-phrasings "${STATIC_COPIES:-2}" --steps "${DIRECTION_STEPS:-800}" ;;
  movement46|movement46r|movement46s)
    train_diffusion_from "$CK/restored46" --latents "$CK/latents40" --vae "$CK/restored46/vae.pt" \
        --text-encoder "$CK/direction46.pt" --ckpt "$CK/$1" --keep-latent-scale --freeze-text-encoder \
        --lr "${LR:-1e-4}" --short-padding 0.25 --timestep-shift "${SHIFT:-2}" --seed 46 --steps "$DIFF_STEPS" \
        $([ "$1" = movement46r ] && echo --movement-rephrase "${REPHRASE:-0.5}") \
        $([ "$1" = movement46s ] && echo --movement-share "${SHARE:-0.375}") ;;
  soup46)
    soup_round "${CKPT_46:-$CK/movement46/last.pt}" "$CK/restored46" movement46 "$(session45_folder)" "$CK/soup46_w50" \
        --take-b conditioner.conditioners.prompt. ;;
  restore49) restore_export "$(session46_folder)" "$CK/restored49" ;;
  round49)
    train_diffusion_from "$CK/restored49" --latents "$CK/latents40" --vae "$CK/restored49/vae.pt" --ckpt "$CK/round49" \
        --keep-latent-scale --freeze-text-encoder --lr "${LR:-1e-4}" --short-padding 0.25 --timestep-shift "${SHIFT:-2}" \
        --seed 49 --steps "$DIFF_STEPS" ;;
  soup49)
    soup_round "${CKPT_49:-$CK/round49/last.pt}" "$CK/restored49" round49 "$(session46_folder)" "$CK/soup49_w50" ;;
  soup52)
    W=${W:-0.25} average_exports "$(session46_folder)" "${RUN_A:-$CK/gpu47_a8k}" "$CK/soup52_conv_w25" \
        --only-matching "${ONLY:-$SOUP52_TENSORS}" ;;
  soup53)
    W=${W:-0.5} average_exports "$(session52_folder)" "${RUN_B:-$CK/gpu47_b8k}" "$CK/soup53_xattn_w50" \
        --only-matching "${ONLY:-$SOUP53_TENSORS}" ;;
  soup42|soup43|soup44)
    $PY -m models.training.interpolate_exports --a "$(session39_folder)" --b "$CK/export${1#soup}" --weight-b "${W:-0.5}" \
        --take-b pretransform. --out "${SOUP_OUT:-$CK/${1}_w50}" ;;
  *) echo "usage: $0 restore|encode33|text33|export33|restore34|text35|soup37|restore37|text37|text38|soup39|restore39|text39|soup40|encode40|decoder40|decoder41|decoder42|decoder43|decoder44|encoder40|centre40|centre42|centre43|centre44|position40|export40|export42|export43|export44|soup42|soup43|soup44|restore42|decoder45|export45|direction42|direction42r|shift45|soup45|restore46|direction46|movement46|movement46r|movement46s|soup46|restore49|round49|soup49|soup52|soup53" >&2
     exit 2 ;;
esac
