#!/usr/bin/env python3
"""Write the full-size reference configs (no weights) as SAT model_config.json files into ./configs/.

    python eval/model-ports/make_fullsize_configs.py

Sources (see ../shared/reference/stable-audio-architecture.md §1.2, §1.3):
  stable_audio_open_1_0.json   Stable Audio Open 1.0 (HF stabilityai/stable-audio-open-1.0 model_config.json,
                               as quoted from yukara-ikemiya/friendly-stable-audio-tools; training block omitted)
  stable_audio_1_0.json        Stable Audio 1.0 U-Net (SAT configs/model_configs/txt2audio/stable_audio_1_0.json;
                               training block omitted; weights were never released)
  stable_audio_open_1_0_vae.json  the SAO pretransform alone as a model_type "autoencoder" folder config
No third-party packages are needed; the output is deterministic (sorted keys, 2-space indent).
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

SAO_AUTOENCODER = {
    "encoder": {"type": "oobleck", "config": {"in_channels": 2, "channels": 128, "c_mults": [1, 2, 4, 8, 16],
                                               "strides": [2, 4, 4, 8, 8], "latent_dim": 128, "use_snake": True}},
    "decoder": {"type": "oobleck", "config": {"out_channels": 2, "channels": 128, "c_mults": [1, 2, 4, 8, 16],
                                               "strides": [2, 4, 4, 8, 8], "latent_dim": 64, "use_snake": True,
                                               "final_tanh": False}},
    "bottleneck": {"type": "vae"},
    "latent_dim": 64,
    "downsampling_ratio": 2048,
    "io_channels": 2,
}

SAO = {
    "model_type": "diffusion_cond",
    "sample_size": 2097152,
    "sample_rate": 44100,
    "audio_channels": 2,
    "model": {
        "pretransform": {"type": "autoencoder", "iterate_batch": True, "config": SAO_AUTOENCODER},
        "conditioning": {
            "configs": [
                {"id": "prompt", "type": "t5", "config": {"t5_model_name": "t5-base", "max_length": 128}},
                {"id": "seconds_start", "type": "number", "config": {"min_val": 0, "max_val": 512}},
                {"id": "seconds_total", "type": "number", "config": {"min_val": 0, "max_val": 512}},
            ],
            "cond_dim": 768,
        },
        "diffusion": {
            "cross_attention_cond_ids": ["prompt", "seconds_start", "seconds_total"],
            "global_cond_ids": ["seconds_start", "seconds_total"],
            "type": "dit",
            "config": {"io_channels": 64, "embed_dim": 1536, "depth": 24, "num_heads": 24, "cond_token_dim": 768,
                       "global_cond_dim": 1536, "project_cond_tokens": False,
                       "transformer_type": "continuous_transformer"},
        },
        "io_channels": 64,
    },
}

SA1 = {
    "model_type": "diffusion_cond",
    "sample_size": 4194304,
    "sample_rate": 44100,
    "audio_channels": 2,
    "model": {
        "pretransform": {"type": "autoencoder", "iterate_batch": True, "config": {
            "encoder": {"type": "dac", "config": {"in_channels": 2, "latent_dim": 128, "d_model": 128,
                                                   "strides": [4, 4, 8, 8]}},
            "decoder": {"type": "dac", "config": {"out_channels": 2, "latent_dim": 64, "channels": 1536,
                                                   "rates": [8, 8, 4, 4]}},
            "bottleneck": {"type": "vae"},
            "latent_dim": 64,
            "downsampling_ratio": 1024,
            "io_channels": 2}},
        "conditioning": {
            "configs": [
                {"id": "prompt", "type": "clap_text", "config": {
                    "audio_model_type": "HTSAT-base", "enable_fusion": True, "clap_ckpt_path": "/path/to/clap.ckpt",
                    "use_text_features": True, "feature_layer_ix": -2}},
                {"id": "seconds_start", "type": "int", "config": {"min_val": 0, "max_val": 512}},
                {"id": "seconds_total", "type": "int", "config": {"min_val": 0, "max_val": 512}},
            ],
            "cond_dim": 768,
        },
        "diffusion": {
            "type": "adp_cfg_1d",
            "cross_attention_cond_ids": ["prompt", "seconds_start", "seconds_total"],
            "config": {"in_channels": 64, "context_embedding_features": 768, "context_embedding_max_length": 79,
                       "channels": 256, "resnet_groups": 16, "kernel_multiplier_downsample": 2,
                       "multipliers": [4, 4, 4, 5, 5], "factors": [1, 2, 2, 4], "num_blocks": [2, 2, 2, 2],
                       "attentions": [1, 3, 3, 3, 3], "attention_heads": 16, "attention_multiplier": 4,
                       "use_nearest_upsample": False, "use_skip_scale": True, "use_context_time": True},
        },
        "io_channels": 64,
    },
}

SAO_VAE = {"model_type": "autoencoder", "sample_size": 65536, "sample_rate": 44100, "audio_channels": 2,
           "model": SAO_AUTOENCODER}


def main():
    out = HERE / "configs"
    out.mkdir(exist_ok=True)
    for name, cfg in [("stable_audio_open_1_0.json", SAO), ("stable_audio_1_0.json", SA1),
                      ("stable_audio_open_1_0_vae.json", SAO_VAE)]:
        (out / name).write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        print(out / name)


if __name__ == "__main__":
    main()
