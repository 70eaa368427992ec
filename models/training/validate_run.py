"""Validation of a diffusion run while it trains (session 49): every EVERY steps, the run's EMA weights are exported and
judged on the contrast pairs and the length prompts of `eval/default-model/run_eval.py`, rendered by SAT's sampler in
PyTorch on the run's device, and each checkpoint becomes one row of RUN/validation.jsonl; `best` names the export
with the most renders that pass (pairs won + lengths filled).

Why: session 47's two GPU continuations of the shipped model filled more lengths but lost the loudness words, and
their 6,100-step exports had already lost them; only the run's last weights were kept, so where along the run the
trade turned was never seen. With this, a lease keeps the whole curve and brings back the best point of it.

  python -m models.training.validate_run watch --run W/run_a --restored W/restored --every 1000 --seed 4000 \
      --device cuda --stop-file W/run_a/stop [--clap models/sfx-clap-mini]
  python -m models.training.validate_run best --run W/run_a      # prints the best export folder
  python -m models.training.validate_run show --run W/run_a      # the table of validation.jsonl

`watch` polls RUN/last.pt (train_diffusion replaces it by rename, so a copy is always one whole checkpoint), exports
each checkpoint at least EVERY steps after the last one judged into RUN/validation/stepN (export.py, EMA weights, the
shipped sampling defaults), runs run_eval.py on it and appends the row; when STOP_FILE appears it judges the final
checkpoint if it has not yet, then returns. The default seed, 4000, is none of the bar's (0, 1000, 2000, 3000), so a
pick made on it is checked on renders it did not see. Limits: SAT's sampler applies CFG at every step (no
`cfg_interval`, which only the Swift engine has), so the numbers are close to the bar's but not the bar's; without
`--clap` the family pairs are not scored (60 of the 68 pairs).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import torch

from .common import write_then_rename
from .export import main as export_main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUN_EVAL = os.path.join(REPO, "eval", "default-model", "run_eval.py")
LOG_NAME = "validation.jsonl"


def checkpoint_step(path):
    """The step a train_diffusion checkpoint was saved at (memory-mapped: only the entries read are loaded)."""
    state = torch.load(path, map_location="cpu", weights_only=False, mmap=True)
    if "step" not in state or "ema" not in state:
        raise SystemExit(f"{path}: not a train_diffusion checkpoint (no 'step' or 'ema' entry)")
    return int(state["step"])


def summarize(results_path, step):
    """One validation row from run_eval.py's results.json: pair counts per category and in all, the loudness and pitch
    pairs' median margins (the words session 47's runs lost), and the length cells filled."""
    with open(results_path) as f:
        results = json.load(f)
    pairs = results.get("pairs")
    length = results.get("length")
    if pairs is None or length is None:
        raise SystemExit(f"{results_path}: no 'pairs' or 'length' section")
    detail = results["pairs_detail"]
    per_category = {}
    for row in detail:
        won, total = per_category.get(row["category"], (0, 0))
        per_category[row["category"]] = (won + bool(row["correct"]), total + 1)
    lengths = len(results["length_detail"])
    cells = round(length["frac_ge_95"] * lengths)  # run_eval's own verdict (measures.LENGTH_BAR_FRACTION)
    margins = pairs["median_margin_per_category"]
    return dict(step=step, pairs=sum(won for won, _ in per_category.values()), pairs_scored=len(detail),
                per_category={name: f"{won}/{total}" for name, (won, total) in sorted(per_category.items())},
                loudness_margin_db=round(margins.get("loudness", float("nan")), 2),
                pitch_margin_hz=round(margins.get("pitch", float("nan")), 1),
                length_cells=cells, length_total=lengths)


def score(row):
    """Renders that pass: pairs won plus lengths filled (each render of either bar counts once); ties go to the later
    step."""
    return (row["pairs"] + row["length_cells"], row["step"])


def read_rows(run):
    path = os.path.join(run, LOG_NAME)
    if not os.path.exists(path):
        return []
    rows = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise SystemExit(f"{path}: line {number} is not JSON ({error})")
    return rows


def append_row(run, row):
    """Appends a row: the whole log is rewritten through a temporary file, so a kill never leaves half a line."""
    path = os.path.join(run, LOG_NAME)
    lines = [json.dumps(r) + "\n" for r in read_rows(run)] + [json.dumps(row) + "\n"]

    def write(tmp):
        with open(tmp, "w") as f:
            f.writelines(lines)
    write_then_rename(path, write)


def validate(a, snapshot, step):
    """Exports the snapshot's EMA weights and judges them; returns the row."""
    folder = os.path.join(a.run, "validation", f"step{step:07d}")
    export_main(["--diffusion", snapshot, "--vae", os.path.join(a.restored, "vae.pt"),
                 "--tokenizer", os.path.join(a.restored, "tokenizer"), "--weights", "ema", "--window", "full",
                 "--cfg-scale", str(a.cfg), "--threads", str(a.threads), "--out", folder])
    eval_out = folder + "_eval"
    command = [sys.executable, RUN_EVAL, "--model", folder, "--engine", "pytorch", "--device", a.device,
               "--sections", "pairs,length", "--seed", str(a.seed), "--steps", str(a.steps), "--cfg", str(a.cfg),
               "--threads", str(a.threads), "--max-pairs", str(a.max_pairs), "--out", eval_out] + \
        (["--clap", a.clap] if a.clap else [])
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [REPO, os.environ.get("PYTHONPATH")])))
    started = time.time()
    os.makedirs(eval_out, exist_ok=True)
    log_path = os.path.join(eval_out, "run_eval.log")
    with open(log_path, "w") as log:
        finished = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env=environment)
    if finished.returncode != 0:
        with open(log_path) as log:
            tail = log.read()[-2000:]
        raise SystemExit(f"run_eval.py on {folder} exited {finished.returncode}; its log {log_path} ends:\n{tail}")
    row = summarize(os.path.join(eval_out, "results.json"), step)
    row.update(export=folder, seconds=round(time.time() - started, 1), seed=a.seed, sampling_steps=a.steps)
    shutil.rmtree(os.path.join(eval_out, "pairs"), ignore_errors=True)  # the renders: 100+ MB a checkpoint
    return row


def watch(a):
    last = os.path.join(a.run, "last.pt")
    snapshot = os.path.join(a.run, "validation", "snapshot.pt")
    os.makedirs(os.path.dirname(snapshot), exist_ok=True)
    judged = {row["step"] for row in read_rows(a.run)}
    seen_mtime = pending = None
    while True:
        # read before last.pt: the run has exited when the stop file appears, so the checkpoint then is the final one
        stopping = bool(a.stop_file) and os.path.exists(a.stop_file)
        if os.path.exists(last) and os.path.getmtime(last) != seen_mtime:
            seen_mtime = os.path.getmtime(last)
            pending = checkpoint_step(last)
        due = pending is not None and pending not in judged and (
            not judged or pending >= max(judged) + a.every or stopping)
        if due:
            shutil.copyfile(last, snapshot)  # the export reads a file the run cannot replace meanwhile
            pending = checkpoint_step(snapshot)  # a later step than the one seen if the run saved in between
            row = validate(a, snapshot, pending)
            append_row(a.run, row)
            judged.add(pending)
            print(json.dumps(row), flush=True)
            continue  # look at last.pt again at once: it may have moved on while this one was judged
        if stopping:
            return
        time.sleep(a.poll_seconds)


def show(a):
    rows = read_rows(a.run)
    for row in rows:
        print(f"step {row['step']:6d}  pairs {row['pairs']}/{row['pairs_scored']}  length {row['length_cells']}/"
              f"{row['length_total']}  loudness {row['loudness_margin_db']} dB  pitch {row['pitch_margin_hz']} Hz  "
              f"{row['per_category']}")


def best(a):
    rows = read_rows(a.run)
    if not rows:
        raise SystemExit(f"{os.path.join(a.run, LOG_NAME)}: no validated checkpoint")
    print(max(rows, key=score)["export"])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    w = sub.add_parser("watch", help="judge the run's checkpoints as it trains")
    w.add_argument("--run", required=True, help="the train_diffusion --ckpt folder")
    w.add_argument("--restored", required=True, help="the folder with the run's vae.pt and tokenizer (restore.py)")
    w.add_argument("--every", type=int, default=1000, help="judge a checkpoint at least this many steps after the last")
    w.add_argument("--seed", type=int, default=4000)
    w.add_argument("--steps", type=int, default=30, help="sampling steps")
    w.add_argument("--cfg", type=float, default=4.5)
    w.add_argument("--device", default="cpu")
    w.add_argument("--threads", type=int, default=2)
    w.add_argument("--clap", default=None, help="the family judge's folder (family pairs); without it they are skipped")
    w.add_argument("--max-pairs", type=int, default=0, help="run_eval.py --max-pairs (0: all; for smoke runs)")
    w.add_argument("--stop-file", default=None, help="return once this file exists (after judging the last checkpoint)")
    w.add_argument("--poll-seconds", type=float, default=20.0)
    for name, helptext in (("best", "print the best validated export folder"), ("show", "print the validation table")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--run", required=True)
    a = ap.parse_args(argv)
    if a.command == "watch" and a.every < 1:
        raise SystemExit(f"--every {a.every}: must be at least 1")
    {"watch": watch, "best": best, "show": show}[a.command](a)


if __name__ == "__main__":
    main()
