"""The project's own conditioner type "t5_local": a small T5 encoder trained from scratch, weights inside model.safetensors.

Config entry (in model_config.json -> model.conditioning.configs):

  {"id": "prompt", "type": "t5_local",
   "config": {"tokenizer": "spiece.model", "max_length": 64, "t5_config": {...HF T5Config fields...}}}

Behaviour (what a port must reproduce; fp32 throughout, unlike SAT's T5Conditioner which runs T5 in fp16):
  1. text -> SentencePiece ids: ids = sp.encode(text) (the caption is used as given; corpus captions are lower case),
     append </s> (id 1); if longer than max_length keep the first max_length-1 pieces and end with </s>
     (same result as HF T5Tokenizer(truncation=True, max_length=max_length)); pad with <pad> (id 0) to max_length.
     attention_mask = 1 for real tokens (including </s>), 0 for padding.
  2. h = T5EncoderModel(input_ids, attention_mask).last_hidden_state   [B, max_length, d_model]
     (HF T5 v1.0 encoder: RMS layer norm eps 1e-6, relative position bias in layer 0 shared by all layers,
     unscaled attention, ReLU FFN, padded keys masked additively with the dtype minimum, final_layer_norm).
  3. h = proj_out(h): Identity when d_model == cond_dim (the default model), else Linear(d_model, cond_dim, bias).
  4. h = h * attention_mask[..., None]   (padded positions become exact zeros)
  Output [h, attention_mask(bool)], like SAT's T5Conditioner.

State-dict keys under conditioner.conditioners.<id>.:
  model.shared.weight, model.encoder.embed_tokens.weight (tied copy of shared.weight),
  model.encoder.block.{i}.layer.0.SelfAttention.{q,k,v,o}.weight,
  model.encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight  [num_buckets, num_heads],
  model.encoder.block.{i}.layer.0.layer_norm.weight, model.encoder.block.{i}.layer.1.DenseReluDense.{wi,wo}.weight,
  model.encoder.block.{i}.layer.1.layer_norm.weight, model.encoder.final_layer_norm.weight
  (+ proj_out.{weight,bias} only when d_model != cond_dim).
"""
import os
import typing as tp

import torch
from torch import nn

from . import sat_compat  # noqa: F401
import stable_audio_tools.models.conditioners as satc

PAD_ID, EOS_ID, UNK_ID = 0, 1, 2


class SPTokenizer:
    def __init__(self, path, max_length):
        import sentencepiece as spm
        self.sp = spm.SentencePieceProcessor(model_file=path)
        self.max_length = max_length
        assert self.sp.pad_id() == PAD_ID and self.sp.eos_id() == EOS_ID, "tokenizer must use pad=0, eos=1"

    def __call__(self, texts: tp.List[str]):
        ids = torch.full((len(texts), self.max_length), PAD_ID, dtype=torch.long)
        mask = torch.zeros((len(texts), self.max_length), dtype=torch.bool)
        for i, t in enumerate(texts):
            p = self.sp.encode(t)[: self.max_length - 1] + [EOS_ID]
            ids[i, : len(p)] = torch.tensor(p)
            mask[i, : len(p)] = True
        return ids, mask


class LocalT5Conditioner(satc.Conditioner):
    def __init__(self, output_dim: int, t5_config: dict, tokenizer: str = "spiece.model", max_length: int = 64,
                 model_dir: str = None, project_out: bool = False):
        from transformers import T5Config, T5EncoderModel
        cfg = T5Config(**t5_config)
        super().__init__(cfg.d_model, output_dim, project_out=project_out)
        self.max_length = max_length
        self.model = T5EncoderModel(cfg)
        tok_path = tokenizer if os.path.isabs(tokenizer) or model_dir is None else os.path.join(model_dir, tokenizer)
        self.tokenizer = SPTokenizer(tok_path, max_length) if os.path.exists(tok_path) else None
        self.tok_path = tok_path

    def tokenize(self, texts):
        if self.tokenizer is None:
            self.tokenizer = SPTokenizer(self.tok_path, self.max_length)
        return self.tokenizer(texts)

    def encode_ids(self, ids, mask):
        h = self.model(input_ids=ids, attention_mask=mask.long()).last_hidden_state
        h = self.proj_out(h)
        return h * mask.unsqueeze(-1).to(h.dtype)

    def forward(self, texts: tp.List[str], device=None):
        ids, mask = self.tokenize(list(texts))
        dev = device if device is not None else next(self.parameters()).device
        ids, mask = ids.to(dev), mask.to(dev)
        return [self.encode_ids(ids, mask), mask]


_orig = satc.create_multi_conditioner_from_conditioning_config


def create_multi_conditioner(config, pretransform=None, model_dir=None):
    local = [c for c in config["configs"] if c["type"] == "t5_local"]
    rest = dict(config)
    rest["configs"] = [c for c in config["configs"] if c["type"] != "t5_local"]
    mc = _orig(rest, pretransform=pretransform) if rest["configs"] else satc.MultiConditioner({})
    conds = {}
    for c in config["configs"]:
        if c["type"] == "t5_local":
            kw = {"output_dim": config["cond_dim"], **c["config"]}
            kw.setdefault("model_dir", model_dir)
            conds[c["id"]] = LocalT5Conditioner(**kw)
        else:
            conds[c["id"]] = mc.conditioners[c["id"]]
    return satc.MultiConditioner(conds, default_keys=config.get("default_keys", {}),
                                 pre_encoded_keys=config.get("pre_encoded_keys", []))


def install(model_dir=None):
    """Make SAT's factory understand type "t5_local" (tokenizer paths resolved relative to model_dir)."""
    import stable_audio_tools.models.diffusion as satd

    def f(config, pretransform=None):
        return create_multi_conditioner(config, pretransform=pretransform, model_dir=model_dir)
    satc.create_multi_conditioner_from_conditioning_config = f
    satd.create_multi_conditioner_from_conditioning_config = f


def create_model(model_config: dict, model_dir=None):
    """create_model_from_config with t5_local support."""
    install(model_dir)
    from stable_audio_tools.models.factory import create_model_from_config
    return create_model_from_config(model_config)
