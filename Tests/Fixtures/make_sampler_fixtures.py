#!/usr/bin/env python3
"""Parity fixtures for generation (issue 4): k-diffusion 0.1.1 schedules and samplers, SAT 0.0.19's sample_k /
v-ddim wrappers, and an end-to-end generate_diffusion_cond run on the tiny SAT model folders written by
make_model_fixtures.py. fp32, CPU, deterministic stand-in denoisers, injected noise. Output:
Tests/SASamplingTests/Resources/.

    /work/venv-ref/bin/python Tests/Fixtures/make_model_fixtures.py      # first (the e2e part loads its models)
    /work/venv-ref/bin/python Tests/Fixtures/make_sampler_fixtures.py

Parts: schedules, vdenoiser, samplers, sample_k, e2e. See Tests/Fixtures/README.md.
"""

import contextlib
import functools
import hashlib
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import satref  # noqa: E402
from satref import write_safetensors, versions  # noqa: E402

import torch  # noqa: E402
import k_diffusion as K  # noqa: E402
from k_diffusion import sampling as KS  # noqa: E402
from k_diffusion import utils as KU  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "SASamplingTests" / "Resources"
MODELS = ROOT / "Tests" / "SAModelsTests" / "Resources"
GENERATOR = "Tests/Fixtures/make_sampler_fixtures.py"
SEED = 20261122


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def randn(shape, seed, scale=1.0):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float32) * scale


def f32(t):
    return t.detach().to(torch.float32).contiguous()


def meta(seed, **extra):
    m = {"generator": GENERATOR, "seed": str(seed), "dtype": "float32", "device": "cpu",
         "layout": "in.* = inputs, out.* = outputs"}
    m.update(extra)
    return m


def tag(x):
    s = f"{x:g}".replace(".", "p").replace("-", "m").replace("+", "")
    return s


# ------------------------------------------------------------------------------------------------------------------
# Deterministic stand-ins
# ------------------------------------------------------------------------------------------------------------------

STANDIN_DENOISER_DOC = "D(x, sigma) = 0.9 * tanh(x) / sqrt(1 + sigma^2) + 0.1 * sin(x)   (elementwise; sigma per batch item)"


def standin_denoiser(x, sigma, **kwargs):
    s = KU.append_dims(sigma, x.ndim)
    return torch.tanh(x) * 0.9 / (1 + s ** 2) ** 0.5 + 0.1 * torch.sin(x)


STANDIN_V_DOC = ("v(x, t) = sin(pi*t/2) * x - cos(pi*t/2) * (0.7 * tanh(1.5 * x) + 0.05 * sin(3 * x))   "
                 "(elementwise; t per batch item; this plays SAT's model.model, called with t = atan(sigma)*2/pi)")


def standin_v_model(x, t, **kwargs):
    tt = KU.append_dims(t, x.ndim)
    a, s = torch.cos(tt * math.pi / 2), torch.sin(tt * math.pi / 2)
    return s * x - a * (0.7 * torch.tanh(1.5 * x) + 0.05 * torch.sin(3 * x))


class InjectedNoise:
    """noise_sampler(sigma, sigma_next) that hands out pre-drawn N(0,1) tensors in call order."""

    def __init__(self, shape, count, seed):
        self.noise = randn((count, *shape), seed)
        self.calls = []

    def __call__(self, sigma, sigma_next):
        i = len(self.calls)
        self.calls.append((float(sigma), float(sigma_next)))
        return self.noise[i]

    def check_all_used(self):
        assert len(self.calls) == self.noise.shape[0], (len(self.calls), self.noise.shape[0])


class Recorder:
    """k-diffusion callback: x entering each step and the denoised estimate."""

    def __init__(self):
        self.xs, self.denoised, self.sigmas = [], [], []

    def __call__(self, d):
        self.xs.append(d["x"].clone())
        self.denoised.append(d["denoised"].clone())
        self.sigmas.append(float(d["sigma"]) if torch.is_tensor(d["sigma"]) and d["sigma"].numel() == 1 else d["sigma"])


# ------------------------------------------------------------------------------------------------------------------
# Schedules
# ------------------------------------------------------------------------------------------------------------------

POLYEXP_CASES = [  # (steps, sigma_min, sigma_max, rho)
    (10, 0.01, 100.0, 1.0),     # generate_diffusion_cond / sample_k defaults
    (100, 0.01, 100.0, 1.0),    # gradio UI widgets
    (100, 0.3, 500.0, 1.0),     # SAO model card
    (250, 0.03, 1000.0, 1.0),   # gradio generate_cond signature defaults
    (8, 0.5, 50.0, 1.0),        # 0.0.16 sample_k defaults
    (25, 0.01, 100.0, 2.0),
    (25, 0.01, 100.0, 0.5),
    (2, 0.01, 100.0, 1.0),
    (1, 0.01, 100.0, 1.0),      # single step: [sigma_max, 0]
]
KARRAS_CASES = [(10, 0.01, 100.0, 7.0), (50, 0.3, 500.0, 7.0), (25, 0.03, 1000.0, 3.0), (1, 0.1, 10.0, 7.0)]


def part_schedules():
    log("schedules")
    tensors, cases = {}, {}
    for n, lo, hi, rho in POLYEXP_CASES:
        name = f"polyexponential_n{n}_min{tag(lo)}_max{tag(hi)}_rho{tag(rho)}"
        tensors[f"out.{name}"] = KS.get_sigmas_polyexponential(n, lo, hi, rho, device="cpu")
        cases[name] = {"fn": "get_sigmas_polyexponential", "n": n, "sigma_min": lo, "sigma_max": hi, "rho": rho}
    for n, lo, hi, rho in KARRAS_CASES:
        name = f"karras_n{n}_min{tag(lo)}_max{tag(hi)}_rho{tag(rho)}"
        tensors[f"out.{name}"] = KS.get_sigmas_karras(n, lo, hi, rho, device="cpu")
        cases[name] = {"fn": "get_sigmas_karras", "n": n, "sigma_min": lo, "sigma_max": hi, "rho": rho}
    for k, v in tensors.items():
        assert v.dtype == torch.float32 and v[-1] == 0
    write_safetensors(OUT / "schedules.safetensors", tensors, meta(
        0, cases=cases,
        note=("k_diffusion.sampling.get_sigmas_* (n+1 float32 values, last = 0). polyexponential: ramp = "
              "linspace(1, 0, n)**rho (float32); sigmas = exp(ramp * (ln(smax) - ln(smin)) + ln(smin)) with the logs "
              "taken in float64 (python math) and the product in float32. karras: ramp = linspace(0, 1, n); "
              "(smax^(1/rho) + ramp*(smin^(1/rho) - smax^(1/rho)))^rho. SAT's sample_k always uses "
              "polyexponential.")))


# ------------------------------------------------------------------------------------------------------------------
# VDenoiser scalings
# ------------------------------------------------------------------------------------------------------------------

def part_vdenoiser():
    log("vdenoiser")
    seed = SEED + 10
    sigmas = torch.tensor([0.0, 1e-4, 0.01, 0.03, 0.3, 1.0, 2.5, 10.0, 80.0, 100.0, 500.0, 1000.0])
    den = K.external.VDenoiser(standin_v_model)
    c_skip, c_out, c_in = den.get_scalings(sigmas)
    t = den.sigma_to_t(sigmas)
    back = den.t_to_sigma(t)
    x = randn((sigmas.numel(), 3, 5), seed)
    with torch.no_grad():
        denoised = den(x, sigmas)
    write_safetensors(OUT / "vdenoiser.safetensors", {
        "in.sigmas": sigmas, "out.c_skip": c_skip, "out.c_out": c_out, "out.c_in": c_in, "out.t": t,
        "out.t_to_sigma": back, "in.x": x, "out.denoised": f32(denoised)}, meta(
        seed, standin_v_model=STANDIN_V_DOC,
        note=("k_diffusion.external.VDenoiser (sigma_data = 1): c_skip = 1/(s^2+1), c_out = -s/sqrt(s^2+1), "
              "c_in = 1/sqrt(s^2+1), t = atan(s)/pi*2; out.t_to_sigma = tan(t*pi/2). out.denoised[i] = "
              "v(x[i]*c_in, t[i]) * c_out + x[i]*c_skip with the stand-in v model, one sigma per batch item.")))


# ------------------------------------------------------------------------------------------------------------------
# Raw k-diffusion samplers with the stand-in denoiser and injected SDE noise
# ------------------------------------------------------------------------------------------------------------------

SHAPE = (2, 4, 8)


def run_sampler(kind, sigmas, seed):
    noise0 = randn(SHAPE, seed)
    x = noise0 * sigmas[0]
    rec = Recorder()
    n_sde = int((sigmas[1:] > 0).sum())
    inj = InjectedNoise(SHAPE, n_sde, seed + 1) if kind != "dpmpp_2m" else None
    with torch.no_grad():
        if kind == "dpmpp_2m":
            out = KS.sample_dpmpp_2m(standin_denoiser, x, sigmas, callback=rec, disable=True)
        elif kind == "dpmpp_2m_sde":
            out = KS.sample_dpmpp_2m_sde(standin_denoiser, x, sigmas, callback=rec, disable=True, noise_sampler=inj)
        elif kind == "dpmpp_3m_sde":
            out = KS.sample_dpmpp_3m_sde(standin_denoiser, x, sigmas, callback=rec, disable=True, noise_sampler=inj)
        elif kind == "dpmpp_2m_sde_heun":
            out = KS.sample_dpmpp_2m_sde(standin_denoiser, x, sigmas, callback=rec, disable=True, noise_sampler=inj,
                                         solver_type="heun")
    if inj is not None:
        inj.check_all_used()
    t = {"in.noise": noise0, "in.sigmas": sigmas, "out.xs": torch.stack(rec.xs + [out]),
         "out.denoised": torch.stack(rec.denoised), "out.final": out}
    if inj is not None:
        t["in.sde_noise"] = inj.noise
    return t


def part_samplers():
    log("samplers (k-diffusion, stand-in denoiser)")
    seed = SEED + 20
    tensors, cases = {}, {}
    schedules = {
        "poly10": KS.get_sigmas_polyexponential(10, 0.03, 80.0, 1.0),
        "karras12": KS.get_sigmas_karras(12, 0.05, 50.0, 7.0),
    }
    runs = [("dpmpp_2m", "poly10"), ("dpmpp_2m_sde", "poly10"), ("dpmpp_3m_sde", "poly10"),
            ("dpmpp_2m", "karras12"), ("dpmpp_3m_sde", "karras12"), ("dpmpp_2m_sde_heun", "poly10")]
    for i, (kind, sched) in enumerate(runs):
        name = f"{kind}.{sched}"
        t = run_sampler(kind, schedules[sched], seed + 10 * i)
        for k, v in t.items():
            tensors[f"{k.split('.')[0]}.{name}.{k.split('.', 1)[1]}"] = f32(v)
        cases[name] = {"sampler": kind, "schedule": sched, "steps": int(schedules[sched].numel() - 1),
                       "eta": 1.0 if "sde" in kind else None, "s_noise": 1.0 if "sde" in kind else None,
                       "solver_type": "heun" if kind.endswith("heun") else ("midpoint" if "2m_sde" in kind else None)}
        log(f"    {name:28s} final mean {t['out.final'].mean():+.5f} std {t['out.final'].std():.5f}")
    write_safetensors(OUT / "samplers.safetensors", tensors, meta(
        seed, cases=cases, standin_denoiser=STANDIN_DENOISER_DOC,
        schedules={"poly10": "get_sigmas_polyexponential(10, 0.03, 80, 1)", "karras12": "get_sigmas_karras(12, 0.05, 50, 7)"},
        note=("k_diffusion.sampling.sample_<sampler>(D, x = in.<case>.noise * sigmas[0], in.<case>.sigmas) with the "
              "stand-in denoiser D (a plain x0-predictor, no VDenoiser). out.<case>.xs[i] = x entering step i "
              "(callback), xs[N] = final; out.<case>.denoised[i] = D(xs[i], sigmas[i]). SDE samplers take "
              "in.<case>.sde_noise[j] for their j-th noise_sampler(sigma_i, sigma_{i+1}) call (one per step with "
              "sigma_{i+1} > 0, i.e. N-1 calls); eta = s_noise = 1.")))


# ------------------------------------------------------------------------------------------------------------------
# SAT's sample_k / v-ddim with a stand-in v model
# ------------------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def inject_sde_noise(noise_sampler):
    """SAT's sample_k calls k-diffusion's SDE samplers without a noise_sampler (-> torchsde Brownian tree).
    Rebind them so the same call uses pre-drawn noise; nothing else changes."""
    orig = {n: getattr(KS, n) for n in ("sample_dpmpp_2m_sde", "sample_dpmpp_3m_sde")}
    for n, f in orig.items():
        setattr(KS, n, functools.partial(f, noise_sampler=noise_sampler))
    try:
        yield
    finally:
        for n, f in orig.items():
            setattr(KS, n, f)


def part_sample_k():
    from stable_audio_tools.inference.sampling import sample_k
    log("sample_k (SAT) with stand-in v model")
    seed = SEED + 30
    steps, smin, smax, rho = 10, 0.03, 80.0, 1.0
    tensors, cases = {}, {}
    noise = randn(SHAPE, seed)
    init = randn(SHAPE, seed + 1, 0.5)
    runs = {
        "dpmpp-2m": dict(sampler_type="dpmpp-2m"),
        "dpmpp-2m-sde": dict(sampler_type="dpmpp-2m-sde"),
        "dpmpp-3m-sde": dict(sampler_type="dpmpp-3m-sde"),
        "v-ddim": dict(sampler_type="v-ddim"),
        "dpmpp-2m-init": dict(sampler_type="dpmpp-2m", init_data=init, sigma_max=5.0),
    }
    tensors["in.noise"] = noise
    tensors["in.init_data"] = init
    for i, (name, kw) in enumerate(runs.items()):
        kw = dict(kw)
        kw.setdefault("sigma_max", smax)
        rec = Recorder()
        inj = InjectedNoise(SHAPE, steps - 1, seed + 100 + i)
        with torch.no_grad(), inject_sde_noise(inj):
            out = sample_k(standin_v_model, noise, steps=steps, sigma_min=smin, rho=rho, device="cpu", callback=rec,
                           **kw)
        if "sde" in name:
            inj.check_all_used()
            tensors[f"in.{name}.sde_noise"] = inj.noise
        else:
            assert not inj.calls
        if name == "v-ddim":
            # SAT's sample() calls back AFTER updating x (and does not update it on the last step).
            xs = [noise] + rec.xs[:-1] + [out]
        else:
            xs = rec.xs + [out]
        tensors[f"out.{name}.xs"] = torch.stack(xs)
        tensors[f"out.{name}.denoised"] = torch.stack(rec.denoised)
        tensors[f"out.{name}.final"] = f32(out)
        if name != "v-ddim":
            sig = KS.get_sigmas_polyexponential(steps, smin, kw["sigma_max"], rho)
            tensors[f"out.{name}.sigmas"] = sig
        else:
            tensors[f"out.{name}.t"] = torch.linspace(1.0, 0, steps + 1)[:-1]
        cases[name] = {k: (v if not torch.is_tensor(v) else "in.init_data") for k, v in kw.items()}
        cases[name].update(steps=steps, sigma_min=smin, rho=rho)
        log(f"    {name:16s} final mean {out.mean():+.5f} std {out.std():.5f}")
    write_safetensors(OUT / "sample_k.safetensors", tensors, meta(
        seed, cases=cases, standin_v_model=STANDIN_V_DOC,
        note=("stable_audio_tools.inference.sampling.sample_k(model_fn = stand-in v model, in.noise, init_data, "
              "steps=10, sampler_type, sigma_min=0.03, sigma_max, rho=1, device='cpu', callback). k samplers: "
              "VDenoiser(model_fn), sigmas = get_sigmas_polyexponential(steps, sigma_min, sigma_max, rho), "
              "x = in.noise * sigmas[0] (+ in.init_data for the -init case, where sigma_max = init_noise_level 5). "
              "xs[i] = x entering step i (k-diffusion callback; xs[N] = output), denoised = VDenoiser output. "
              "SDE noise injected (in.<case>.sde_noise, in call order). v-ddim: SAT's own sample(): sigma_max "
              "clamped to 1, x = in.noise (no scaling), t = linspace(1, 0, steps+1)[:-1], eta = 0; xs[i] = x entering "
              "step i as well (SAT's callback reports x after the update; re-indexed here); denoised = pred; output = "
              "the last pred.")))


# ------------------------------------------------------------------------------------------------------------------
# End to end on the tiny SAT model folders
# ------------------------------------------------------------------------------------------------------------------

def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def e2e_case(name, model_name, seconds, seed, sampler_kwargs, negative=False, cfg_scale=3.0, steps=8):
    import make_model_fixtures as mm
    from stable_audio_tools.inference.generation import generate_diffusion_cond
    log(f"e2e {name} on {model_name}")
    model = mm.load_tiny_model(model_name)
    config = json.loads((MODELS / model_name / "model_config.json").read_text())
    B = 2
    emb, mask = mm.prompt_standin(model, B, seed + 1)
    cond = {"prompt": (emb, mask)}
    with torch.no_grad():
        for cid in ("seconds_start", "seconds_total"):
            cond[cid] = model.conditioner.conditioners[cid](seconds[cid], device="cpu")
    neg_cond = None
    tensors = {"in.prompt_embeds": emb, "in.prompt_mask": mask.float()}
    if negative:
        nemb, nmask = mm.prompt_standin(model, B, seed + 2)
        nmask = nmask.flip(0)
        nemb = randn(nemb.shape, seed + 3) * nmask[..., None].float()
        neg_cond = {"prompt": (nemb, nmask), "seconds_start": cond["seconds_start"],
                    "seconds_total": cond["seconds_total"]}
        tensors.update({"in.negative_prompt_embeds": nemb, "in.negative_prompt_mask": nmask.float()})
    for cid in ("seconds_start", "seconds_total"):
        tensors[f"in.{cid}"] = torch.tensor([float(v) for v in seconds[cid]])
        tensors[f"out.cond.{cid}.embeds"] = f32(cond[cid][0])
    inputs = model.get_conditioning_inputs(cond)
    for k, v in inputs.items():
        if v is not None:
            tensors[f"out.{k}"] = f32(v)
    results = {}
    for return_latents in (True, False):
        rec = Recorder()
        with torch.no_grad():
            out = generate_diffusion_cond(
                model, steps=steps, cfg_scale=cfg_scale, conditioning_tensors=cond,
                negative_conditioning_tensors=neg_cond, batch_size=B, sample_size=config["sample_size"],
                seed=seed, device="cpu", return_latents=return_latents, callback=rec, **sampler_kwargs)
        results[return_latents] = (out, rec)
    latents, rec = results[True]
    audio, rec2 = results[False]
    assert all(torch.equal(a, b) for a, b in zip(rec.xs, rec2.xs))
    with torch.no_grad():
        assert torch.equal(model.pretransform.decode(latents), audio)
    # The initial noise exactly as generate_diffusion_cond draws it.
    ratio = model.pretransform.downsampling_ratio
    torch.manual_seed(seed)
    noise = torch.randn([B, model.io_channels, config["sample_size"] // ratio])
    steps_sig = KS.get_sigmas_polyexponential(steps, sampler_kwargs["sigma_min"], sampler_kwargs["sigma_max"],
                                              sampler_kwargs["rho"])
    assert torch.equal(rec.xs[0], noise * steps_sig[0])
    tensors.update({"in.noise": noise, "out.sigmas": steps_sig, "out.xs": torch.stack(rec.xs + [latents]),
                    "out.denoised": torch.stack(rec.denoised), "out.latents": f32(latents), "out.audio": f32(audio)})
    log(f"    latents mean {latents.mean():+.5f} std {latents.std():.5f}; audio {tuple(audio.shape)} "
        f"max|.| {audio.abs().max():.4f}")
    diffusion_type = config["model"]["diffusion"]["type"]
    write_safetensors(OUT / f"{name}.safetensors", tensors, meta(
        seed, model_folder=f"Tests/SAModelsTests/Resources/{model_name}",
        model_safetensors_sha256=sha256(MODELS / model_name / "model.safetensors"),
        model_config=config, steps=str(steps), cfg_scale=str(cfg_scale), sampler_kwargs=sampler_kwargs,
        seconds=seconds, batch_size=str(B), negative=str(negative),
        cfg_rescale=("UNetCFG1d: rescale_cfg=True (hard-coded by generate_diffusion_cond) with scale_phi="
                     f"{sampler_kwargs.get('scale_phi', 0.4)}" if diffusion_type == "adp_cfg_1d" else
                     f"DiT: scale_phi={sampler_kwargs.get('scale_phi', 0.0)} (rescale_cfg ignored)"),
        note=("stable_audio_tools.inference.generation.generate_diffusion_cond(model, steps, cfg_scale, "
              "conditioning_tensors={prompt: (in.prompt_embeds, in.prompt_mask), seconds_*: SAT conditioner "
              "outputs on in.seconds_*}, [negative_conditioning_tensors], batch_size=2, sample_size, seed, "
              "device='cpu', sampler_type='dpmpp-2m', sigma_min, sigma_max, rho). in.noise = torch.manual_seed(seed); "
              "torch.randn([B, io_channels, sample_size // ratio]) exactly as generate draws it; x0 = in.noise * "
              "sigmas[0]. out.xs[i] = latents entering step i (xs[N] = out.latents); out.denoised[i] = VDenoiser "
              "output (with CFG) at step i; out.audio = pretransform.decode(out.latents) (iterate_batch). "
              "Load the model from model_folder (sha256 recorded).")))


def part_e2e():
    e2e_case("e2e_tiny_unet", "tiny_unet_model", {"seconds_start": [0, 2], "seconds_total": [3, 12]},
             SEED + 40, dict(sampler_type="dpmpp-2m", sigma_min=0.03, sigma_max=80.0, rho=1.0))
    e2e_case("e2e_tiny_dit", "tiny_dit_model", {"seconds_start": [0.0, 1.5], "seconds_total": [0.37, 12.3456]},
             SEED + 50, dict(sampler_type="dpmpp-2m", sigma_min=0.03, sigma_max=80.0, rho=1.0))
    e2e_case("e2e_tiny_dit_negative", "tiny_dit_model", {"seconds_start": [0.0, 1.5], "seconds_total": [7.25, 12.3456]},
             SEED + 60, dict(sampler_type="dpmpp-2m", sigma_min=0.03, sigma_max=80.0, rho=1.0, scale_phi=0.4),
             negative=True)


def main(argv):
    parts = {"schedules": part_schedules, "vdenoiser": part_vdenoiser, "samplers": part_samplers,
             "sample_k": part_sample_k, "e2e": part_e2e}
    OUT.mkdir(parents=True, exist_ok=True)
    log(f"versions: {versions()}")
    for p in (argv or list(parts)):
        parts[p]()


if __name__ == "__main__":
    main(sys.argv[1:])
