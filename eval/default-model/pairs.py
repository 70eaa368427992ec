"""Builds contrast_pairs.json: prompt pairs on HELD-OUT phrasings (captions.py held-out lists), each judged by a
model-free measurement (or, for family pairs, by the bundled classifier).

  python eval/default-model/pairs.py            # rewrites eval/default-model/contrast_pairs.json

Each pair: {id, category, a: {prompt, seconds}, b: {prompt, seconds}, measure, expect}
expect "a<b" means measure(a) < measure(b) is the correct outcome.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def build():
    P = []

    def add(cat, a, b, measure, expect, sa=3.0, sb=None):
        P.append(dict(id=f"{cat}_{sum(1 for p in P if p['category'] == cat):02d}", category=cat,
                      a=dict(prompt=a, seconds=sa), b=dict(prompt=b, seconds=sb if sb is not None else sa),
                      measure=measure, expect=expect))

    # pitch: low vs high (held-out register phrasings "with a deep pitch" / "with a high pitch", "pitched low/high")
    for noun in ["tone from a sine oscillator", "tone from a square oscillator", "tone from a triangle oscillator",
                 "beeping sounds", "bell ringing", "single note on the piano", "single note on the organ",
                 "single note on the flute", "melody on strings", "melody on the guitar", "melody on brass",
                 "tone from a saw oscillator"]:
        lo, hi = ("pitched low", "pitched high") if len(P) % 2 else ("with a deep pitch", "with a high pitch")
        add("pitch", f"{noun}, {lo}", f"{noun}, {hi}", "centroid", "a<b")
    # stereo position: left vs right
    for noun in ["tone from a sine oscillator", "beeping sounds", "knocking at the door", "shots of a gun",
                 "tweet of a bird", "whoosh of air", "ringing of a telephone", "single note on the piano",
                 "siren of the ambulance", "hiss of white noise"]:
        add("position", f"{noun}, panned to the left", f"{noun}, panned to the right", "lr_balance", "a>b")
    # movement
    for noun in ["tone from a sine oscillator", "motor of a car idling", "hiss of pink noise", "rotor of a helicopter"]:
        add("movement", f"{noun}, moving to the right from the left", f"{noun}, moving to the left from the right",
            "pan_slope", "a<b", 4.0)
    # loudness
    for noun in ["tone from a sine oscillator", "knocking at the door", "sound of the metronome", "rumble of thunder",
                 "whoosh of air", "chime of a doorbell", "melody on the piano", "sound of heavy rain",
                 "hiss of brown noise", "applause of a crowd"]:
        add("loudness", f"{noun}, high in volume", f"{noun}, low in volume", "level", "a>b")
    # tone vs noise
    for tone, noise in [("tone from a sine oscillator", "hiss of white noise"),
                        ("tone from a triangle oscillator", "hiss of pink noise"),
                        ("single note on the flute", "sound of heavy rain"),
                        ("buzz of electric mains", "hiss of white noise"),
                        ("beeping sounds", "wind, strong gusts"),
                        ("single note on the organ", "waves of the ocean")]:
        add("tone_vs_noise", tone, noise, "flatness", "a<b", 3.0)
    # tempo
    for noun, slow, fast in [("sound of the metronome", 60, 180), ("sound of the metronome", 70, 160),
                             ("sound of a beating heart", 55, 140), ("drum beat, rock groove", 70, 170),
                             ("drum beat, breakbeat groove", 80, 170), ("hits on a kick drum", 75, 175),
                             ("percussion playing", 70, 160), ("melody on the piano", 65, 160)]:
        add("tempo", f"{noun}, at a tempo of {slow} bpm", f"{noun}, at a tempo of {fast} bpm", "onset_rate", "a<b", 5.0)
    # short vs sustained (same requested length, the text decides)
    for noun in ["tone from a sine oscillator", "hiss of white noise", "tone from a square oscillator",
                 "hiss of pink noise", "tone from a triangle oscillator", "hiss of brown noise"]:
        add("duration", f"{noun}, short and quick", f"{noun}, long and steady", "active_duration", "a<b", 5.0)
    # seconds_total conditioning: 1 s vs 4 s request of a sustained sound
    for noun in ["long and steady tone from a sine oscillator", "wind, gentle gusts", "motor of a car idling",
                 "hiss of pink noise"]:
        add("seconds", noun, noun, "active_duration", "a<b", 1.0, 4.0)
    # family pairs (classifier)
    for (fa, na), (fb, nb) in [(("knocking at the door", "knocking"), ("siren of the ambulance", "siren")),
                               (("tweet of a bird", "bird"), ("rumble of thunder", "thunder")),
                               (("melody on the piano", "piano"), ("hiss of white noise", "noise")),
                               (("shots of a gun", "gunshot"), ("waves of the ocean", "ocean")),
                               (("sound of the metronome", "metronome"), ("melody from a choir", "choir")),
                               (("zaps of a laser gun", "laser"), ("applause of a crowd", "applause")),
                               (("ringing of a telephone", "telephone"), ("drum beat, rock groove", "drum_pattern")),
                               (("whoosh of air", "whoosh"), ("chime of a doorbell", "doorbell"))]:
        add("family", fa, fb, "classifier", "a!=b")
        P[-1]["families"] = [na, nb]
    return P


if __name__ == "__main__":
    pairs = build()
    with open(os.path.join(HERE, "contrast_pairs.json"), "w") as f:
        json.dump(pairs, f, indent=1)
    cats = {}
    for p in pairs:
        cats[p["category"]] = cats.get(p["category"], 0) + 1
    print(len(pairs), "pairs", cats)
