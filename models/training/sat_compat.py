"""Import stable-audio-tools (installed with --no-deps) without its heavy optional dependencies.

SAT imports some modules at module level (torchaudio, skimage, cleanfid, ...) that are never executed on the paths
this recipe uses. A meta-path finder answers imports of those packages (and any submodule) with inert stand-ins
when the real package is missing. Any *call* into a stand-in raises, so a stand-in can never silently change a
number. Import this module before importing stable_audio_tools.
"""
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

_ROOTS = [
    "torchaudio", "skimage", "torchvision", "PIL", "cleanfid", "clip", "torchdiffeq", "torchsde", "dctorch",
    "jsonmerge", "laion_clap", "wandb", "pytorch_lightning", "lightning", "gradio", "pedalboard",
    "vector_quantize_pytorch", "x_transformers", "local_attention", "webdataset", "pyloudnorm", "encodec", "dac",
    "audiotools", "prefigure", "descript_audio_codec", "flash_attn", "natten", "s3fs", "boto3", "nnAudio",
]


class _Raiser:
    def __init__(self, name):
        self._name = name

    def __call__(self, *a, **k):
        raise RuntimeError(f"stand-in {self._name} called: this code path needs the real package")

    def __getattr__(self, item):
        if item.startswith("__"):
            raise AttributeError(item)
        return _Raiser(f"{self._name}.{item}")

    def __mro_entries__(self, bases):
        return (object,)


class _StandInModule(types.ModuleType):
    def __getattr__(self, item):
        if item.startswith("__"):
            raise AttributeError(item)
        return _Raiser(f"{self.__name__}.{item}")


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        m = _StandInModule(spec.name)
        m.__path__ = []
        return m

    def exec_module(self, module):
        pass


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, roots):
        self.roots = set(roots)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.roots:
            return importlib.machinery.ModuleSpec(fullname, _Loader(), is_package=True)
        return None


def _exists(root):
    try:
        return importlib.util.find_spec(root) is not None
    except (ValueError, ImportError):
        return False


def install():
    if any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    missing = [r for r in _ROOTS if not _exists(r)]
    sys.meta_path.append(_Finder(missing))  # appended: real packages always win


install()
