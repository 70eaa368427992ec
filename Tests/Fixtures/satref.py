"""Shared setup for the SAT / k-diffusion fixture scripts (make_model_fixtures.py, make_sampler_fixtures.py).

Importing this module:
  * pins the process to fp32, 1 intra-op thread and offline Hugging Face mode;
  * registers inert stand-ins for modules that SAT, k-diffusion and descript-audio-codec import at module level but
    never execute on the inference paths we exercise (torchaudio, scipy, torchvision, PIL, skimage, ...). A stand-in
    can be imported, subclassed and have attributes looked up, but *calling* anything in it raises, so it can never
    silently change a number;
  * provides helpers to perturb random initialisation and to write safetensors files with provenance metadata.

Run with the reference virtualenv (torch CPU, stable-audio-tools 0.0.19, k-diffusion 0.1.1, see README.md).
"""

import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import types

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("OMP_NUM_THREADS", "1")


class StandInCalled(RuntimeError):
    pass


class _InertMeta(type):
    """Metaclass of stand-in objects: attribute lookups give further stand-ins, calls raise."""

    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _make_inert(f"{cls.__qualname__}.{name}")

    def __call__(cls, *args, **kwargs):
        raise StandInCalled(f"inert stand-in {cls.__qualname__} was called; it must not be used on this path")


def _make_inert(qualname):
    return _InertMeta(qualname.rsplit(".", 1)[-1], (), {"__qualname__": qualname, "__module__": "satref.stand_in"})


class _InertModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = _make_inert(f"{self.__name__}.{name}")
        setattr(self, name, value)
        return value


class _StandInFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, roots):
        self.roots = set(roots)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.roots:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _InertModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


# Modules imported at module level by SAT 0.0.19 / k-diffusion 0.1.1 / descript-audio-codec 1.0.0 that no
# fixture path executes. Only names that are NOT installed are stubbed (a real package always wins).
_STAND_IN_ROOTS = [
    "torchaudio", "scipy", "torchvision", "PIL", "skimage", "cleanfid", "clip", "torchdiffeq", "torchsde",
    "dctorch", "jsonmerge", "kornia", "accelerate", "wandb", "pywt", "x_transformers", "local_attention",
    "vector_quantize_pytorch", "encodec", "laion_clap", "ema_pytorch", "auraloss", "pytorch_lightning",
    "gradio", "webdataset", "prefigure", "pandas", "v_diffusion_pytorch",
]
_missing = [m for m in _STAND_IN_ROOTS if importlib.util.find_spec(m) is None]
sys.meta_path.insert(0, _StandInFinder(_missing))
STAND_INS = sorted(_missing)

# descript-audio-codec imports `audiotools` (descript-audiotools, heavy: librosa, ffmpeg, ...) and `argbind`.
# Only its Encoder/Decoder nn.Modules are used. `dac/__init__` mutates BaseModel.INTERN/EXTERN and its utils use
# `@argbind.bind(...)` as a decorator at import time, so these two get hand-made inert stand-ins.
if importlib.util.find_spec("audiotools") is None:
    _at = _InertModule("audiotools")
    _at.__path__ = []
    _at_ml = _InertModule("audiotools.ml")
    _at_ml.__path__ = []

    class BaseModel:  # noqa: D401 - stand-in
        INTERN = []
        EXTERN = []

        def __init__(self, *a, **k):
            raise StandInCalled("audiotools.ml.BaseModel stand-in instantiated")

    _at_ml.BaseModel = BaseModel
    _at.ml = _at_ml
    _at_core = _InertModule("audiotools.core")
    _at_core.__path__ = []
    _at.core = _at_core
    sys.modules.update({"audiotools": _at, "audiotools.ml": _at_ml, "audiotools.core": _at_core})
    STAND_INS.append("audiotools")
if importlib.util.find_spec("argbind") is None:
    _ab = _InertModule("argbind")
    _ab.bind = lambda *a, **k: (lambda f: f)  # decorator used at import time only
    sys.modules["argbind"] = _ab
    STAND_INS.append("argbind")

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)
torch.set_default_dtype(torch.float32)
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.use_deterministic_algorithms(True)

assert importlib.util.find_spec("flash_attn") is None, "uninstall flash_attn: fixtures must use fp32 SDPA"


def versions():
    import importlib.metadata as md

    out = {"torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
    for dist in ["stable-audio-tools", "k-diffusion", "transformers", "tokenizers", "sentencepiece",
                 "descript-audio-codec", "safetensors", "einops"]:
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            pass
    return out


def perturb_(module, seed, snake_scale=0.25, g_scale=0.1, w_scale=0.07, skip=()):
    """Move every parameter away from its initial value, deterministically.

    Snake log-alpha/beta (SnakeBeta) and DAC's linear alpha get +snake_scale*N(0,1) (DAC alpha: multiplied by
    exp(snake_scale*N) so it stays positive); weight-norm gains get *(1 + g_scale*N); everything else gets
    +w_scale*N(0,1). Buffers are left alone.
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            if any(s in name for s in skip):
                continue
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            leaf = name.rsplit(".", 1)[-1]
            if leaf in ("alpha", "beta") and p.dim() == 1:  # SnakeBeta, log-scale
                p.add_(snake_scale * noise)
            elif leaf == "alpha" and p.dim() == 3:  # DAC Snake1d, linear scale (1, C, 1)
                p.mul_(torch.exp(snake_scale * noise))
            elif leaf == "weight_g":
                p.mul_(1.0 + g_scale * noise)
            else:
                p.add_(w_scale * noise)


def contiguous_cpu(tensors):
    return {k: v.detach().to("cpu").contiguous().clone() for k, v in tensors.items()}


_ST_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.int64: "I64",
              torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}


def save_safetensors_deterministic(tensors, path, metadata):
    """Write a safetensors file whose bytes depend only on its content.

    safetensors' own writer serialises `__metadata__` from a Rust HashMap, so the key order (and the file bytes)
    change from process to process. Here the header is JSON with sorted keys, tensors are laid out in name order,
    and the header is space-padded to a multiple of 8 bytes, as the format allows.
    """
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu").contiguous()
        if t.dtype not in _ST_DTYPES:
            raise TypeError(f"{name}: unsupported dtype {t.dtype}")
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _ST_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    raw = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(len(raw).to_bytes(8, "little"))
        f.write(raw)
        for b in blobs:
            f.write(b)
    # Round-trip through the reference reader.
    from safetensors.torch import load_file
    back = load_file(path)
    assert sorted(back) == sorted(tensors)
    for name, t in tensors.items():
        assert torch.equal(back[name], t.detach().to("cpu")), name
    return path


def write_safetensors(path, tensors, meta):
    """Save tensors with string metadata (dict/list values JSON-encoded with sorted keys) plus versions."""
    md = {"versions": json.dumps(versions(), sort_keys=True)}
    for k, v in meta.items():
        md[k] = v if isinstance(v, str) else json.dumps(v, sort_keys=True)
    return save_safetensors_deterministic(tensors, path, md)


def prefixed(prefix, state_dict):
    return {prefix + k: v for k, v in state_dict.items()}
