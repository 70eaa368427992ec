"""Captions from true attributes.

Every attribute has several phrasings. Each list is split into TRAIN phrasings and HELD-OUT phrasings (never used in
the training split, used only by the eval split). Held-out phrasings reuse words that occur in training captions
(new orders and combinations), because the text encoder is trained from scratch on the caption vocabulary.
"""
import numpy as np

NUM_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

# family -> (train noun phrases, held-out noun phrases)
NOUNS = {
    "tone": (["{subtype} tone", "{subtype} wave tone", "pure {subtype} tone", "{subtype} oscillator"],
             ["tone from a {subtype} oscillator"]),
    "beeps": (["{subtype} beeps", "electronic beeps", "beeping", "beep sounds"], ["beeping sounds"]),
    "sweep": (["{subtype} {waveform} sweep", "{subtype} frequency sweep", "{subtype} pitch sweep", "{subtype} tone sweep"],
              ["{waveform} tone sweep, {subtype}"]),
    "siren": (["{subtype} siren", "police siren", "emergency siren", "ambulance siren"], ["siren of the ambulance"]),
    "alarm": (["{subtype}", "{subtype} going off", "beeping {subtype}", "alarm sound"], ["sound of the {subtype}"]),
    "phone": (["{subtype} phone ringing", "telephone ringing", "phone ring", "ringing phone"], ["ringing of a telephone"]),
    "doorbell": (["{subtype} doorbell", "doorbell", "doorbell chime", "door chime"], ["chime of a doorbell"]),
    "bell": (["bell", "fm bell", "ringing bell", "metal bell", "bell strike"], ["bell ringing"]),
    "metronome": (["{subtype}", "{subtype} sound", "ticking {subtype}"], ["sound of the {subtype}"]),
    "heartbeat": (["heartbeat", "heart beating", "beating heart", "heartbeat sound"], ["sound of a beating heart"]),
    "footsteps": (["footsteps on {subtype}", "{pace} footsteps", "person {pace} on {subtype}", "steps on {subtype}"],
                  ["someone {pace} on {subtype}"]),
    "knocking": (["knocking on a door", "door knocks", "knocking", "someone knocking"], ["knocking at the door"]),
    "noise": (["{subtype} noise", "{subtype} noise static", "static {subtype} noise", "{subtype} noise hiss"],
              ["hiss of {subtype} noise"]),
    "wind": (["{subtype} wind", "wind blowing", "{subtype} wind gusts", "howling wind"], ["wind, {subtype} gusts"]),
    "rain": (["{subtype} rain", "rain falling", "rainfall", "{subtype} rain shower"], ["sound of {subtype} rain"]),
    "ocean": (["ocean waves", "waves crashing", "sea waves on a beach", "surf"], ["waves of the ocean"]),
    "thunder": (["thunder", "thunder rumble", "rumbling thunder", "thunderstorm thunder"], ["rumble of thunder"]),
    "explosion": (["explosion", "big explosion", "boom", "blast"], ["explosion blast"]),
    "laser": (["laser zaps", "laser gun", "sci-fi laser shots", "laser blasts"], ["zaps of a laser gun"]),
    "engine": (["engine {subtype}", "{subtype} engine", "car engine {subtype}", "motor hum"], ["motor of a car {subtype}"]),
    "buzz": (["electrical buzz", "mains hum", "electric hum", "transformer buzz"], ["buzz of electric mains"]),
    "whoosh": (["whoosh", "swoosh", "air whoosh", "fast whoosh"], ["whoosh of air"]),
    "drips": (["water drips", "dripping water", "water drops", "drip sounds"], ["drops of water dripping"]),
    "pickup": (["game {subtype} pickup", "video game {subtype} sound", "{subtype} collect sound", "retro game pickup"],
               ["retro video game {subtype} pickup"]),
    "powerup": (["game power-up", "power up sound", "video game power-up", "retro power-up"], ["power-up from a retro game"]),
    "drum_hit": (["{subtype} hits", "{subtype}", "single {subtype}", "{subtype} sound"], ["hits on a {subtype}"]),
    "drum_pattern": (["{subtype} drum beat", "{subtype} drum pattern", "drum loop", "drum groove"],
                     ["drum beat, {subtype} groove"]),
    "piano": (["piano", "piano {style}", "grand piano", "piano playing"], ["{style} on the piano"]),
    "organ": (["organ", "organ {style}", "church organ", "organ playing"], ["{style} on the organ"]),
    "guitar": (["guitar", "guitar {style}", "acoustic guitar", "guitar playing"], ["{style} on the guitar"]),
    "bass": (["bass", "bass guitar", "bass {style}", "bass line"], ["{style} on the bass guitar"]),
    "strings": (["strings", "string ensemble", "strings {style}", "orchestral strings"], ["{style} on strings"]),
    "brass": (["brass", "brass section", "brass {style}", "trumpets"], ["{style} on brass"]),
    "flute": (["flute", "flute {style}", "solo flute", "flute playing"], ["{style} on the flute"]),
    "choir": (["choir", "choir singing", "choir {style}", "voices of a choir"], ["{style} from a choir"]),
    "percussion": (["percussion", "percussion groove", "hand percussion", "percussion pattern"], ["percussion playing"]),
    "seashore": (["seashore", "waves on the seashore", "seashore ambience", "sea shore sound"], ["ambience of the seashore"]),
    "bird": (["bird tweet", "bird chirping", "birds tweeting", "bird song"], ["tweet of a bird"]),
    "telephone": (["telephone ring", "old telephone ringing", "phone bell ringing", "telephone bell"],
                  ["ringing of a telephone bell"]),
    "helicopter": (["helicopter", "helicopter flying", "helicopter rotor", "chopper"], ["rotor of a helicopter"]),
    "applause": (["applause", "crowd clapping", "audience applause", "clapping crowd"], ["applause of a crowd"]),
    "gunshot": (["gunshots", "gun shots", "gunfire", "pistol shots"], ["shots of a gun"]),
}

# family -> (singular unit, plural unit) for count phrases
UNITS = {
    "beeps": ("beep", "beeps"), "knocking": ("knock", "knocks"), "footsteps": ("footstep", "footsteps"),
    "bell": ("bell strike", "bell strikes"), "drips": ("water drip", "water drips"), "laser": ("laser zap", "laser zaps"),
    "phone": ("phone ring", "phone rings"), "gunshot": ("gunshot", "gunshots"), "drum_hit": ("{subtype} hit", "{subtype} hits"),
}

STYLE_WORDS = {"melody": "melody", "chord": "chords", "single": "single note"}

ATTR = {  # attribute value -> (train phrasings, held-out phrasings)
    ("register", "low"): (["low", "low-pitched", "deep", "low pitch"], ["pitched low", "with a deep pitch"]),
    ("register", "mid"): (["mid-pitched", "medium pitch", "mid-range"], ["in the mid-range", "with a medium pitch"]),
    ("register", "high"): (["high", "high-pitched", "high pitch", "bright"], ["pitched high", "with a high pitch"]),
    ("loudness", "quiet"): (["quiet", "soft", "faint", "very quiet", "at low volume", "soft and faint"], ["low in volume", "soft and quiet"]),
    ("loudness", "medium"): (["medium volume", "moderate volume"], ["at moderate volume"]),
    ("loudness", "loud"): (["loud", "very loud", "at high volume", "powerful", "loud and clear"], ["high in volume", "loud and powerful"]),
    ("position", "left"): (["on the left", "panned left", "left channel", "from the left", "on the left side"], ["panned to the left", "left side"]),
    ("position", "right"): (["on the right", "panned right", "right channel", "from the right", "on the right side"], ["panned to the right", "right side"]),
    ("position", "centre"): (["centered", "in the center", "mono", "center panned"], ["panned to the center"]),
    ("position", "wide"): (["wide stereo", "spacious stereo", "wide", "stereo wide", "wide stereo image"], ["with a wide stereo image"]),
    ("position", "left_to_right"): (["moving from left to right", "panning left to right", "passing from left to right"],
                                    ["moving to the right from the left"]),
    ("position", "right_to_left"): (["moving from right to left", "panning right to left", "passing from right to left"],
                                    ["moving to the left from the right"]),
    ("room", "dry"): (["dry", "close", "in a small dry room", "no reverb"], ["dry and close", "with no reverb"]),
    ("room", "reverberant"): (["reverberant", "with reverb", "in a large hall", "echoing", "in a big room"],
                              ["echoing with reverb", "echoing in a large room"]),
    ("envelope", "short"): (["short", "brief", "quick"], ["short and quick", "very brief"]),
    ("envelope", "sustained"): (["sustained", "long", "continuous", "steady"], ["long and steady", "continuous and long"]),
    ("envelope", "fading"): (["fading out", "decaying", "fading away"], ["slowly fading out", "fading out slowly"]),
    ("envelope", "fade_in"): (["fading in", "swelling", "rising in volume", "slowly swelling"], ["slowly fading in", "fading in slowly"]),
    ("tempo", "slow"): (["slow", "slow tempo"], ["at a slow tempo"]),
    ("tempo", "fast"): (["fast", "fast tempo", "rapid"], ["at a fast tempo"]),
}

BPM_T = (["at {bpm} bpm", "{bpm} bpm", "tempo {bpm} bpm", "{bpm} beats per minute"], ["at a tempo of {bpm} bpm", "bpm {bpm}"])
HZ_T = (["at {hz} hz", "{hz} hz", "frequency {hz} hz"], ["with a frequency of {hz} hz", "{hz} hz frequency"])
NOTE_T = (["note {note}", "playing {note}", "{note} note"], ["at the note {note}", "{note}, the note"])
SEC_T = (["{s} seconds", "lasting {s} seconds", "{s} second long"], ["{s} seconds long", "a {s} seconds sound"])
COUNT_T = (["{nw} {units}", "{n} {units}", "exactly {nw} {units}", "{nw} {units} in total", "{units}, {n} times"],
           ["{units}, {nw} in total", "{units} {nw} times"])

# attribute combinations never present in the training split (neither in captions nor in audio).
HELDOUT_COMBOS = {
    ("siren", "position", "right"), ("siren", "room", "reverberant"),
    ("piano", "position", "left"), ("piano", "loudness", "quiet"),
    ("tone", "position", "right_to_left"), ("bell", "room", "dry"),
    ("knocking", "position", "right"), ("knocking", "loudness", "loud"),
    ("noise", "position", "left"), ("rain", "loudness", "quiet"),
    ("flute", "register", "low"), ("organ", "room", "reverberant"),
    ("footsteps", "position", "left_to_right"), ("engine", "position", "right"),
    ("guitar", "loudness", "loud"), ("drum_pattern", "room", "reverberant"),
    ("helicopter", "position", "left_to_right"), ("bird", "position", "left"),
    ("laser", "position", "right"), ("beeps", "register", "high"),
    ("choir", "room", "dry"), ("metronome", "position", "left"),
}


def pick(rng, pair, heldout):
    train, held = pair
    lst = held if heldout else train
    return str(lst[rng.integers(len(lst))])


def fill(s, attrs):
    out = s
    for k, v in attrs.items():
        if v is not None:
            out = out.replace("{" + k + "}", str(STYLE_WORDS.get(v, v)) if k == "style" else str(v))
    return out


def _fmt_hz(hz):
    return str(int(round(hz))) if hz >= 100 else f"{hz:g}"


def tempo_word(bpm):
    if bpm <= 80:
        return "slow"
    if bpm >= 140:
        return "fast"
    return None


def build_caption(rng, fam, attrs, post, heldout, p_state=0.6):
    """attrs: family attributes; post: loudness/position/room/seconds. Returns (caption, stated dict)."""
    stated = {}
    noun = fill(pick(rng, NOUNS[fam], heldout), attrs)
    parts = []  # modifiers placed after the noun
    pre = []    # adjectives before the noun

    def maybe(p=p_state):
        return rng.random() < p

    # count (families with units): replaces the noun phrase
    if "count" in attrs and fam in UNITS and maybe(0.75):
        n = attrs["count"]
        units = fill(UNITS[fam][0 if n == 1 else 1], attrs)
        nw = NUM_WORDS[n] if n < len(NUM_WORDS) else str(n)
        cp = pick(rng, COUNT_T, heldout).format(n=n, nw=nw, units=units)
        if n == 1 and cp.startswith("one ") and rng.random() < 0.5:
            cp = "a single " + units
        noun = cp + (", " + noun if rng.random() < 0.3 else "")
        stated["count"] = n
    if attrs.get("register") and maybe():
        w = pick(rng, ATTR[("register", attrs["register"])], heldout)
        (pre if (" " not in w and not heldout) else parts).append(w)
        stated["register"] = attrs["register"]
    if attrs.get("note") and maybe(0.4):
        parts.append(pick(rng, NOTE_T, heldout).format(note=attrs["note"].lower()))
        stated["note"] = attrs["note"]
    elif attrs.get("hz") and maybe(0.5):
        parts.append(pick(rng, HZ_T, heldout).format(hz=_fmt_hz(attrs["hz"])))
        stated["hz"] = attrs["hz"]
    if attrs.get("bpm") and maybe(0.7):
        if rng.random() < 0.7:
            parts.append(pick(rng, BPM_T, heldout).format(bpm=attrs["bpm"]))
            stated["bpm"] = attrs["bpm"]
        else:
            tw = tempo_word(attrs["bpm"])
            if tw:
                parts.append(pick(rng, ATTR[("tempo", tw)], heldout))
                stated["tempo"] = tw
    if attrs.get("envelope") and maybe():
        w = pick(rng, ATTR[("envelope", attrs["envelope"])], heldout)
        (pre if (" " not in w and not heldout) else parts).append(w)
        stated["envelope"] = attrs["envelope"]
    if maybe(0.5):
        w = pick(rng, ATTR[("loudness", post["loudness"])], heldout)
        (pre if (" " not in w and not heldout) else parts).append(w)
        stated["loudness"] = post["loudness"]
    if maybe():
        parts.append(pick(rng, ATTR[("position", post["position"])], heldout))
        stated["position"] = post["position"]
    if maybe(0.5):
        parts.append(pick(rng, ATTR[("room", post["room"])], heldout))
        stated["room"] = post["room"]
    if maybe(0.25):
        s = post["seconds_total"]
        s_txt = f"{s:.1f}".rstrip("0").rstrip(".") if s < 10 else str(int(round(s)))
        parts.append(pick(rng, SEC_T, heldout).format(s=s_txt))
        stated["seconds"] = s
    order = rng.permutation(len(parts)) if rng.random() < 0.5 else np.arange(len(parts))
    parts = [parts[i] for i in order]
    style = rng.random()
    if style < 0.5:  # natural phrase
        head = " ".join(pre + [noun])
        cap = head + (" " + ", ".join(parts) if parts else "")
    else:  # tag list
        tags = pre + [noun] + parts
        if rng.random() < 0.5:
            tags = [tags[i] for i in rng.permutation(len(tags))]
        cap = ", ".join(tags)
    cap = " ".join(cap.split())
    return cap.lower(), stated
