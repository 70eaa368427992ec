#!/usr/bin/env python3
"""Parity fixtures for the model ports (issue 3): runs stable-audio-tools 0.0.19's OWN classes (and Hugging Face
transformers' T5) on tiny random-weight configs, fp32, CPU, no flash_attn, and writes inputs, weights (under SAT's
exact state_dict keys, weight norm NOT removed) and outputs to Tests/SAModelsTests/Resources/.

    /work/venv-ref/bin/python Tests/Fixtures/make_model_fixtures.py            # everything
    /work/venv-ref/bin/python Tests/Fixtures/make_model_fixtures.py oobleck t5  # some parts

Parts: tokenizer, t5, oobleck, dac, conditioners, unet, dit, models. Layout, tolerances and versions are documented
in Tests/Fixtures/README.md. Every run with the same package versions writes byte-identical files.
"""

import contextlib
import copy
import hashlib
import io
import json
import math
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import satref  # noqa: E402  (stand-ins, determinism, writers)
from satref import perturb_, write_safetensors, save_safetensors_deterministic, versions  # noqa: E402

import torch  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "SAModelsTests" / "Resources"
GENERATOR = "Tests/Fixtures/make_model_fixtures.py"
SEED = 20261121


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def jdump(obj, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def gen(seed):
    return torch.Generator().manual_seed(seed)


def randn(shape, seed, scale=1.0):
    return torch.randn(shape, generator=gen(seed), dtype=torch.float32) * scale


def maxabs(a, b):
    return float((a - b).abs().max())


def f32(t):
    return t.detach().to(torch.float32).contiguous()


def stats(name, t):
    t = t.detach().float()
    log(f"    {name:40s} {tuple(t.shape)!s:18s} mean {t.mean():+.4f} std {t.std():.4f} max|.| {t.abs().max():.4f}")


def meta_common(seed, **extra):
    m = {"generator": GENERATOR, "seed": str(seed), "dtype": "float32", "device": "cpu",
         "layout": "in.* = inputs, out.* = outputs, every other tensor = a weight under its exact SAT/HF state_dict key"}
    m.update(extra)
    return m


def save_model_folder(folder, config, state_dict):
    """A SAT model folder: model_config.json + model.safetensors (strict SAT keys only)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    jdump(config, folder / "model_config.json")
    save_safetensors_deterministic({k: f32(v) for k, v in state_dict.items()}, folder / "model.safetensors",
                                   {"format": "pt", "generator": GENERATOR})


def reload_strict(folder):
    """Rebuild a model from a saved folder exactly as SAT does and load it strictly."""
    from stable_audio_tools.models.factory import create_model_from_config
    from safetensors.torch import load_file
    config = json.loads((Path(folder) / "model_config.json").read_text())
    model = create_model_from_config(config)
    model.load_state_dict(load_file(str(Path(folder) / "model.safetensors")), strict=True)
    return model.eval()


def param_count(module):
    return sum(p.numel() for p in module.parameters())


# ------------------------------------------------------------------------------------------------------------------
# T5: SentencePiece model trained here, HF tokenizers, HF T5EncoderModel v1.0 / v1.1, SAT T5Conditioner.
# ------------------------------------------------------------------------------------------------------------------

TOK_DIR = OUT / "t5_tokenizer"
TOKENIZER_MAX_LENGTH = 16
T5_MAX_LENGTH = 40          # T5 encoder fixtures: long enough for log-spaced relative-position buckets
T5COND_MAX_LENGTH = 12      # SAT T5Conditioner fixture

COMMON_SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Pack my box with five dozen liquor jugs.",
    "She sells sea shells by the sea shore, and the shells she sells are surely seashells.",
    "It was the best of times, it was the worst of times.",
    "A journey of a thousand miles begins with a single step.",
    "All that glitters is not gold; all who wander are not lost.",
    "Please turn the volume down a little, the neighbours are sleeping.",
    "We recorded the session in a small studio with old microphones and a tape machine.",
    "The orchestra tuned up, the conductor raised the baton, and the hall fell silent.",
    "Sound travels at about 343 metres per second in dry air at 20 degrees Celsius.",
    "Open the window, listen to the world, and write down what you hear.",
    "The audio was sampled at 44.1 kHz with 16-bit depth in stereo.",
    "I don't know what you're talking about, but it sounds great!",
    "Can you hear the difference between the two recordings?",
    "This is a test of the emergency broadcast system.",
    "Music is the space between the notes.",
]


def make_corpus(seed=1234, n=8000):
    """Deterministic, varied English training text (prompts in the style of Stable Audio captions)."""
    rng = random.Random(seed)
    genres = ("ambient techno house trance dubstep jazz blues rock metal punk funk soul disco reggae hip-hop trap lo-fi "
              "orchestral cinematic folk country bossa-nova flamenco salsa gospel drum-and-bass garage synthwave "
              "chiptune classical baroque").split()
    instruments = ("piano guitar bass drums violin cello trumpet saxophone flute clarinet synthesizer organ harp banjo "
                   "ukulele marimba xylophone accordion harmonica sitar tabla timpani cymbals hi-hats kick snare choir "
                   "vocals pads strings brass").split()
    moods = ("calm dark bright happy sad energetic melancholic dreamy aggressive uplifting mysterious tense relaxed epic "
             "warm cold gritty lush airy punchy").split()
    sounds = ["a dog barking in the distance", "rain falling on a tin roof", "footsteps on gravel",
              "a door creaking open", "thunder rolling over the hills", "birds singing at dawn",
              "waves crashing on the shore", "a crowd cheering in a stadium", "wind blowing through the trees",
              "a car engine starting", "glass shattering on the floor", "a clock ticking slowly",
              "children laughing in a playground", "a train passing by", "typing on a mechanical keyboard",
              "a cat purring softly", "fire crackling in a fireplace", "a helicopter flying overhead",
              "water dripping in a cave", "church bells ringing"]
    places = ["in Paris", "in São Paulo", "in Zürich", "near the café", "at the fiesta", "in Montréal", "in Kraków",
              "in Reykjavík", "at a crème brûlée stand", "in Malmö", "in Curaçao", "in Bogotá"]
    accents = ("café naïve résumé jalapeño piñata fiancée façade déjà vu über señor élan coöperate Dvořák Beyoncé "
               "Motörhead Sigur Rós Björk Ölüdeniz Ångström").split()
    verbs = "plays builds fades rises drops swells pulses glides echoes shimmers loops stutters".split()
    tmpl = [
        lambda: f"{rng.randint(60, 180)} BPM {rng.choice(genres)} loop with {rng.choice(instruments)} and {rng.choice(instruments)}",
        lambda: f"A {rng.choice(moods)} {rng.choice(genres)} track featuring {rng.choice(instruments)}, {rng.choice(moods)} {rng.choice(instruments)} and {rng.choice(instruments)}.",
        lambda: f"{rng.choice(sounds).capitalize()} {rng.choice(places)}.",
        lambda: f"The {rng.choice(instruments)} {rng.choice(verbs)} while the {rng.choice(instruments)} {rng.choice(verbs)}; {rng.choice(accents)} {rng.choice(accents)}!",
        lambda: f"Recorded at {rng.randint(1, 12)}:{rng.randint(0, 59):02d} PM, {rng.randint(1, 31)}/{rng.randint(1, 12)}/{rng.randint(1990, 2025)} - take #{rng.randint(1, 99)} ({rng.choice(moods)}).",
        lambda: f"\"{rng.choice(sounds).capitalize()}\", she said. 'It sounds {rng.choice(moods)}?' {rng.choice(['Yes', 'No', 'Maybe', 'Absolutely'])}...",
        lambda: f"Key of {rng.choice('ABCDEFG')}{rng.choice(['', '#', 'b'])} {rng.choice(['major', 'minor'])}, {rng.randint(2, 7)}/4 time, {rng.uniform(0.5, 30):.2f} seconds long; price ${rng.randint(1, 999)}.{rng.randint(0, 99):02d} or {rng.randint(1, 100)}%.",
        lambda: f"{rng.choice(genres).upper()} {rng.choice(instruments).upper()} SOLO - {rng.choice(moods).title()} And {rng.choice(moods).title()} Version",
        lambda: f"email: {rng.choice(instruments)}{rng.randint(1, 99)}@example.com; url: https://example.org/{rng.choice(genres)}?id={rng.randint(100, 9999)}&mode={rng.choice(moods)}",
        lambda: " ".join(rng.choice(accents + genres + instruments + moods) for _ in range(rng.randint(3, 12))),
        lambda: rng.choice(COMMON_SENTENCES),
        lambda: f"{rng.choice(COMMON_SENTENCES)} {rng.choice(sounds).capitalize()}, {rng.choice(moods)} and {rng.choice(moods)}.",
    ]
    return [rng.choice(tmpl)() for _ in range(n)]


LONG_TEXT = " ".join(COMMON_SENTENCES * 3)

TOKENIZER_STRINGS = [
    ("empty", ""),
    ("single_space", " "),
    ("whitespace_only", "   \t \n  "),
    ("simple_prompt", "A dog barking in the distance"),
    ("bpm_prompt", "128 BPM tech house drum loop with deep bass"),
    ("sao_style_prompt", "Ambient piano, soft rain, 90 BPM, warm tape saturation."),
    ("repeated_spaces", "Hello,   world!!  Multiple    spaces"),
    ("leading_trailing", "  leading and trailing spaces  "),
    ("mixed_case", "UPPER lower MiXeD CaSe Words"),
    ("accents", "Café naïve résumé — jalapeño piñata; Zürich & São Paulo"),
    ("combining_accent", "cafe\u0301 vs café (combining acute vs precomposed)"),
    ("emoji", "emoji 🎵🎸 and 🥁 drums 👍🏽"),
    ("newlines_tabs", "Line one\nLine two\r\nLine three\ttabbed"),
    ("digits", "numbers 3.14159, 2,048 and -7e10; 1/2 ½ ① x²"),
    ("punctuation", "Quotes \"double\" 'single' «guillemets» (parens) [brackets] {braces} <angle> @#$%^&*_+=|\\~`"),
    ("nfkc_fullwidth_ligature", "Full-width ＡＢＣ１２３ and ligatures ﬁ ﬂ and … ellipsis"),
    ("non_latin", "日本語のテキスト Привет мир Γειά σου κόσμε"),
    ("nbsp_zero_width", "non\u00a0breaking and zero\u200bwidth"),
    ("special_token_literals", "special tokens </s> <pad> <unk> <extra_id_0> inline"),
    ("single_char", "a"),
    ("only_punct", "!!!"),
    ("very_long", LONG_TEXT),
]

# Strings used as a batch for the T5 encoder and T5Conditioner fixtures.
T5_BATCH = ["A dog barking in the distance", "128 BPM tech house drum loop with deep bass, energetic and punchy",
            "", "Café naïve résumé — 🎵 " + LONG_TEXT]


def train_spiece():
    import sentencepiece as spm
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(make_corpus()), model_writer=buf, vocab_size=1000, model_type="unigram",
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, pad_piece="<pad>", eos_piece="</s>", unk_piece="<unk>",
        character_coverage=0.9995, num_threads=1, shuffle_input_sentence=False, input_sentence_size=0,
        normalization_rule_name="nmt_nfkc", minloglevel=2)
    return buf.getvalue()


def hubstyle_tokenizer(fast):
    """The t5-base tokenizer.json on the HF hub dates from 2020 and (as far as public copies show) uses
    normalizer Precompiled + pre_tokenizer Sequence[WhitespaceSplit, Metaspace(add_prefix_space)], not the
    Strip/Replace normalizer that transformers' current converter writes. Rebuild that layout on our vocabulary."""
    from tokenizers import Tokenizer
    spec = json.loads(fast.backend_tokenizer.to_str())
    norm = spec["normalizer"]
    precompiled = [n for n in norm.get("normalizers", [norm]) if n["type"] == "Precompiled"]
    spec["normalizer"] = precompiled[0] if precompiled else None
    spec["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "WhitespaceSplit"},
        {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}]}
    return Tokenizer.from_str(json.dumps(spec))


def load_tokenizers():
    from transformers import T5Tokenizer, T5TokenizerFast
    slow = T5Tokenizer(vocab_file=str(TOK_DIR / "spiece.model"))
    fast = T5TokenizerFast.from_pretrained(str(TOK_DIR))
    return slow, fast


def part_tokenizer():
    from transformers import T5Tokenizer, T5TokenizerFast
    log("tokenizer: training SentencePiece unigram model")
    model_bytes = train_spiece()
    if TOK_DIR.exists():
        shutil.rmtree(TOK_DIR)
    TOK_DIR.mkdir(parents=True)
    (TOK_DIR / "spiece.model").write_bytes(model_bytes)
    slow = T5Tokenizer(vocab_file=str(TOK_DIR / "spiece.model"))
    # add_prefix_space must be given: without it transformers 4.57 converts with Metaspace prepend_scheme "never"
    # (slow.add_prefix_space is None inside the converter), which drops the leading "▁" that t5-base has.
    fast = T5TokenizerFast(vocab_file=str(TOK_DIR / "spiece.model"), from_slow=True, add_prefix_space=True)
    with tempfile.TemporaryDirectory() as tmp:
        fast.save_pretrained(tmp)
        for name in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]:
            text = json.loads(Path(tmp, name).read_text(encoding="utf-8"))
            jdump(text, TOK_DIR / name)
    fast = T5TokenizerFast.from_pretrained(str(TOK_DIR))
    hub = hubstyle_tokenizer(fast)
    jdump(json.loads(hub.to_str()), OUT / "t5_tokenizer_hubstyle.json")

    def enc(tok, text, **kw):
        e = tok(text, **kw)
        return {"input_ids": list(map(int, e["input_ids"])), "attention_mask": list(map(int, e["attention_mask"]))}

    cases = []
    disagreements = []
    for name, text in TOKENIZER_STRINGS:
        f = enc(fast, text)
        s = enc(slow, text)
        fp = enc(fast, text, truncation=True, max_length=TOKENIZER_MAX_LENGTH, padding="max_length")
        sp = enc(slow, text, truncation=True, max_length=TOKENIZER_MAX_LENGTH, padding="max_length")
        h = hub.encode(text).ids
        case = {
            "name": name, "text": text, "utf8_hex": text.encode("utf-8").hex(),
            "fast": f, "fast_tokens": fast.convert_ids_to_tokens(f["input_ids"]),
            "slow": s, "slow_tokens": slow.convert_ids_to_tokens(s["input_ids"]),
            "fast_max_length": fp, "slow_max_length": sp,
            "hubstyle_ids": h,
            "fast_decoded": fast.decode(f["input_ids"], skip_special_tokens=True),
            "sentencepiece_ids": slow.sp_model.encode(text),
        }
        agree = {"fast_vs_slow": f == s, "fast_vs_slow_max_length": fp == sp, "fast_vs_hubstyle": f["input_ids"] == h}
        case["agree"] = agree
        if not all(agree.values()):
            disagreements.append({"name": name, **{k: v for k, v in agree.items() if not v}})
        cases.append(case)
    doc = {
        "generator": GENERATOR, "versions": versions(),
        "spiece_model": "t5_tokenizer/spiece.model", "spiece_sha256": hashlib.sha256(model_bytes).hexdigest(),
        "vocab": {"pieces": slow.sp_model.get_piece_size(), "extra_ids": 100, "len_tokenizer": len(fast),
                  "pad": 0, "eos": 1, "unk": 2},
        "max_length": TOKENIZER_MAX_LENGTH,
        "call_as_sat": "tokenizer(texts, truncation=True, max_length=L, padding='max_length') (SAT T5Conditioner)",
        "fast": "T5TokenizerFast.from_pretrained('t5_tokenizer') (tokenizer.json converted by this transformers version; SAT uses AutoTokenizer = fast)",
        "slow": "T5Tokenizer(vocab_file='t5_tokenizer/spiece.model') (sentencepiece, legacy=True default)",
        "hubstyle": "t5_tokenizer_hubstyle.json: same vocabulary, Precompiled normalizer + Sequence[WhitespaceSplit, Metaspace] (the layout of the 2020 hub t5-base tokenizer.json; reconstructed, not read from the hub)",
        "sentencepiece_ids": "raw sp_model.encode(text): no </s>, no added-token handling",
        "disagreements": disagreements,
        "cases": cases,
    }
    jdump(doc, OUT / "t5_tokenizer_cases.json")
    log(f"  {len(cases)} strings, disagreements: {disagreements}")


def tiny_t5_config(version):
    from transformers import T5Config
    common = dict(vocab_size=1152, d_model=32, d_kv=8, num_heads=4, d_ff=64, num_layers=2, num_decoder_layers=2,
                  dropout_rate=0.0, layer_norm_epsilon=1e-6, initializer_factor=1.0, pad_token_id=0,
                  eos_token_id=1, decoder_start_token_id=0, use_cache=False)
    if version == "v1_0":
        return T5Config(feed_forward_proj="relu", relative_attention_num_buckets=32,
                        relative_attention_max_distance=128, tie_word_embeddings=True, **common)
    return T5Config(feed_forward_proj="gated-gelu", relative_attention_num_buckets=16,
                    relative_attention_max_distance=24, tie_word_embeddings=False, **common)


def build_t5(version, seed):
    from transformers import T5EncoderModel
    torch.manual_seed(seed)
    model = T5EncoderModel(tiny_t5_config(version)).eval()
    perturb_(model, seed + 1, w_scale=0.05)
    return model


def hf_saved_state_dict(model):
    """The keys Hugging Face itself writes for this model (save_pretrained, safetensors)."""
    from safetensors.torch import load_file
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        return load_file(os.path.join(tmp, "model.safetensors"))


def part_t5():
    _, fast = load_tokenizers()
    for version, seed in [("v1_0", SEED + 100), ("v1_1", SEED + 110)]:
        log(f"t5 encoder {version}")
        model = build_t5(version, seed)
        sd = hf_saved_state_dict(model)
        enc = fast(T5_BATCH, truncation=True, max_length=T5_MAX_LENGTH, padding="max_length", return_tensors="pt")
        with torch.no_grad():
            out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
            out_nomask = model(input_ids=enc["input_ids"]).last_hidden_state
        stats("last_hidden_state", out)
        tensors = {k: f32(v) for k, v in sd.items()}
        tensors.update({"in.input_ids": enc["input_ids"].float(), "in.attention_mask": enc["attention_mask"].float(),
                        "out.last_hidden_state": f32(out), "out.last_hidden_state_no_mask": f32(out_nomask)})
        cfg = model.config.to_dict()
        cfg = {k: v for k, v in cfg.items() if k not in ("transformers_version",)}
        write_safetensors(OUT / f"t5_encoder_{version}.safetensors", tensors, meta_common(
            seed, config=cfg, texts=T5_BATCH, max_length=str(T5_MAX_LENGTH),
            tokenizer="t5_tokenizer (fast), truncation=True, padding='max_length'",
            dense_act_fn=cfg.get("dense_act_fn", ""), is_gated_act=str(cfg.get("is_gated_act")),
            note=("HF T5EncoderModel fp32 forward(input_ids, attention_mask).last_hidden_state. "
                  "encoder.embed_tokens.weight is tied to shared.weight and is not written (as HF does). "
                  "Ids and masks are stored as float32.")))
    part_t5_conditioner()


@contextlib.contextmanager
def patched_t5_sources(model_for_name, tokenizer_dir):
    """SAT's T5Conditioner calls AutoTokenizer/T5EncoderModel.from_pretrained(<hub name>). Nothing can be
    downloaded here, so redirect those two calls to local objects; the conditioner's own code runs unchanged."""
    import transformers
    from transformers import AutoTokenizer, T5EncoderModel
    orig_tok = AutoTokenizer.from_pretrained
    orig_model = T5EncoderModel.from_pretrained

    def tok(name, *a, **k):
        return orig_tok(str(tokenizer_dir), *a, **k)

    def mdl(name, *a, **k):
        return copy.deepcopy(model_for_name(name))

    transformers.AutoTokenizer.from_pretrained = tok
    transformers.T5EncoderModel.from_pretrained = mdl
    try:
        yield
    finally:
        transformers.AutoTokenizer.from_pretrained = orig_tok
        transformers.T5EncoderModel.from_pretrained = orig_model


def part_t5_conditioner():
    from stable_audio_tools.models.conditioners import T5Conditioner
    log("t5 conditioner (SAT T5Conditioner around the tiny v1.0 encoder)")
    seed = SEED + 100
    t5 = build_t5("v1_0", seed)  # identical weights to t5_encoder_v1_0.safetensors
    name = "fixture/tiny-t5-v1_0"
    T5Conditioner.T5_MODELS = T5Conditioner.T5_MODELS + [name]
    T5Conditioner.T5_MODEL_DIMS = dict(T5Conditioner.T5_MODEL_DIMS, **{name: 32})
    tensors = {}
    cases = {}
    with patched_t5_sources(lambda n: t5, TOK_DIR):
        for case, output_dim in [("identity", 32), ("proj", 24)]:
            torch.manual_seed(seed + 7)
            cond = T5Conditioner(output_dim=output_dim, t5_model_name=name, max_length=T5COND_MAX_LENGTH).eval()
            perturb_(cond, seed + 8)
            fp16_model = cond.model
            assert next(fp16_model.parameters()).dtype == torch.float16
            with torch.no_grad():
                emb16, mask16 = cond(T5_BATCH, device="cpu")            # exactly SAT: T5 runs in float16
                cond.__dict__["model"] = copy.deepcopy(t5).float()     # same weights, fp32 T5
                emb32, mask32 = cond(T5_BATCH, device="cpu")
                cond.__dict__["model"] = fp16_model
            enc = cond.tokenizer(T5_BATCH, truncation=True, max_length=T5COND_MAX_LENGTH, padding="max_length",
                                 return_tensors="pt")
            assert torch.equal(mask32, enc["attention_mask"].bool())
            stats(f"{case} embeddings fp32", emb32)
            log(f"    fp16-T5 vs fp32-T5 max|diff| = {maxabs(emb16.float(), emb32):.3e}")
            for k, v in cond.state_dict().items():
                tensors[f"{case}.{k}"] = f32(v)
            tensors[f"out.{case}.embeddings"] = f32(emb32)
            tensors[f"out.{case}.embeddings_t5_fp16"] = f32(emb16)
            tensors[f"out.{case}.mask"] = mask32.float()
            cases[case] = {"output_dim": output_dim, "proj_out": type(cond.proj_out).__name__,
                           "state_dict_keys": sorted(cond.state_dict().keys()),
                           "fp16_vs_fp32_max_abs_diff": maxabs(emb16.float(), emb32)}
            tensors["in.input_ids"] = enc["input_ids"].float()
            tensors["in.attention_mask"] = enc["attention_mask"].float()
    write_safetensors(OUT / "t5_conditioner.safetensors", tensors, meta_common(
        seed, texts=T5_BATCH, max_length=str(T5COND_MAX_LENGTH), cases=cases,
        t5_weights="t5_encoder_v1_0.safetensors (identical tiny T5 v1.0 encoder, d_model 32)",
        note=("SAT T5Conditioner.forward: tokenizer(truncation=True, max_length, padding='max_length'), "
              "T5(input_ids, attention_mask).last_hidden_state, proj_out (Identity when dim == output_dim, "
              "else Linear), then multiplied by the mask (padded positions are exact zeros). "
              "out.<case>.embeddings = same code with the T5 cast back to float32 (the parity target); "
              "out.<case>.embeddings_t5_fp16 = SAT as shipped (T5 weights cast to float16, output upcast by the mask "
              "multiply). <case>.proj_out.* appear in a checkpoint as conditioner.conditioners.<id>.proj_out.*")))


# ------------------------------------------------------------------------------------------------------------------
# Autoencoders
# ------------------------------------------------------------------------------------------------------------------

def oobleck_config(final_tanh, channels=8, c_mults=(1, 2, 4), strides=(2, 4, 4), latent_dim=4):
    ratio = math.prod(strides)
    return {
        "model_type": "autoencoder", "sample_size": ratio * 64, "sample_rate": 44100, "audio_channels": 2,
        "model": {
            "encoder": {"type": "oobleck", "config": {"in_channels": 2, "channels": channels, "c_mults": list(c_mults),
                                                       "strides": list(strides), "latent_dim": 2 * latent_dim,
                                                       "use_snake": True}},
            "decoder": {"type": "oobleck", "config": {"out_channels": 2, "channels": channels, "c_mults": list(c_mults),
                                                       "strides": list(strides), "latent_dim": latent_dim,
                                                       "use_snake": True, "final_tanh": final_tanh}},
            "bottleneck": {"type": "vae"}, "latent_dim": latent_dim, "downsampling_ratio": ratio, "io_channels": 2}}


def dac_config(latent_dim=4):
    # Shaped like SA 1.0's pretransform (encoder strides [4,4,8,8] / decoder rates [8,8,4,4]), scaled down.
    return {
        "model_type": "autoencoder", "sample_size": 8 * 64, "sample_rate": 44100, "audio_channels": 2,
        "model": {
            "encoder": {"type": "dac", "config": {"in_channels": 2, "latent_dim": 2 * latent_dim, "d_model": 4,
                                                   "strides": [2, 4]}},
            "decoder": {"type": "dac", "config": {"out_channels": 2, "latent_dim": latent_dim, "channels": 16,
                                                   "rates": [4, 2]}},
            "bottleneck": {"type": "vae"}, "latent_dim": latent_dim, "downsampling_ratio": 8, "io_channels": 2}}


def build_autoencoder(config, seed):
    from stable_audio_tools.models.factory import create_model_from_config
    torch.manual_seed(seed)
    model = create_model_from_config(config).eval()
    perturb_(model, seed + 1)
    return model


def test_audio(batch, channels, length, seed):
    """Band-limited-ish test signal: a few sines plus noise, peak about 0.5."""
    g = gen(seed)
    n = torch.arange(length, dtype=torch.float64)
    out = torch.zeros(batch, channels, length, dtype=torch.float64)
    for b in range(batch):
        for c in range(channels):
            for _ in range(3):
                f = float(torch.rand((), generator=g, dtype=torch.float64)) * 0.2 + 0.005
                ph = float(torch.rand((), generator=g, dtype=torch.float64)) * 2 * math.pi
                out[b, c] += 0.12 * torch.sin(2 * math.pi * f * n + ph)
    out += 0.05 * torch.randn(out.shape, generator=g, dtype=torch.float64)
    return out.float()


def autoencoder_case(name, config, seed, chunk=None):
    from stable_audio_tools.models.bottleneck import vae_sample
    log(f"{name}")
    model = build_autoencoder(config, seed)
    ratio = config["model"]["downsampling_ratio"]
    latent_dim = config["model"]["latent_dim"]
    n_lat = 24
    audio = test_audio(2, 2, n_lat * ratio, seed + 2)
    with torch.no_grad():
        latents_api, info = model.encode(audio, return_info=True)      # SAT API (stochastic sample)
        pre = info["pre_bottleneck_latents"]
        assert torch.equal(pre, model.encoder(audio))
        mean, scale = pre.chunk(2, dim=1)
        stdev = torch.nn.functional.softplus(scale) + 1e-4
        torch.manual_seed(seed + 3)
        sample, kl = vae_sample(mean, scale)
        torch.manual_seed(seed + 3)
        noise = torch.randn_like(mean)
        assert torch.equal(sample, noise * stdev + mean)
        decoded = model.decode(mean)
        decoded_sample = model.decode(sample)
    for k, v in [("pre_bottleneck", pre), ("mean", mean), ("stdev", stdev), ("decoded_from_mean", decoded)]:
        stats(k, v)
    io_t = {"in.audio": audio, "out.pre_bottleneck": pre, "out.mean": mean, "out.scale_raw": scale,
            "out.stdev": stdev, "in.vae_noise": noise, "out.vae_sample": sample, "out.decoded_from_mean": decoded,
            "out.decoded_from_sample": decoded_sample}
    extra = {}
    if chunk is not None:
        chunk_cases = []
        for ci, (chunk_size, overlap, n) in enumerate(chunk):
            lat = randn((2, latent_dim, n), seed + 4 + ci)
            with torch.no_grad():
                full = model.decode_audio(lat, chunked=False)
                chunked = model.decode_audio(lat, chunked=True, chunk_size=chunk_size, overlap=overlap)
            d = maxabs(full, chunked)
            tag = f"c{chunk_size}_o{overlap}"
            log(f"    chunked ({tag}, {n} latents) vs unchunked decode max|diff| = {d:.3e} (scale {full.abs().max():.3f})")
            io_t.update({f"in.chunk_latents_{tag}": lat, f"out.decode_unchunked_{tag}": full,
                         f"out.decode_chunked_{tag}": chunked})
            hop = chunk_size - overlap
            starts = list(range(0, n - chunk_size + 1, hop))
            if starts[-1] + chunk_size != n:
                starts.append(n - chunk_size)
            chunk_cases.append({"tag": tag, "chunk_size": chunk_size, "overlap": overlap, "latent_length": n,
                                "chunk_starts_latent": starts, "max_abs_diff_vs_unchunked": d})
        extra = {"chunked_decode": {"cases": chunk_cases,
                                    "call": "AudioAutoencoder.decode_audio(latents, chunked=True, chunk_size, overlap)"}}
    folder = OUT / name
    save_model_folder(folder, config, model.state_dict())
    back = reload_strict(folder)
    with torch.no_grad():
        assert torch.equal(back.decode(mean), decoded) and torch.equal(back.encoder(audio), pre)
    write_safetensors(OUT / f"{name}.io.safetensors", {k: f32(v) for k, v in io_t.items()}, meta_common(
        seed, config=config, model_folder=name, parameters=str(param_count(model)),
        kl=f"{float(kl):.9g}", **extra,
        note=("Weights: <model_folder>/model.safetensors (AudioAutoencoder.state_dict(); weight_g/weight_v; Snake "
              "alpha/beta log-scale for Oobleck, linear alpha [1,C,1] for DAC). out.pre_bottleneck = encoder(audio); "
              "mean, scale_raw = chunk(2, dim=1); stdev = softplus(scale_raw)+1e-4; out.vae_sample = mean + stdev * "
              "in.vae_noise; out.decoded_from_mean = decoder(mean) (deterministic encode+decode path).")))
    return model


def part_oobleck():
    autoencoder_case("oobleck_vae", oobleck_config(final_tanh=False), SEED + 200, chunk=[(8, 4, 22), (48, 40, 100)])
    autoencoder_case("oobleck_vae_tanh", oobleck_config(final_tanh=True, c_mults=(2, 4), strides=(4, 2),
                                                        latent_dim=3), SEED + 210, chunk=[(6, 2, 13)])


def part_dac():
    autoencoder_case("dac_vae", dac_config(), SEED + 300, chunk=[(8, 4, 22)])


# ------------------------------------------------------------------------------------------------------------------
# Conditioners: NumberConditioner, IntConditioner, through SAT's MultiConditioner
# ------------------------------------------------------------------------------------------------------------------

CONDITIONERS_CONFIG = {
    "cond_dim": 8,
    "configs": [
        {"id": "seconds_start", "type": "number", "config": {"min_val": 0, "max_val": 512}},
        {"id": "seconds_total", "type": "number", "config": {"min_val": 0, "max_val": 512}},
        {"id": "number_offset", "type": "number", "config": {"min_val": -1.5, "max_val": 2.5}},
        {"id": "int_timing", "type": "int", "config": {"min_val": 0, "max_val": 512}},
        {"id": "int_small", "type": "int", "config": {"min_val": 0, "max_val": 10, "output_dim": 6}},
    ],
}
CONDITIONER_VALUES = {
    "seconds_start": [-5.0, 0.0, 0.37, 7.25, 12.3456, 47.55, 512.0, 1000.0],
    "seconds_total": [0.0, 1.0, 30.0, 95.1, 95.10000000000001, 511.999, 512.0, 100000.0],
    "number_offset": [-3.0, -1.5, -0.25, 0.0, 1.0, 2.4999, 2.5, 7.0],
    "int_timing": [-3, 0, 1, 7, 13, 95, 512, 600],
    "int_small": [-1, 0, 3, 5, 9, 10, 11, 100],
}


def part_conditioners():
    from stable_audio_tools.models.conditioners import create_multi_conditioner_from_conditioning_config
    log("conditioners (NumberConditioner / IntConditioner via MultiConditioner)")
    seed = SEED + 400
    torch.manual_seed(seed)
    mc = create_multi_conditioner_from_conditioning_config(copy.deepcopy(CONDITIONERS_CONFIG)).eval()
    perturb_(mc, seed + 1)
    n = len(CONDITIONER_VALUES["seconds_start"])
    batch = [{k: v[i] for k, v in CONDITIONER_VALUES.items()} for i in range(n)]
    with torch.no_grad():
        out = mc(batch, device="cpu")
    tensors = {k: f32(v) for k, v in mc.state_dict().items()}
    info = {}
    for cid, (emb, mask) in out.items():
        c = mc.conditioners[cid]
        vals = CONDITIONER_VALUES[cid]
        tensors[f"in.{cid}.values"] = torch.tensor([float(v) for v in vals], dtype=torch.float32)
        tensors[f"out.{cid}.embeds"] = f32(emb)
        tensors[f"out.{cid}.mask"] = f32(mask)
        entry = {"type": type(c).__name__, "min_val": c.min_val, "max_val": c.max_val, "output_dim": int(emb.shape[-1]),
                 "values_python": vals}
        if cid.startswith("int"):
            idx = torch.tensor(vals).clamp(c.min_val, c.max_val)
            tensors[f"out.{cid}.index"] = idx.float()
        else:
            v32 = torch.tensor([float(v) for v in vals]).clamp(c.min_val, c.max_val)
            u = (v32 - c.min_val) / (c.max_val - c.min_val)
            with torch.no_grad():
                fourier = c.embedder.embedding[0](u)
                assert torch.equal(c.embedder.embedding[1](fourier).unsqueeze(1), emb)
            tensors[f"out.{cid}.normalized"] = u
            tensors[f"out.{cid}.fourier"] = f32(fourier)
        info[cid] = entry
        stats(f"{cid}.embeds", emb)
    # Documented SAT behaviours that are errors, not fixtures.
    quirks = {}
    with torch.no_grad():
        try:
            mc.conditioners["int_timing"]([7.25], device="cpu")
            quirks["int_float_input"] = "accepted"
        except Exception as e:  # noqa: BLE001
            quirks["int_float_input"] = f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"
        from stable_audio_tools.models.conditioners import IntConditioner
        ic = IntConditioner(output_dim=4, min_val=5, max_val=10)
        try:
            ic([10], device="cpu")
            quirks["int_min_val_5_value_10"] = "accepted"
        except Exception as e:  # noqa: BLE001
            quirks["int_min_val_5_value_10"] = f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"
    log(f"    quirks: {quirks}")
    write_safetensors(OUT / "conditioners.safetensors", tensors, meta_common(
        seed, conditioning_config=CONDITIONERS_CONFIG, cases=info, sat_quirks=quirks,
        note=("Weights are MultiConditioner.state_dict() keys 'conditioners.<id>....' (a diffusion checkpoint prefixes "
              "them with 'conditioner.'). Batch = 8 metadata dicts, one value per id each. Number: v = "
              "clamp(float32(value), min, max); u = (v-min)/(max-min) (float32 math); fourier = [u, sin(2*pi*u*w), "
              "cos(2*pi*u*w)] (embedding.0.weights = w); embeds = Linear(fourier)[:, None, :]; mask = ones[B,1]. "
              "Int: embeds = int_embedder.weight[clamp(value, min, max)] (index NOT offset by min_val); "
              "out.<id>.index gives the row. int_small has an explicit output_dim 6 overriding cond_dim 8.")))


# ------------------------------------------------------------------------------------------------------------------
# U-Net (adp_cfg_1d / UNetCFG1d through UNetCFG1DWrapper)
# ------------------------------------------------------------------------------------------------------------------

def unet_config(in_channels=4, ctx_features=8, ctx_len=5):
    return {"in_channels": in_channels, "channels": 16, "multipliers": [1, 1, 2, 2], "factors": [1, 2, 4],
            "num_blocks": [1, 2, 1], "attentions": [0, 1, 0, 2], "attention_heads": 2, "attention_multiplier": 2,
            "context_embedding_features": ctx_features, "context_embedding_max_length": ctx_len,
            "resnet_groups": 4, "kernel_multiplier_downsample": 2, "use_nearest_upsample": False,
            "use_skip_scale": True, "use_context_time": True}


def build_unet(cfg, seed):
    from stable_audio_tools.models.diffusion import UNetCFG1DWrapper
    torch.manual_seed(seed)
    w = UNetCFG1DWrapper(**copy.deepcopy(cfg)).eval()     # multiplies every parameter by 0.5, as SAT does
    perturb_(w, seed + 1)
    boost_cross_attention_(w)
    return w


def boost_cross_attention_(module, factor=4.0):
    """At random init the U-Net's cross-attention branch barely moves the output (zeroing the whole prompt moves
    a sampled tiny-model result by < 1 %). Scale its value path up so conditioning mistakes show above tolerance."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if ".cross_attention." in name and (name.endswith("to_kv.weight") or name.endswith("to_out.weight")):
                p.mul_(factor)


def part_unet():
    log("unet (UNetCFG1d)")
    seed = SEED + 500
    cfg = unet_config()
    w = build_unet(cfg, seed)
    B, L = 2, 16
    x = randn((B, cfg["in_channels"], L), seed + 2)
    t = torch.tensor([0.23, 0.91])
    emb = randn((B, 5, 8), seed + 3)
    mask = torch.tensor([[1, 1, 0, 1, 1], [1, 0, 0, 1, 1]], dtype=torch.bool)
    neg = randn((B, 5, 8), seed + 4)
    neg_mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 0, 1, 1]], dtype=torch.bool)
    fixed = w.model.fixed_embedding(emb)
    calls = {
        "plain": dict(cross_attn_cond=emb),
        "masked": dict(cross_attn_cond=emb, cross_attn_mask=mask),
        "cfg3": dict(cross_attn_cond=emb, cross_attn_mask=mask, cfg_scale=3.0, batch_cfg=True, rescale_cfg=False),
        "cfg3_nomask": dict(cross_attn_cond=emb, cfg_scale=3.0, batch_cfg=True, rescale_cfg=False),
        "cfg3_rescale_default": dict(cross_attn_cond=emb, cross_attn_mask=mask, cfg_scale=3.0, batch_cfg=True,
                                     rescale_cfg=True),
        "cfg3_rescale_phi0p7": dict(cross_attn_cond=emb, cross_attn_mask=mask, cfg_scale=3.0, batch_cfg=True,
                                    rescale_cfg=True, scale_phi=0.7),
        "cfg3_negative": dict(cross_attn_cond=emb, cross_attn_mask=mask, cfg_scale=3.0, batch_cfg=True,
                              rescale_cfg=False, negative_cross_attn_cond=neg, negative_cross_attn_mask=neg_mask),
        "cfg3_negative_rescale_default": dict(cross_attn_cond=emb, cross_attn_mask=mask, cfg_scale=3.0,
                                              batch_cfg=True, rescale_cfg=True, negative_cross_attn_cond=neg,
                                              negative_cross_attn_mask=neg_mask),
        "cfg3_nobatch": dict(cross_attn_cond=emb, cross_attn_mask=mask, cfg_scale=3.0, batch_cfg=False,
                             rescale_cfg=False),
        "uncond_fixed": dict(cross_attn_cond=fixed, cross_attn_mask=mask),
        "negative_filled": dict(cross_attn_cond=torch.where(neg_mask[..., None], neg, fixed), cross_attn_mask=mask),
    }
    outs = {}
    with torch.no_grad():
        for name, kw in calls.items():
            outs[name] = w(x, t, **kw)
            stats(name, outs[name])
        mapping = w.model.get_mapping(t)
        # Batch CFG recombined by hand from the two single passes.
        c, u = outs["masked"], outs["uncond_fixed"]
        manual = u + (c - u) * 3.0
        log(f"    cfg3 vs manual combine max|diff| = {maxabs(manual, outs['cfg3']):.3e}; "
            f"nobatch vs batch = {maxabs(outs['cfg3_nobatch'], outs['cfg3']):.3e}")
        assert maxabs(manual, outs["cfg3"]) < 1e-5
    tensors = {k: f32(v) for k, v in w.model.state_dict().items()}
    tensors.update({"in.x": x, "in.t": t, "in.embedding": emb, "in.embedding_mask": mask.float(),
                    "in.negative_embedding": neg, "in.negative_embedding_mask": neg_mask.float(),
                    "out.debug.mapping": f32(mapping), "out.debug.fixed_embedding_rows": f32(fixed)})
    for k, v in outs.items():
        tensors[f"out.{k}"] = f32(v)
    call_doc = {k: {kk: (vv if isinstance(vv, (int, float, bool)) else kk.replace("cross_attn_", "in.")) for kk, vv in
                    kw.items()} for k, kw in calls.items()}
    write_safetensors(OUT / "unet.safetensors", tensors, meta_common(
        seed, config=cfg, calls=call_doc, parameters=str(param_count(w.model)),
        note=("UNetCFG1DWrapper(**config) (SAT halves the init; then perturbed). Weights = wrapper.model.state_dict() "
              "(under 'model.model.' in a checkpoint). out.<case> = wrapper(in.x, in.t, **call) with the "
              "wrapper's argument names (cross_attn_cond -> embedding, cross_attn_mask -> embedding_mask, "
              "cfg_scale -> embedding_scale, negative_cross_attn_* -> negative_embedding*). Masks are stored as "
              "float 0/1 (SAT passes bool). UNetCFG1d.scale_phi defaults to 0.4 when rescale_cfg=True. "
              "uncond_fixed = the null condition alone (fixed_embedding rows 0..4 with the cond mask); "
              "negative_filled = where(neg_mask, neg, fixed_embedding) with the cond mask (the uncond half of "
              "cfg3_negative). out.debug.mapping = get_mapping(t) [B, 64].")))


# ------------------------------------------------------------------------------------------------------------------
# DiT (dit / continuous_transformer through DiTWrapper)
# ------------------------------------------------------------------------------------------------------------------

def dit_config(io_channels=8):
    # dim_heads = embed_dim / num_heads = 40 >= 32 (SAT's rotary dim is max(dim_heads // 2, 32), so any smaller head
    # crashes); rotary covers the first 32 of 40 head dims (SAO: 32 of 64). cond_token_dim 40 -> 1 kv head for 2 query
    # heads (grouped-query cross-attention, like SAO's 12 kv heads for 24). global_cond_dim = embed_dim = 2 * cond_dim.
    return {"io_channels": io_channels, "embed_dim": 80, "depth": 2, "num_heads": 2, "cond_token_dim": 40,
            "global_cond_dim": 80, "project_cond_tokens": False, "transformer_type": "continuous_transformer"}


def build_dit(cfg, seed):
    from stable_audio_tools.models.diffusion import DiTWrapper
    torch.manual_seed(seed)
    w = DiTWrapper(diffusion_objective="v", **copy.deepcopy(cfg)).eval()
    perturb_(w, seed + 1)
    return w


def part_dit():
    log("dit (DiffusionTransformer)")
    seed = SEED + 600
    cfg = dit_config()
    w = build_dit(cfg, seed)
    B, L, N = 2, 12, 6
    x = randn((B, cfg["io_channels"], L), seed + 2)
    t = torch.tensor([0.37, 0.82])
    ctx_mask = torch.tensor([[1, 1, 1, 0, 1, 1], [1, 1, 0, 0, 1, 1]], dtype=torch.bool)
    ctx = randn((B, N, 40), seed + 3) * ctx_mask[..., None]      # padded prompt rows are zero, as SAT's T5 gives
    glob = randn((B, 80), seed + 4)
    neg_mask = torch.tensor([[1, 1, 0, 0, 1, 1], [1, 1, 1, 0, 1, 1]], dtype=torch.bool)
    neg = randn((B, N, 40), seed + 5)
    calls = {
        "cond": dict(cross_attn_cond=ctx, global_cond=glob),
        "cond_with_mask": dict(cross_attn_cond=ctx, cross_attn_mask=ctx_mask, global_cond=glob),
        "cfg3": dict(cross_attn_cond=ctx, cross_attn_mask=ctx_mask, global_cond=glob, cfg_scale=3.0),
        "cfg3_rescale_cfg_flag": dict(cross_attn_cond=ctx, cross_attn_mask=ctx_mask, global_cond=glob, cfg_scale=3.0,
                                      rescale_cfg=True),
        "cfg3_phi0p7": dict(cross_attn_cond=ctx, cross_attn_mask=ctx_mask, global_cond=glob, cfg_scale=3.0,
                            scale_phi=0.7),
        "cfg3_negative": dict(cross_attn_cond=ctx, cross_attn_mask=ctx_mask, global_cond=glob, cfg_scale=3.0,
                              negative_cross_attn_cond=neg, negative_cross_attn_mask=neg_mask),
        "cfg3_negative_phi0p4": dict(cross_attn_cond=ctx, cross_attn_mask=ctx_mask, global_cond=glob, cfg_scale=3.0,
                                     negative_cross_attn_cond=neg, negative_cross_attn_mask=neg_mask,
                                     scale_phi=0.4),
        "cfg3_interval_0p6_1": dict(cross_attn_cond=ctx, global_cond=glob, cfg_scale=3.0, cfg_interval=(0.6, 1.0)),
        "uncond_zero": dict(cross_attn_cond=torch.zeros_like(ctx), global_cond=glob),
        "negative_filled": dict(cross_attn_cond=torch.where(neg_mask[..., None], neg, 0.0), global_cond=glob),
    }
    outs = {}
    with torch.no_grad():
        for name, kw in calls.items():
            outs[name] = w(x, t, **kw)
            stats(name, outs[name])
        assert torch.equal(outs["cond"], outs["cond_with_mask"]), "DiT must ignore cross_attn_mask"
        assert torch.equal(outs["cfg3"], outs["cfg3_rescale_cfg_flag"]), "DiTWrapper ignores rescale_cfg"
        assert torch.equal(outs["cfg3_interval_0p6_1"], outs["cond"]), "cfg_interval is tested on sigma[0] only"
        c, u = outs["cond"], outs["uncond_zero"]
        log(f"    cfg3 vs manual combine max|diff| = {maxabs(u + (c - u) * 3.0, outs['cfg3']):.3e}")
        # Skipping cross-attention altogether equals the all-zero context (no biases on to_cond_embed/to_kv/to_out).
        m = w.model
        tok = m.timestep_features(t[:, None])
    tensors = {k: f32(v) for k, v in w.model.state_dict().items()}
    tensors.update({"in.x": x, "in.t": t, "in.cross_attn_cond": ctx, "in.cross_attn_mask": ctx_mask.float(),
                    "in.global_cond": glob, "in.negative_cross_attn_cond": neg,
                    "in.negative_cross_attn_mask": neg_mask.float(), "out.debug.timestep_features": f32(tok)})
    for k, v in outs.items():
        tensors[f"out.{k}"] = f32(v)
    call_doc = {k: {kk: (list(vv) if isinstance(vv, tuple) else vv if isinstance(vv, (int, float, bool))
                         else "in." + kk) for kk, vv in kw.items()} for k, kw in calls.items()}
    write_safetensors(OUT / "dit.safetensors", tensors, meta_common(
        seed, config=cfg, calls=call_doc, parameters=str(param_count(w.model)),
        rotary_dim=str(w.model.transformer.rotary_pos_emb.inv_freq.numel() * 2),
        note=("DiTWrapper(diffusion_objective='v', **config), perturbed (zero-initialised to_out/preprocess/"
              "postprocess weights are nonzero here). Weights = wrapper.model.state_dict() (under 'model.model.' in a "
              "checkpoint; includes buffers transformer.rotary_pos_emb.inv_freq and LayerNorm '.beta' zeros). "
              "out.<case> = wrapper(in.x, in.t, **call). The DiT ignores every mask (cond == cond_with_mask "
              "bit-for-bit). CFG null = all-zero cross-attention context; global_cond is kept. cfg_interval is "
              "checked on sigma_v[0] = sin(t[0]*pi/2) only, for the whole batch (0.5525 < 0.6 -> no CFG, output == "
              "cond). rescale_cfg is ignored by DiTWrapper; rescale only when scale_phi != 0. "
              "out.debug.timestep_features = FourierFeatures(t) = [cos(2*pi*t*W), sin(2*pi*t*W)] [B, 256].")))


# ------------------------------------------------------------------------------------------------------------------
# Whole tiny diffusion_cond models (SAT model folders) + conditioning assembly
# ------------------------------------------------------------------------------------------------------------------

def tiny_unet_model_config():
    ae = dac_config()["model"]
    return {
        "model_type": "diffusion_cond", "sample_size": 128, "sample_rate": 44100, "audio_channels": 2,
        "model": {
            "pretransform": {"type": "autoencoder", "iterate_batch": True, "config": ae},
            "conditioning": {"configs": [
                {"id": "prompt", "type": "t5", "config": {"t5_model_name": "t5-base", "max_length": 3}},
                {"id": "seconds_start", "type": "int", "config": {"min_val": 0, "max_val": 512}},
                {"id": "seconds_total", "type": "int", "config": {"min_val": 0, "max_val": 512}}],
                "cond_dim": 8},
            "diffusion": {"type": "adp_cfg_1d",
                          "cross_attention_cond_ids": ["prompt", "seconds_start", "seconds_total"],
                          "config": unet_config(in_channels=ae["latent_dim"], ctx_features=8, ctx_len=5)},
            "io_channels": ae["latent_dim"]}}


def tiny_dit_model_config():
    ae = oobleck_config(final_tanh=False, latent_dim=8)["model"]
    return {
        "model_type": "diffusion_cond", "sample_size": 12 * 32, "sample_rate": 44100, "audio_channels": 2,
        "model": {
            "pretransform": {"type": "autoencoder", "iterate_batch": True, "config": ae},
            "conditioning": {"configs": [
                {"id": "prompt", "type": "t5", "config": {"t5_model_name": "t5-base", "max_length": 4}},
                {"id": "seconds_start", "type": "number", "config": {"min_val": 0, "max_val": 512}},
                {"id": "seconds_total", "type": "number", "config": {"min_val": 0, "max_val": 512}}],
                "cond_dim": 40},
            "diffusion": {"type": "dit",
                          "cross_attention_cond_ids": ["prompt", "seconds_start", "seconds_total"],
                          "global_cond_ids": ["seconds_start", "seconds_total"],
                          "config": dit_config(io_channels=ae["latent_dim"])},
            "io_channels": ae["latent_dim"]}}


TINY_MODELS = {
    "tiny_unet_model": (tiny_unet_model_config, SEED + 700,
                        {"seconds_start": [0, 3], "seconds_total": [8, 13]}),
    "tiny_dit_model": (tiny_dit_model_config, SEED + 800,
                       {"seconds_start": [0.0, 3.5], "seconds_total": [7.25, 12.3456]}),
}


def t5_standin_for_model_building(name):
    # T5Conditioner keeps the T5 out of its state_dict (it is never in a SAT checkpoint); only its proj_out
    # (768 -> cond_dim) is. Construction needs some T5EncoderModel: give it the tiny one; it is never run here.
    return build_t5("v1_0", SEED + 100)


def build_tiny_model(name):
    from stable_audio_tools.models.factory import create_model_from_config
    cfg_fn, seed, _ = TINY_MODELS[name]
    config = cfg_fn()
    with patched_t5_sources(t5_standin_for_model_building, TOK_DIR):
        torch.manual_seed(seed)
        model = create_model_from_config(copy.deepcopy(config)).eval()
    perturb_(model, seed + 1)
    boost_cross_attention_(model)
    return config, model


def load_tiny_model(name):
    """Rebuild a saved tiny model folder with SAT and load its weights strictly (used by make_sampler_fixtures)."""
    with patched_t5_sources(t5_standin_for_model_building, TOK_DIR):
        return reload_strict(OUT / name)


def prompt_standin(model, batch, seed):
    """Stand-in for the prompt conditioner's output: what T5Conditioner returns after proj_out and masking."""
    pc = model.conditioner.conditioners["prompt"]
    L, D = pc.max_length, pc.output_dim
    lengths = [L, max(1, L - 2)][:batch] + [L] * max(0, batch - 2)
    mask = torch.tensor([[1] * n + [0] * (L - n) for n in lengths], dtype=torch.bool)
    emb = randn((batch, L, D), seed) * mask[..., None].float()
    return emb, mask


def component_counts(model):
    sd = model.state_dict()
    groups = {"model.model": "model.model.", "pretransform.model.encoder": "pretransform.model.encoder.",
              "pretransform.model.decoder": "pretransform.model.decoder."}
    for cid in model.conditioner.conditioners:
        groups[f"conditioner.conditioners.{cid}"] = f"conditioner.conditioners.{cid}."
    out = {}
    for g, prefix in groups.items():
        keys = [k for k in sd if k.startswith(prefix)]
        params = {n: p for n, p in model.named_parameters() if n.startswith(prefix)}
        out[g] = {"parameters": sum(p.numel() for p in params.values()), "parameter_tensors": len(params),
                  "state_dict_tensors": len(keys), "state_dict_elements": sum(sd[k].numel() for k in keys)}
    total_params = sum(p.numel() for p in model.parameters())
    assert sum(v["parameters"] for v in out.values()) == total_params
    return {"components": out, "total_parameters": total_params, "total_state_dict_tensors": len(sd),
            "total_state_dict_elements": sum(v.numel() for v in sd.values()),
            "buffers": sorted(k for k in sd if k not in dict(model.named_parameters())),
            "dtype": "F32"}


def part_models():
    for name, (cfg_fn, seed, seconds) in TINY_MODELS.items():
        log(name)
        config, model = build_tiny_model(name)
        folder = OUT / name
        save_model_folder(folder, config, model.state_dict())
        back = load_tiny_model(name)
        counts = component_counts(model)
        counts["note"] = ("Counted by torch on the SAT model built from model_config.json. 'parameters' = "
                          "named_parameters(); 'state_dict_tensors' includes persistent buffers (DiT rotary inv_freq, "
                          "LayerNorm beta). The T5 encoder is not part of the checkpoint (SAT keeps it out of the "
                          "state_dict); the prompt conditioner contributes only proj_out (768 -> cond_dim).")
        jdump(counts, OUT / f"{name}.inspect.json")
        log(f"    parameters {counts['total_parameters']}, tensors {counts['total_state_dict_tensors']}")
        B = 2
        emb, mask = prompt_standin(model, B, seed + 2)
        cond_tensors = {"prompt": (emb, mask)}
        with torch.no_grad():
            for cid in ("seconds_start", "seconds_total"):
                cond_tensors[cid] = model.conditioner.conditioners[cid](seconds[cid], device="cpu")
            inputs = model.get_conditioning_inputs(cond_tensors)
            inputs_back = back.get_conditioning_inputs(cond_tensors)
            io_ch = config["model"]["io_channels"]
            L = config["sample_size"] // config["model"]["pretransform"]["config"]["downsampling_ratio"]
            x = randn((B, io_ch, L), seed + 3)
            t = torch.tensor([0.4, 0.75])
            fwd = {}
            for tag, kw in {"cfg1": dict(cfg_scale=1.0), "cfg3": dict(cfg_scale=3.0, batch_cfg=True,
                                                                        rescale_cfg=True)}.items():
                fwd[tag] = model.model(x, t, **{k: v for k, v in inputs.items() if v is not None}, **kw)
                assert torch.equal(fwd[tag], back.model(x, t, **{k: v for k, v in inputs_back.items()
                                                                  if v is not None}, **kw))
                stats(f"model.model forward {tag}", fwd[tag])
            z = randn((B, io_ch, L), seed + 4)
            audio = model.pretransform.decode(z)
        tensors = {"in.prompt_embeds": emb, "in.prompt_mask": mask.float(), "in.x": x, "in.t": t, "in.latents": z,
                   "out.decoded_audio": f32(audio), "out.forward_cfg1": f32(fwd["cfg1"]),
                   "out.forward_cfg3": f32(fwd["cfg3"])}
        for cid in ("seconds_start", "seconds_total"):
            tensors[f"in.{cid}"] = torch.tensor([float(v) for v in seconds[cid]])
            tensors[f"out.cond.{cid}.embeds"] = f32(cond_tensors[cid][0])
            tensors[f"out.cond.{cid}.mask"] = f32(cond_tensors[cid][1])
        for k, v in inputs.items():
            if v is not None:
                tensors[f"out.{k}"] = f32(v)
        write_safetensors(OUT / f"{name}.io.safetensors", tensors, meta_common(
            seed, model_folder=name, config=config, seconds=seconds,
            assembled=sorted(k for k, v in inputs.items() if v is not None),
            note=("Weights: <model_folder>/model.safetensors (ConditionedDiffusionModelWrapper.state_dict(): "
                  "model.model.*, conditioner.conditioners.<id>.*, pretransform.model.*). in.prompt_embeds/"
                  "in.prompt_mask stand in for the prompt conditioner's output (T5 + proj_out + mask; padded rows "
                  "are zero). Seconds conditioners are run by SAT on in.seconds_* (python values in 'seconds'). "
                  "out.cross_attn_cond/out.cross_attn_mask/out.global_cond = get_conditioning_inputs(...): "
                  "cross ids concatenated along tokens in list order, global ids along channels (then squeeze(1)). "
                  "out.forward_cfg1 / out.forward_cfg3 = model.model(in.x, in.t, **assembled, cfg_scale, "
                  "batch_cfg=True, rescale_cfg=True) as generate_diffusion_cond calls it each step (U-Net: phi 0.4 "
                  "rescale applies; DiT: ignored). out.decoded_audio = pretransform.decode(in.latents) (iterate_batch).")))


def main(argv):
    parts = {"tokenizer": part_tokenizer, "t5": part_t5, "oobleck": part_oobleck, "dac": part_dac}
    extra = {}
    for name, fn in list(globals().items()):
        if name.startswith("part_") and name[5:] not in parts:
            extra[name[5:]] = fn
    parts.update(extra)
    order = ["tokenizer", "t5", "oobleck", "dac", "conditioners", "unet", "dit", "models"]
    chosen = argv or [p for p in order if p in parts]
    OUT.mkdir(parents=True, exist_ok=True)
    log(f"versions: {versions()}  stand-ins: {satref.STAND_INS}")
    for p in chosen:
        parts[p]()


if __name__ == "__main__":
    main(sys.argv[1:])
