"""Small DSP toolkit for the synthetic corpus (numpy/scipy only). All signals are float64 at SR."""
import numpy as np
from scipy import signal as sps

SR = 44100
NOTE_NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]


def midi_to_hz(m):
    return 440.0 * 2.0 ** ((np.asarray(m, dtype=np.float64) - 69.0) / 12.0)


def hz_to_midi(f):
    return 69.0 + 12.0 * np.log2(np.asarray(f, dtype=np.float64) / 440.0)


def note_name(m):
    m = int(round(m))
    return f"{NOTE_NAMES[m % 12]}{m // 12 - 1}"


def register_of_hz(f):
    """Pitch register words used in captions. Boundaries on the fundamental (Hz)."""
    if f < 200.0:
        return "low"
    if f > 800.0:
        return "high"
    return "mid"


def nsamp(sec):
    return max(1, int(round(sec * SR)))


def osc(wave, freq, n, rng=None, phase0=None):
    """Naive oscillator; freq is a scalar or an array of length n (Hz)."""
    f = np.broadcast_to(np.asarray(freq, dtype=np.float64), (n,))
    if phase0 is None:
        phase0 = 0.0 if rng is None else rng.uniform(0, 2 * np.pi)
    ph = phase0 + 2 * np.pi * np.cumsum(f) / SR
    if wave == "sine":
        return np.sin(ph)
    if wave == "square":
        # soft-limited sine gives a square with fewer aliases than sign()
        return np.tanh(6.0 * np.sin(ph)) * 0.8
    if wave == "saw":
        x = ((ph / (2 * np.pi)) % 1.0) * 2.0 - 1.0
        return lowpass(x, 12000.0) * 0.8
    if wave == "triangle":
        return 2.0 / np.pi * np.arcsin(np.sin(ph))
    raise ValueError(wave)


def env_adsr(n, a, d, s, r):
    """Attack/decay/release in seconds, sustain level; total length n samples."""
    na, nd, nr = nsamp(a), nsamp(d), nsamp(r)
    na = min(na, n)
    nd = min(nd, n - na)
    nr = min(nr, max(0, n - na - nd))
    ns = n - na - nd - nr
    e = np.concatenate([
        np.linspace(0, 1, na, endpoint=False),
        np.linspace(1, s, nd, endpoint=False),
        np.full(ns, s),
        np.linspace(s, 0, nr),
    ])
    return e[:n]


def env_exp(n, tau):
    return np.exp(-np.arange(n) / (tau * SR))


def fade_edges(x, ms=5.0):
    k = min(nsamp(ms / 1000.0), x.shape[-1] // 2)
    if k > 1:
        w = np.linspace(0, 1, k)
        x[..., :k] *= w
        x[..., -k:] *= w[::-1]
    return x


def white(rng, n):
    return rng.standard_normal(n)


def colored(rng, n, exponent):
    """Noise with power spectrum ~ 1/f^exponent (0 white, 1 pink, 2 brown)."""
    X = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1.0 / SR)
    f[0] = f[1] if n > 1 else 1.0
    X *= f ** (-exponent / 2.0)
    X[0] = 0
    x = np.fft.irfft(X, n)
    return x / (np.std(x) + 1e-12)


def _sos(kind, fc, order=2):
    nyq = SR / 2.0
    if kind in ("lowpass", "highpass"):
        w = np.clip(fc / nyq, 1e-4, 0.999)
    else:
        w = np.clip(np.asarray(fc) / nyq, 1e-4, 0.999)
    return sps.butter(order, w, btype=kind, output="sos")


def lowpass(x, fc, order=2):
    return sps.sosfilt(_sos("lowpass", fc, order), x, axis=-1)


def highpass(x, fc, order=2):
    return sps.sosfilt(_sos("highpass", fc, order), x, axis=-1)


def bandpass(x, lo, hi, order=2):
    return sps.sosfilt(_sos("bandpass", [lo, hi], order), x, axis=-1)


def tv_lowpass(x, fc_curve):
    """Time-varying one-pole lowpass (fc per sample)."""
    a = np.exp(-2 * np.pi * np.clip(fc_curve, 10, SR / 2.2) / SR)
    y = np.empty_like(x)
    s = 0.0
    # vectorised in blocks of piecewise-constant coefficients
    blk = 256
    for i in range(0, len(x), blk):
        ai = a[i]
        seg, zi = sps.lfilter([1 - ai], [1, -ai], x[i:i + blk], zi=[s * ai])
        y[i:i + blk] = seg
        s = seg[-1] if len(seg) else s
    return y


def fm_bell(f0, n, ratio=1.4, index=4.0, tau=1.2, rng=None):
    t = np.arange(n) / SR
    ie = index * np.exp(-t / (tau * 0.6))
    mod = np.sin(2 * np.pi * f0 * ratio * t)
    x = np.sin(2 * np.pi * f0 * t + ie * mod)
    return x * np.exp(-t / tau)


def place(dst, src, start):
    """Add src into dst starting at sample start (clipped)."""
    if start >= dst.shape[-1]:
        return dst
    m = min(src.shape[-1], dst.shape[-1] - start)
    dst[..., start:start + m] += src[..., :m]
    return dst


def reverb_ir(rng, rt60, pre_delay=0.01, damp=6000.0):
    """Stereo synthetic IR: exponentially decaying decorrelated noise + early reflections."""
    n = nsamp(rt60 * 1.1 + pre_delay)
    t = np.arange(n) / SR
    decay = 10 ** (-3 * t / rt60)
    ir = np.zeros((2, n))
    for c in range(2):
        nz = rng.standard_normal(n) * decay
        nz = lowpass(nz, damp, 1)
        ir[c] = nz
    d = nsamp(pre_delay)
    ir[:, :d] = 0
    for _ in range(6):
        k = d + rng.integers(0, nsamp(0.06))
        if k < n:
            ir[rng.integers(0, 2), k] += rng.uniform(0.3, 0.8) * rng.choice([-1, 1])
    ir /= np.sqrt((ir ** 2).sum(axis=1, keepdims=True)).mean() + 1e-12
    return ir


def apply_reverb(x, rng, rt60, wet):
    """x: (2, n) stereo. Returns (2, n + tail)."""
    ir = reverb_ir(rng, rt60)
    y = np.stack([sps.fftconvolve(x[c], ir[c]) for c in range(2)])
    dry = np.zeros_like(y)
    dry[:, :x.shape[1]] = x
    return (1 - wet) * dry + wet * y * 0.5


def pan_gains(p):
    """Constant-power pan, p in [-1 (left), 1 (right)]."""
    th = (np.asarray(p) + 1.0) * np.pi / 4.0
    return np.cos(th), np.sin(th)


def rms_db(x):
    return 20 * np.log10(np.sqrt(np.mean(x ** 2)) + 1e-12)


def active_mask(x, thresh_db=-50.0, win=1024):
    """Frame mask of |x| envelope above thresh relative to full scale (x: (C, n))."""
    e = np.max(np.abs(x), axis=0)
    nfr = len(e) // win
    if nfr == 0:
        return np.array([e.max() > 10 ** (thresh_db / 20)])
    fr = e[:nfr * win].reshape(nfr, win).max(axis=1)
    return fr > 10 ** (thresh_db / 20)
