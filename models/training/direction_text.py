"""Stage (session 42): teach an exported model's text encoder which way a movement goes, and leave the rest of what it
outputs where it was. The result is a train_text_encoder checkpoint, for `train_diffusion --init ... --text-encoder
OUT --freeze-text-encoder`.

Why: the shipped encoder does not tell "moving from left to right" from "moving from right to left" (both hold the
words left and right). A linear probe on its pooled output names the direction of 47.5% of held-out training-phrasing
captions and a probe on the output at the word "left" 52.9% (chance 50%), against 100% for the static "on the left" /
"on the right" (session 42, `eval/default-model/text_direction_probe.py`). So the U-Net cannot follow movement words
whatever it learns: `eval/default-model/movement_words.py` finds the two directions' renders equal in pan slope to
four decimals, in the training phrasings as in the held-out one.

Objective, over batches of which half are movement captions (corpus captions plus `--captions-per-clip` fresh
training phrasings of each train clip, train_text_encoder.caption_set; held-out phrasings never), each movement
caption beside its mirror (`mirrored`: the words left and right swapped, so the same words in the other order and the
other direction; without the mirrors the encoder memorised which captions move which way and did not generalise):
    h = the encoder's output tokens (what the U-Net cross-attends to), h0 = the same from the frozen original
    anchor = sum_{tokens} |h - h0|^2 / sum_{tokens} |h0|^2                              (every caption of the batch)
    pooled = masked mean of h over tokens;  u = v / |v| (v learned)
    direction = mean over movement captions of relu(margin - s · (pooled - pooled0) · u)^2 / margin^2,
                s = +1 left to right, -1 right to left
    loss = anchor_weight · anchor + direction
The margin is half the distance between the original's mean pooled outputs of the static "left" and "right" captions
(measured at the start and recorded), so that the two directions end up as far apart as the static positions, which
the U-Net follows. Measuring against pooled0 moves each movement caption from where it was along u, and leaves its
other content to the anchor. `--role-phrasings` adds a copy of each movement caption in a ROLE_PHRASINGS wording.

    python -m models.training.direction_text --model models/default --out /work/checkpoints/direction42.pt
    python -m models.training.direction_text --model models/default --role-phrasings --out .../direction42r.pt
    python -m models.training.direction_text --model <session-45 export> --phrasing-grammar 2 --static-phrasings 2 \
        --steps 800 --out .../direction46.pt                               # = run_ratio2048.sh direction46

Reported at the end (and kept in the checkpoint's `eval`): the share of eval captions (held-out phrasings), of unseen
training-phrasing captions and of fitted ones whose direction the sign of (pooled - pooled0) · u names, and the anchor
error on the captions that state no movement (relative mean square, as above).

Session 42 (400 steps, 1 thread, 6-7 minutes each): the encoder learns to read the order, every unseen
training-phrasing caption right, anchor error 0.015 (0.032 with role phrasings) on unseen train captions, but it reads
the held-out phrasing backwards: 6.2% of the eval movement captions right (0.0% with role phrasings). It takes the side
named first for the source, as every training phrasing has it, and "moving to the right from the left" names the
destination first. So a U-Net taught on it would turn the bar's movement pairs the wrong way; no U-Net was trained.

Session 46 (1 thread beside other work): `--phrasing-grammar 2` (two extra copies of each movement caption in
grammar_phrasings() wordings: seven verbs, the source named first in half the structures and the destination first in
the other half, none holding a held-out phrase) reads the held-out phrasing right for every eval movement caption
(161 of 161) after 400 steps, but leaves the held-out static "panned to the left/right" at relative error 0.25 (the
unseen training captions 0.03): "to the {side}" had been seen only as a destination. `--static-phrasings 2` (static
left/right captions in STATIC_PHRASINGS wordings added to the anchored captions) takes that to 0.07-0.09 and needs
800 steps (at 400: 43% of the held-out movement captions right): 161 of 161 right, unseen training captions 100%,
eval anchor error 0.079 (direction42: 0.046).
"""
import argparse
import math
import os
import re
import time

import numpy as np
import torch
from safetensors.torch import load_file

from .common import Logger, file_sha256, pick_device, read_meta, set_threads
from .movement_phrasings import grammar_phrasings, with_role_phrasing, with_static_phrasing
from .train_text_encoder import CATEGORIES, caption_set, encoded_batch, encoder_from_config, masked_mean, targets

PROMPT_PREFIX = "conditioner.conditioners.prompt.model."
DIRECTIONS = {"left_to_right": 1.0, "right_to_left": -1.0}


def exported_encoder(folder):
    """The t5_local prompt encoder of an exported model folder with its weights (fp16 files come back as fp32), and its
    T5 config."""
    config, tokenizer = os.path.join(folder, "model_config.json"), os.path.join(folder, "spiece.model")
    encoder, t5_config = encoder_from_config(config, tokenizer)
    weights = {k[len(PROMPT_PREFIX):]: v.float() for k, v in load_file(os.path.join(folder, "model.safetensors")).items()
               if k.startswith(PROMPT_PREFIX)}
    try:
        encoder.model.load_state_dict(weights)
    except RuntimeError as error:
        raise ValueError(f"{folder}/model.safetensors: the prompt encoder's weights do not fit its config: {error}")
    return encoder, t5_config


def relative_square_error(h, h0, mask):
    return ((h - h0).pow(2) * mask).sum() / (h0.pow(2) * mask).sum().clamp_min(1e-12)


def mirrored(caption):
    """The caption with the words left and right swapped: the same words in the other order, so the other direction."""
    return re.sub(r"\b(left|right)\b", lambda word: "right" if word.group(1) == "left" else "left", caption)


def movement_signs(rows):
    """(caption, targets) rows (train_text_encoder.targets: a position's index in CATEGORIES + 1, 0 not stated) as
    (caption, sign): +1 left to right, -1 right to left, 0 no movement stated."""
    sign_of_class = {CATEGORIES["position"].index(value) + 1: sign for value, sign in DIRECTIONS.items()}
    return [(caption, sign_of_class.get(target["position"], 0.0)) for caption, target in rows]


@torch.no_grad()
def static_margin(original, metas, device):
    """Half the distance between the original's mean pooled outputs of the train captions stating "left" and "right"."""
    means = []
    for side in ("left", "right"):
        captions = [m["caption"] for m in metas if m.get("stated", {}).get("position") == side]
        if not captions:
            raise ValueError(f"no train caption states position {side!r}")
        means.append(torch.cat([masked_mean(*encoded_batch(original, captions[i: i + 256], device))
                                for i in range(0, len(captions), 256)]).mean(dim=0))
    return 0.5 * float((means[0] - means[1]).norm())


@torch.no_grad()
def scores(encoder, original, axis, rows, device):
    """Direction accuracy (sign of the pooled shift along the axis) over the movement captions of rows, and the anchor
    error over the others."""
    moving = [(c, s) for c, s in rows if s != 0.0]
    still = [c for c, s in rows if s == 0.0]
    right = 0
    for i in range(0, len(moving), 256):
        chunk = moving[i: i + 256]
        h, mask = encoded_batch(encoder, [c for c, _ in chunk], device)
        h0, _ = encoded_batch(original, [c for c, _ in chunk], device)
        shift = (masked_mean(h, mask) - masked_mean(h0, mask)) @ axis
        right += int(((shift > 0).float() * 2 - 1 == torch.tensor([s for _, s in chunk], device=device)).sum())
    error, weight = 0.0, 0
    for i in range(0, len(still), 256):
        chunk = still[i: i + 256]
        h, mask = encoded_batch(encoder, chunk, device)
        h0, _ = encoded_batch(original, chunk, device)
        error += float(relative_square_error(h, h0, mask)) * len(chunk)
        weight += len(chunk)
    return dict(direction_accuracy=round(right / max(len(moving), 1), 4), movement_captions=len(moving),
                anchor_error=round(error / max(weight, 1), 6), other_captions=weight)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="exported model folder whose prompt encoder is taught")
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--out", required=True, help="train_text_encoder-style checkpoint (.pt)")
    ap.add_argument("--captions-per-clip", type=int, default=2)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--anchor-weight", type=float, default=1.0)
    ap.add_argument("--role-phrasings", action="store_true",
                    help="also teach each movement caption with its phrase in a ROLE_PHRASINGS wording")
    ap.add_argument("--phrasing-grammar", type=int, default=0, metavar="N",
                    help="also teach N copies of each movement caption, each with its phrase in a random "
                         "grammar_phrasings() wording (session 46)")
    ap.add_argument("--static-phrasings", type=int, default=0, metavar="N",
                    help="also anchor N copies of each static left/right caption, each with its position phrase in a "
                         "random STATIC_PHRASINGS wording (session 46)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    set_threads(a.threads)
    device = pick_device(a.device)
    torch.manual_seed(a.seed)
    encoder, t5_config = exported_encoder(a.model)
    original, _ = exported_encoder(a.model)
    encoder, original = encoder.to(device).train(), original.to(device).eval().requires_grad_(False)
    train_metas, eval_metas = read_meta(a.corpus, "train"), read_meta(a.corpus, "eval")
    families = sorted({m["family"] for m in train_metas})
    # hold out a tenth of the train clips (all their phrasings) to check the reading on unseen captions
    rng = np.random.default_rng(a.seed)
    unseen = set(rng.choice(len(train_metas), size=len(train_metas) // 10, replace=False).tolist())
    fit_metas = [m for i, m in enumerate(train_metas) if i not in unseen]
    check_metas = [m for i, m in enumerate(train_metas) if i in unseen]

    fit_rows = caption_set(fit_metas, a.captions_per_clip, a.seed, families)
    rows = movement_signs(fit_rows)
    check_rows = movement_signs(caption_set(check_metas, a.captions_per_clip, a.seed, families))
    eval_rows = movement_signs([(m["caption"], targets(m, m.get("stated", {}), families)) for m in eval_metas])
    moving = [r for r in rows if r[1] != 0.0]
    if a.role_phrasings:
        moving += [(with_role_phrasing(rng, c, s), s) for c, s in moving]
    if a.phrasing_grammar:
        grammar = grammar_phrasings()
        moving += [(with_role_phrasing(rng, c, s, grammar), s) for c, s in moving for _ in range(a.phrasing_grammar)]
    still = [r for r in rows if r[1] == 0.0]
    if a.static_phrasings:
        sides = {caption: target["position"] for caption, target in fit_rows}
        side_of_class = {CATEGORIES["position"].index(side) + 1: side for side in ("left", "right")}
        still += [(with_static_phrasing(rng, c, side_of_class[sides[c]]), 0.0) for c, _ in list(still)
                  if sides.get(c) in side_of_class for _ in range(a.static_phrasings)]
    margin = static_margin(original, fit_metas, device)
    direction = torch.nn.Parameter(torch.randn(t5_config["d_model"], device=device))
    weights = list(encoder.parameters())
    opt = torch.optim.AdamW([{"params": weights, "weight_decay": 0.0},
                             {"params": [direction], "weight_decay": 0.0, "lr": 1e-2}], lr=a.lr)
    # a batch: batch_size // 4 movement captions, each beside its mirror, then the rest captions that do not move
    picked_per_batch, still_per_batch = a.batch_size // 4, a.batch_size - a.batch_size // 2
    moving_per_batch = 2 * picked_per_batch
    log = Logger(os.path.splitext(a.out)[0] + "_log.jsonl")
    log.log(event="start", model=a.model, captions=len(rows), movement_captions=len(moving), margin=round(margin, 5),
            steps=a.steps, batch=a.batch_size, lr=a.lr, anchor_weight=a.anchor_weight, role_phrasings=a.role_phrasings,
            phrasing_grammar=a.phrasing_grammar, static_phrasings=a.static_phrasings, still_captions=len(still))
    t0, running, since = time.time(), {}, 0
    for step in range(1, a.steps + 1):
        scale = min(1.0, step / 20) * 0.5 * (1 + math.cos(math.pi * step / a.steps))
        opt.param_groups[0]["lr"], opt.param_groups[1]["lr"] = a.lr * scale, 1e-2 * scale
        picked = [moving[i] for i in rng.integers(len(moving), size=picked_per_batch)]
        chunk = (picked + [(mirrored(c), -s) for c, s in picked]
                 + [still[i] for i in rng.integers(len(still), size=still_per_batch)])
        h, mask = encoded_batch(encoder, [c for c, _ in chunk], device)
        with torch.no_grad():
            h0, _ = encoded_batch(original, [c for c, _ in chunk], device)
        anchor = relative_square_error(h, h0, mask)
        axis = direction / direction.norm()
        signs = torch.tensor([s for _, s in chunk[:moving_per_batch]], device=device)
        moving_h, moving_h0, moving_mask = h[:moving_per_batch], h0[:moving_per_batch], mask[:moving_per_batch]
        shift = (masked_mean(moving_h, moving_mask) - masked_mean(moving_h0, moving_mask)) @ axis
        along = torch.relu(margin - signs * shift).pow(2).mean() / margin ** 2
        loss = a.anchor_weight * anchor + along
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(weights + [direction], 1.0)
        opt.step()
        for name, value in (("anchor", anchor), ("direction", along), ("loss", loss)):
            running[name] = running.get(name, 0.0) + float(value.detach())
        since += 1
        if step % 50 == 0 or step == a.steps:
            log.log(step=step, **{n: round(v / since, 6) for n, v in running.items()}, wall_s=round(time.time() - t0, 1))
            running, since = {}, 0
    encoder.eval()
    axis = (direction / direction.norm()).detach()
    metrics = dict(eval_held_out_phrasings=scores(encoder, original, axis, eval_rows, device),
                   fitted_captions=scores(encoder, original, axis, moving[:1000], device),
                   unseen_train_captions=scores(encoder, original, axis, check_rows, device), margin=round(margin, 5))
    tokenizer = os.path.join(a.model, "spiece.model")
    tmp = a.out + ".tmp"
    torch.save(dict(encoder=encoder.model.state_dict(), t5_config=t5_config, max_length=encoder.max_length,
                    tokenizer=os.path.abspath(tokenizer), tokenizer_sha256=file_sha256(tokenizer), families=families,
                    steps=a.steps, eval=metrics, source=dict(model=a.model, stage="direction_text"),
                    anchor_weight=a.anchor_weight, lr=a.lr, role_phrasings=a.role_phrasings,
                    phrasing_grammar=a.phrasing_grammar, static_phrasings=a.static_phrasings, seed=a.seed,
                    wall=round(time.time() - t0, 1)), tmp)
    os.replace(tmp, a.out)
    log.log(event="done", out=a.out, wall_s_total=round(time.time() - t0, 1), **metrics)


if __name__ == "__main__":
    main()
