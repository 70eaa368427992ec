#!/usr/bin/env python3
"""Extra parity fixtures for the text side (issue 3), next to make_model_fixtures.py's t5 parts:

  fuzz      Tests/SAModelsTests/Resources/t5_tokenizer_fuzz.json: seeded random strings built from awkward pieces
            (combining marks, emoji sequences, exotic spaces, controls, special-token literals, "▁", NFKC cases),
            with the ids of the fast tokenizer (tokenizer.json), the slow tokenizer (spiece.model), the hub-style
            tokenizer.json and raw sentencepiece. The three Hugging Face variants disagree with each other on some
            strings; the Swift port must match each one.
  t5_local  Tests/SAModelsTests/Resources/t5_local_conditioner.safetensors: the project's LocalT5Conditioner
            (models/training/t5_local.py) around the tiny T5 v1.0 of t5_encoder_v1_0.safetensors, with Identity and
            Linear proj_out, fp32, CPU. Weights are stored under the checkpoint keys conditioner.conditioners.prompt.*
            (the shared T5 once; proj_out prefixed "proj."), outputs as out.<case>.embeddings / .mask / .input_ids.

    /work/venv-ref/bin/python Tests/Fixtures/make_text_fixtures.py            # both
    /work/venv-ref/bin/python Tests/Fixtures/make_text_fixtures.py fuzz       # one part

Needs the fixtures of make_model_fixtures.py (t5_tokenizer/, t5_tokenizer_hubstyle.json, t5_encoder_v1_0.safetensors)
and, for t5_local, models/training/ of this repository. Same package versions → byte-identical files.
"""

import json
import os
import random
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "SAModelsTests" / "Resources"
GENERATOR = "Tests/Fixtures/make_text_fixtures.py"
SEED = 20261121

ATOMS = ["the", "dog", "bass", "café", "naïve", "Zürich", "e\u0301", "a\u0308\u0301", "ﬁ", "ＡＢＣ", "１２３", "½", "①", "x²", "…",
         "🎵", "👍🏽", "👨\u200d👩\u200d👧", "🇫🇷", "日本語", "한국어", "\u1100\u1161\u11a8", "नमस्ते", "क्षि", "مرحبا", "Привет", "Γειά",
         " ", "  ", "   ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2003", "\u200b", "\ufeff", "\u2028", "\u0085", "\u1680",
         "\u001c", "▁", "▁▁", " ▁", "</s>", "<pad>", "<unk>", "<extra_id_0>", "<extra_id_10>", "<extra_id_1>", "<s>", "\x01",
         "\x7f", "\u00ad", "!!", ",", ".", "'", '"', "-", "_", "$", "%", "&", "\\", "~", "`", "BPM", "128", "3.14", "e10",
         "UPPER", "MiXeD", "\u0301", "\u20dd", "ß", "İ", "ǅ", "Å", "Å", "™", "㎏", "ｶﾞ", "ガ", "\u0000"]


def versions():
    import importlib.metadata as md
    names = ["torch", "transformers", "tokenizers", "sentencepiece", "safetensors", "stable-audio-tools", "numpy"]
    found = {}
    for name in names:
        try:
            found[name] = md.version(name)
        except md.PackageNotFoundError:
            pass
    found["python"] = sys.version.split()[0]
    return found


def save_deterministic(tensors, path, metadata):
    """safetensors with a sorted, compact header (safetensors' own writer does not give byte-identical files)."""
    import struct
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().float().contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    Path(path).write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def part_fuzz(count=500):
    from tokenizers import Tokenizer
    from transformers import T5Tokenizer, T5TokenizerFast
    slow = T5Tokenizer(vocab_file=str(OUT / "t5_tokenizer" / "spiece.model"))
    fast = T5TokenizerFast.from_pretrained(str(OUT / "t5_tokenizer"))
    hub = Tokenizer.from_file(str(OUT / "t5_tokenizer_hubstyle.json"))
    rng = random.Random(SEED)

    def make():
        parts = []
        for _ in range(rng.randint(0, 12)):
            parts.append(rng.choice(ATOMS))
            if rng.random() < 0.5:
                parts.append(" ")
        return "".join(parts)

    cases = []
    for _ in range(count):
        text = make()
        cases.append({"utf8_hex": text.encode("utf-8").hex(), "fast": fast(text)["input_ids"], "slow": slow(text)["input_ids"],
                      "hubstyle": hub.encode(text).ids, "sentencepiece": slow.sp_model.encode(text)})
    disagree = {"fast_vs_slow": sum(c["fast"] != c["slow"] for c in cases),
                "fast_vs_hubstyle": sum(c["fast"] != c["hubstyle"] for c in cases)}
    doc = {"generator": GENERATOR, "versions": versions(), "seed": SEED, "count": count, "disagreements": disagree,
           "fast": "T5TokenizerFast.from_pretrained('t5_tokenizer') ids with </s>",
           "slow": "T5Tokenizer(vocab_file='t5_tokenizer/spiece.model') ids with </s> (legacy)",
           "hubstyle": "tokenizers.Tokenizer.from_file('t5_tokenizer_hubstyle.json').encode(text).ids",
           "sentencepiece": "sp_model.encode(text): raw SentencePiece, no </s>, no special-token handling (t5_local)",
           "cases": cases}
    path = OUT / "t5_tokenizer_fuzz.json"
    path.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"fuzz: {count} strings, HF variants disagree {disagree}", file=sys.stderr)


T5_LOCAL_TEXTS = ["A dog barking in the distance", "128 bpm tech house drum loop with deep bass, energetic and punchy", "",
                  "</s> <pad> are text here", "café naïve résumé 🎵 " + "rain on a tin roof " * 10]
T5_LOCAL_MAX_LENGTH = 12


def part_t5_local():
    import torch
    from safetensors.torch import load_file
    sys.path.insert(0, str(ROOT))
    from models.training.t5_local import LocalT5Conditioner
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    weights = {k: v for k, v in load_file(str(OUT / "t5_encoder_v1_0.safetensors")).items()
               if not k.startswith(("in.", "out."))}
    config = json.loads(__import__("safetensors").safe_open(str(OUT / "t5_encoder_v1_0.safetensors"), "pt").metadata()["config"])
    t5_config = {k: config[k] for k in ["vocab_size", "d_model", "d_kv", "d_ff", "num_layers", "num_heads",
                                        "relative_attention_num_buckets", "relative_attention_max_distance",
                                        "dropout_rate", "layer_norm_epsilon", "feed_forward_proj", "pad_token_id",
                                        "eos_token_id", "decoder_start_token_id"]}
    t5_config.update(is_encoder_decoder=False, use_cache=False)
    tensors = {}
    cases = {}
    for case, output_dim in [("identity", 32), ("proj", 24)]:
        cond = LocalT5Conditioner(output_dim=output_dim, t5_config=t5_config, tokenizer="spiece.model",
                                  max_length=T5_LOCAL_MAX_LENGTH, model_dir=str(OUT / "t5_tokenizer")).eval()
        missing, unexpected = cond.model.load_state_dict(weights, strict=False)
        assert not unexpected and set(missing) <= {"encoder.embed_tokens.weight"}, (missing, unexpected)
        if not isinstance(cond.proj_out, torch.nn.Identity):
            with torch.no_grad():
                cond.proj_out.weight.normal_(0, 0.2)
                cond.proj_out.bias.normal_(0, 0.5)
        with torch.no_grad():
            embeddings, mask = cond(T5_LOCAL_TEXTS, device="cpu")
        for key, value in cond.state_dict().items():
            # The T5 weights are the same in both cases: store them once, unprefixed; proj_out per case.
            name = f"conditioner.conditioners.prompt.{key}" if key.startswith("model.") else f"{case}.conditioner.conditioners.prompt.{key}"
            tensors[name] = value.detach().float().contiguous().clone()
        tensors[f"out.{case}.embeddings"] = embeddings.float().contiguous()
        tensors[f"out.{case}.mask"] = mask.float().contiguous()
        ids, _ = cond.tokenize(T5_LOCAL_TEXTS)
        tensors[f"out.{case}.input_ids"] = ids.float().contiguous()
        cases[case] = {"output_dim": output_dim, "proj_out": type(cond.proj_out).__name__,
                       "state_dict_keys": sorted(cond.state_dict().keys())}
        print(f"t5_local {case}: embeddings {tuple(embeddings.shape)} max|x| {embeddings.abs().max():.4f}", file=sys.stderr)
    metadata = {"generator": GENERATOR, "versions": json.dumps(versions(), sort_keys=True), "seed": str(SEED),
                "texts": json.dumps(T5_LOCAL_TEXTS), "max_length": str(T5_LOCAL_MAX_LENGTH), "t5_config": json.dumps(t5_config, sort_keys=True),
                "cases": json.dumps(cases, sort_keys=True),
                "note": ("models/training/t5_local.py LocalT5Conditioner.forward, fp32: sp.encode ids[:max_length-1] + </s>, pad 0; "
                         "HF T5EncoderModel last_hidden_state; proj_out; × mask. Weights = t5_encoder_v1_0.safetensors "
                         "(model.*, embed_tokens tied, stored once) + random proj_out under 'proj.'.")}
    save_deterministic(tensors, OUT / "t5_local_conditioner.safetensors", metadata)


if __name__ == "__main__":
    parts = sys.argv[1:] or ["fuzz", "t5_local"]
    for part in parts:
        {"fuzz": part_fuzz, "t5_local": part_t5_local}[part]()
