"""Does a text encoder tell which way a movement goes? Linear probes on frozen encoders, as text_encoder_probe.py does
for every attribute, but for the one pair of classes that differ only in word order: "moving from left to right" /
"moving from right to left" hold the same words.

For each encoder and each of two readings of a caption,
  pooled: the masked mean of the output tokens (train_text_encoder.pooled_output);
  at "left": the output token at the first piece that spells the word left (what the U-Net's cross-attention sees
             there),
a logistic probe (standardised features, L-BFGS, L2 1e-3) is fitted on four fifths of the train captions that state a
movement (seeded split) and judged on the other fifth (training phrasings, unseen captions) and on the eval split's
movement captions (the held-out phrasing "moving to the right from the left"). The same probe on the pooled outputs of
the static "left" / "right" captions is the reference: those the U-Net follows (only the movement captions all hold
the word left).

    PYTHONPATH=. python eval/default-model/text_direction_probe.py --model models/default \
        --pretrained /work/checkpoints/direction42.pt --out /tmp/text_direction.json
"""
import argparse
import json
import os
import sys

import sentencepiece as spm
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
from models.training.common import read_meta, set_threads  # noqa: E402
from models.training.direction_text import exported_encoder  # noqa: E402
from models.training.train_text_encoder import load_encoder  # noqa: E402

PAIRS = {"movement": ("left_to_right", "right_to_left"), "static": ("left", "right")}


def captions(corpus, split, values):
    rows = [(m["caption"], values.index(m["stated"]["position"])) for m in read_meta(corpus, split)
            if m.get("stated", {}).get("position") in values]
    if not rows:
        raise ValueError(f"{corpus}: no {split} caption states position {values}")
    return [c for c, _ in rows], torch.tensor([y for _, y in rows])


@torch.no_grad()
def features(encoder, pieces, texts):
    """[N, D] pooled outputs and [N, D] outputs at the first 'left' piece (zeros where a caption has none)."""
    pooled, at_left = [], []
    for text in texts:
        ids, mask = encoder.tokenize([text])
        n = int(mask.sum())
        h = encoder.encode_ids(ids[:, :n], mask[:, :n])[0]
        pooled.append(h.mean(dim=0))
        where = [i for i, t in enumerate(ids[0, :n].tolist()) if pieces.id_to_piece(t).lstrip("\u2581") == "left"]
        at_left.append(h[where[0]] if where else torch.zeros_like(h[0]))
    return {"pooled": torch.stack(pooled), "at_left": torch.stack(at_left)}


def probe(x_train, y_train, x_eval, y_eval, seed):
    """Held-out-fifth and eval accuracy of a logistic probe fitted on the other four fifths of the train rows."""
    mean, spread = x_train.mean(dim=0), x_train.std(dim=0) + 1e-6
    x_train, x_eval = (x_train - mean) / spread, (x_eval - mean) / spread
    order = torch.randperm(len(y_train), generator=torch.Generator().manual_seed(seed))
    test, fit = order[: len(order) // 5], order[len(order) // 5:]
    weight = torch.zeros(x_train.shape[1], requires_grad=True)
    bias = torch.zeros(1, requires_grad=True)
    optimiser = torch.optim.LBFGS([weight, bias], max_iter=200)

    def closure():
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(x_train[fit] @ weight + bias, y_train[fit].float())
        loss = loss + 1e-3 * weight.pow(2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    with torch.no_grad():
        accuracy = lambda x, y: round(float(((x @ weight + bias > 0).long() == y).float().mean()), 4)
        return dict(fitted=accuracy(x_train[fit], y_train[fit]), unseen_train_captions=accuracy(x_train[test], y_train[test]),
                    eval_captions=accuracy(x_eval, y_eval), n_train=len(y_train), n_eval=len(y_eval))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--model", action="append", default=[], help="exported model folder (repeatable)")
    ap.add_argument("--pretrained", action="append", default=[],
                    help="train_text_encoder or direction_text checkpoint (repeatable)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    set_threads(1)
    encoders = ([(f"export {f}", lambda f=f: exported_encoder(f)[0]) for f in a.model]
                + [(f"checkpoint {p}", lambda p=p: load_encoder(p)) for p in a.pretrained])
    if not encoders:
        ap.error("give at least one --model or --pretrained")
    results = {}
    for name, build in encoders:
        encoder = build().eval()
        pieces = spm.SentencePieceProcessor(model_file=encoder.tok_path)
        results[name] = {}
        for pair, values in PAIRS.items():
            train_texts, y_train = captions(a.corpus, "train", values)
            eval_texts, y_eval = captions(a.corpus, "eval", values)
            f_train, f_eval = features(encoder, pieces, train_texts), features(encoder, pieces, eval_texts)
            results[name][pair] = {reading: probe(f_train[reading], y_train, f_eval[reading], y_eval, a.seed)
                                   for reading in (("pooled", "at_left") if pair == "movement" else ("pooled",))}
            print(name, pair, json.dumps(results[name][pair]), flush=True)
    with open(a.out, "w") as fh:
        json.dump(dict(command=" ".join(sys.argv), results=results), fh, indent=1)


if __name__ == "__main__":
    main()
