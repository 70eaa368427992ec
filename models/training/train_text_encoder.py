"""Stage 4c (optional): pretrain the t5_local text encoder on the corpus captions before diffusion, to be loaded with
`train_diffusion --text-encoder`.

Why: Stable Audio conditions on a pretrained text encoder that diffusion training leaves frozen (SA 1.0: a CLAP text
tower trained on its own captions; SA Open: T5-base), while this recipe learned its small T5 from scratch jointly with
the U-Net. A diffusion classifier on held-out clips (`eval/default-model/diffusion_classifier.py`, session 32) finds
that the shipped and GPU models barely use the family words, so this stage gives the U-Net a text representation that
already separates what the captions state.

Objective: the caption's stated attributes read from the masked mean of the encoder's output tokens,
    pooled = sum_i h_i m_i / sum_i m_i
by one linear head per attribute:
    loss = CE(family) + sum_a CE(a) over register, position, room, loudness, envelope, tempo, count (class 0: not
           stated) + sum_r masked MSE(r) over log2(bpm / 120), log2(hz / 440) (from the stated note or Hz),
           ln(seconds) (each only where the caption states it).
Captions: `--captions-per-clip` new phrasings of every train clip drawn with the corpus's own caption builder
(training phrasings only; fresh RNG streams, so they differ from the corpus captions), plus the corpus captions.
With `--word-dropout p` each word of a training caption is left out with probability p (the caption keeps at least
one word), so that no template is needed to read a word: the held-out phrasings put known words in new templates.
The targets stay the full caption's, so a left-out attribute word leaves that label unsupported (noise at rate p).
Judged on the eval split's captions (held-out phrasings). The heads are not exported; only the encoder is saved.

    python -m models.training.train_text_encoder --tokenizer /work/checkpoints/restored29/tokenizer \
        --config models/training/configs/experiments/diffusion_ratio256.json --out /work/checkpoints/text32.pt
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
from torch import nn

from .common import HERE, Logger, file_sha256, load_json, pick_device, read_meta, set_threads
from .corpus import captions as C
from .t5_local import LocalT5Conditioner

CATEGORIES = {
    "register": ["low", "mid", "high"],
    "position": ["centre", "left", "right", "wide", "left_to_right", "right_to_left"],
    "room": ["dry", "reverberant"],
    "loudness": ["quiet", "medium", "loud"],
    "envelope": ["sustained", "fading", "short", "fade_in"],
    "tempo": ["fast", "slow"],
}
MAX_COUNT = 9  # count classes: 0 not stated, 1..8, 9 for nine or more


def targets(meta, stated, families):
    """Class indices and regression targets (NaN: not stated) for one caption."""
    out = {"family": families.index(meta["family"])}
    for name, values in CATEGORIES.items():
        out[name] = values.index(stated[name]) + 1 if name in stated else 0
    out["count"] = min(int(stated["count"]), MAX_COUNT) if "count" in stated else 0
    out["bpm"] = math.log2(float(stated["bpm"]) / 120.0) if "bpm" in stated else math.nan
    pitch_stated = "note" in stated or "hz" in stated
    hz = meta["attrs"].get("hz")
    out["pitch"] = math.log2(float(hz) / 440.0) if pitch_stated and hz else math.nan
    out["seconds"] = math.log(float(stated["seconds"])) if "seconds" in stated else math.nan
    return out


def caption_set(metas, per_clip, seed, families):
    """(caption, targets) pairs: each clip's corpus caption plus `per_clip` fresh training phrasings of it."""
    rows = []
    for index, m in enumerate(metas):
        rows.append((m["caption"], targets(m, m.get("stated", {}), families)))
        for k in range(per_clip):
            rng = np.random.default_rng([seed, index, k, 32])
            caption, stated = C.build_caption(rng, m["family"], m["attrs"], m["post"], heldout=False)
            rows.append((caption, targets(m, stated, families)))
    return rows


class AttributeHeads(nn.Module):
    """Linear read-outs of the pooled encoder output; training scaffolding, not exported."""

    def __init__(self, width, families):
        super().__init__()
        self.classes = nn.ModuleDict({"family": nn.Linear(width, families),
                                      **{n: nn.Linear(width, len(v) + 1) for n, v in CATEGORIES.items()},
                                      "count": nn.Linear(width, MAX_COUNT + 1)})
        self.regressions = nn.ModuleDict({n: nn.Linear(width, 1) for n in ("bpm", "pitch", "seconds")})

    def forward(self, pooled):
        return ({n: head(pooled) for n, head in self.classes.items()},
                {n: head(pooled).squeeze(-1) for n, head in self.regressions.items()})


def drop_words(rng, caption, p):
    """The caption with each word left out with probability p; the first word stays if all would go."""
    words = caption.split()
    kept = [w for w in words if rng.random() >= p]
    return " ".join(kept or words[:1])


def encoded_batch(encoder, captions, device):
    """The encoder's output tokens [B, T, D] and their mask [B, T, 1] (float). The batch is cut to its longest caption
    first: padded keys are masked and T5's relative position bias does not depend on the padded length, so the real
    tokens' outputs are the same as at max_length, at a fraction of the cost."""
    ids, mask = encoder.tokenize(list(captions))
    longest = int(mask.sum(dim=1).max())
    ids, mask = ids[:, :longest].to(device), mask[:, :longest].to(device)
    h = encoder.encode_ids(ids, mask)
    return h, mask.unsqueeze(-1).to(h.dtype)


def masked_mean(h, mask):
    """Mean of h [B, T, D] over the tokens mask [B, T, 1] keeps."""
    return (h * mask).sum(dim=1) / mask.sum(dim=1).clamp_min(1.0)


def pooled_output(encoder, captions, device):
    """Masked mean of the encoder's output (encoded_batch)."""
    return masked_mean(*encoded_batch(encoder, captions, device))


def batch_targets(rows, device):
    keys = rows[0][1].keys()
    return {k: torch.tensor([r[1][k] for r in rows], device=device) for k in keys}


def losses(heads, pooled, target):
    logits, values = heads(pooled)
    out = {n: nn.functional.cross_entropy(x, target[n]) for n, x in logits.items()}
    for n, x in values.items():
        known = ~torch.isnan(target[n])
        out[n] = (nn.functional.mse_loss(x[known], target[n][known].float()) if known.any()
                  else x.sum() * 0.0)
    return out


@torch.no_grad()
def pooled_features(encoder, captions, device, batch=256):
    """pooled_output of every caption, in eval mode (no dropout), batch by batch; the encoder's mode is restored."""
    was_training = encoder.training
    encoder.eval()
    x = torch.cat([pooled_output(encoder, captions[i: i + batch], device) for i in range(0, len(captions), batch)])
    encoder.train(was_training)
    return x


@torch.no_grad()
def attribute_scores(heads, pooled, target):
    """Accuracy per class head (over captions that state the attribute; family over all) and regression MAE."""
    logits, values = heads(pooled)
    out = {}
    for n, x in logits.items():
        stated = torch.ones_like(target[n], dtype=torch.bool) if n == "family" else target[n] > 0
        out[f"{n}_accuracy"] = round(float((x.argmax(-1) == target[n])[stated].float().mean()), 4)
    for n, x in values.items():
        known = ~torch.isnan(target[n])
        out[f"{n}_mae"] = round(float((x[known] - target[n][known]).abs().mean()), 4)
    return out


def evaluate(encoder, heads, rows, device):
    return attribute_scores(heads, pooled_features(encoder, [c for c, _ in rows], device), batch_targets(rows, device))


def encoder_from_config(config, tokenizer):
    """A fresh t5_local encoder of the shape the diffusion config's t5_local entry gives, its vocabulary the
    tokenizer's (a spiece.model path), and that T5 config (what a saved encoder records)."""
    import sentencepiece as spm
    entries = [c for c in load_json(config)["model"]["conditioning"]["configs"] if c["type"] == "t5_local"]
    if len(entries) != 1:
        raise ValueError(f"{config}: expected one t5_local conditioner, found {len(entries)}")
    entry = json.loads(json.dumps(entries[0]["config"]))
    entry["t5_config"]["vocab_size"] = spm.SentencePieceProcessor(model_file=tokenizer).get_piece_size()
    encoder = LocalT5Conditioner(output_dim=entry["t5_config"]["d_model"], t5_config=entry["t5_config"],
                                 tokenizer=tokenizer, max_length=entry["max_length"])
    return encoder, entry["t5_config"]


def load_encoder(path):
    """The encoder a train_text_encoder run saved, as a t5_local conditioner."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    encoder = LocalT5Conditioner(output_dim=state["t5_config"]["d_model"], t5_config=state["t5_config"],
                                 tokenizer=state["tokenizer"], max_length=state["max_length"])
    encoder.model.load_state_dict(state["encoder"])
    return encoder


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--tokenizer", required=True, help="folder holding spiece.model (the diffusion run's tokenizer)")
    ap.add_argument("--config", default=os.path.join(HERE, "configs", "diffusion.json"),
                    help="diffusion config whose t5_local entry gives the encoder's shape")
    ap.add_argument("--out", required=True, help="where the encoder's weights go (a .pt file)")
    ap.add_argument("--captions-per-clip", type=int, default=4)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--word-dropout", type=float, default=0.0, help="probability of leaving out each caption word")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    if not 0.0 <= a.word_dropout < 1.0:
        ap.error(f"--word-dropout {a.word_dropout}: must lie in [0, 1)")
    set_threads(a.threads)
    dev = pick_device(a.device)
    torch.manual_seed(a.seed)
    tok_path = os.path.join(a.tokenizer, "spiece.model")
    try:
        encoder, t5_config = encoder_from_config(a.config, tok_path)
    except ValueError as error:
        raise SystemExit(str(error))
    encoder = encoder.to(dev)
    train_metas, eval_metas = read_meta(a.corpus, "train"), read_meta(a.corpus, "eval")
    families = sorted({m["family"] for m in train_metas})
    unknown = sorted({m["family"] for m in eval_metas} - set(families))
    if unknown:
        raise SystemExit(f"{a.corpus}: eval families missing from train: {unknown}")
    rows = caption_set(train_metas, a.captions_per_clip, a.seed, families)
    eval_rows = [(m["caption"], targets(m, m.get("stated", {}), families)) for m in eval_metas]
    heads = AttributeHeads(t5_config["d_model"], len(families)).to(dev)
    params = list(encoder.parameters()) + list(heads.parameters())
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.01)
    log = Logger(os.path.splitext(a.out)[0] + "_log.jsonl")
    log.log(event="start", captions=len(rows), eval_captions=len(eval_rows), families=len(families), steps=a.steps,
            batch=a.batch_size, lr=a.lr, word_dropout=a.word_dropout,
            encoder_params=sum(p.numel() for p in encoder.parameters()))
    rng = np.random.default_rng(a.seed)
    t0, running, since, metrics = time.time(), {}, 0, {}
    for step in range(1, a.steps + 1):
        lr = a.lr * min(1.0, step / 100) * 0.5 * (1 + math.cos(math.pi * step / a.steps))
        for g in opt.param_groups:
            g["lr"] = lr
        chunk = [rows[i] for i in rng.integers(len(rows), size=a.batch_size)]
        if a.word_dropout:
            chunk = [(drop_words(rng, c, a.word_dropout), t) for c, t in chunk]
        parts = losses(heads, pooled_output(encoder, [c for c, _ in chunk], dev), batch_targets(chunk, dev))
        loss = sum(parts.values())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        for n, v in parts.items():
            running[n] = running.get(n, 0.0) + v.item()
        since += 1
        if step % 100 == 0 or step == a.steps:
            # every 500 steps and at the last one, whose scores are the run's
            metrics = evaluate(encoder, heads, eval_rows, dev) if step % 500 == 0 or step == a.steps else {}
            log.log(step=step, lr=lr, **{n: v / since for n, v in running.items()}, **metrics)
            running, since = {}, 0
    tmp = a.out + ".tmp"
    torch.save(dict(encoder=encoder.model.state_dict(), t5_config=t5_config, max_length=encoder.max_length,
                    tokenizer=os.path.abspath(tok_path), tokenizer_sha256=file_sha256(tok_path), families=families,
                    steps=a.steps, word_dropout=a.word_dropout, eval=metrics, wall=round(time.time() - t0, 1)), tmp)
    os.replace(tmp, a.out)
    log.log(event="done", out=a.out, wall_s_total=round(time.time() - t0, 1), **metrics)


if __name__ == "__main__":
    main()
