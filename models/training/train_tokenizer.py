"""Stage 4a: train the SentencePiece unigram tokenizer on the training captions (never on the eval split).

  python -m models.training.train_tokenizer --corpus /work/data/corpus --out /work/checkpoints/tokenizer

Special ids follow T5: <pad>=0, </s>=1, <unk>=2, no <s>.
"""
import argparse
import os

import sentencepiece as spm

from .common import read_meta


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--out", default="/work/checkpoints/tokenizer")
    ap.add_argument("--vocab-size", type=int, default=1000)
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    metas = read_meta(a.corpus, "train")
    txt = os.path.join(a.out, "captions.txt")
    with open(txt, "w") as f:
        for m in metas:
            f.write(m["caption"] + "\n")
    spm.SentencePieceTrainer.train(
        input=txt, model_prefix=os.path.join(a.out, "spiece"), model_type="unigram", vocab_size=a.vocab_size,
        hard_vocab_limit=False, character_coverage=1.0, pad_id=0, eos_id=1, unk_id=2, bos_id=-1,
        pad_piece="<pad>", eos_piece="</s>", unk_piece="<unk>", split_digits=False, num_threads=2,
        minloglevel=2)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(a.out, "spiece.model"))
    lens = [len(sp.encode(m["caption"])) + 1 for m in metas[:5000]]
    print(f"[tokenizer] vocab {sp.get_piece_size()} from {len(metas)} captions; tokens/caption max {max(lens)} "
          f"mean {sum(lens) / len(lens):.1f}")


if __name__ == "__main__":
    main()
