"""PyTorch side of the generation benchmark (issue 4): stable-audio-tools' generate_diffusion_cond compute, timed.

Runs, for a SAT model folder (e.g. /work/bench-models/sa1_unet from eval/model-ports/pytorch_benchmark.py export),
exactly what `generate_diffusion_cond` does after conditioning: seeded initial noise, `sample_k` with the chosen
k-diffusion sampler, steps and σ range, batch CFG (`batch_cfg=True, rescale_cfg=True`, as generate_diffusion_cond
hard-codes), then `pretransform.decode`. SDE noise is iid Gaussian instead of torchsde's Brownian tree (same per-step distribution,
cheaper, so it can only flatter PyTorch). The conditioning is built with SAT's own seconds conditioners and SAT's
`get_conditioning_inputs`; the prompt conditioner's output is a fixed seeded embedding (SAT checkpoints carry no T5,
and T5's cost is negligible next to sampling). The latent length is the request's, rounded up to the backbone's
multiple — the same length the Swift engine samples (SAT's own generate_diffusion_cond would sample the whole
`sample_size` window, which costs more).

    /work/venv-ref/bin/python eval/generation/pytorch_generate.py MODEL_DIR --seconds 10 --steps 100 \
        --sampler dpmpp-3m-sde --cfg 7 --sigma-min 0.03 --sigma-max 500 --threads 2
"""
import argparse
import json
import math
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model-ports"))
import pytorch_benchmark as pb  # noqa: E402  (imports satref's stand-ins first)
import torch  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--sampler", default="dpmpp-3m-sde")
    parser.add_argument("--cfg", type=float, default=7)
    parser.add_argument("--sigma-min", type=float, default=0.03)
    parser.add_argument("--sigma-max", type=float, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set by pytorch_benchmark on import
        pass
    from stable_audio_tools.inference.sampling import sample_k
    import k_diffusion.sampling as k_sampling

    # The SDE samplers draw noise from torchsde's Brownian tree, which is not installed here. Replace it with iid
    # Gaussian draws (the same distribution per step, and cheaper than the tree, so this can only flatter PyTorch).
    class IidNoiseSampler:
        def __init__(self, x, *args, **kwargs):
            self.x = x

        def __call__(self, sigma, sigma_next):
            return torch.randn_like(self.x)

    k_sampling.BrownianTreeNoiseSampler = IidNoiseSampler

    started = time.time()
    model, tensors = pb.load_folder(Path(args.model))
    load_seconds = time.time() - started
    config = json.loads((Path(args.model) / "model_config.json").read_text())
    ratio = model.pretransform.downsampling_ratio
    multiple = 1
    if config["model"]["diffusion"]["type"] == "adp_cfg_1d":
        multiple = math.prod(config["model"]["diffusion"]["config"]["factors"])
    frames = round(args.seconds * model.sample_rate)
    latents = max(multiple, math.ceil(math.ceil(frames / ratio) / multiple) * multiple)

    with torch.inference_mode():
        t0 = time.time()
        conditioners = model.conditioner.conditioners
        outputs = {}
        for spec in config["model"]["conditioning"]["configs"]:
            if spec["type"] == "t5":
                n = spec["config"].get("max_length", 128)
                g = torch.Generator().manual_seed(1)
                outputs[spec["id"]] = [torch.randn(1, n, config["model"]["conditioning"]["cond_dim"], generator=g), torch.ones(1, n)]
            else:
                value = 0 if spec["id"] == "seconds_start" else args.seconds
                if spec["type"] == "int":
                    value = math.ceil(value)
                outputs[spec["id"]] = conditioners[spec["id"]]([value], "cpu")
        inputs = model.get_conditioning_inputs(outputs)
        conditioning_seconds = time.time() - t0

        torch.manual_seed(args.seed)
        noise = torch.randn([1, model.io_channels, latents])
        t1 = time.time()
        sampled = sample_k(model.model, noise, None, args.steps, sampler_type=args.sampler, sigma_min=args.sigma_min,
                           sigma_max=args.sigma_max, rho=1.0, device="cpu", cfg_scale=args.cfg, batch_cfg=True,
                           rescale_cfg=True, **inputs)
        sampling_seconds = time.time() - t1
        t2 = time.time()
        audio = model.pretransform.decode(sampled)[:, :, :frames]
        decoding_seconds = time.time() - t2
    total = conditioning_seconds + sampling_seconds + decoding_seconds
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1048576
    result = {"model": args.model, "seconds": args.seconds, "latents": latents, "steps": args.steps, "sampler": args.sampler,
              "cfg": args.cfg, "threads": args.threads, "torch": torch.__version__, "load_seconds": round(load_seconds, 2),
              "conditioning_seconds": round(conditioning_seconds, 3), "sampling_seconds": round(sampling_seconds, 2),
              "decoding_seconds": round(decoding_seconds, 2), "total_seconds": round(total, 2),
              "real_time_factor": round(total / args.seconds, 3), "peak_rss_gib": round(peak_gib, 2),
              "audio_frames": int(audio.shape[-1]), "finite": bool(torch.isfinite(audio).all())}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
