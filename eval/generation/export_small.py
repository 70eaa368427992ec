"""Writes the "small" model for the generation benchmark: Stable Audio 1.0's architecture (ADP U-Net + DAC VAE, int
timing) with the U-Net's base width cut from 256 to 64 channels (about 1/16 of its parameters), random weights
exactly as eval/model-ports/pytorch_benchmark.py exports the full-size models.

    /work/venv-ref/bin/python eval/generation/export_small.py   # -> /work/bench-models/small_unet/
"""
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model-ports"))
import pytorch_benchmark as pb  # noqa: E402

config = pb.folder_configs()["sa1_unet"]
config["model"]["diffusion"]["config"]["channels"] = 64
staging = Path("/work/bench-models/.small-staging")
summary = pb.export_model("sa1_unet", config, staging)
target = Path("/work/bench-models/small_unet")
shutil.rmtree(target, ignore_errors=True)
shutil.move(str(staging / "sa1_unet"), str(target))
shutil.rmtree(staging, ignore_errors=True)
print(summary)
