"""How well does a text encoder's pooled output state what a caption says? Linear probes on frozen encoders.

For each encoder: the masked mean of its output tokens (train_text_encoder.pooled_output) for every train caption of
the corpus and every eval caption (held-out phrasings); train_text_encoder's attribute heads fitted on the train
captions' features alone (the encoder frozen, full batch, AdamW), then judged on the eval captions with
train_text_encoder.attribute_scores (accuracy over the captions that state each attribute, family over all;
regression MAE). The encoders:
  --model FOLDER   the t5_local encoder inside an exported model (jointly trained with its U-Net)
  --pretrained PT  a train_text_encoder checkpoint
  --random         a fresh encoder of the --config shape (what the tokens alone give)

    python eval/default-model/text_encoder_probe.py --model models/default --model /work/checkpoints/gpu29/export \
        --pretrained /work/checkpoints/text32.pt --random --out /tmp/text_probe.json

The eval captions put the attributes in held-out templates (corpus/captions.py's held-out phrasings), so the eval
numbers say how far each encoder's reading carries over to phrasings its heads never saw.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
from models.training.common import read_meta, set_threads  # noqa: E402
from models.training.train_text_encoder import (AttributeHeads, attribute_scores, batch_targets,  # noqa: E402
                                                encoder_from_config, load_encoder, losses, pooled_features, targets)


def probe(encoder, train_rows, eval_rows, families, steps, seed):
    x_train = pooled_features(encoder, [c for c, _ in train_rows], "cpu")
    x_eval = pooled_features(encoder, [c for c, _ in eval_rows], "cpu")
    y_train, y_eval = batch_targets(train_rows, "cpu"), batch_targets(eval_rows, "cpu")
    torch.manual_seed(seed)
    heads = AttributeHeads(x_train.shape[1], len(families))
    opt = torch.optim.AdamW(heads.parameters(), lr=1e-2, weight_decay=1e-4)
    for _ in range(steps):
        loss = sum(losses(heads, x_train, y_train).values())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return dict(train=attribute_scores(heads, x_train, y_train), eval=attribute_scores(heads, x_eval, y_eval))


def encoder_from_export(folder):
    from models.training.sample import load_model
    model, _ = load_model(folder)
    return model.conditioner.conditioners["prompt"]


def random_encoder(config, tokenizer, seed):
    torch.manual_seed(seed)
    return encoder_from_config(config, tokenizer)[0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--model", action="append", default=[], help="exported model folder (repeatable)")
    ap.add_argument("--pretrained", action="append", default=[], help="train_text_encoder checkpoint (repeatable)")
    ap.add_argument("--random", action="store_true", help="also probe a fresh encoder (--config, --tokenizer)")
    ap.add_argument("--config", default="models/training/configs/experiments/diffusion_ratio256.json")
    ap.add_argument("--tokenizer", default="/work/checkpoints/restored29/tokenizer/spiece.model")
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", required=True)
    a = ap.parse_args(argv)
    set_threads(a.threads)
    train_metas, eval_metas = read_meta(a.corpus, "train"), read_meta(a.corpus, "eval")
    families = sorted({m["family"] for m in train_metas})
    train_rows = [(m["caption"], targets(m, m.get("stated", {}), families)) for m in train_metas]
    eval_rows = [(m["caption"], targets(m, m.get("stated", {}), families)) for m in eval_metas]
    encoders = ([(f"export {f}", lambda f=f: encoder_from_export(f)) for f in a.model]
                + [(f"pretrained {p}", lambda p=p: load_encoder(p)) for p in a.pretrained]
                + ([("random init", lambda: random_encoder(a.config, a.tokenizer, a.seed))] if a.random else []))
    results = {}
    for name, build in encoders:
        t0 = time.time()
        results[name] = probe(build(), train_rows, eval_rows, families, a.steps, a.seed)
        results[name]["seconds"] = round(time.time() - t0, 1)
        print(name, json.dumps(results[name]["eval"]), file=sys.stderr, flush=True)
    out = dict(command="python " + " ".join([os.path.relpath(__file__)] + (argv if argv is not None else sys.argv[1:])),
               train_captions=len(train_rows), eval_captions=len(eval_rows), steps=a.steps, results=results)
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
