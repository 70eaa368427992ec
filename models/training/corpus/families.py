"""Sound families. Each generator takes (rng, max_dur) and returns a dict:

  audio:  float64 array, (n,) mono or (2, n) native stereo (dry, unnormalised)
  attrs:  true attributes of the audio (family, subtype, hz/note/register, bpm, count, envelope, ...)

Generators never add reverb, panning or loudness: the renderer does that uniformly (render.py).
"""
import os

import numpy as np

from . import dsp
from .dsp import SR, nsamp

FAMILIES = {}


def family(name, kind="synth", group=None):
    def deco(fn):
        FAMILIES[name] = dict(fn=fn, kind=kind, group=group or name)
        return fn
    return deco


def _pick_register(rng, lo=80.0, hi=2500.0):
    rngs = {"low": (max(lo, 60.0), 190.0), "mid": (max(lo, 210.0), min(hi, 780.0)), "high": (820.0, hi)}
    ok = [r for r, (a, b) in rngs.items() if b / a > 1.1]
    reg = ok[rng.integers(len(ok))]
    a, b = rngs[reg]
    midi = rng.uniform(dsp.hz_to_midi(a), dsp.hz_to_midi(b))
    midi = float(np.round(midi))  # snap to a semitone so a note name is true
    f = float(dsp.midi_to_hz(midi))
    return dict(hz=round(f, 1), note=dsp.note_name(midi), register=dsp.register_of_hz(f))


def _envelope_choice(rng, max_dur, allow=("short", "sustained", "fading")):
    env = rng.choice(list(allow))
    if env == "short":
        dur = rng.uniform(0.3, 0.8)
    elif env == "sustained":
        dur = rng.uniform(min(2.5, max_dur * 0.6), max_dur)
    elif env in ("fading", "fade_in"):
        dur = rng.uniform(min(1.5, max_dur * 0.5), max_dur)
    else:
        dur = rng.uniform(0.3, max_dur)
    return env, float(dur)


def _apply_env(x, env):
    n = x.shape[-1]
    if env == "short" or env == "sustained":
        e = dsp.env_adsr(n, 0.01, 0.02, 0.9, min(0.05, n / SR / 4))
    elif env == "fading":
        e = np.exp(np.linspace(0, np.log(10 ** (-55 / 20)), n))
    elif env == "fade_in":
        e = np.exp(np.linspace(np.log(10 ** (-45 / 20)), 0, n))
        e[-nsamp(0.03):] *= np.linspace(1, 0, nsamp(0.03))
    else:
        e = dsp.env_adsr(n, 0.01, 0.02, 0.9, 0.05)
    return x * e


# ----------------------------------------------------------------------------------------------- tones and beeps
@family("tone")
def tone(rng, max_dur):
    wave = str(rng.choice(["sine", "square", "saw", "triangle"]))
    p = _pick_register(rng, 60, 3000)
    env, dur = _envelope_choice(rng, max_dur)
    x = dsp.osc(wave, p["hz"], nsamp(dur), rng)
    return dict(audio=_apply_env(x, env), attrs=dict(subtype=wave, envelope=env, **p))


@family("beeps")
def beeps(rng, max_dur):
    wave = str(rng.choice(["sine", "square", "triangle"]))
    p = _pick_register(rng, 200, 3000)
    count = int(rng.integers(1, 7))
    on = rng.uniform(0.08, 0.3)
    gap = rng.uniform(0.08, 0.35)
    while count > 1 and count * (on + gap) > max_dur:
        count -= 1
    n = nsamp(count * on + (count - 1) * gap)
    x = np.zeros(n)
    b = dsp.osc(wave, p["hz"], nsamp(on), rng) * dsp.env_adsr(nsamp(on), 0.005, 0.01, 0.9, 0.01)
    for i in range(count):
        dsp.place(x, b, nsamp(i * (on + gap)))
    return dict(audio=x, attrs=dict(subtype=wave, count=count, envelope="short", **p))


@family("sweep")
def sweep(rng, max_dur):
    direction = str(rng.choice(["rising", "falling"]))
    wave = str(rng.choice(["sine", "square", "saw"]))
    dur = rng.uniform(0.4, min(4.0, max_dur))
    lo, hi = rng.uniform(80, 300), rng.uniform(1500, 6000)
    n = nsamp(dur)
    curve = np.geomspace(lo, hi, n) if direction == "rising" else np.geomspace(hi, lo, n)
    x = dsp.osc(wave, curve, n, rng) * dsp.env_adsr(n, 0.01, 0.01, 1.0, 0.03)
    return dict(audio=x, attrs=dict(subtype=direction, waveform=wave, lo_hz=round(lo), hi_hz=round(hi)))


@family("siren")
def siren(rng, max_dur):
    kind = str(rng.choice(["wail", "hi-lo"]))
    dur = rng.uniform(min(2.0, max_dur), max_dur)
    n = nsamp(dur)
    t = np.arange(n) / SR
    if kind == "wail":
        rate = rng.uniform(0.25, 0.7)
        f = 650 + 450 * (0.5 - 0.5 * np.cos(2 * np.pi * rate * t))
    else:
        rate = rng.uniform(0.8, 1.6)
        f = np.where((t * rate) % 1.0 < 0.5, 960.0, 770.0)
        f = dsp.lowpass(f, 60.0, 1)
    x = dsp.osc("square", f, n, rng) * 0.6 + dsp.osc("sine", f, n, rng) * 0.4
    x = dsp.lowpass(x, 5000)
    return dict(audio=dsp.fade_edges(x, 30), attrs=dict(subtype=kind, envelope="sustained"))


@family("alarm")
def alarm(rng, max_dur):
    kind = str(rng.choice(["alarm clock", "buzzer", "smoke alarm"]))
    dur = rng.uniform(min(1.5, max_dur), max_dur)
    n = nsamp(dur)
    t = np.arange(n) / SR
    if kind == "alarm clock":
        f, rate, duty = rng.uniform(2000, 3200), rng.uniform(6, 10), 0.5
        x = dsp.osc("square", f, n, rng)
        gate = ((t * rate) % 1.0 < duty) * (((t * 1.0) % 1.0) < 0.6)
    elif kind == "buzzer":
        f, rate, duty = rng.uniform(300, 500), rng.uniform(1.5, 3), 0.6
        x = dsp.osc("saw", f, n, rng)
        gate = (t * rate) % 1.0 < duty
    else:
        f, rate, duty = rng.uniform(2900, 3400), rng.uniform(1.5, 2.5), 0.45
        x = dsp.osc("sine", f, n, rng)
        gate = (t * rate) % 1.0 < duty
    gate = dsp.lowpass(gate.astype(float), 300, 1)
    return dict(audio=x * gate, attrs=dict(subtype=kind, register=dsp.register_of_hz(f), envelope="sustained"))


@family("phone")
def phone(rng, max_dur):
    kind = str(rng.choice(["classic", "modern"]))
    rings = int(rng.integers(1, 4))
    cyc = 3.0 if kind == "classic" else 2.0
    while rings > 1 and rings * cyc > max_dur + 1.0:
        rings -= 1
    ring_len = 1.2 if kind == "classic" else 1.0
    n = nsamp(min(max_dur, (rings - 1) * cyc + ring_len))
    x = np.zeros(n)
    for i in range(rings):
        m = nsamp(ring_len)
        t = np.arange(m) / SR
        if kind == "classic":
            s = np.sin(2 * np.pi * 440 * t) + np.sin(2 * np.pi * 480 * t)
            s *= 0.6 + 0.4 * np.sign(np.sin(2 * np.pi * 20 * t))
        else:
            f = np.where((t * 8) % 1.0 < 0.5, 1300.0, 1650.0)
            s = dsp.osc("triangle", f, m, rng)
        dsp.place(x, dsp.fade_edges(s, 10), nsamp(i * cyc))
    return dict(audio=x, attrs=dict(subtype=kind, count=rings))


@family("doorbell")
def doorbell(rng, max_dur):
    base = float(dsp.midi_to_hz(rng.integers(67, 80)))
    kind = str(rng.choice(["ding-dong", "three-tone chime"]))
    intervals = [0, -4] if kind == "ding-dong" else [0, -3, -7]
    x = np.zeros(nsamp(min(max_dur, 0.6 * len(intervals) + 1.6)))
    for i, iv in enumerate(intervals):
        f = base * 2 ** (iv / 12)
        n = nsamp(2.0)
        t = np.arange(n) / SR
        s = (np.sin(2 * np.pi * f * t) + 0.3 * np.sin(2 * np.pi * 2.76 * f * t) * np.exp(-t / 0.2)) * np.exp(-t / 0.6)
        dsp.place(x, s, nsamp(0.6 * i))
    return dict(audio=dsp.fade_edges(x, 20), attrs=dict(subtype=kind, register=dsp.register_of_hz(base)))


@family("bell")
def bell(rng, max_dur):
    p = _pick_register(rng, 100, 2000)
    count = int(rng.integers(1, 5))
    tau = rng.uniform(0.5, 2.0)
    gap = rng.uniform(0.4, 1.0)
    while count > 1 and (count - 1) * gap + 1.0 > max_dur:
        count -= 1
    n = nsamp(min(max_dur, (count - 1) * gap + tau * 4))
    x = np.zeros(n)
    ratio = rng.choice([1.4, 2.0, 3.5])
    for i in range(count):
        dsp.place(x, dsp.fm_bell(p["hz"], nsamp(tau * 4), ratio=ratio, index=rng.uniform(2, 6), tau=tau), nsamp(i * gap))
    return dict(audio=dsp.fade_edges(x, 20), attrs=dict(count=count, envelope="fading", **p))


# ------------------------------------------------------------------------------------------------- rhythmic
def _click(rng, f, dur=0.03):
    n = nsamp(dur)
    t = np.arange(n) / SR
    return (np.sin(2 * np.pi * f * t) * 0.6 + rng.standard_normal(n) * 0.4) * np.exp(-t / (dur / 5))


def _bpm_slots(rng, max_dur, lo, hi, min_beats=2):
    bpm = int(rng.integers(lo, hi + 1))
    period = 60.0 / bpm
    dur = rng.uniform(min(max_dur, max(1.5, period * min_beats)), max_dur)
    beats = max(min_beats, int(dur / period))
    return bpm, period, beats


@family("metronome")
def metronome(rng, max_dur):
    kind = str(rng.choice(["metronome", "clock ticking"]))
    bpm, period, beats = _bpm_slots(rng, max_dur, 50, 200, 3)
    if kind == "clock ticking":
        bpm = 60 if rng.random() < 0.7 else 120
        period = 60.0 / bpm
        beats = max(3, int(rng.uniform(1.5, max_dur) / period))
    n = nsamp((beats - 1) * period + 0.1)
    x = np.zeros(n)
    for i in range(beats):
        if kind == "metronome":
            f = 2000 if i % 4 == 0 else 1500
        else:
            f = 3000 if i % 2 == 0 else 2600
        dsp.place(x, _click(rng, f), nsamp(i * period))
    return dict(audio=x, attrs=dict(subtype=kind, bpm=bpm))


@family("heartbeat")
def heartbeat(rng, max_dur):
    bpm, period, beats = _bpm_slots(rng, max_dur, 50, 150, 2)
    n = nsamp((beats - 1) * period + 0.5)
    x = np.zeros(n)
    for i in range(beats):
        for k, (off, f, a) in enumerate([(0.0, 55, 1.0), (0.28 * min(1, period), 45, 0.7)]):
            m = nsamp(0.15)
            t = np.arange(m) / SR
            s = np.sin(2 * np.pi * f * t) * np.exp(-t / 0.04) * a
            dsp.place(x, s, nsamp(i * period + off))
    return dict(audio=dsp.lowpass(x, 200), attrs=dict(bpm=bpm, register="low"))


@family("footsteps")
def footsteps(rng, max_dur):
    surface = str(rng.choice(["wood", "gravel", "concrete"]))
    pace = str(rng.choice(["walking", "running"]))
    bpm = int(rng.integers(90, 125) if pace == "walking" else rng.integers(150, 190))
    period = 60.0 / bpm
    count = int(rng.integers(2, 11))
    while count > 2 and (count - 1) * period + 0.3 > max_dur:
        count -= 1
    x = np.zeros(nsamp((count - 1) * period + 0.3))
    for i in range(count):
        m = nsamp(0.15)
        t = np.arange(m) / SR
        nz = rng.standard_normal(m)
        if surface == "wood":
            s = dsp.bandpass(nz, 150, 1500) * np.exp(-t / 0.025) + np.sin(2 * np.pi * 110 * t) * np.exp(-t / 0.03)
        elif surface == "gravel":
            s = dsp.bandpass(nz * (rng.random(m) < 0.3), 800, 8000) * np.exp(-t / 0.05)
        else:
            s = dsp.bandpass(nz, 300, 5000) * np.exp(-t / 0.015)
        dsp.place(x, s * rng.uniform(0.7, 1.0), nsamp(i * period + rng.uniform(0, 0.01)))
    return dict(audio=x, attrs=dict(subtype=surface, pace=pace, bpm=bpm, count=count))


@family("knocking")
def knocking(rng, max_dur):
    count = int(rng.integers(1, 8))
    gap = rng.uniform(0.15, 0.35)
    while count > 1 and (count - 1) * gap + 0.3 > max_dur:
        count -= 1
    x = np.zeros(nsamp((count - 1) * gap + 0.3))
    f0 = rng.uniform(120, 250)
    for i in range(count):
        m = nsamp(0.2)
        t = np.arange(m) / SR
        s = (np.sin(2 * np.pi * f0 * t) + 0.5 * np.sin(2 * np.pi * 2.3 * f0 * t)) * np.exp(-t / 0.03)
        s += dsp.bandpass(rng.standard_normal(m), 500, 3000) * np.exp(-t / 0.006) * 0.6
        dsp.place(x, s, nsamp(i * gap))
    return dict(audio=x, attrs=dict(count=count, subtype="door"))


# ------------------------------------------------------------------------------------------------- noise textures
@family("noise")
def noise(rng, max_dur):
    color = str(rng.choice(["white", "pink", "brown"]))
    env, dur = _envelope_choice(rng, max_dur, ("short", "sustained", "fading", "fade_in"))
    n = nsamp(dur)
    x = dsp.colored(rng, n, {"white": 0.0, "pink": 1.0, "brown": 2.0}[color])
    if color == "brown":
        x = dsp.highpass(x, 20)
    stereo = np.stack([x, dsp.colored(rng, n, {"white": 0.0, "pink": 1.0, "brown": 2.0}[color])])
    return dict(audio=_apply_env(x, env), audio_wide=_apply_env(stereo, env), attrs=dict(subtype=color, envelope=env))


def _texture_stereo(rng, make, n):
    a, b = make(n), make(n)
    return a, np.stack([a, b])


@family("wind")
def wind(rng, max_dur):
    strength = str(rng.choice(["gentle", "strong"]))
    dur = rng.uniform(min(2.0, max_dur), max_dur)
    n = nsamp(dur)

    def make(m):
        t = np.arange(m) / SR
        gust = 0.5 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.1, 0.4) * t + rng.uniform(0, 6)) ** 2
        fc = (300 + 900 * gust) if strength == "gentle" else (600 + 2500 * gust)
        return dsp.tv_lowpass(dsp.colored(rng, m, 1.0), fc) * gust
    a, st = _texture_stereo(rng, make, n)
    return dict(audio=dsp.fade_edges(a, 200), audio_wide=dsp.fade_edges(st, 200), attrs=dict(subtype=strength, envelope="sustained"))


@family("rain")
def rain(rng, max_dur):
    strength = str(rng.choice(["light", "heavy"]))
    dur = rng.uniform(min(2.0, max_dur), max_dur)
    n = nsamp(dur)

    def make(m):
        bed = dsp.bandpass(rng.standard_normal(m), 800, 9000) * (0.15 if strength == "light" else 0.5)
        rate = 40 if strength == "light" else 300
        drops = (rng.random(m) < rate / SR) * rng.uniform(0.2, 1.0, m)
        drops = dsp.bandpass(drops, 2000, 12000) * 8
        return bed + drops
    a, st = _texture_stereo(rng, make, n)
    return dict(audio=dsp.fade_edges(a, 150), audio_wide=dsp.fade_edges(st, 150), attrs=dict(subtype=strength, envelope="sustained"))


@family("ocean")
def ocean(rng, max_dur):
    dur = rng.uniform(min(2.5, max_dur), max_dur)
    n = nsamp(dur)
    period = rng.uniform(2.5, 6.0)

    def make(m):
        t = np.arange(m) / SR
        sw = np.clip(np.sin(2 * np.pi * t / period + rng.uniform(0, 6)), 0, None) ** 2 + 0.08
        return dsp.tv_lowpass(dsp.colored(rng, m, 0.5), 400 + 3500 * sw) * sw
    a, st = _texture_stereo(rng, make, n)
    return dict(audio=dsp.fade_edges(a, 300), audio_wide=dsp.fade_edges(st, 300), attrs=dict(envelope="sustained"))


@family("thunder")
def thunder(rng, max_dur):
    dur = rng.uniform(min(2.0, max_dur), max_dur)
    n = nsamp(dur)
    t = np.arange(n) / SR
    x = dsp.colored(rng, n, 2.0)
    x = dsp.highpass(dsp.lowpass(x, 400), 25)
    env = np.exp(-t / (dur / 3.5)) * (1 + 2 * (rng.random(n) < 8 / SR).cumsum() % 2)
    env = dsp.lowpass(env, 8, 1) * (1 - np.exp(-t / 0.05))
    crack = dsp.highpass(rng.standard_normal(n), 1000) * np.exp(-t / 0.15) * 0.4
    return dict(audio=x * env + crack, attrs=dict(register="low", envelope="fading"))


@family("explosion")
def explosion(rng, max_dur):
    dur = rng.uniform(min(1.0, max_dur), min(max_dur, 4.0))
    n = nsamp(dur)
    t = np.arange(n) / SR
    body = dsp.lowpass(dsp.colored(rng, n, 1.5), rng.uniform(300, 900)) * np.exp(-t / (dur / 4))
    boom = np.sin(2 * np.pi * 45 * t * np.exp(-t / 0.5)) * np.exp(-t / 0.3) * 1.5
    x = (body + boom) * (1 - np.exp(-t / 0.003))
    return dict(audio=np.tanh(x * 1.5), attrs=dict(register="low", envelope="fading"))


# ------------------------------------------------------------------------------------------------- sci-fi / game
@family("laser")
def laser(rng, max_dur):
    count = int(rng.integers(1, 6))
    zap = rng.uniform(0.1, 0.4)
    gap = rng.uniform(0.1, 0.3)
    while count > 1 and count * (zap + gap) > max_dur:
        count -= 1
    x = np.zeros(nsamp(count * (zap + gap)))
    for i in range(count):
        m = nsamp(zap)
        f = np.geomspace(rng.uniform(2000, 5000), rng.uniform(150, 400), m)
        s = dsp.osc("saw", f, m, rng) * np.exp(-np.arange(m) / (zap * SR / 3))
        dsp.place(x, s, nsamp(i * (zap + gap)))
    return dict(audio=x, attrs=dict(count=count, envelope="short"))


@family("engine")
def engine(rng, max_dur):
    kind = str(rng.choice(["idling", "revving"]))
    dur = rng.uniform(min(2.0, max_dur), max_dur)
    n = nsamp(dur)
    t = np.arange(n) / SR
    f0 = rng.uniform(25, 45)
    f = f0 * (1 + (1.5 * np.clip(np.sin(np.pi * t / dur), 0, 1) if kind == "revving" else 0.03 * np.sin(2 * np.pi * 0.5 * t)))
    x = dsp.osc("saw", f, n, rng) + 0.5 * dsp.osc("square", f * 2, n, rng)
    x = dsp.lowpass(x, 600) + 0.1 * dsp.lowpass(rng.standard_normal(n), 800)
    return dict(audio=dsp.fade_edges(x, 100), attrs=dict(subtype=kind, register="low", envelope="sustained"))


@family("buzz")
def buzz(rng, max_dur):
    mains = int(rng.choice([50, 60]))
    dur = rng.uniform(min(1.0, max_dur), max_dur)
    n = nsamp(dur)
    t = np.arange(n) / SR
    x = sum(np.sin(2 * np.pi * mains * 2 * k * t) / k for k in range(1, 12))
    x = np.tanh(3 * x) + 0.05 * rng.standard_normal(n)
    return dict(audio=dsp.fade_edges(x, 20), attrs=dict(hz=mains * 2, register="low", envelope="sustained"))


@family("whoosh")
def whoosh(rng, max_dur):
    dur = rng.uniform(0.4, min(2.5, max_dur))
    n = nsamp(dur)
    t = np.arange(n) / SR
    env = np.sin(np.pi * t / dur) ** 2
    fc = 300 + 5000 * env
    x = dsp.tv_lowpass(dsp.colored(rng, n, 0.5), fc) * env
    return dict(audio=x, attrs=dict(envelope="short" if dur < 0.9 else None))


@family("drips")
def drips(rng, max_dur):
    count = int(rng.integers(1, 9))
    gap = rng.uniform(0.25, 0.8)
    while count > 1 and (count - 1) * gap + 0.2 > max_dur:
        count -= 1
    x = np.zeros(nsamp((count - 1) * gap + 0.2))
    for i in range(count):
        m = nsamp(0.12)
        f = np.geomspace(rng.uniform(800, 1400), rng.uniform(1600, 3000), m)
        s = dsp.osc("sine", f, m, rng) * np.exp(-np.arange(m) / (0.02 * SR))
        dsp.place(x, s, nsamp(i * gap))
    return dict(audio=x, attrs=dict(count=count))


@family("pickup")
def pickup(rng, max_dur):
    kind = str(rng.choice(["coin", "item"]))
    base = float(dsp.midi_to_hz(rng.integers(76, 90)))
    notes = [0, 5] if kind == "coin" else [0, 4, 7, 12]
    step = rng.uniform(0.05, 0.09)
    x = np.zeros(nsamp(step * len(notes) + 0.3))
    for i, iv in enumerate(notes):
        m = nsamp(step + (0.25 if i == len(notes) - 1 else 0.0))
        s = dsp.osc("square", base * 2 ** (iv / 12), m, rng) * dsp.env_adsr(m, 0.002, 0.02, 0.7, 0.05)
        dsp.place(x, s, nsamp(i * step))
    return dict(audio=x, attrs=dict(subtype=kind, register="high", envelope="short"))


@family("powerup")
def powerup(rng, max_dur):
    dur = rng.uniform(0.5, min(2.0, max_dur))
    n = nsamp(dur)
    t = np.arange(n) / SR
    f = np.geomspace(rng.uniform(150, 300), rng.uniform(1200, 2400), n) * (1 + 0.1 * np.sign(np.sin(2 * np.pi * 14 * t)))
    x = dsp.osc("square", f, n, rng) * dsp.env_adsr(n, 0.01, 0.05, 0.8, 0.1)
    return dict(audio=x, attrs=dict(subtype="rising"))


# ------------------------------------------------------------------------------------------------- drums
def _kick(rng, m=None):
    m = m or nsamp(0.4)
    t = np.arange(m) / SR
    f = 45 + 120 * np.exp(-t / 0.04)
    return np.sin(2 * np.pi * np.cumsum(f) / SR) * np.exp(-t / 0.15)


def _snare(rng, m=None):
    m = m or nsamp(0.25)
    t = np.arange(m) / SR
    return (0.5 * np.sin(2 * np.pi * 190 * t) * np.exp(-t / 0.05)
            + dsp.bandpass(rng.standard_normal(m), 1500, 9000) * np.exp(-t / 0.07))


def _hat(rng, m=None, open_=False):
    m = m or nsamp(0.3 if open_ else 0.08)
    t = np.arange(m) / SR
    return dsp.highpass(rng.standard_normal(m), 7000, 4) * np.exp(-t / (0.12 if open_ else 0.02)) * 1.5


@family("drum_hit", group="drum_hit")
def drum_hit(rng, max_dur):
    kind = str(rng.choice(["kick drum", "snare drum", "hi-hat", "clap"]))
    count = int(rng.integers(1, 6))
    bpm = int(rng.integers(70, 180))
    period = 60.0 / bpm
    while count > 1 and (count - 1) * period + 0.4 > max_dur:
        count -= 1
    x = np.zeros(nsamp((count - 1) * period + 0.4))
    for i in range(count):
        if kind == "kick drum":
            s = _kick(rng)
        elif kind == "snare drum":
            s = _snare(rng)
        elif kind == "hi-hat":
            s = _hat(rng)
        else:
            s = sum(dsp.place(np.zeros(nsamp(0.2)), dsp.bandpass(rng.standard_normal(nsamp(0.15)), 900, 5000)
                              * np.exp(-np.arange(nsamp(0.15)) / (0.012 * SR)), nsamp(k * 0.008)) for k in range(3))
        dsp.place(x, s, nsamp(i * period))
    attrs = dict(subtype=kind, count=count, register={"kick drum": "low", "hi-hat": "high"}.get(kind))
    if count >= 3:
        attrs["bpm"] = bpm
    return dict(audio=x, attrs=attrs)


@family("drum_pattern")
def drum_pattern(rng, max_dur):
    style = str(rng.choice(["rock", "four on the floor", "breakbeat"]))
    bpm = int(rng.integers(70, 181))
    step = 60.0 / bpm / 4  # sixteenths
    bars_dur = rng.uniform(min(2.0, max_dur), max_dur)
    steps = max(8, int(bars_dur / step))
    x = np.zeros(nsamp(steps * step + 0.4))
    pats = {
        "rock": ("1000000010000000", "0000100000001000", "1010101010101010"),
        "four on the floor": ("1000100010001000", "0000100000001000", "0010001000100010"),
        "breakbeat": ("1000000000100000", "0000100000001001", "1010101010101010"),
    }[style]
    for s in range(steps):
        k = s % 16
        at = nsamp(s * step)
        if pats[0][k] == "1":
            dsp.place(x, _kick(rng), at)
        if pats[1][k] == "1":
            dsp.place(x, _snare(rng), at)
        if pats[2][k] == "1":
            dsp.place(x, _hat(rng) * 0.5, at)
    return dict(audio=x, attrs=dict(subtype=style, bpm=bpm))


# ------------------------------------------------------------------------------------------------- GM (FluidSynth)
# program numbers are 0-based General MIDI programs; bank 128 = percussion kit on channel 9
GM_INSTRUMENTS = {
    "piano": dict(programs=[0, 1, 4], lo=36, hi=96),
    "organ": dict(programs=[16, 19], lo=36, hi=84),
    "guitar": dict(programs=[24, 25, 27], lo=40, hi=84),
    "bass": dict(programs=[32, 33, 38], lo=28, hi=55),
    "strings": dict(programs=[48, 49, 40], lo=43, hi=96),
    "brass": dict(programs=[61, 56, 57], lo=40, hi=82),
    "flute": dict(programs=[73, 72], lo=60, hi=96),
    "choir": dict(programs=[52, 53], lo=48, hi=79),
}
GM_SFX = {
    "seashore": 122, "bird": 123, "telephone": 124, "helicopter": 125, "applause": 126, "gunshot": 127,
}


def _midi_register(rng, lo, hi):
    # choose a register window inside the instrument's range, so the stated register is true of every note
    choices = []
    for reg, (a, b) in {"low": (lo, 54), "mid": (55, 78), "high": (80, hi)}.items():
        a2, b2 = max(a, lo), min(b, hi)
        if b2 - a2 >= 5:
            choices.append((reg, a2, b2))
    reg, a, b = choices[rng.integers(len(choices))]
    return reg, a, b


def _phrase(rng, lo, hi, max_dur, style):
    """Generated MIDI: list of (start_s, dur_s, key, vel) plus tempo."""
    bpm = int(rng.integers(60, 170))
    beat = 60.0 / bpm
    scale = [0, 2, 4, 5, 7, 9, 11] if rng.random() < 0.6 else [0, 2, 3, 5, 7, 8, 10]
    root = int(rng.integers(lo, max(lo + 1, hi - 12)))
    keys = [root + 12 * o + s for o in range(3) for s in scale if lo <= root + 12 * o + s <= hi]
    total = rng.uniform(min(1.0, max_dur), max_dur - 0.5)
    notes = []
    t = 0.0
    idx = int(rng.integers(len(keys)))
    if style == "chord":
        while t < total - 0.2:
            d = beat * rng.choice([2, 4])
            for iv in (0, 2, 4):
                k = keys[min(len(keys) - 1, idx + iv)]
                notes.append((t, min(d, total - t), k, int(rng.integers(70, 110))))
            idx = int(rng.integers(max(1, len(keys) - 4)))
            t += d
    elif style == "single":
        k = keys[idx]
        notes.append((0.0, total * rng.uniform(0.5, 0.9), k, int(rng.integers(80, 120))))
    else:
        while t < total - 0.1:
            d = beat * rng.choice([0.5, 1, 1, 2])
            notes.append((t, min(d * 0.95, total - t), keys[idx], int(rng.integers(70, 115))))
            idx = int(np.clip(idx + rng.integers(-2, 3), 0, len(keys) - 1))
            t += d
    return bpm, notes


DEFAULT_SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"


class GMRenderer:
    """One FluidSynth instance per worker process (soundfont loaded once). The soundfont is FluidR3_GM, or the file
    that the environment variable CORPUS_SOUNDFONT names (render.py --soundfont), e.g. FluidR3_GM converted to SF3
    (Ogg Vorbis samples) so that it fits a GPU machine's upload."""
    _inst = None

    def __init__(self, sf2=None):
        sf2 = sf2 or os.environ.get("CORPUS_SOUNDFONT", DEFAULT_SOUNDFONT)
        if not os.path.isfile(sf2):
            raise FileNotFoundError(f"soundfont {sf2} not found (CORPUS_SOUNDFONT / render.py --soundfont)")
        import fluidsynth
        self.fs = fluidsynth.Synth(samplerate=float(SR), gain=0.6, **{"synth.reverb.active": 0, "synth.chorus.active": 0})
        self.sfid = self.fs.sfload(sf2)

    @classmethod
    def get(cls):
        if cls._inst is None:
            cls._inst = GMRenderer()
        return cls._inst

    def render(self, events, program, channel=0, bank=0, tail=1.0):
        """events: list of (start_s, dur_s, key, vel). Returns (2, n) float."""
        fs = self.fs
        fs.system_reset()
        fs.program_select(channel, self.sfid, bank, program)
        ev = []
        for s, d, k, v in events:
            ev.append((s, 1, k, v))
            ev.append((s + d, 0, k, 0))
        ev.sort(key=lambda e: (e[0], e[1]))
        out, now = [], 0
        for t, on, k, v in ev:
            at = nsamp(t)
            if at > now:
                out.append(fs.get_samples(at - now))
                now = at
            if on:
                fs.noteon(channel, int(k), int(v))
            else:
                fs.noteoff(channel, int(k))
        out.append(fs.get_samples(nsamp(tail)))
        fs.all_notes_off(channel) if hasattr(fs, "all_notes_off") else None
        y = np.concatenate(out).astype(np.float64) / 32768.0
        y = y.reshape(-1, 2).T
        # trim trailing near-silence
        act = np.nonzero(np.max(np.abs(y), axis=0) > 10 ** (-60 / 20) * max(1e-9, np.abs(y).max()))[0]
        end = act[-1] + 1 if len(act) else 1
        return dsp.fade_edges(y[:, :end].copy(), 3)


def _make_gm_family(name, spec):
    def gen(rng, max_dur):
        reg, lo, hi = _midi_register(rng, spec["lo"], spec["hi"])
        style = str(rng.choice(["melody", "melody", "chord", "single"]))
        if name == "bass" and style == "chord":
            style = "melody"
        bpm, notes = _phrase(rng, lo, hi, max_dur - 0.3, style)
        prog = int(rng.choice(spec["programs"]))
        y = GMRenderer.get().render(notes, prog, tail=min(1.0, 0.3 + 0.7 * rng.random()))
        y = y[:, :nsamp(max_dur)]
        attrs = dict(register=reg, program=prog, style=style)
        if style == "melody":
            attrs["bpm"] = bpm
        if style == "single":
            attrs["note"] = dsp.note_name(notes[0][2])
            attrs["hz"] = round(float(dsp.midi_to_hz(notes[0][2])), 1)
            attrs["register"] = dsp.register_of_hz(attrs["hz"])
        if len(notes) and style != "chord":
            attrs["count"] = len(notes)
        return dict(audio=y, stereo_native=True, attrs=attrs)
    return gen


for _n, _s in GM_INSTRUMENTS.items():
    FAMILIES[_n] = dict(fn=_make_gm_family(_n, _s), kind="gm", group=_n)


@family("percussion", kind="gm")
def gm_percussion(rng, max_dur):
    bpm = int(rng.integers(70, 170))
    step = 60.0 / bpm / 2
    kit = rng.choice([[35, 38, 42], [36, 40, 44], [41, 45, 48], [60, 61, 63], [75, 76, 77]])
    n_steps = max(4, int(rng.uniform(min(1.5, max_dur), max_dur - 0.5) / step))
    notes = []
    for s in range(n_steps):
        if rng.random() < 0.75:
            notes.append((s * step, step * 0.9, int(rng.choice(kit)), int(rng.integers(70, 120))))
    if not notes:
        notes.append((0.0, step, int(kit[0]), 100))
    y = GMRenderer.get().render(notes, 0, channel=9, bank=128, tail=0.5)
    return dict(audio=y[:, :nsamp(max_dur)], stereo_native=True, attrs=dict(bpm=bpm))


def _make_gm_sfx(name, prog):
    def gen(rng, max_dur):
        if name in ("gunshot",):
            count = int(rng.integers(1, 5))
            gap = rng.uniform(0.3, 0.8)
            while count > 1 and (count - 1) * gap + 1.0 > max_dur:
                count -= 1
            notes = [(i * gap, 0.2, int(rng.integers(55, 66)), 120) for i in range(count)]
            attrs = dict(count=count)
            tail = 1.0
        elif name == "bird":
            count = int(rng.integers(1, 6))
            gap = rng.uniform(0.3, 0.7)
            while count > 1 and (count - 1) * gap + 0.6 > max_dur:
                count -= 1
            notes = [(i * gap, rng.uniform(0.15, 0.4), int(rng.integers(70, 90)), 110) for i in range(count)]
            attrs = dict(register="high")
            tail = 0.3
        else:
            dur = rng.uniform(min(1.5, max_dur - 0.6), max_dur - 0.6)
            notes = [(0.0, dur, 60, int(rng.integers(90, 127)))]
            attrs = dict(envelope="sustained")
            tail = 0.6
        y = GMRenderer.get().render(notes, prog, channel=0, bank=0, tail=tail)
        return dict(audio=y[:, :nsamp(max_dur)], stereo_native=True, attrs=attrs)
    return gen


for _n, _p in GM_SFX.items():
    FAMILIES[_n] = dict(fn=_make_gm_sfx(_n, _p), kind="gm", group=_n)

FAMILY_NAMES = sorted(FAMILIES)
