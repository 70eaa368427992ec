"""Render N captioned clips.

  python -m models.training.corpus.render --count 20000 --out /work/data/corpus --split train --workers 2

Re-render listed clips with the same attributes and fresh signal randomness (reference sets for FD-mel):

  python -m models.training.corpus.render --rerender-from /work/data/corpus/eval.jsonl --seed 1001 --out DIR \
      [--limit N]          # DIR/<split>.jsonl + DIR/<split>/<id>.wav; the corpus seed is --corpus-seed (1234)

Each clip i of a split is fully determined by (--seed, split, i), so rendering is resumable (already rendered ids
listed in metadata.jsonl are skipped) and extendable (a larger --count adds clips). Audio is stored as 16-bit stereo
WAV holding only the sound (seconds_total long); the training window is that audio followed by silence.
"""
import argparse
import json
import os
import sys
import time
import zlib
from multiprocessing import get_context

import numpy as np
import soundfile as sf

from . import captions as C
from . import dsp
from .dsp import SR, nsamp
from .families import FAMILIES, FAMILY_NAMES

POSITIONS = ["left", "right", "centre", "wide", "left_to_right", "right_to_left"]
POS_W = [0.18, 0.18, 0.28, 0.16, 0.1, 0.1]
LOUD = ["quiet", "medium", "loud"]
LOUD_W = [0.25, 0.45, 0.30]
LOUD_TARGET = {"quiet": -36.0, "medium": -24.0, "loud": -12.0}
SPLIT_ID = {"train": 0, "eval": 1}



def rendered_ids(meta_path):
    """Ids already listed in a split's metadata file (resume support); unreadable lines are skipped."""
    done = set()
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            for line in f:
                try:
                    done.add(json.loads(line)["id"])
                except Exception:
                    pass
    return done

def short_term_max_db(x, win=0.4, hop=0.1):
    """Max over 400 ms windows of the mean-square level (both channels), dBFS. A simple LUFS-like level."""
    p = np.mean(x ** 2, axis=0)
    w, h = nsamp(win), nsamp(hop)
    if len(p) <= w:
        return 10 * np.log10(np.mean(p) + 1e-12)
    cs = np.concatenate([[0.0], np.cumsum(p)])
    starts = np.arange(0, len(p) - w + 1, h)
    ms = (cs[starts + w] - cs[starts]) / w
    return float(10 * np.log10(ms.max() + 1e-12))


def loudness_label(db):
    if db >= -17.0:
        return "loud"
    if db <= -30.0:
        return "quiet"
    return "medium"


def haas_wide(rng, x):
    d = nsamp(rng.uniform(0.008, 0.022))
    r = np.concatenate([np.zeros(d), x])[:len(x)]
    # decorrelate with a short random-phase FIR on one side
    h = rng.standard_normal(nsamp(0.004)) * np.exp(-np.arange(nsamp(0.004)) / nsamp(0.001))
    h /= np.sqrt((h ** 2).sum())
    r2 = np.convolve(r, h)[:len(x)]
    return np.stack([x, 0.5 * r + 0.5 * r2])


def spatialise(rng, g, position):
    a = g["audio"]
    mono = a if a.ndim == 1 else a.mean(axis=0)
    n = len(mono)
    if position in ("left", "right"):
        p = rng.uniform(0.8, 1.0) * (-1 if position == "left" else 1)
        gl, gr = dsp.pan_gains(p)
        return np.stack([mono * gl, mono * gr]) * np.sqrt(2)
    if position == "centre":
        return np.stack([mono, mono])
    if position == "wide":
        if "audio_wide" in g:
            return g["audio_wide"]
        return haas_wide(rng, mono)
    ramp = np.linspace(-1, 1, n) if position == "left_to_right" else np.linspace(1, -1, n)
    gl, gr = dsp.pan_gains(ramp)
    return np.stack([mono * gl, mono * gr]) * np.sqrt(2)


def _allowed(split, fam, attr, value):
    return split != "train" or (fam, attr, value) not in C.HELDOUT_COMBOS


class SplitRNG:
    """Re-render with the same attributes but fresh randomness.

    Every draw is still taken from the clip's ORIGINAL stream ([corpus seed, split, idx]), so the control flow and
    every scalar decision come out exactly as in the original render: family, held-out combination, room, position,
    loudness target and its +-2 dB jitter, rt60, wet mix, pan amount, subtype, waveform, pitch/note/register, BPM,
    count, envelope and durations, note sequences, velocities, onset times and per-hit gains, GM program, tail.
    The value handed to the generator is replaced by a draw from a FRESH stream ([fresh seed, split, idx]) when
      * the draw is an array (noise signals, rain drops, gravel grains, thunder flashes, random-phase FIRs), or
      * it is made inside a signal-level helper (FRESH_CALLERS: oscillator start phase, coloured/white noise,
        the synthetic reverb IR including its early-reflection times, the wide-stereo Haas delay and decorrelation,
        the click/snare/hi-hat/kick noise).
    Fresh values never feed control flow (they have the same shapes and only shape waveforms), so the original
    stream stays aligned. What this cannot vary: FluidSynth renders of GM families are deterministic given the
    notes, so a GM clip re-rendered dry at a fixed position differs from the original only by post-processing
    randomness (reverb IR, wide decorrelation), i.e. almost not at all. Synthesised noise-based families differ in
    every sample.
    """
    FRESH_CALLERS = {"osc", "white", "colored", "reverb_ir", "haas_wide", "_click", "_snare", "_hat", "_kick"}

    def __init__(self, orig, fresh):
        self._orig, self._fresh = orig, fresh

    def __getattr__(self, name):
        fo, ff = getattr(self._orig, name), getattr(self._fresh, name)

        def call(*args, **kw):
            v = fo(*args, **kw)
            if (isinstance(v, np.ndarray) and v.ndim > 0) or sys._getframe(1).f_code.co_name in self.FRESH_CALLERS:
                return ff(*args, **kw)
            return v
        return call


def render_one(args):
    seed, split, idx, window = args[:4]
    fresh_seed = args[4] if len(args) > 4 else None
    rng = np.random.default_rng([seed, SPLIT_ID[split], idx])
    if fresh_seed is not None:
        rng = SplitRNG(rng, np.random.default_rng([fresh_seed, SPLIT_ID[split], idx, 99]))
    window_s = window / SR
    fam = FAMILY_NAMES[rng.integers(len(FAMILY_NAMES))]
    force = None
    if split == "eval" and rng.random() < 0.5:
        combos = sorted(c for c in C.HELDOUT_COMBOS if c[0] == fam)
        if combos:
            force = combos[rng.integers(len(combos))]

    def choose(attr, values, weights):
        if force and force[1] == attr:
            return force[2]
        for _ in range(50):
            v = str(rng.choice(values, p=np.asarray(weights) / np.sum(weights)))
            if _allowed(split, fam, attr, v):
                return v
        raise RuntimeError("no allowed value")

    room = choose("room", ["dry", "reverberant"], [0.7, 0.3])
    position = choose("position", POSITIONS, POS_W)
    loud_target = choose("loudness", LOUD, LOUD_W)
    rt60 = float(rng.uniform(0.6, 2.2)) if room == "reverberant" else 0.0
    wet = float(rng.uniform(0.35, 0.6)) if room == "reverberant" else 0.0
    max_src = max(0.5, window_s - (rt60 * 0.8 if rt60 else 0.0) - 0.1)

    fn = FAMILIES[fam]["fn"]
    for _ in range(40):
        g = fn(rng, max_src)
        reg = g["attrs"].get("register")
        if force and force[1] == "register":
            if reg == force[2]:
                break
        elif reg is None or _allowed(split, fam, "register", reg):
            break
    else:
        if force and force[1] == "register":
            force = None
        else:
            g["attrs"].pop("register", None)

    x = spatialise(rng, g, position)
    if room == "reverberant":
        x = dsp.apply_reverb(x, rng, rt60, wet)
    # trim trailing silence (-60 dB re. peak), fade the last 10 ms; cap at the window
    env = np.max(np.abs(x), axis=0)
    pk = env.max() + 1e-12
    act = np.nonzero(env > pk * 1e-3)[0]
    end = int(act[-1]) + 1 if len(act) else 1
    end = min(max(end, nsamp(0.3)), window)
    x = x[:, :end].copy()
    k = min(nsamp(0.01), end // 4)
    x[:, -k:] *= np.linspace(1, 0, k)
    x -= x.mean(axis=1, keepdims=True) * 0  # no DC handling needed; generators are zero-mean
    # loudness
    lvl = short_term_max_db(x)
    tgt = LOUD_TARGET[loud_target] + rng.uniform(-2, 2)
    x *= 10 ** ((tgt - lvl) / 20)
    pk = np.abs(x).max()
    if pk > 0.98:
        x *= 0.98 / pk
    lvl = short_term_max_db(x)
    loudness = loudness_label(lvl)
    if split == "train" and not _allowed(split, fam, "loudness", loudness):
        # the measured class drifted into a held-out combination: move it back to medium
        x *= 10 ** ((-24.0 - lvl) / 20)
        lvl = short_term_max_db(x)
        loudness = loudness_label(lvl)
    # clips shorter than 0.3 s (a single short beep or drip) keep their sound; the clip is the sound plus silence
    # up to 0.3 s, as for every clip the window continues with silence
    seconds_total = round(max(x.shape[1] / SR, 0.3), 4)
    el, er = float(np.sum(x[0] ** 2)), float(np.sum(x[1] ** 2))
    post = dict(loudness=loudness, level_db=round(lvl, 2), position=position, room=room, rt60=round(rt60, 2),
                seconds_total=seconds_total, lr_db=round(10 * np.log10((el + 1e-12) / (er + 1e-12)), 2))
    audio = np.clip(x, -1, 1).astype(np.float32)
    attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in g["attrs"].items() if v is not None}
    meta = dict(id=f"{split}_{idx:07d}", family=fam, group=FAMILIES[fam]["group"], kind=FAMILIES[fam]["kind"],
                seconds_start=0.0, seconds_total=seconds_total, attrs=attrs, post=post,
                heldout_combo=list(force) if force else None)
    caption_for(meta, seed, split, idx)
    return meta, audio


def caption_for(meta, seed, split, idx):
    """Caption from the stored true attributes with its own RNG stream, so captions can be regenerated from
    metadata alone (python -m models.training.corpus.recaption) without re-rendering audio."""
    rng = np.random.default_rng([seed, SPLIT_ID[split], idx, 7])
    fam, attrs, post, force = meta["family"], meta["attrs"], meta["post"], meta["heldout_combo"]
    caption, stated = C.build_caption(rng, fam, attrs, post, heldout=(split == "eval"))
    if force and force[1] in ("room", "position", "loudness", "register"):
        if force[1] not in stated:  # make sure the held-out combination is stated in the eval caption
            val = post.get(force[1], attrs.get(force[1]))
            if val == force[2]:
                caption = caption + ", " + C.pick(rng, C.ATTR[(force[1], val)], True)
                stated[force[1]] = val
    meta["caption"], meta["stated"] = caption, stated
    return meta


def _worker(args):
    seed, split, idx, window, out = args
    meta, audio = render_one((seed, split, idx, window))
    rel = f"{split}/{idx // 1000:04d}/{meta['id']}.wav"
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    sf.write(path, audio.T, SR, subtype="PCM_16")
    meta["path"] = rel
    return meta


def rerender(meta, fresh_seed, corpus_seed=1234, window=262144):
    """Re-render the clip described by `meta` (a line of <split>.jsonl) with the same attributes and fresh signal
    randomness (see SplitRNG). Returns (new meta, float32 audio [2, n], check) where check compares the attributes
    of the new render with the stored ones (they agree by construction unless the corpus code changed since)."""
    split, idx = meta["id"].rsplit("_", 1)
    new, audio = render_one((corpus_seed, split, int(idx), window, fresh_seed))
    # the end of a clip is where its envelope falls below -60 dB re. peak, which fresh randomness (a new reverb tail)
    # moves by up to ~0.1 s; hold the duration to the stored one: zero-pad (below -60 dB anyway) or cut with a
    # 10 ms fade. The caption can state the duration, so this keeps it true too.
    n_old = min(int(round(meta["seconds_total"] * SR)), window)
    seconds_delta = round(new["seconds_total"] - meta["seconds_total"], 4)
    if audio.shape[1] < n_old:
        audio = np.pad(audio, ((0, 0), (0, n_old - audio.shape[1])))
    elif audio.shape[1] > n_old:
        audio = audio[:, :n_old].copy()
        k = min(nsamp(0.01), n_old // 4)
        audio[:, -k:] *= np.linspace(1, 0, k, dtype=np.float32)
    new["seconds_total"] = new["post"]["seconds_total"] = meta["seconds_total"]
    # the level likewise: a fresh signal has another peak, so the 0.98 peak cap (or the 400 ms maximum) can move
    # the measured level across a loudness-label boundary; scale to the stored measured level, then cap again
    lvl0 = short_term_max_db(audio.astype(np.float64))
    audio = audio * np.float32(10 ** ((meta["post"]["level_db"] - lvl0) / 20))
    pk = float(np.abs(audio).max())
    if pk > 0.98:
        audio *= np.float32(0.98 / pk)
    lvl = short_term_max_db(audio.astype(np.float64))
    el, er = float(np.sum(audio[0].astype(np.float64) ** 2)), float(np.sum(audio[1].astype(np.float64) ** 2))
    new["post"].update(level_db=round(lvl, 2), loudness=loudness_label(lvl),
                       lr_db=round(10 * np.log10((el + 1e-12) / (er + 1e-12)), 2))
    caption_for(new, corpus_seed, split, int(idx))
    keys = ("loudness", "position", "room", "rt60")
    check = dict(family=new["family"] == meta["family"], attrs=new["attrs"] == meta["attrs"],
                 post={k: new["post"][k] == meta["post"][k] for k in keys},
                 caption=new["caption"] == meta["caption"],
                 seconds_delta_before_hold=seconds_delta,
                 level_db_delta_before_hold=round(lvl0 - meta["post"]["level_db"], 2),
                 level_db_delta=round(new["post"]["level_db"] - meta["post"]["level_db"], 2))
    check["same_attributes"] = bool(check["family"] and check["attrs"] and all(check["post"].values()))
    new.update(caption=meta["caption"], stated=meta.get("stated"), rerender_of=meta["id"], rerender_seed=fresh_seed)
    return new, audio, check


def _rerender_worker(args):
    meta, seed, corpus_seed, window, out = args
    new, audio, check = rerender(meta, seed, corpus_seed, window)
    rel = f"{meta['id'].rsplit('_', 1)[0]}/{meta['id']}.wav"
    os.makedirs(os.path.join(out, os.path.dirname(rel)), exist_ok=True)
    sf.write(os.path.join(out, rel), audio.T, SR, subtype="PCM_16")
    new["path"], new["check"] = rel, check
    return new


def rerender_main(a):
    with open(a.rerender_from) as f:
        metas = [json.loads(line) for line in f if line.strip()]
    metas.sort(key=lambda m: m["id"])
    if a.limit:
        metas = metas[:a.limit]
    split = metas[0]["id"].rsplit("_", 1)[0]
    os.makedirs(a.out, exist_ok=True)
    meta_path = os.path.join(a.out, f"{split}.jsonl")
    done = rendered_ids(meta_path)
    jobs = [(m, a.seed, a.corpus_seed, a.window, a.out) for m in metas if m["id"] not in done]
    print(f"[rerender] {len(done)} done, {len(jobs)} to render (fresh seed {a.seed}) -> {a.out}", flush=True)
    bad, n = 0, 0
    with open(meta_path, "a") as fo:
        if a.workers > 1:
            pool = get_context("fork").Pool(a.workers)
            it = pool.imap(_rerender_worker, jobs, chunksize=4)
        else:
            pool, it = None, map(_rerender_worker, jobs)
        for new in it:
            fo.write(json.dumps(new) + "\n")
            bad += not new["check"]["same_attributes"]
            n += 1
        if pool:
            pool.close()
    print(f"[rerender] done {n} clips; {bad} with attributes different from the stored ones", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int)
    ap.add_argument("--rerender-from", default=None, metavar="JSONL",
                    help="re-render these clips with the same attributes and fresh randomness from --seed")
    ap.add_argument("--corpus-seed", type=int, default=1234, help="with --rerender-from: the seed the corpus used")
    ap.add_argument("--limit", type=int, default=0, help="with --rerender-from: only the first N clips (id order)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--split", default="train", choices=["train", "eval"])
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--window", type=int, default=262144, help="model window in samples (clips never exceed it)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--soundfont", default=None,
                    help="the GM families' soundfont (default: FluidR3_GM.sf2; sets CORPUS_SOUNDFONT for the workers)")
    ap.add_argument("--max-seconds", type=float, default=0.0,
                    help="stop after this many seconds (clips rendered so far are kept; a later run resumes)")
    a = ap.parse_args(argv)
    if a.soundfont:
        if not os.path.isfile(a.soundfont):
            ap.error(f"--soundfont {a.soundfont}: no such file")
        os.environ["CORPUS_SOUNDFONT"] = os.path.abspath(a.soundfont)
    if a.rerender_from:
        return rerender_main(a)
    if a.count is None:
        ap.error("--count is required")
    os.makedirs(a.out, exist_ok=True)
    meta_path = os.path.join(a.out, f"{a.split}.jsonl")
    done = set()
    if os.path.exists(meta_path):  # drop a partial last line left by an interrupted run
        with open(meta_path, "rb+") as f:
            data = f.read()
            cut = data.rfind(b"\n") + 1
            if cut < len(data):
                f.truncate(cut)
    done |= rendered_ids(meta_path)
    todo = [i for i in range(a.start, a.start + a.count) if f"{a.split}_{i:07d}" not in done]
    print(f"[render] {len(done)} done, {len(todo)} to render -> {a.out}", flush=True)
    t0 = time.time()
    jobs = [(a.seed, a.split, i, a.window, a.out) for i in todo]
    n = 0
    with open(meta_path, "a") as fo:
        if a.workers > 1:
            ctx = get_context("fork")
            with ctx.Pool(a.workers) as pool:
                for meta in pool.imap_unordered(_worker, jobs, chunksize=8):
                    fo.write(json.dumps(meta) + "\n")
                    n += 1
                    if a.max_seconds and time.time() - t0 >= a.max_seconds:
                        print(f"[render] --max-seconds {a.max_seconds:g} reached", flush=True)
                        break
                    if n % 200 == 0:
                        fo.flush()
                        print(f"[render] {n}/{len(todo)} {n / (time.time() - t0):.1f} clips/s", flush=True)
        else:
            for j in jobs:
                fo.write(json.dumps(_worker(j)) + "\n")
                n += 1
    print(f"[render] done {n} clips in {time.time() - t0:.1f}s", flush=True)


if __name__ == "__main__":
    main()
