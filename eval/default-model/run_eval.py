"""Quality bars of issue 6 for the default model (skeleton; PyTorch reference sampler until the Swift engine generates).

  PYTHONPATH=. python eval/default-model/run_eval.py --model /work/checkpoints/export --out /tmp/eval \
      [--wav-dir DIR]   # score WAVs made by another engine: DIR/<pair id>_a.wav, DIR/<pair id>_b.wav
      [--sections pairs,family,length,vae,fdmel] [--steps 50 --cfg 6] [--fdmel-n 100]

Writes <out>/results.json and prints a summary. Every number is printed with the command that produced it.
Family pairs and family accuracy need the bundled classifier (--clap folder); without it they are "not evaluated".
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import soundfile as sf
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import measures as M  # noqa: E402


def gen_fn(model_dir, steps, cfg_scale, seed, device="cpu"):
    from models.training.sample import generate, load_model
    model, cfg = load_model(model_dir, device)

    def g(prompts, seconds, seed_offset=0):
        a = generate(model, cfg, prompts, seconds, steps=steps, cfg_scale=cfg_scale, seed=seed + seed_offset,
                     device=device)
        return [a[i, :, : int(round(s * 44100))].numpy() for i, s in enumerate(seconds)]
    return g, model, cfg


def load_classifier(folder):
    """The bundled family classifier (sfx-clap-mini audio tower + family head). Returns fn(x [2,n]) -> probs dict."""
    if not folder:
        return None
    from safetensors.torch import load_file
    from models.training.train_clap import WINDOW, Clap
    with open(os.path.join(folder, "sfx_clap_mini.json")) as f:
        cfg = json.load(f)
    sd = load_file(os.path.join(folder, "sfx_clap_mini.safetensors"))
    m = Clap(sd["text.emb.weight"].shape[0], len(cfg["families"]))
    m.load_state_dict(sd)
    m.eval()

    def probs(x):
        x = torch.as_tensor(np.asarray(x, dtype=np.float32))[:, :WINDOW]
        x = torch.nn.functional.pad(x, (0, WINDOW - x.shape[1]))[None]
        with torch.no_grad():
            _, logits = m.audio(m.features(x))
        p = torch.softmax(logits[0], -1).numpy()
        return {f: float(v) for f, v in zip(cfg["families"], p)}
    return probs


def eval_pairs(pairs, gen, wav_dir, save_dir, classify=None):
    res, by = [], {}
    for p in pairs:
        if p["measure"] == "classifier" and classify is None:
            res.append(dict(id=p["id"], category=p["category"], status="not evaluated (no classifier given)"))
            continue
        if wav_dir:
            xa = sf.read(os.path.join(wav_dir, f"{p['id']}_a.wav"), always_2d=True)[0].T
            xb = sf.read(os.path.join(wav_dir, f"{p['id']}_b.wav"), always_2d=True)[0].T
        else:
            xa, xb = gen([p["a"]["prompt"], p["b"]["prompt"]], [p["a"]["seconds"], p["b"]["seconds"]])
            if save_dir:
                for tag, x in (("a", xa), ("b", xb)):
                    sf.write(os.path.join(save_dir, f"{p['id']}_{tag}.wav"), np.clip(x, -1, 1).T, 44100, subtype="PCM_16")
        if p["measure"] == "classifier":
            fa, fb = p["families"]
            pa, pb = classify(xa), classify(xb)
            ma, mb = [pa[fa], pa[fb]], [pb[fa], pb[fb]]
            ok = pa[fa] > pb[fa] and pb[fb] > pa[fb]
        else:
            f = M.MEASURES[p["measure"]]
            ma, mb = f(xa), f(xb)
            ok = {"a<b": ma < mb, "a>b": ma > mb}[p["expect"]]
        res.append(dict(id=p["id"], category=p["category"], measure=p["measure"], a=ma, b=mb, correct=bool(ok)))
        by.setdefault(p["category"], []).append(ok)
    scored = [r["correct"] for r in res if "correct" in r]
    summary = dict(accuracy=float(np.mean(scored)) if scored else None, scored=len(scored),
                   per_category={k: float(np.mean(v)) for k, v in by.items()}, target=0.9)
    return summary, res


def eval_family(gen, classify, corpus, per_family=2):
    """Top-1 family accuracy of generated clips for held-out (eval split) captions."""
    from models.training.common import read_meta
    metas, seen = [], {}
    for m in read_meta(corpus, "eval"):
        if seen.get(m["family"], 0) < per_family:
            seen[m["family"]] = seen.get(m["family"], 0) + 1
            metas.append(m)
    hits, det = [], []
    for i in range(0, len(metas), 4):
        chunk = metas[i:i + 4]
        xs = gen([m["caption"] for m in chunk], [m["seconds_total"] for m in chunk])
        for m, x in zip(chunk, xs):
            pr = classify(x)
            top = max(pr, key=pr.get)
            hits.append(top == m["family"])
            det.append(dict(id=m["id"], family=m["family"], predicted=top, caption=m["caption"]))
    return dict(top1=float(np.mean(hits)), clips=len(hits), target=0.8), det


def eval_length(gen):
    prompts = ["long and steady tone from a sine oscillator", "hiss of pink noise, long and steady",
               "wind, gentle gusts", "motor of a car idling", "sound of heavy rain", "buzz of electric mains"]
    out = []
    for req in (1.0, 2.5, 4.0, 5.5):
        xs = gen(prompts, [req] * len(prompts))
        for p, x in zip(prompts, xs):
            out.append(dict(prompt=p, requested=req, active_end=M.active_end(x),
                            ratio=M.active_end(x) / req))
    ratios = [o["ratio"] for o in out]
    return dict(frac_ge_95=float(np.mean([r >= 0.95 for r in ratios])), mean_ratio=float(np.mean(ratios)),
                target="every sustained sound active to >= 95% of the requested length"), out


def eval_vae(model, corpus, n=64):
    import auraloss
    from models.training.common import load_clip, read_meta
    metas = read_meta(corpus, "eval")[:n]
    mr = auraloss.freq.MultiResolutionSTFTLoss()  # auraloss defaults
    pt = model.pretransform
    ratio = pt.downsampling_ratio
    d, nan, dc, bw = [], 0, [], []
    with torch.no_grad():
        for m in metas:
            nsmp = int(round(m["seconds_total"] * 44100))
            L = -(-nsmp // ratio) * ratio
            x = torch.from_numpy(load_clip(corpus, m, 0, L))[None]
            y = pt.decode(pt.encode(x))[:, :, :L]
            nan += int(not torch.isfinite(y).all())
            d.append(float(mr(y, x)))
            dc.append(M.rms_dc(y[0].numpy()))
            bw.append((M.bandwidth_hz(x[0].numpy()), M.bandwidth_hz(y[0].numpy())))
    src_hi = [b for b in bw if b[0] > 16000]
    return dict(mrstft_mean=float(np.mean(d)), target_mrstft=1.25, clips=len(d), nan_clips=nan,
                max_abs_dc=float(np.max(dc)),
                bandwidth_kept_above_16k=(float(np.mean([b[1] > 16000 for b in src_hi])) if src_hi else None))


def _via_pcm16(path, x):
    """Write x as 16-bit WAV and return what reads back. Every FD-mel set goes through the same 16-bit WAV as the
    corpus: the log-mel floor (1e-5 on an unnormalised STFT) is low enough that sub-LSB tails and fades, present in
    float audio and zero in 16-bit files, would otherwise shift the per-band std features."""
    sf.write(path, np.clip(np.asarray(x, dtype=np.float32), -1, 1).T, 44100, subtype="PCM_16")
    return sf.read(path, dtype="float32", always_2d=True)[0].T


def eval_fdmel(gen, corpus, out, n=100, seeds=(1001, 1002), corpus_seed=1234, wav_dir=None, batch=4):
    """Set-level bar: FD-mel(generated, reference A) <= 2 x FD-mel(reference A, reference B).

    The first n eval clips (id order) are re-rendered twice with the same attributes and fresh signal randomness
    (models/training/corpus/render.py rerender, fresh seeds `seeds`); the model generates each clip's caption at the
    clip's seconds_total. FD-mel = Frechet distance of Gaussian fits to measures.fdmel_embedding (256-D: per-band
    mean and std over frames of a 128-band log-mel, n_fft 2048, hop 512, of the mono mix)."""
    from models.training.common import read_meta
    from models.training.corpus.render import rerender
    metas = read_meta(corpus, "eval")[:n]
    emb = {k: [] for k in ("ref_a", "ref_b", "gen")}
    dirs = {k: os.path.join(out, "fdmel", k) for k in emb}
    for d in dirs.values():
        os.makedirs(d, exist_ok=True)
    not_same, t0 = [], time.time()
    for m in metas:
        for tag, seed in zip(("ref_a", "ref_b"), seeds):
            _, x, check = rerender(m, seed, corpus_seed)
            if not check["same_attributes"] or not check["caption"]:
                not_same.append(dict(id=m["id"], ref=tag, check=check))
            emb[tag].append(M.fdmel_embedding(_via_pcm16(os.path.join(dirs[tag], f"{m['id']}.wav"), x)))
    t_ref = time.time() - t0
    for i in range(0, len(metas), batch):
        chunk = metas[i:i + batch]
        if wav_dir:
            xs = [sf.read(os.path.join(wav_dir, f"fdmel_{m['id']}.wav"), always_2d=True)[0].T for m in chunk]
        else:
            # a new sampler seed per call (--seed + call index): one seed for every call would give the whole
            # set the same initial noise
            xs = gen([m["caption"] for m in chunk], [m["seconds_total"] for m in chunk], seed_offset=i // batch)
        for m, x in zip(chunk, xs):
            emb["gen"].append(M.fdmel_embedding(_via_pcm16(os.path.join(dirs["gen"], f"{m['id']}.wav"), x)))
        print(f"fdmel generated {i + len(chunk)}/{len(metas)} ({time.time() - t0:.0f}s)", flush=True)
    # context for reading the numbers: the stored corpus renders of the same clips, and of the next n eval clips
    # (other prompts, same distribution)
    from models.training.common import load_clip
    all_eval = read_meta(corpus, "eval")
    # every set is embedded over exactly seconds_total (clips shorter than 0.3 s are stored shorter than that)
    clip = lambda m: load_clip(corpus, m, 0, int(round(m["seconds_total"] * 44100)))
    emb["original"] = [M.fdmel_embedding(clip(m)) for m in metas]
    emb["other_clips"] = [M.fdmel_embedding(clip(m)) for m in all_eval[n:2 * n]]
    E = {k: np.stack(v) for k, v in emb.items()}
    np.savez(os.path.join(out, "fdmel_embeddings.npz"), ids=np.array([m["id"] for m in metas]), **E)
    fd_ref = M.frechet_distance(E["ref_a"], E["ref_b"])
    fd_gen = M.frechet_distance(E["gen"], E["ref_a"])
    res = dict(n=len(metas), fd_ref_a_ref_b=fd_ref, fd_gen_ref_a=fd_gen,
               fd_gen_ref_b=M.frechet_distance(E["gen"], E["ref_b"]), ratio=fd_gen / max(fd_ref, 1e-12),
               fd_ref_a_original=M.frechet_distance(E["ref_a"], E["original"]),
               fd_original_other_clips=M.frechet_distance(E["original"], E["other_clips"]),
               target_ratio=2.0, passed=bool(fd_gen <= 2.0 * fd_ref), seeds=list(seeds), corpus_seed=corpus_seed,
               clips=f"first {len(metas)} clips of eval.jsonl (id order)", reference_render_s=round(t_ref, 1),
               references_with_other_attributes=len(not_same),
               features="fdmel_embedding: mean+std over frames of ln(mel128 + 1e-5), n_fft 2048, hop 512, mono mix")
    return res, not_same


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="/work/checkpoints/export")
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--out", default="/tmp/eval-default-model")
    ap.add_argument("--wav-dir", default=None)
    ap.add_argument("--clap", default=None, help="folder of the bundled sfx-clap-mini export (family classifier)")
    ap.add_argument("--sections", default="pairs,family,length,vae,fdmel")
    ap.add_argument("--fdmel-n", type=int, default=100, help="FD-mel: number of eval clips (first N in id order)")
    ap.add_argument("--fdmel-seeds", default="1001,1002", help="FD-mel: fresh seeds of reference A and B")
    ap.add_argument("--fdmel-batch", type=int, default=4, help="FD-mel: prompts per generation call")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--cfg", type=float, default=6.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-pairs", type=int, default=0, help="score only the first N pairs of each category (smoke runs)")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)
    sections = a.sections.split(",")
    gen, model, cfg = gen_fn(a.model, a.steps, a.cfg, a.seed)
    classify = load_classifier(a.clap)
    results = dict(command=" ".join(sys.argv), model=a.model, steps=a.steps, cfg=a.cfg, sampler="dpmpp-2m",
                   time=time.strftime("%Y-%m-%d %H:%M:%S"))
    if "pairs" in sections:
        with open(os.path.join(HERE, "contrast_pairs.json")) as f:
            pairs = json.load(f)
        if a.max_pairs:
            pairs = [p for p in pairs if int(p["id"].rsplit("_", 1)[1]) < a.max_pairs]
        wav_out = os.path.join(a.out, "pairs")
        os.makedirs(wav_out, exist_ok=True)
        results["pairs"], results["pairs_detail"] = eval_pairs(pairs, gen, a.wav_dir, wav_out, classify)
        print("pairs", json.dumps(results["pairs"]), flush=True)
    if "family" in sections and classify is not None:
        results["family"], results["family_detail"] = eval_family(gen, classify, a.corpus)
        print("family", json.dumps(results["family"]), flush=True)
    if "length" in sections:
        results["length"], results["length_detail"] = eval_length(gen)
        print("length", json.dumps(results["length"]), flush=True)
    if "vae" in sections:
        results["vae"] = eval_vae(model, a.corpus)
        print("vae", json.dumps(results["vae"]), flush=True)
    if "fdmel" in sections:
        seeds = tuple(int(v) for v in a.fdmel_seeds.split(","))
        results["fdmel"], results["fdmel_detail"] = eval_fdmel(gen, a.corpus, a.out, a.fdmel_n, seeds,
                                                               wav_dir=a.wav_dir, batch=a.fdmel_batch)
        print("fdmel", json.dumps(results["fdmel"]), flush=True)
    results["not_evaluated"] = ([] if "fdmel" in sections else ["FD-mel set level"]) + \
        ([] if classify else ["family accuracy", "family pairs"])
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
