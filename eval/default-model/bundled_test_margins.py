"""Session 38: the numbers `Tests/SACLITests/BundledModelTests.swift` asserts on, for any exported model folder, in
seconds, so that a candidate can be checked against the test before it replaces `models/default`:

* the short beep's level in its loudest 2048-sample frame (prompt "a short beep, high pitch", 1.3 s, seed 7, 3 steps;
  the test wants > -60 dB; until session 41 it took the whole clip's RMS level, also reported here);
* the rain loudness margins (prompts "sound of heavy rain, high in volume" / "..., low in volume", 2 s, seeds 1-3,
  10 steps; the test wants every margin > 0 and their mean > 3 dB).

The prompts, seeds and steps are the test's; keep them in step with it. RMS level as the test computes it:
10 log10(mean(x²)) over both channels of the 32-bit float WAV (for the loudest frame, over each 2048-sample frame).

    python eval/default-model/bundled_test_margins.py MODEL_FOLDER [MODEL_FOLDER ...]
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = os.path.join(HERE, "..", "..", ".build", "release", "stable-audio")


def level_db(audio):
    """10 log10(mean(x²)) over both channels (BundledModelTests.levelDecibels), audio [T, C]."""
    return float(10 * np.log10(max(np.mean(audio ** 2), 1e-20)))


def loudest_frame_db(audio, frame=2048):
    """The largest `level_db` of the whole 2048-sample frames (BundledModelTests.loudestFrameDecibels)."""
    whole = audio[: len(audio) // frame * frame].reshape(-1, frame, audio.shape[1])
    return max(level_db(chunk) for chunk in whole)


def render(model, prompt, seconds, seed, steps, path):
    """The rendered [T, C] float64 samples."""
    command = [BINARY, "generate", prompt, "-m", model, "--seconds", seconds, "--seed", str(seed), "--steps", str(steps),
               "--bit-depth", "32f", "--progress", "none", "-o", path]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)}: {result.stderr.strip()}")
    return sf.read(path, dtype="float64")[0]


def margins(model):
    with tempfile.TemporaryDirectory() as folder:
        beep = render(model, "a short beep, high pitch", "1.3", 7, 3, os.path.join(folder, "beep.wav"))
        rain = [level_db(render(model, "sound of heavy rain, high in volume", "2", seed, 10,
                                os.path.join(folder, f"l{seed}.wav")))
                - level_db(render(model, "sound of heavy rain, low in volume", "2", seed, 10,
                                  os.path.join(folder, f"q{seed}.wav")))
                for seed in (1, 2, 3)]
    beep_loudest = loudest_frame_db(beep)
    passes = beep_loudest > -60 and all(m > 0 for m in rain) and sum(rain) / 3 > 3
    return dict(model=model, short_beep_loudest_frame_db=round(beep_loudest, 1),
                short_beep_db=round(level_db(beep), 1), loudness_margins_db=[round(m, 1) for m in rain],
                would_pass=passes)


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    if not os.path.isfile(BINARY):
        raise SystemExit(f"{BINARY}: no release build (swift build -c release --product stable-audio)")
    for model in argv:
        if not os.path.isfile(os.path.join(model, "model_config.json")):
            raise SystemExit(f"{model}: not an exported model folder (no model_config.json)")
        print(margins(model), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
