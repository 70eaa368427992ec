#!/usr/bin/env bash
# What a lent GPU machine (this workplace's `device` tool: a bare Ubuntu image with PyTorch, no network, 64 MiB
# upload) needs beside the repo to run the recipe, as one folder `.gpu/` (git-ignored through .git/info/exclude):
#
#   bash models/training/gpu_bundle.sh make     # here: builds .gpu/ (about 42 MB with INIT_VAE; 35 MB without)
#   bash models/training/gpu_bundle.sh shipped  # here, for run_gpu.sh continue: the shipped export in two uploads
#   bash models/training/gpu_bundle.sh unpack   # there, as root: installs it (about 20 s)
#
# * FluidR3_GM.sf3: the corpus soundfont with its samples as Ogg Vorbis (sf3convert -z -q 0.6: 27 MB against 148 MB).
#   The 20 GM clips among train ids 0-39, rendered with each, differ by a median 0.1-0.6 dB per 256-bin band of the
#   left channel's spectrum (session 29, eval/default-model/soundfont_check.py).
# * fslib.tar.xz: FluidSynth 2.3 and the libraries it links (Debian 12 builds; glibc and libstdc++ left out). `unpack`
#   keeps only the ones the machine lacks and registers them with ldconfig, so pyfluidsynth finds libfluidsynth.so.3.
# * site.tar.xz: the pure-Python packages the recipe imports and the image lacks (stable-audio-tools, k-diffusion,
#   alias-free-torch, auraloss, einops-exts, pyfluidsynth); whl/: soundfile, cffi, pycparser wheels for CPython 3.12.
# * spiece.model (the shipped tokenizer) and an optional VAE checkpoint to start from (INIT_VAE, weights only).
set -euo pipefail
BUNDLE=${BUNDLE:-.gpu}
case "${1:-}" in
  make)
    SITE=${SITE:-/work/venv/lib/python3.11/site-packages}
    INIT_VAE=${INIT_VAE:-}
    mkdir -p "$BUNDLE/whl"
    grep -qx "/$BUNDLE/" .git/info/exclude 2>/dev/null || echo "/$BUNDLE/" >> .git/info/exclude
    [ -f "$BUNDLE/FluidR3_GM.sf3" ] || sf3convert -z -q 0.6 /usr/share/sounds/sf2/FluidR3_GM.sf2 "$BUNDLE/FluidR3_GM.sf3"
    work=$(mktemp -d)
    mkdir "$work/fslib"
    cp -L /usr/lib/x86_64-linux-gnu/libfluidsynth.so.3 "$work/fslib/"
    ldd /usr/lib/x86_64-linux-gnu/libfluidsynth.so.3 | awk 'NF == 4 {print $1, $3}' | while read -r name path; do
      case $name in libc.so*|libm.so*|libstdc++*|libgcc_s*|ld-linux*|libpthread*|libdl.so*|librt.so*) ;;
        *) cp -L "$path" "$work/fslib/$name" ;; esac
    done
    tar -C "$work" -cJf "$BUNDLE/fslib.tar.xz" fslib
    rm -rf "$work"
    tar -C "$SITE" -cJf "$BUNDLE/site.tar.xz" --exclude=__pycache__ stable_audio_tools k_diffusion alias_free_torch \
        auraloss einops_exts fluidsynth.py
    python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
        --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
        -d "$BUNDLE/whl" soundfile cffi pycparser
    cp models/default/spiece.model "$BUNDLE/"
    if [ -n "$INIT_VAE" ]; then
      python - "$INIT_VAE" "$BUNDLE/init_vae.pt" <<'EOF'
import sys, torch
state = torch.load(sys.argv[1], map_location="cpu", weights_only=False)
torch.save({key: state[key] for key in ("model", "step", "config", "wall") if key in state}, sys.argv[2])
EOF
    fi
    du -sh "$BUNDLE" ;;
  shipped)
    # stage R5 (run_gpu.sh continue): MODEL's model.safetensors (default models/default) in parts of SHIPPED_MB
    # (default 18) MB; the first beside the bundle in $BUNDLE/shipped with model_config.json, spiece.model and the
    # file's sha256, the others in .gpu2/ for the second call
    MODEL=${MODEL:-models/default}
    mkdir -p "$BUNDLE/shipped" .gpu2
    grep -qx "/.gpu2/" .git/info/exclude 2>/dev/null || echo "/.gpu2/" >> .git/info/exclude
    rm -f "$BUNDLE"/shipped/model.safetensors.part* .gpu2/model.safetensors.part*
    cp "$MODEL/model_config.json" "$MODEL/spiece.model" "$BUNDLE/shipped/"
    (cd "$MODEL" && sha256sum model.safetensors) > "$BUNDLE/shipped/model.safetensors.sha256"
    split -b "${SHIPPED_MB:-18}M" -d -a 2 "$MODEL/model.safetensors" "$BUNDLE/shipped/model.safetensors.part"
    for part in "$BUNDLE"/shipped/model.safetensors.part*; do
      case $part in *part00) ;; *) mv "$part" .gpu2/ ;; esac
    done
    du -sh "$BUNDLE" .gpu2 ;;
  unpack)
    mkdir -p /tmp/site /opt/fslib
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site "$BUNDLE"/whl/*.whl
    tar -C /tmp/site -xJf "$BUNDLE/site.tar.xz"
    tar -C /tmp -xJf "$BUNDLE/fslib.tar.xz"
    for lib in /tmp/fslib/*; do
      name=$(basename "$lib")
      if [ "$name" = libfluidsynth.so.3 ] || ! ldconfig -p | grep -q "^[[:space:]]*$name "; then cp "$lib" /opt/fslib/; fi
    done
    echo /opt/fslib > /etc/ld.so.conf.d/zz-fluidsynth.conf
    ldconfig
    echo "[bundle] unpacked: $(ls /opt/fslib | wc -l) libraries added; python packages in /tmp/site" ;;
  *) echo "usage: $0 make|shipped|unpack" >&2; exit 2 ;;
esac
