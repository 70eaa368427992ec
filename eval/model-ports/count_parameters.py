#!/usr/bin/env python3
"""Parameter and tensor counts of the full-size reference models, computed by building stable-audio-tools 0.0.19's
own modules from eval/model-ports/configs/*.json with random weights on CPU (fp32). Not part of CI.

    python3 eval/model-ports/make_fullsize_configs.py
    /work/venv-ref/bin/python eval/model-ports/count_parameters.py | tee eval/model-ports/counts.txt

Needs the reference virtualenv described in Tests/Fixtures/README.md (about 9 GB of RAM at peak; a few minutes).
The T5 and CLAP text encoders are not counted: SAT never stores them in a checkpoint.
Expected (issue 3): SA1 U-Net 906,679,744; SAO DiT 1,056,828,544; SAO autoencoder 156,112,514.
"""

import gc
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "Tests" / "Fixtures"))
import satref  # noqa: E402,F401  (inert stand-ins for unused imports, fp32, 1 thread)

import torch  # noqa: E402

EXPECTED = {"SA1 U-Net (model.model)": 906_679_744, "SAO DiT (model.model)": 1_056_828_544,
            "SAO autoencoder (pretransform.model)": 156_112_514}


def counts(module):
    sd = module.state_dict()
    params = dict(module.named_parameters())
    return {"parameters": sum(p.numel() for p in params.values()), "parameter_tensors": len(params),
            "state_dict_tensors": len(sd), "buffers": len(sd) - len(params)}


def line(name, c, prefix):
    print(f"{name:40s} {c['parameters']:>15,d} params  {c['parameter_tensors']:>4d} param tensors  "
          f"{c['state_dict_tensors']:>4d} state_dict tensors ({c['buffers']} buffers)  key prefix {prefix}")


def build(label, fn):
    t0 = time.time()
    torch.manual_seed(0)
    m = fn()
    c = counts(m)
    del m
    gc.collect()
    print(f"  [{label}: built with random weights in {time.time() - t0:.1f} s]", file=sys.stderr)
    return c


def main():
    from stable_audio_tools.models.autoencoders import create_autoencoder_from_config
    from stable_audio_tools.models.conditioners import IntConditioner, NumberConditioner
    from stable_audio_tools.models.diffusion import DiTWrapper, UNetCFG1DWrapper

    print(f"versions: {json.dumps(satref.versions(), sort_keys=True)}")
    print(f"torch threads: {torch.get_num_threads()}, dtype: {torch.get_default_dtype()}")
    results = {}
    for cfg_name, title in [("stable_audio_1_0.json", "Stable Audio 1.0 (U-Net, DAC VAE, int timing)"),
                            ("stable_audio_open_1_0.json", "Stable Audio Open 1.0 (DiT, Oobleck VAE, number timing)")]:
        cfg = json.loads((HERE / "configs" / cfg_name).read_text())
        m = cfg["model"]
        print(f"\n== {title}: configs/{cfg_name}")
        comps = []
        d = m["diffusion"]
        if d["type"] == "adp_cfg_1d":
            comps.append(("SA1 U-Net (model.model)", "model.model.",
                          lambda: UNetCFG1DWrapper(**d["config"]).model))
            ae_label = "SA1 DAC autoencoder (pretransform.model)"
        else:
            comps.append(("SAO DiT (model.model)", "model.model.",
                          lambda: DiTWrapper(diffusion_objective=d.get("diffusion_objective", "v"),
                                             **d["config"]).model))
            ae_label = "SAO autoencoder (pretransform.model)"
        ae_cfg = {"sample_rate": cfg["sample_rate"], "model": m["pretransform"]["config"]}
        comps.append((ae_label, "pretransform.model.", lambda: create_autoencoder_from_config(ae_cfg)))
        cond_dim = m["conditioning"]["cond_dim"]
        for c in m["conditioning"]["configs"]:
            kw = {"output_dim": cond_dim, **c["config"]}
            if c["type"] == "number":
                comps.append((f"{c['id']} NumberConditioner", f"conditioner.conditioners.{c['id']}.",
                              lambda kw=kw: NumberConditioner(**kw)))
            elif c["type"] == "int":
                comps.append((f"{c['id']} IntConditioner", f"conditioner.conditioners.{c['id']}.",
                              lambda kw=kw: IntConditioner(**kw)))
            else:
                print(f"{c['id']:40s} {c['type']}: external text encoder, not in the checkpoint (proj_out is "
                      f"Identity when its width equals cond_dim {cond_dim})")
        total = {"parameters": 0, "parameter_tensors": 0, "state_dict_tensors": 0, "buffers": 0}
        for label, prefix, fn in comps:
            c = build(label, fn)
            results[label] = c
            line(label, c, prefix)
            for k in total:
                total[k] += c[k]
        line("checkpoint total", total, "(all)")
    print("\n== check against issue 3")
    ok = True
    for label, want in EXPECTED.items():
        got = results[label]["parameters"]
        status = "OK" if got == want else "MISMATCH"
        ok &= got == want
        print(f"{label:40s} expected {want:>15,d}  got {got:>15,d}  {status}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
