"""Does a converted soundfont render the corpus's GM families like FluidR3_GM.sf2? (session 29: the GPU upload
carries FluidR3_GM as SF3, Ogg Vorbis samples, made by `sf3convert -z -q 0.6`, see models/training/gpu_bundle.sh.)

Renders train ids [0, COUNT) twice with models.training.corpus.render (same seed, so the same notes and attributes),
once with each soundfont, and for every GM clip compares the left channel's power spectrum in 256-bin bands:
the median over bands of |10 log10 P_sf2 − 10 log10 P_other| in dB, and the waveform SNR
10 log10(Σ x² / Σ (x − y)²) over the common length (low where a program's own randomness, e.g. applause, differs).

    PYTHONPATH=. python eval/default-model/soundfont_check.py --soundfont .gpu/FluidR3_GM.sf3 [--count 40] [--out OUT.json]
"""
import argparse
import json
import os
import tempfile

import numpy as np
import soundfile as sf

from models.training.corpus import render


def band_levels_db(x, bins=256):
    """10 log10 of the power spectrum of x summed over consecutive `bins`-bin bands."""
    power = np.abs(np.fft.rfft(x)) ** 2
    power = power[: len(power) // bins * bins].reshape(-1, bins).sum(axis=1)
    return 10 * np.log10(power + 1e-12)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--soundfont", required=True, help="the soundfont to compare with FluidR3_GM.sf2")
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        folders = {}
        for name, soundfont in (("sf2", None), ("other", a.soundfont)):
            folders[name] = os.path.join(work, name)
            render.main(["--count", str(a.count), "--out", folders[name], "--workers", "2"]
                        + (["--soundfont", soundfont] if soundfont else []))
        metas = {name: {m["id"]: m for m in map(json.loads, open(os.path.join(folder, "train.jsonl")))}
                 for name, folder in folders.items()}
        rows = []
        for clip_id, meta in sorted(metas["sf2"].items()):
            if meta["kind"] != "gm":
                continue
            x = sf.read(os.path.join(folders["sf2"], meta["path"]))[0]
            y = sf.read(os.path.join(folders["other"], metas["other"][clip_id]["path"]))[0]
            n = min(len(x), len(y))
            snr = 10 * np.log10(np.sum(x[:n] ** 2) / (np.sum((x[:n] - y[:n]) ** 2) + 1e-20))
            band = float(np.median(np.abs(band_levels_db(x[:n, 0]) - band_levels_db(y[:n, 0]))))
            rows.append(dict(id=clip_id, family=meta["family"], band_difference_median_db=round(band, 2),
                             snr_db=round(float(snr), 1)))
            print(f"{clip_id} {meta['family']:11s} band difference {band:.2f} dB, SNR {snr:.1f} dB")
    bands = [r["band_difference_median_db"] for r in rows]
    result = dict(command="eval/default-model/soundfont_check.py --soundfont " + a.soundfont + f" --count {a.count}",
                  gm_clips=len(rows), band_difference_median_db_range=[min(bands), max(bands)], clips=rows)
    print(f"{len(rows)} GM clips: median band difference {min(bands):.2f}-{max(bands):.2f} dB")
    if a.out:
        with open(a.out + ".tmp", "w") as f:
            json.dump(result, f, indent=1)
        os.replace(a.out + ".tmp", a.out)


if __name__ == "__main__":
    main()
