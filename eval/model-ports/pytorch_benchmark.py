#!/usr/bin/env python3
"""PyTorch half of the full-size side-by-side benchmark and parity check (issue 3, "Performance").

Builds the full-size SA1 U-Net, SAO DiT and SAO Oobleck VAE with stable-audio-tools (SAT) 0.0.19's own classes,
random weights perturbed away from their init, writes them as SAT model folders, writes fixed inputs, then times
one forward of each in PyTorch CPU eager (fp32, 2 threads) and saves the outputs for a parity check against the
Swift port. Not part of CI.

    /work/venv-ref/bin/python eval/model-ports/pytorch_benchmark.py export     # model folders (~10 GB, a few min)
    /work/venv-ref/bin/python eval/model-ports/pytorch_benchmark.py inputs     # inputs.safetensors
    /work/venv-ref/bin/python eval/model-ports/pytorch_benchmark.py run [--repeat 3] [--pause-pidfiles ...]

Everything big goes to --out (default /work/bench-models, outside the repository; never commit weights):

    sa1_unet/   model_config.json + model.safetensors  SA1 U-Net (adp_cfg_1d) + DAC VAE + int timing conditioners
    sao_dit/    model_config.json + model.safetensors  SAO DiT + Oobleck VAE + number timing conditioners
    sao_vae/    model_config.json + model.safetensors  the SAO Oobleck VAE alone (model_type "autoencoder");
                                                       the same weights as sao_dit's pretransform.model.*
    inputs.safetensors, torch_outputs.safetensors
and `run` writes eval/model-ports/pytorch_results.json. See eval/model-ports/README.md for the tensor names.

The prompt conditioner (T5 for SAO, CLAP for SA1) is never in a SAT checkpoint and cannot be built offline. The
configs keep a "t5" prompt entry (t5-base, dim 768 = cond_dim, so SAT's proj_out is Identity and has no weights);
for SA1 the CLAP entry is replaced by t5-base with max_length 77, so that the cross-attention context is still
77 + 1 + 1 = 79 tokens (= context_embedding_max_length). Benchmarks feed precomputed conditioning tensors.
To build the whole SAT model (create_model_from_config) for the strict-load check, T5's two from_pretrained calls
are redirected to inert stand-ins (nothing of T5 is run or stored).
"""

import argparse
import contextlib
import datetime
import gc
import json
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Thread counts must be in the environment before torch (and satref, which only uses setdefault) is imported.
THREADS = 2
os.environ["OMP_NUM_THREADS"] = str(THREADS)
os.environ["MKL_NUM_THREADS"] = str(THREADS)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "Fixtures"))
import satref  # noqa: E402  (inert stand-ins for unused imports, fp32, no flash_attn)

import torch  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

torch.set_num_threads(THREADS)          # satref pins 1 thread for the fixtures; every subcommand here uses 2
torch.set_num_interop_threads(1)

GENERATOR = "eval/model-ports/pytorch_benchmark.py"
SEED = 20261121
DEFAULT_OUT = Path(os.environ.get("BENCH_MODELS", "/work/bench-models"))
RESULTS = HERE / "pytorch_results.json"

# Perturbation of SAT's random init (see satref.perturb_): Snake log-alpha/beta +0.25*N (DAC's linear alpha
# x exp(0.25*N)), weight-norm gains x(1 + 0.1*N), every other parameter +0.02*N.
PERTURB = dict(snake_scale=0.25, g_scale=0.1, w_scale=0.02)

MODELS = ("sa1_unet", "sao_dit", "sao_vae")
BENCHES = ("unet", "dit", "vae")          # unet -> sa1_unet, dit -> sao_dit, vae -> sao_vae
BENCH_FOLDER = {"unet": "sa1_unet", "dit": "sao_dit", "vae": "sao_vae"}

# Inputs (see `inputs`): U-Net / DiT on 1024 latent frames, batch 2; Oobleck decoder on 10 s at 44.1 kHz.
LATENT_FRAMES = 1024
VAE_LATENTS = 216          # ceil(10 s * 44100 / 2048) = ceil(215.33); 216 * 2048 = 442,368 samples
T_VALUES = [0.3, 0.7]
UNET_PROMPT_TOKENS = [20, 45]        # valid T5-style prompt tokens per batch item (of 77); + 2 timing tokens
DIT_PROMPT_TOKENS = [12, 57]         # of 128; + 2 timing tokens


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def stats(t):
    t = t.detach().double()
    return {"shape": list(t.shape), "mean": float(t.mean()), "std": float(t.std()), "max_abs": float(t.abs().max()),
            "finite": bool(torch.isfinite(t).all())}


def fmt_stats(s):
    return (f"{str(tuple(s['shape'])):18s} mean {s['mean']:+.4f} std {s['std']:.4f} max|.| {s['max_abs']:.4f}"
            + ("" if s["finite"] else "  NOT FINITE"))


def load_config(name):
    return json.loads((HERE / "configs" / name).read_text())


def folder_configs():
    """The three model_config.json files written to the model folders."""
    sa1 = load_config("stable_audio_1_0.json")
    conds = sa1["model"]["conditioning"]["configs"]
    assert conds[0]["id"] == "prompt" and conds[0]["type"] == "clap_text"
    # CLAP cannot be built offline and is not in the checkpoint; t5-base (768 = cond_dim, no proj_out weights) with
    # 77 tokens keeps the U-Net's 79-token context (77 prompt + seconds_start + seconds_total).
    conds[0] = {"id": "prompt", "type": "t5", "config": {"t5_model_name": "t5-base", "max_length": 77}}
    return {"sa1_unet": sa1, "sao_dit": load_config("stable_audio_open_1_0.json"),
            "sao_vae": load_config("stable_audio_open_1_0_vae.json")}


@contextlib.contextmanager
def t5_stand_in():
    """SAT's T5Conditioner.__init__ calls AutoTokenizer/T5EncoderModel.from_pretrained("t5-base"), which needs the
    network. The T5 is kept out of the conditioner's state_dict and never runs here, so give it inert objects."""
    import transformers
    orig_tok, orig_model = transformers.AutoTokenizer.from_pretrained, transformers.T5EncoderModel.from_pretrained
    transformers.AutoTokenizer.from_pretrained = lambda *a, **k: None
    transformers.T5EncoderModel.from_pretrained = lambda *a, **k: torch.nn.Identity()
    try:
        yield
    finally:
        transformers.AutoTokenizer.from_pretrained = orig_tok
        transformers.T5EncoderModel.from_pretrained = orig_model


# ------------------------------------------------------------------------------------------------------------------
# export
# ------------------------------------------------------------------------------------------------------------------

def build_unet(cfg, seed):
    from stable_audio_tools.models.diffusion import UNetCFG1DWrapper
    torch.manual_seed(seed)
    w = UNetCFG1DWrapper(**cfg["model"]["diffusion"]["config"]).eval()    # SAT halves every parameter here
    satref.perturb_(w, seed + 1, **PERTURB)
    return w


def build_dit(cfg, seed):
    from stable_audio_tools.models.diffusion import DiTWrapper
    d = cfg["model"]["diffusion"]
    torch.manual_seed(seed)
    w = DiTWrapper(diffusion_objective=d.get("diffusion_objective", "v"), **d["config"]).eval()
    satref.perturb_(w, seed + 1, **PERTURB)
    return w


def build_autoencoder(ae_model_cfg, sample_rate, seed):
    from stable_audio_tools.models.autoencoders import create_autoencoder_from_config
    torch.manual_seed(seed)
    ae = create_autoencoder_from_config({"sample_rate": sample_rate, "model": ae_model_cfg}).eval()
    satref.perturb_(ae, seed + 1, **PERTURB)
    return ae


def build_timing_conditioner(c, cond_dim, seed):
    from stable_audio_tools.models.conditioners import IntConditioner, NumberConditioner
    torch.manual_seed(seed)
    cls = {"int": IntConditioner, "number": NumberConditioner}[c["type"]]
    m = cls(**{"output_dim": cond_dim, **c["config"]}).eval()
    satref.perturb_(m, seed + 1, **PERTURB)
    return m


SEEDS = {"sa1_unet": {"backbone": SEED + 1000, "pretransform": SEED + 1100, "conditioners": SEED + 1200},
         # sao_dit's pretransform and sao_vae use the same seed: identical Oobleck weights.
         "sao_dit": {"backbone": SEED + 2000, "pretransform": SEED + 2100, "conditioners": SEED + 2200},
         "sao_vae": {"pretransform": SEED + 2100}}


def prefixed(prefix, module):
    return {prefix + k: v.detach().to(torch.float32).contiguous() for k, v in module.state_dict().items()}


def quick_check(name, module_fn):
    """A small forward right after building, to catch exploding or non-finite activations early."""
    with torch.inference_mode():
        out = module_fn()
    s = stats(out)
    log(f"    quick check {name:28s} {fmt_stats(s)}")
    if not s["finite"] or s["max_abs"] > 1e4:
        raise SystemExit(f"{name}: output not finite or exploding ({s})")
    return s


def export_model(name, config, out_dir):
    t0 = time.time()
    seeds = SEEDS[name]
    sd, checks, counts = {}, {}, {}
    g = torch.Generator().manual_seed(SEED + 9)
    if name == "sao_vae":
        ae = build_autoencoder(config["model"], config["sample_rate"], seeds["pretransform"])
        lat = torch.randn((1, 64, 16), generator=g)
        checks["decode_16_latents"] = quick_check("Oobleck decode (16 latents)", lambda: ae.decode(lat))
        counts["autoencoder"] = sum(p.numel() for p in ae.parameters())
        sd.update(prefixed("", ae))        # model_type "autoencoder": AudioAutoencoder.state_dict() keys as they are
        del ae
    else:
        m = config["model"]
        diff = m["diffusion"]
        if diff["type"] == "adp_cfg_1d":
            w = build_unet(config, seeds["backbone"])
            c = diff["config"]
            x = torch.randn((1, c["in_channels"], 128), generator=g)
            emb = torch.randn((1, c["context_embedding_max_length"], c["context_embedding_features"]), generator=g)
            checks["unet_128_frames"] = quick_check("U-Net (batch 1, 128 frames)",
                                                    lambda: w(x, torch.tensor([0.5]), cross_attn_cond=emb))
        else:
            w = build_dit(config, seeds["backbone"])
            c = diff["config"]
            x = torch.randn((1, c["io_channels"], 64), generator=g)
            ctx = torch.randn((1, 130, c["cond_token_dim"]), generator=g) * 0.5
            glob = torch.randn((1, c["global_cond_dim"]), generator=g)
            checks["dit_64_frames"] = quick_check("DiT (batch 1, 64 frames)",
                                                  lambda: w(x, torch.tensor([0.5]), cross_attn_cond=ctx,
                                                            global_cond=glob))
        counts["model.model"] = sum(p.numel() for p in w.model.parameters())
        sd.update(prefixed("model.model.", w.model))
        del w
        gc.collect()
        ae = build_autoencoder(m["pretransform"]["config"], config["sample_rate"], seeds["pretransform"])
        lat = torch.randn((1, m["pretransform"]["config"]["latent_dim"], 16), generator=g)
        checks["decode_16_latents"] = quick_check("pretransform decode (16 latents)", lambda: ae.decode(lat))
        counts["pretransform.model"] = sum(p.numel() for p in ae.parameters())
        sd.update(prefixed("pretransform.model.", ae))
        del ae
        cond_dim = m["conditioning"]["cond_dim"]
        for i, c in enumerate(m["conditioning"]["configs"]):
            if c["type"] in ("t5", "t5_local", "clap_text"):
                continue        # text encoder: not in a SAT checkpoint (proj_out is Identity: dim == cond_dim)
            cm = build_timing_conditioner(c, cond_dim, seeds["conditioners"] + 10 * i)
            counts[f"conditioner.conditioners.{c['id']}"] = sum(p.numel() for p in cm.parameters())
            sd.update(prefixed(f"conditioner.conditioners.{c['id']}.", cm))
            del cm
    folder = out_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model_config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    meta = {"format": "pt", "generator": GENERATOR, "seeds": json.dumps(seeds, sort_keys=True),
            "perturbation": json.dumps(PERTURB, sort_keys=True), "versions": json.dumps(satref.versions(),
                                                                                         sort_keys=True)}
    save_file(sd, str(folder / "model.safetensors"), metadata=meta)
    n = sum(v.numel() for v in sd.values())
    del sd
    gc.collect()
    log(f"  {name}: {n:,d} stored values, {(folder / 'model.safetensors').stat().st_size / 2**30:.2f} GiB, "
        f"{time.time() - t0:.0f} s; parameters {json.dumps(counts)}")
    return {"parameters": counts, "stored_values": n, "quick_checks": checks}


def cmd_export(args):
    args.out.mkdir(parents=True, exist_ok=True)
    configs = folder_configs()
    summary_path = args.out / "export_summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    for name in args.models:
        log(f"export {name}")
        summary[name] = export_model(name, configs[name], args.out)
        gc.collect()
        summary_path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")


# ------------------------------------------------------------------------------------------------------------------
# inputs
# ------------------------------------------------------------------------------------------------------------------

def make_inputs():
    g = torch.Generator().manual_seed(SEED + 3000)

    def randn(*shape, scale=1.0):
        return torch.randn(shape, generator=g, dtype=torch.float32) * scale

    def mask(valid, prompt_len):
        # prompt tokens (valid ones first, the rest padding) followed by two always-valid timing tokens
        return torch.tensor([[1.0] * n + [0.0] * (prompt_len - n) + [1.0, 1.0] for n in valid])

    t = torch.tensor(T_VALUES, dtype=torch.float32)
    unet_mask = mask(UNET_PROMPT_TOKENS, 77)
    dit_mask = mask(DIT_PROMPT_TOKENS, 128)
    return {
        "unet.x": randn(2, 64, LATENT_FRAMES),
        "unet.t": t.clone(),
        # padded prompt rows are exact zeros, as SAT's text conditioners return them
        "unet.embedding": randn(2, 79, 768, scale=0.5) * unet_mask[..., None],
        "unet.embedding_mask": unet_mask,
        "dit.x": randn(2, 64, LATENT_FRAMES),
        "dit.t": t.clone(),
        "dit.cross_attn_cond": randn(2, 130, 768, scale=0.5) * dit_mask[..., None],
        "dit.cross_attn_mask": dit_mask,
        "dit.global_cond": randn(2, 1536),
        "vae.latents": randn(1, 64, VAE_LATENTS),
    }


INPUTS_NOTE = ("All F32. unet.*: UNetCFG1DWrapper(x, t, cross_attn_cond=embedding, cross_attn_mask="
               "embedding_mask.bool()); the mask is 0/1 here, SAT passes bool. Context = 77 prompt tokens (valid: "
               f"{UNET_PROMPT_TOKENS}, padded rows zero) + seconds_start + seconds_total. dit.*: DiTWrapper(x, t, "
               "cross_attn_cond, global_cond); SAT's DiT ignores cross_attn_mask (stored for completeness). Context = "
               f"128 prompt tokens (valid: {DIT_PROMPT_TOKENS}) + 2 timing tokens. vae.latents: AudioAutoencoder."
               f"decode, {VAE_LATENTS} latents = {VAE_LATENTS * 2048} samples (10 s at 44.1 kHz rounded up).")


def cmd_inputs(args):
    args.out.mkdir(parents=True, exist_ok=True)
    tensors = make_inputs()
    path = args.out / "inputs.safetensors"
    satref.save_safetensors_deterministic(tensors, path, {"generator": GENERATOR, "seed": str(SEED + 3000),
                                                          "note": INPUTS_NOTE})
    for k, v in tensors.items():
        log(f"  {k:22s} {fmt_stats(stats(v))}")
    log(f"wrote {path}")


# ------------------------------------------------------------------------------------------------------------------
# run
# ------------------------------------------------------------------------------------------------------------------

def rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024


def hwm_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024


def reset_hwm():
    """Reset the process's peak-RSS mark (Linux >= 4.0), so VmHWM covers only what follows."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def load_strict(model, path):
    """Strict load, as SAT's load_state_dict(strict=True) (same key set, same shapes), copying one tensor at a time
    so the checkpoint is never held twice in memory."""
    target = model.state_dict()
    with safe_open(str(path), framework="pt") as f:
        keys = set(f.keys())
        missing, unexpected = sorted(set(target) - keys), sorted(keys - set(target))
        if missing or unexpected:
            raise SystemExit(f"{path}: strict load failed: missing {missing[:5]}…({len(missing)}), "
                             f"unexpected {unexpected[:5]}…({len(unexpected)})")
        with torch.no_grad():
            for k in sorted(keys):
                t = f.get_tensor(k)
                if t.shape != target[k].shape or t.dtype != torch.float32:
                    raise SystemExit(f"{path}: {k}: {t.dtype} {tuple(t.shape)}, expected float32 "
                                     f"{tuple(target[k].shape)}")
                target[k].copy_(t)
    return len(keys)


def load_folder(folder):
    from stable_audio_tools.models.factory import create_model_from_config
    config = json.loads((folder / "model_config.json").read_text())
    with t5_stand_in():
        torch.manual_seed(0)
        model = create_model_from_config(config).eval()
    n = load_strict(model, folder / "model.safetensors")
    return model, n


def read_inputs(path):
    with safe_open(str(path), framework="pt") as f:
        return {k: f.get_tensor(k) for k in f.keys()}


def pause(pids, sig):
    done = []
    for pid in pids:
        try:
            os.kill(pid, sig)
            done.append(pid)
        except ProcessLookupError:
            pass
    return done


def pids_from(patterns, match):
    """PIDs named in the files matching the glob patterns (expanded now: jobs that restart write new files), kept
    only if the process is alive and its command line contains `match` (guards against stale files / PID reuse)."""
    import glob
    out = []
    for pattern in patterns:
        for p in sorted(glob.glob(pattern)):
            try:
                pid = int(Path(p).read_text().split()[0])
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except (OSError, ValueError, IndexError):
                continue
            if match in cmdline and pid not in out and pid != os.getpid():
                out.append(pid)
    return out


def busiest_processes(n=8):
    try:
        ps = subprocess.run(["ps", "-eo", "pid,ni,stat,pcpu,rss,comm", "--sort=-pcpu"], capture_output=True,
                            text=True, timeout=10).stdout.splitlines()
        return ps[: n + 1]
    except Exception as e:  # noqa: BLE001
        return [f"ps failed: {e}"]


def cpu_busy_fraction(seconds=1.0):
    """Fraction of all CPUs busy over `seconds`, from /proc/stat (everything except idle + iowait)."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]
    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    return 1.0 - (i1 - i0) / max(1, t1 - t0)


def proc_stat():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), sum(v) - v[3] - v[4]          # all jiffies, busy jiffies (not idle/iowait)


def own_cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(call):
    """Wall seconds of call(), and the share of the machine's CPU time that other processes used meanwhile."""
    hz = os.sysconf("SC_CLK_TCK")
    (all0, busy0), own0 = proc_stat(), own_cpu_seconds()
    t0 = time.perf_counter()
    out = call()
    dt = time.perf_counter() - t0
    (all1, busy1), own1 = proc_stat(), own_cpu_seconds()
    total = (all1 - all0) / hz
    other = max(0.0, (busy1 - busy0) / hz - (own1 - own0))
    return out, dt, (other / total if total > 0 else None), (own1 - own0) / dt


def run_one(bench, args):
    """Child process: load one model folder, time one forward, write outputs and a JSON result."""
    torch.use_deterministic_algorithms(False)     # PyTorch's default; satref turns it on for fixtures
    t_load = time.time()
    folder = args.out / BENCH_FOLDER[bench]
    model, n_keys = load_folder(folder)
    load_s = time.time() - t_load
    inputs = read_inputs(args.out / "inputs.safetensors")
    if bench == "unet":
        w = model.model
        x, t, emb = inputs["unet.x"], inputs["unet.t"], inputs["unet.embedding"]
        mask = inputs["unet.embedding_mask"].bool()
        call = lambda: w(x, t, cross_attn_cond=emb, cross_attn_mask=mask)  # noqa: E731
        call_doc = "UNetCFG1DWrapper.forward(x, t, cross_attn_cond=embedding, cross_attn_mask=embedding_mask.bool())"
        out_name = "unet.out"
    elif bench == "dit":
        w = model.model
        x, t = inputs["dit.x"], inputs["dit.t"]
        ctx, glob = inputs["dit.cross_attn_cond"], inputs["dit.global_cond"]
        call = lambda: w(x, t, cross_attn_cond=ctx, global_cond=glob)  # noqa: E731
        call_doc = "DiTWrapper.forward(x, t, cross_attn_cond=cross_attn_cond, global_cond=global_cond)"
        out_name = "dit.out"
    else:
        lat = inputs["vae.latents"]
        call = lambda: model.decode(lat)  # noqa: E731
        call_doc = "AudioAutoencoder.decode(latents)  (VAE bottleneck decode = identity, then the Oobleck decoder)"
        out_name = "vae.audio"
    del inputs
    gc.collect()
    rss_loaded = rss_mib()
    hwm_reset = reset_hwm()
    busy_before = cpu_busy_fraction(1.0)
    procs_before = busiest_processes()
    # Pause the listed jobs and check the machine is quiet; if something else is busy, resume them, retry in 15 s
    # (at most --wait-quiet seconds), then run anyway. The PIDs go to a file first so the parent can resume them
    # if this process dies.
    t_wait = time.time()
    while True:
        pids = pids_from(args.pause_pidfiles, args.pause_match)
        (args.child_out / f"{bench}.paused").write_text(" ".join(map(str, pids)))
        paused = pause(pids, signal.SIGSTOP)
        busy_at_start = cpu_busy_fraction(1.0)
        if busy_at_start <= args.quiet_threshold or time.time() - t_wait >= args.wait_quiet:
            break
        pause(paused, signal.SIGCONT)
        time.sleep(15)
    waited = round(time.time() - t_wait, 1)
    try:
        times, others, cores = [], [], []
        with torch.inference_mode():
            out, warm, _, _ = timed(call)
            for _ in range(args.repeat):
                out, dt, other, used = timed(call)
                times.append(dt)
                others.append(other)
                cores.append(used)
    finally:
        pause(paused, signal.SIGCONT)
    res = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "folder": str(folder), "call": call_doc, "output": out_name, "strict_load_keys": n_keys,
        "load_seconds": round(load_s, 2), "warmup_seconds": round(warm, 3),
        "seconds": [round(s, 3) for s in times], "median_seconds": round(statistics.median(times), 3),
        "rss_after_load_mib": round(rss_loaded), "peak_rss_during_runs_mib": round(hwm_mib()) if hwm_reset else None,
        "process_peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "output_stats": stats(out), "paused_pids": paused, "cpu_busy_before_pausing": round(busy_before, 3),
        "cpu_busy_at_start": round(busy_at_start, 3), "waited_for_quiet_seconds": waited,
        "other_processes_cpu_share": [None if o is None else round(o, 3) for o in others],
        "own_cores_used": [round(c, 2) for c in cores],
        "busiest_processes_before": procs_before,
    }
    satref.save_safetensors_deterministic({out_name: out.contiguous()}, args.child_out / f"{bench}.safetensors",
                                          {"generator": GENERATOR, "call": call_doc})
    (args.child_out / f"{bench}.json").write_text(json.dumps(res, indent=2))


def machine_info():
    cpu = platform.processor()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cfg = torch.__config__.show().splitlines()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": cpu, "logical_cpus": os.cpu_count(), "kernel": platform.release(),
        "python": sys.version.split()[0], "torch": torch.__version__, "versions": satref.versions(),
        "threads": THREADS, "interop_threads": 1, "dtype": "float32", "mode": "eager, torch.inference_mode()",
        "flash_attn": False,
        "mkldnn_available": torch.backends.mkldnn.is_available(), "mkl_available": torch.backends.mkl.is_available(),
        # torch.__config__.show() up to (not including) the long "Build settings" line: compiler, MKL, oneDNN,
        # OpenMP, CPU capability
        "torch_config": [l.strip() for l in cfg[:12] if l.strip() and "Build settings" not in l],
        "aten_parallel_backend": next((l.split(":", 1)[1].strip() for l in torch.__config__.parallel_info()
                                       .splitlines() if l.startswith("ATen parallel backend")), None),
    }


def cmd_run(args):
    import tempfile
    with tempfile.TemporaryDirectory(prefix="ptbench-") as tmp:
        tmp = Path(tmp)
        results = {}
        outputs = {}
        try:
            for bench in args.bench:
                log(f"run {bench} ({BENCH_FOLDER[bench]}): load, 1 warm-up, {args.repeat} timed")
                cmd = [sys.executable, __file__, "_run-one", bench, "--out", str(args.out), "--repeat",
                       str(args.repeat), "--child-out", str(tmp), "--wait-quiet", str(args.wait_quiet),
                       "--quiet-threshold", str(args.quiet_threshold), "--pause-match", args.pause_match,
                       "--pause-pidfiles", *args.pause_pidfiles]
                subprocess.run(cmd, check=True)
                r = json.loads((tmp / f"{bench}.json").read_text())
                results[bench] = r
                with safe_open(str(tmp / f"{bench}.safetensors"), framework="pt") as f:
                    outputs[r["output"]] = f.get_tensor(r["output"])
                log(f"  {bench}: median {r['median_seconds']:.2f} s {r['seconds']} (warm-up {r['warmup_seconds']:.2f} "
                    f"s), peak RSS {r['peak_rss_during_runs_mib']} MiB, other processes' CPU share "
                    f"{r['other_processes_cpu_share']}, output {fmt_stats(r['output_stats'])}")
        finally:
            # safety net for a child that died while they were stopped (normally the child resumes them itself)
            for f in tmp.glob("*.paused"):
                pause([int(p) for p in f.read_text().split()], signal.SIGCONT)
    # A run of some benchmarks only replaces those in the existing outputs / results files.
    out_path = args.out / "torch_outputs.safetensors"
    merged = {}
    if out_path.exists() and set(args.bench) != set(BENCHES):
        with safe_open(str(out_path), framework="pt") as f:
            merged = {k: f.get_tensor(k) for k in f.keys()}
    merged.update(outputs)
    calls = {}
    if RESULTS.exists() and set(args.bench) != set(BENCHES):
        old = json.loads(RESULTS.read_text())
        results = {**old.get("results", {}), **results}
    for r in results.values():
        calls[r["output"]] = r["call"]
    satref.save_safetensors_deterministic(merged, out_path, {
        "generator": GENERATOR, "inputs": "inputs.safetensors", "calls": json.dumps(calls, sort_keys=True)})
    log(f"wrote {out_path} ({', '.join(sorted(merged))})")
    results = {b: results[b] for b in BENCHES if b in results}
    doc = {"generator": GENERATOR, "command": " ".join([Path(sys.executable).name, *sys.argv]),
           "machine": machine_info(), "repeat": args.repeat, "results": results,
           "note": ("Times are wall seconds of one forward (median of the timed runs after one warm-up), PyTorch "
                    "CPU eager fp32. peak_rss_during_runs_mib = VmHWM reset after loading (weights + activations "
                    "during the runs); process_peak_rss_mib = ru_maxrss of the child (includes building the SAT "
                    "model with random init and the strict load). other_processes_cpu_share = fraction of the "
                    "machine's CPU time used by other processes during each timed run; own_cores_used = this "
                    "process's CPU seconds / wall seconds. A run of some benchmarks only replaces those entries "
                    "(each has its own 'date').")}
    if not args.no_json:
        RESULTS.write_text(json.dumps(doc, indent=2) + "\n")
        log(f"wrote {RESULTS}")
    print(f"\nPyTorch {torch.__version__} CPU eager fp32, {THREADS} threads, {machine_info()['cpu_model']}")
    print(f"{'benchmark':38s} {'median s':>9s} {'runs (s)':>26s} {'peak RSS MiB':>13s} {'others CPU':>10s}")
    labels = {"unet": "SA1 U-Net forward, B=2, 1024 frames", "dit": "SAO DiT forward, B=2, 1024 frames",
              "vae": "SAO Oobleck decode, 216 latents (10 s)"}
    for bench, r in results.items():
        print(f"{labels[bench]:38s} {r['median_seconds']:9.2f} {str(r['seconds']):>26s} "
              f"{str(r['peak_rss_during_runs_mib']):>13s} {max(o or 0 for o in r['other_processes_cpu_share']):>9.1%}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("export", help="write the SAT model folders")
    p.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    p = sub.add_parser("inputs", help="write inputs.safetensors")
    p = sub.add_parser("run", help="time the forwards, write torch_outputs.safetensors and pytorch_results.json")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--bench", nargs="+", choices=BENCHES, default=list(BENCHES))
    p.add_argument("--pause-pidfiles", nargs="*", default=[],
                   help="PID files (glob patterns, expanded when pausing; quote them) of processes to SIGSTOP during "
                        "each model's warm-up and timed runs (SIGCONT right after)")
    p.add_argument("--pause-match", default="models.training",
                   help="only pause a PID whose command line contains this (default: %(default)s)")
    p.add_argument("--no-json", action="store_true", help="do not (over)write pytorch_results.json")
    p.add_argument("--wait-quiet", type=float, default=120.0,
                   help="before the warm-up, wait up to this many seconds for the machine to be quiet (with the "
                        "--pause-pidfiles jobs paused)")
    p.add_argument("--quiet-threshold", type=float, default=0.1,
                   help="quiet = less than this fraction of all CPUs busy over one second")
    p = sub.add_parser("_run-one")
    p.add_argument("bench", choices=BENCHES)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--child-out", type=Path, required=True)
    p.add_argument("--pause-pidfiles", nargs="*", default=[])
    p.add_argument("--pause-match", default="models.training")
    p.add_argument("--wait-quiet", type=float, default=120.0)
    p.add_argument("--quiet-threshold", type=float, default=0.1)
    for p in sub.choices.values():
        p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for models, inputs, outputs")
    args = ap.parse_args()
    if args.cmd == "export":
        cmd_export(args)
    elif args.cmd == "inputs":
        cmd_inputs(args)
    elif args.cmd == "run":
        cmd_run(args)
    else:
        run_one(args.bench, args)


if __name__ == "__main__":
    main()
