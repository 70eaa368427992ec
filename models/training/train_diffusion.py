"""Stage 4: jointly train the from-scratch T5 text encoder ("t5_local"), the seconds conditioners and the adp_cfg_1d
U-Net on pre-encoded latents. v-objective, cosine schedule (alpha=cos(t*pi/2), sigma=sin(t*pi/2)), 10% condition
dropout (UNetCFG1d's learned fixed_embedding), EMA of all trained weights. Resumable.

  python -m models.training.train_diffusion --latents /work/checkpoints/latents --tokenizer /work/checkpoints/tokenizer \
      --vae /work/checkpoints/vae/last.pt --ckpt /work/checkpoints/diffusion [--device cuda --batch-size 128]

After re-encoding the latents with a new VAE, `--init OLD_CKPT/last.pt` starts a fresh run (new latent scale, step 0,
new optimizer) from the old run's EMA weights, so the text encoder and U-Net need not be learned again from zero.
"""
import argparse
import copy
import glob
import json
import math
import os
import time

import numpy as np
import torch

from .common import (HERE, Logger, add_cosine_arguments, add_time_limit_argument, checkpoint_name, cosine_start,
                     file_sha256, interpolation_record, learning_rate_at, load_json, past_time_limit, pick_device,
                     read_meta, save_ckpt, set_threads)
from .movement_phrasings import grammar_phrasings, with_role_phrasing
from .t5_local import LocalT5Conditioner, create_model


def build_config(vae_cfg, tok_dir, base=None, tokenizer_path=None):
    import sentencepiece as spm
    cfg = copy.deepcopy(base or load_json(os.path.join(HERE, "configs", "diffusion.json")))
    cfg["model"]["pretransform"]["config"] = copy.deepcopy(vae_cfg["model"])
    sp = spm.SentencePieceProcessor(model_file=os.path.join(tok_dir, "spiece.model"))
    for c in cfg["model"]["conditioning"]["configs"]:
        if c["type"] == "t5_local":
            c["config"]["t5_config"]["vocab_size"] = sp.get_piece_size()
            c["config"]["tokenizer"] = tokenizer_path or os.path.join(tok_dir, "spiece.model")
    return cfg


# the direction of each stated movement (+1: left to right), for LatentSet.batch's movement options
MOVEMENT_SIGNS = {"left_to_right": 1.0, "right_to_left": -1.0}

# LatentSet.batch's probability options, each a --flag of the same name (recorded_probability keeps it in the config):
# (keyword, what it draws)
BATCH_PROBABILITIES = (
    ("short_padding", "probability that a clip whose caption states a short envelope trains with seconds_total drawn "
                      "between its sound's length and the window"),
    ("sustained_truncation", "probability that a dry sustained clip whose caption states no length trains as a "
                             "shorter sound (0.5-2.5 s)"),
    ("movement_rephrase", "probability that a moving clip trains with its movement phrase in a movement_phrasings "
                          "grammar wording"),
    ("movement_share", "share of each batch drawn from the clips whose caption states a movement"),
)

# the lengths a truncated sustained clip is drawn between (LatentSet.batch's sustained_truncation), seconds
TRUNCATION_SECONDS = (0.5, 2.5)


def truncatable(meta):
    """Whether a clip can be presented shorter than it is: a sustained sound (its envelope attribute), dry (a
    reverberant clip's length includes its tail, which a cut would remove), whose caption states no length and which
    lasts longer than the shortest truncation."""
    return (meta.get("attrs", {}).get("envelope") == "sustained" and meta.get("post", {}).get("room") == "dry"
            and "seconds" not in meta.get("stated", {}) and meta["seconds_total"] > TRUNCATION_SECONDS[0])


class LatentSet:
    def __init__(self, latents_dir, corpus, split="train"):
        metas = {m["id"]: m for m in read_meta(corpus, split)}
        means, stds, self.meta = [], [], []
        for p in sorted(glob.glob(os.path.join(latents_dir, f"{split}_*.pt"))):
            d = torch.load(p, weights_only=False)
            means.append(d["mean"])
            stds.append(d["std"])
            self.meta += [metas[i] for i in d["ids"]]
        self.mean = torch.cat(means)
        self.std = torch.cat(stds)
        self._silence = None  # silence_latent, measured on first use
        self._moving = None  # indices of the clips whose caption states a movement (movement_share), on first use

    def __len__(self):
        return len(self.meta)

    def to(self, device):
        """Keeps the posterior means and stdevs (float16) on `device`, so that a GPU draws its batches where it trains
        (on CPU a batch of 256 windows costs more to draw than a GPU step)."""
        self.mean, self.std = self.mean.to(device), self.std.to(device)
        self._silence = None
        return self

    def silence_latent(self, window_seconds, margin_frames=8):
        """The posterior (mean, std) of digital silence, [C] each: the window's last frame, averaged over the clips
        whose sound ends at least `margin_frames` before it (the encoder's receptive field reaches a few frames past
        a sound's end; beyond that the frame is the same for every clip)."""
        frames = self.mean.shape[-1]
        end = torch.tensor([math.ceil(m["seconds_total"] / window_seconds * frames) for m in self.meta])
        quiet = (end <= frames - margin_frames).nonzero().flatten().to(self.mean.device)
        if len(quiet) == 0:
            raise ValueError(f"no clip ends {margin_frames} frames before the window's end: no silence to measure")
        return self.mean[quiet, :, -1].float().mean(0), self.std[quiet, :, -1].float().mean(0)

    def batch(self, rng, b, short_padding=0.0, window_seconds=None, crop_frames=0, sustained_truncation=0.0,
              movement_rephrase=0.0, movement_share=0.0):
        """A batch of posterior samples and their conditioning.

        short_padding: probability that a clip whose caption states a short envelope ("brief", "quick", ...) is
        presented as a longer file, the sound followed by silence (which its latent window already holds):
            seconds_total ~ U(seconds_total, window_seconds)
        The corpus trims every file to its sound, so without this "short" never meets a seconds_total longer than
        the sound, and a prompt like "short beep" at 5 s asks for a combination the model never saw.
        window_seconds: the model window (sample_size / sample_rate), needed when short_padding > 0.
        crop_frames: when > 0, each latent is cut to `crop_frames` frames starting at a frame drawn uniformly from
        those that keep the crop inside the clip's sound where the sound is long enough:
            start ~ U{0, ..., max(0, min(sound_frames, frames) - crop_frames)}
        (a cheaper step for comparisons of conditioning on the CPU; seconds_start/seconds_total stay the clip's).
        sustained_truncation: probability that a dry sustained clip whose caption states no length (see
        `truncatable`) is presented as a shorter sound: a new length, its latent kept up to the frame that holds the
        new end and silence (`silence_latent`) after it,
            seconds_total ~ U(TRUNCATION_SECONDS[0], min(TRUNCATION_SECONDS[1], seconds_total))
            frames kept   = ceil(seconds_total / window_seconds * frames)
        The corpus draws sustained sounds of 2 s and more (buzz 1 s), so a 1-s "steady" request asks for a
        combination the model has hardly seen (session 38, eval/default-model/length_reference_check.py). The cut
        has no release: the frames after it are the encoder's silence at once, not its few frames of decay. Session
        38 measured it at 0.5 (results_s38.json): no more lengths filled than the same run without it, and a worse
        FD-mel.
        movement_rephrase: probability that a clip whose caption states a movement (left to right or right to left)
        trains with its movement phrase in a movement_phrasings.grammar_phrasings() wording of the same direction,
        half of which name the destination first, so that the U-Net also meets the destination named first. Session
        46 (0.5, 500 steps on `direction46`): no better than the run without it (movement_words.py: 17 of 36
        training-phrasing and 6 of 12 held-out pair-seeds in order, against 18 and 6 at 1,000 steps without it);
        neither run pans in the stated order yet in any phrasing.
        movement_share: the share of each batch, round(movement_share · b) clips, drawn from the clips whose caption
        states a movement (12% of the corpus), the rest from all clips as usual. Session 46 (0.375, 500 steps on
        `direction46`): no better (movement_words.py: 16 of 36 and 6 of 12 pair-seeds in order).
        """
        idx = rng.integers(len(self.meta), size=b)
        if movement_share:  # draws only when asked, so runs without it keep their batch stream
            if self._moving is None:
                self._moving = np.asarray([i for i, m in enumerate(self.meta)
                                           if m.get("stated", {}).get("position") in MOVEMENT_SIGNS], dtype=np.int64)
            if len(self._moving) == 0:
                raise ValueError("movement_share: no clip's caption states a movement")
            count = round(movement_share * b)
            idx[:count] = self._moving[rng.integers(len(self._moving), size=count)]
        ix = torch.from_numpy(idx).to(self.mean.device)
        z = self.mean[ix].float() + self.std[ix].float() * torch.randn(b, *self.mean.shape[1:], device=self.mean.device)
        new_seconds = {}
        if sustained_truncation:  # draws only when asked, so runs without it keep their batch stream
            if window_seconds is None or crop_frames:
                raise ValueError("sustained_truncation needs window_seconds and no crop_frames")
            if self._silence is None:
                self._silence = self.silence_latent(window_seconds)
            silence_mean, silence_std = self._silence
            frames = z.shape[-1]
            for k, i in enumerate(idx):
                if truncatable(self.meta[i]) and rng.random() < sustained_truncation:
                    low, high = TRUNCATION_SECONDS[0], min(TRUNCATION_SECONDS[1], self.meta[i]["seconds_total"])
                    seconds = float(rng.uniform(low, high))
                    kept = min(frames, math.ceil(seconds / window_seconds * frames))
                    z[k, :, kept:] = silence_mean[:, None] + silence_std[:, None] * torch.randn(
                        z.shape[1], frames - kept, device=z.device)
                    new_seconds[k] = seconds
        if crop_frames:
            frames = z.shape[-1]
            if window_seconds is None or not 0 < crop_frames <= frames:
                raise ValueError(f"crop_frames {crop_frames}: needs window_seconds and 1..{frames} frames")
            sound = [min(frames, math.ceil(self.meta[i]["seconds_total"] / window_seconds * frames)) for i in idx]
            starts = [int(rng.integers(max(0, s - crop_frames) + 1)) for s in sound]
            z = torch.stack([z[k, :, s: s + crop_frames] for k, s in enumerate(starts)])
        md = [dict(prompt=self.meta[i]["caption"], seconds_start=float(self.meta[i]["seconds_start"]),
                   seconds_total=float(self.meta[i]["seconds_total"])) for i in idx]
        for k, seconds in new_seconds.items():
            md[k]["seconds_total"] = seconds
        if movement_rephrase:  # draws only when asked, so runs without it keep their batch stream
            for m, i in zip(md, idx):
                sign = MOVEMENT_SIGNS.get(self.meta[i].get("stated", {}).get("position"))
                if sign is not None and rng.random() < movement_rephrase:
                    m["prompt"] = with_role_phrasing(rng, m["prompt"], sign, grammar_phrasings())
        for m, i in zip(md, idx):
            stated_short = self.meta[i].get("stated", {}).get("envelope") == "short"
            if short_padding and stated_short and rng.random() < short_padding:
                m["seconds_total"] = float(rng.uniform(m["seconds_total"], max(m["seconds_total"], window_seconds)))
        return z, md


def recorded_setting(training, key, given, step, field, default):
    """The value a run option has in this run: the one given on the command line, recorded in the config's training
    block as {field: value, from_step: step} from the step it was first given, or else the one recorded there
    (`default` if none), so that a resume without the flag keeps it."""
    recorded = training.get(key, {}).get(field, default)
    if given is None or given == recorded:
        return recorded
    training[key] = {field: given, "from_step": step}
    return given


def recorded_probability(training, key, given, step):
    """The probability a batch option (short_padding, sustained_truncation, movement_rephrase,
                           movement_share) has in this run
    (`recorded_setting`; 0 if none is given or recorded)."""
    return recorded_setting(training, key, given, step, "probability", 0.0)


def training_times(uniform, shift):
    """The diffusion times a batch trains at, from uniform draws u ~ U(0, 1) and a noise shift s (1: t = u).

    The cosine schedule's noise-to-signal ratio is sigma / alpha = tan(pi t / 2). The shift multiplies it by s (the
    log-SNR moves down by 2 ln s, the "shifted schedule" of Hoogeboom et al. 2023 and SD3's timestep shift), so s > 1
    trains more often at high noise:
        tan(pi t / 2) = s tan(pi u / 2),  t = (2 / pi) atan(s tan(pi u / 2))
    Uniform t trains 9% of the time at sigma_v = sin(pi t / 2) > 0.99, where the bundled model's sampler (log-uniform
    sigma from 100 to 0.01) spends 29% of its steps; s = 2 trains 18% there, s = 3 26%."""
    if shift == 1.0:
        return uniform
    return torch.atan(shift * torch.tan(uniform * math.pi / 2)) * (2 / math.pi)


def named_trainable(model):
    """(name, tensor) of every trained tensor: the U-Net's, then the conditioners'. Checkpoints store the EMA in this
    order."""
    return ([(f"model.{name}", p) for name, p in model.model.named_parameters()]
            + [(f"conditioner.{name}", p) for name, p in model.conditioner.named_parameters()])


def trainable(model):
    return [p for _, p in named_trainable(model)]


def prompt_encoder(model):
    """The t5_local conditioner's T5 encoder (the text encoder train_text_encoder pretrains)."""
    conditioner = model.conditioner.conditioners["prompt"]
    if not isinstance(conditioner, LocalT5Conditioner):
        raise ValueError(f"the prompt conditioner is {type(conditioner).__name__}, not t5_local")
    return conditioner.model


@torch.no_grad()
def load_text_encoder(model, path, tokenizer_dir):
    """Copies a train_text_encoder checkpoint into the prompt conditioner after checking that it was trained with this
    run's tokenizer (same file) and encoder shape. Returns what the config records about it."""
    source = torch.load(path, map_location="cpu", weights_only=False)
    tokenizer = os.path.join(tokenizer_dir, "spiece.model")
    if source.get("tokenizer_sha256") != file_sha256(tokenizer):
        raise ValueError(f"{path}: trained with tokenizer {source.get('tokenizer')}, not this run's {tokenizer}")
    try:  # strict: names every missing, unexpected or reshaped tensor
        prompt_encoder(model).load_state_dict(source["encoder"])
    except RuntimeError as error:
        raise ValueError(f"{path}: the encoder does not fit this model: {error}") from error
    return dict(steps=source["steps"], eval=source["eval"])


@torch.no_grad()
def initialise_from_ema(model, source, path, skip_reshaped=False):
    """Copies the EMA weights of the train_diffusion checkpoint `source` (read from `path`) into `model`'s trained
    tensors, position by position in `named_trainable` order (the checkpoint comes from the same architecture: the
    same tensors in the same order, shapes aside). A tensor whose shape differs is an error, or with `skip_reshaped`
    (for a new U-Net `factors`, whose level-0 down/upsampling convolutions change kernel size, e.g. after a VAE with
    another latent rate) keeps this model's fresh init. Buffers come from the source's state dicts. Returns the names
    of the tensors left fresh."""
    named = named_trainable(model)
    if len(source["ema"]) != len(named):
        raise ValueError(f"{path}: {len(source['ema'])} EMA tensors, this model trains {len(named)}")
    fresh = []
    for (name, p), e in zip(named, source["ema"]):
        if p.shape == e.shape:
            p.copy_(e)
        elif skip_reshaped:
            fresh.append(name)
        else:
            raise ValueError(f"{path}: EMA tensor {name} of shape {tuple(e.shape)}, this model's is {tuple(p.shape)} "
                             "(--init-skip-reshaped keeps the fresh init of such tensors)")
    for module, state in ((model.model, source["unet"]), (model.conditioner, source["cond"])):
        own, parameter_names = module.state_dict(), {name for name, _ in module.named_parameters()}
        buffers = {k: v for k, v in state.items() if k in own and k not in parameter_names and v.shape == own[k].shape}
        module.load_state_dict({**own, **buffers})
    return fresh


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="/work/data/corpus")
    ap.add_argument("--latents", default="/work/checkpoints/latents")
    ap.add_argument("--tokenizer", default="/work/checkpoints/tokenizer")
    ap.add_argument("--vae", default="/work/checkpoints/vae/last.pt")
    ap.add_argument("--config", default=os.path.join(HERE, "configs", "diffusion.json"))
    ap.add_argument("--ckpt", default="/work/checkpoints/diffusion")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=0)
    ap.add_argument("--steps", type=int, default=10 ** 9)
    ap.add_argument("--save-every", type=int, default=50)
    ap.add_argument("--log-every", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--warmup-steps", type=int, default=None, help="override training.warmup_steps")
    ap.add_argument("--lr", type=float, default=0.0, help="peak learning rate (default: training.learning_rate)")
    add_cosine_arguments(ap)
    add_time_limit_argument(ap)
    ap.add_argument("--bf16", action="store_true",
                    help="CUDA only: the U-Net and text encoder forward passes under bfloat16 autocast (weights, "
                         "optimiser, EMA and the loss stay float32)")
    ap.add_argument("--init", default=None,
                    help="fresh run only: start the U-Net and conditioners from another train_diffusion checkpoint's "
                         "EMA weights (same architecture and tokenizer; e.g. after re-encoding with a new VAE)")
    ap.add_argument("--keep-latent-scale", action="store_true",
                    help="with --init: keep the --init checkpoint's latent scale instead of measuring it on --latents "
                         "(the latents come from the VAE that checkpoint was trained on, e.g. after models.training.restore)")
    ap.add_argument("--init-skip-reshaped", action="store_true",
                    help="with --init: tensors whose shape changed (e.g. U-Net `factors`) keep their fresh init instead "
                         "of stopping the run; their names are printed and kept in the config's init_from")
    for name, text in BATCH_PROBABILITIES:
        ap.add_argument("--" + name.replace("_", "-"), type=float, default=None,
                        help=text + " (see LatentSet.batch); kept in the checkpoint's config from the step it was first "
                                    "given, so a resume without the flag keeps it")
    ap.add_argument("--timestep-shift", type=float, default=None,
                    help="train at t = (2/pi) atan(s tan(pi u / 2)), u ~ U(0, 1): s > 1 trains more at high noise (see "
                         "training_times; default 1, uniform t); kept in the config like --short-padding")
    ap.add_argument("--text-encoder", default=None,
                    help="fresh run only: start the t5_local encoder from a train_text_encoder checkpoint (same "
                         "tokenizer and shape); with --init it replaces the --init checkpoint's encoder")
    ap.add_argument("--freeze-text-encoder", action="store_true",
                    help="with --text-encoder, or with --init alone (whose encoder it keeps, e.g. restored from an "
                         "export that froze it): keep the encoder fixed and out of dropout, as Stable Audio keeps its "
                         "pretrained text encoder (kept in the checkpoint's config, so a resume keeps it frozen)")
    ap.add_argument("--crop-frames", type=int, default=0,
                    help="train on crops of this many latent frames (see LatentSet.batch); kept in the config")
    a = ap.parse_args(argv)
    if a.freeze_text_encoder and not (a.text_encoder or a.init):
        raise SystemExit("--freeze-text-encoder needs --text-encoder, or --init whose encoder it keeps")
    for name, _ in BATCH_PROBABILITIES:
        value = getattr(a, name)
        if value is not None and not 0 <= value <= 1:
            raise SystemExit(f"--{name.replace('_', '-')} {value}: must be a probability in [0, 1]")
    if a.timestep_shift is not None and not 0 < a.timestep_shift <= 100:
        raise SystemExit(f"--timestep-shift {a.timestep_shift}: must be in (0, 100]")
    if (a.keep_latent_scale or a.init_skip_reshaped) and not a.init:
        raise SystemExit("--keep-latent-scale and --init-skip-reshaped need --init")
    set_threads(a.threads)
    dev = pick_device(a.device)
    if a.bf16 and dev.type != "cuda":
        raise SystemExit(f"--bf16 needs a CUDA device (got {dev})")
    os.makedirs(a.ckpt, exist_ok=True)
    last = os.path.join(a.ckpt, "last.pt")
    resume = torch.load(last, map_location="cpu", weights_only=False) if os.path.exists(last) else None
    data = LatentSet(a.latents, a.corpus).to(dev)
    source = torch.load(a.init, map_location="cpu", weights_only=False) if a.init and not resume else None
    if resume:
        cfg = resume["config"]
    else:
        vst = torch.load(a.vae, map_location="cpu", weights_only=False)
        cfg = build_config(vst["config"], a.tokenizer, base=load_json(a.config))
        # latent scale: SAT pretransform encodes z/scale and decodes z*scale; make diffused latents ~unit std
        # (or, with --keep-latent-scale, the scale the --init checkpoint was trained with)
        cfg["model"]["pretransform"]["scale"] = (source["config"]["model"]["pretransform"]["scale"] if a.keep_latent_scale
                                                 else round(float(data.mean.float().std()), 4))
        cfg["vae_step"] = vst["step"]
    tc = cfg["training"]
    if a.warmup_steps is not None:
        tc["warmup_steps"] = a.warmup_steps
    first_step = resume["step"] if resume else 0  # the step this run's options are recorded from
    batch_options = {name: recorded_probability(tc, name, getattr(a, name), first_step) for name, _ in BATCH_PROBABILITIES}
    timestep_shift = recorded_setting(tc, "timestep_shift", a.timestep_shift, first_step, "shift", 1.0)
    window_seconds = cfg["sample_size"] / cfg["sample_rate"]
    bs = a.batch_size or tc["batch_size"]
    peak_lr = a.lr or tc["learning_rate"]
    if not resume:  # the checkpoint's (and so the export's) training block records what this run uses, and a resume
        tc["batch_size"], tc["learning_rate"] = bs, peak_lr  # without --batch-size/--lr keeps them
        if a.crop_frames:
            tc["crop_frames"] = a.crop_frames
    crop_frames = tc.get("crop_frames", 0)
    torch.manual_seed(a.seed)
    model = create_model(cfg).to(dev)
    scale = cfg["model"]["pretransform"]["scale"]
    params = trainable(model)
    opt = torch.optim.AdamW(params, lr=tc["learning_rate"], betas=tuple(tc["betas"]), weight_decay=tc["weight_decay"])
    step, wall_prev = 0, 0.0
    if resume:
        model.model.load_state_dict(resume["unet"])
        model.conditioner.load_state_dict(resume["cond"])
        opt.load_state_dict(resume["opt"])
        ema = [e.to(dev) for e in resume["ema"]]
        step, wall_prev = resume["step"], resume["wall"]
        print(f"[diffusion] resumed at step {step}", flush=True)
    else:
        if a.init:
            fresh = initialise_from_ema(model, source, a.init, a.init_skip_reshaped)
            # an --init restored from an averaged export has no single step of its own: its lineage comes along
            averaged = interpolation_record(source["config"])
            cfg["init_from"] = dict(checkpoint=checkpoint_name(a.init), step=source["step"], vae_step=source["config"].get("vae_step"),
                                    **({"interpolation": averaged} if averaged else {}),
                                    **({"fresh_tensors": fresh} if fresh else {}))
            print(f"[diffusion] initialised from {a.init} (step {source['step']})"
                  + (f"; kept the fresh init of {len(fresh)} reshaped tensors: {', '.join(fresh)}" if fresh else ""), flush=True)
        if a.text_encoder:  # after --init, whose T5 it replaces
            tc["text_encoder"] = dict(checkpoint=checkpoint_name(a.text_encoder), frozen=a.freeze_text_encoder,
                                      **load_text_encoder(model, a.text_encoder, a.tokenizer))
        elif a.freeze_text_encoder:  # the --init checkpoint's encoder stays, frozen; its pretraining record carries over
            tc["text_encoder"] = dict(source["config"]["training"].get("text_encoder", {}), frozen=True,
                                      kept_from=checkpoint_name(a.init))
        ema = [p.detach().clone() for p in params]  # the EMA starts from the weights the run starts with
    text_encoder_frozen = tc.get("text_encoder", {}).get("frozen", False)
    if text_encoder_frozen:  # its tensors stay in the EMA list (constant there), so checkpoints keep one layout
        prompt_encoder(model).requires_grad_(False)
    log = Logger(os.path.join(a.ckpt, "train_log.jsonl"))
    first_cosine_step = cosine_start(a, step)
    log.log(event="start", step=step, device=str(dev), bf16=a.bf16, clips=len(data), batch=bs, latent_scale=scale, lr=peak_lr,
            warmup_steps=tc["warmup_steps"], cosine_steps=a.cosine_steps, cosine_from=first_cosine_step,
            **{name: tc.get(name) for name, _ in BATCH_PROBABILITIES}, timestep_shift=tc.get("timestep_shift"),
            unet_params=sum(p.numel() for p in model.model.parameters()),
            cond_params=sum(p.numel() for p in model.conditioner.parameters()))
    rng = np.random.default_rng(a.seed + step)
    model.model.train()
    model.conditioner.train()
    if text_encoder_frozen:
        prompt_encoder(model).eval()  # no dropout in a frozen encoder
    t_start, t_last, acc, nacc = time.time(), time.time(), 0.0, 0
    n_shards = len(glob.glob(os.path.join(a.latents, "train_*.pt")))
    while step < a.steps:
        if step % 100 == 0 and len(glob.glob(os.path.join(a.latents, "train_*.pt"))) > n_shards:
            data = LatentSet(a.latents, a.corpus).to(dev)  # encode_latents is still adding shards
            n_shards = len(glob.glob(os.path.join(a.latents, "train_*.pt")))
            log.log(event="reloaded_latents", step=step, clips=len(data))
        z, md = data.batch(rng, bs, window_seconds=window_seconds, crop_frames=crop_frames, **batch_options)
        x0 = (z / scale).to(dev)
        t = training_times(torch.rand(bs, device=dev), timestep_shift)
        alpha, sigma = torch.cos(t * math.pi / 2)[:, None, None], torch.sin(t * math.pi / 2)[:, None, None]
        noise = torch.randn_like(x0)
        xt = alpha * x0 + sigma * noise
        target = alpha * noise - sigma * x0
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=a.bf16):
            cond = model.conditioner(md, dev)
            inputs = model.get_conditioning_inputs(cond)
            out = model.model(xt, t, cfg_dropout_prob=tc["cfg_dropout_prob"], **inputs)
        loss = torch.nn.functional.mse_loss(out.float(), target)
        lr = learning_rate_at(step, peak_lr, tc["warmup_steps"], first_cosine_step, a.cosine_steps)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        step += 1
        out_of_time = past_time_limit(a, t_start)
        beta = min(tc["ema_beta"], (1 + step) / (10 + step))
        with torch.no_grad():  # e ← e + (1 − β)(p − e), one fused call for all tensors (the same lerp per tensor)
            torch._foreach_lerp_(ema, [p.detach() for p in params], 1 - beta)
        acc += loss.item()
        nacc += 1
        if step % a.log_every == 0:
            dt = time.time() - t_last
            log.log(step=step, loss=acc / nacc, gnorm=float(gn), lr=lr, steps_per_s=nacc / dt,
                    total_wall=wall_prev + time.time() - t_start)
            acc, nacc, t_last = 0.0, 0, time.time()
        if step % a.save_every == 0 or step >= a.steps or out_of_time:
            save_ckpt(last, unet=model.model.state_dict(), cond=model.conditioner.state_dict(), opt=opt.state_dict(),
                      ema=[e.cpu() for e in ema], step=step, wall=wall_prev + time.time() - t_start, config=cfg)
        if out_of_time:
            log.log(event="time_limit", step=step, max_seconds=a.max_seconds)
            break


if __name__ == "__main__":
    main()
