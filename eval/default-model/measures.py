"""Model-free measurements used by the prompt-adherence contrast pairs and the length bar (numpy/scipy only).

All functions take x: float array [2, n] (stereo, 44.1 kHz) and return a float.
"""
import numpy as np
from scipy import signal as sps

SR = 44100
# the length bar: a sustained sound passes when it stays active to this fraction of the requested length
LENGTH_BAR_FRACTION = 0.95


def _mono(x):
    return np.asarray(x, dtype=np.float64).mean(axis=0)


def dc_blocked(x, cutoff_hz=20.0):
    """x with its DC and drift below `cutoff_hz` removed: a 2nd-order Butterworth high-pass run forwards and backwards
    (zero phase, so onsets and ends stay where they are), per channel."""
    x = np.asarray(x, dtype=np.float64)
    sos = sps.butter(2, cutoff_hz, btype="highpass", fs=SR, output="sos")
    return sps.sosfiltfilt(sos, x, axis=-1) if x.shape[-1] > 3 * (2 * len(sos) + 1) else x - x.mean(axis=-1, keepdims=True)


def active_mask(x, rel_db=-40.0, floor_db=-70.0, win=2048):
    """Per-frame activity: frame peak of the DC-blocked signal (`dc_blocked`) above max(peak + rel_db, floor_db).

    Session 41 added the DC blocking: a decoder's constant offset (the shipped one puts −0.0008 on L and +0.0018 on R
    under digital silence; session 40's `decoder40` ±0.011) is not sound, yet it held every frame after a quiet
    sound "active", so short sounds measured as long and renders as filling their length."""
    e = np.max(np.abs(dc_blocked(x)), axis=0)
    nfr = max(1, len(e) // win)
    fr = e[: nfr * win].reshape(nfr, -1).max(axis=1)
    thr = max(fr.max() * 10 ** (rel_db / 20), 10 ** (floor_db / 20))
    return fr > thr, win


def active_duration(x):
    """Seconds from the first to the last active frame."""
    m, win = active_mask(x)
    idx = np.nonzero(m)[0]
    return 0.0 if len(idx) == 0 else (idx[-1] - idx[0] + 1) * win / SR


def active_end(x):
    m, win = active_mask(x)
    idx = np.nonzero(m)[0]
    return 0.0 if len(idx) == 0 else (idx[-1] + 1) * win / SR


def spectral_centroid(x):
    """Energy-weighted mean spectral centroid (Hz) over active frames."""
    f, t, S = sps.stft(_mono(x), SR, nperseg=2048, noverlap=1536)
    P = np.abs(S) ** 2
    e = P.sum(axis=0)
    keep = e > e.max() * 1e-4
    if not keep.any():
        return 0.0
    c = (f[:, None] * P[:, keep]).sum(axis=0) / (e[keep] + 1e-20)
    return float((c * e[keep]).sum() / e[keep].sum())


def lr_balance_db(x):
    """10 log10(E_left / E_right): positive = left."""
    x = np.asarray(x, dtype=np.float64)
    return float(10 * np.log10((np.sum(x[0] ** 2) + 1e-20) / (np.sum(x[1] ** 2) + 1e-20)))


def stereo_kept(balances):
    """Whether stereo position survives a round trip, from (source, output) `lr_balance_db` pairs of a set of clips:
    of the clips panned by more than 3 dB, the share whose output leans to the same side by > 1 dB, measured against
    the outputs' median balance (so a constant channel-gain offset of the decoder is not counted as position), and the
    correlation of source and output balance over all clips. Not per-clip like the functions above: it takes the set."""
    panned = [(b_in, b_out) for b_in, b_out in balances if abs(b_in) > 3]
    offset = float(np.median([b_out for _, b_out in balances]))
    return {
        "reconstruction_balance_median_db": round(offset, 2),
        "panned_clips": len(panned),
        "panned_same_side": float(np.mean([np.sign(b_in) * (b_out - offset) > 1 for b_in, b_out in panned]))
        if panned else None,
        "balance_correlation": round(float(np.corrcoef(np.array(balances).T)[0, 1]), 3)}


def first_clips_per_family(metas, per_family):
    """The eval sample of the per-family checks: the first `per_family` clips of each family, in the metas' order."""
    chosen, counts = [], {}
    for meta in metas:
        if counts.get(meta["family"], 0) < per_family:
            chosen.append(meta)
            counts[meta["family"]] = counts.get(meta["family"], 0) + 1
    return chosen


def pan_trajectory(x):
    """Slope sign of L/R balance over time: negative = moves left->right."""
    m, win = active_mask(x)
    x = np.asarray(x, dtype=np.float64)
    nfr = len(m)
    l = (x[0, : nfr * win] ** 2).reshape(nfr, -1).sum(axis=1)
    r = (x[1, : nfr * win] ** 2).reshape(nfr, -1).sum(axis=1)
    b = 10 * np.log10((l + 1e-20) / (r + 1e-20))[m]
    if len(b) < 2:
        return 0.0
    return float(np.polyfit(np.arange(len(b)), b, 1)[0])


def level_db(x, win=0.4, hop=0.1):
    """Max short-term (400 ms) mean-square level, dBFS, both channels. (A LUFS-like level without K-weighting;
    the corpus uses the same definition for its quiet/medium/loud labels.)"""
    p = np.mean(np.asarray(x, dtype=np.float64) ** 2, axis=0)
    w, h = int(win * SR), int(hop * SR)
    if len(p) <= w:
        return float(10 * np.log10(p.mean() + 1e-20))
    cs = np.concatenate([[0.0], np.cumsum(p)])
    s = np.arange(0, len(p) - w + 1, h)
    return float(10 * np.log10(((cs[s + w] - cs[s]) / w).max() + 1e-20))


def spectral_flatness(x):
    """Mean spectral flatness (geometric / arithmetic mean of power) over active frames; 1 = white noise."""
    f, t, S = sps.stft(_mono(x), SR, nperseg=2048, noverlap=1024)
    P = np.abs(S[1:]) ** 2 + 1e-20
    e = P.sum(axis=0)
    keep = e > e.max() * 1e-3
    if not keep.any():
        return 0.0
    P = P[:, keep]
    return float(np.mean(np.exp(np.mean(np.log(P), axis=0)) / np.mean(P, axis=0)))


def onset_rate(x):
    """Onsets per second of active time (spectral-flux peak picking)."""
    f, t, S = sps.stft(_mono(x), SR, nperseg=1024, noverlap=512)
    M = np.log1p(100 * np.abs(S))
    flux = np.maximum(0, np.diff(M, axis=1)).sum(axis=0)
    if flux.max() <= 0:
        return 0.0
    flux /= flux.max()
    med = np.median(flux)
    peaks, _ = sps.find_peaks(flux, height=med + 0.3 * (1 - med), prominence=0.25, distance=int(0.06 * SR / 512))
    dur = max(active_duration(x), 0.1)
    return float(len(peaks) / dur)


def level_gap_db(x, y):
    """Level of y against x in dB: 10 log10((mean y² + ε) / (mean x² + ε)), ε = 1e-12 (both [2, n])."""
    return float(10 * np.log10((np.mean(y ** 2) + 1e-12) / (np.mean(x ** 2) + 1e-12)))


def rms_dc(x):
    x = np.asarray(x, dtype=np.float64)
    return float(np.abs(x.mean(axis=1)).max())


def bandwidth_hz(x, rel_db=-60.0):
    """Highest frequency whose long-term power is within rel_db of the spectrum's peak."""
    f, P = sps.welch(_mono(x), SR, nperseg=4096)
    thr = P.max() * 10 ** (rel_db / 10)
    idx = np.nonzero(P > thr)[0]
    return float(f[idx[-1]]) if len(idx) else 0.0


# ------------------------------------------------------------------------------------------- FD-mel (set level)
FDMEL_N_FFT, FDMEL_HOP, FDMEL_N_MELS, FDMEL_FMIN = 2048, 512, 128, 20.0


def _mel_fb(n_fft=FDMEL_N_FFT, n_mels=FDMEL_N_MELS, fmin=FDMEL_FMIN, sr=SR):
    """HTK-style triangular mel filterbank [n_mels, n_fft//2+1], fmin..sr/2, each filter normalised to sum 1
    (the same formula as models/training/common.py mel_filterbank)."""
    hz2mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)
    mel2hz = lambda m: 700.0 * (10 ** (m / 2595.0) - 1.0)
    hz = mel2hz(np.linspace(hz2mel(fmin), hz2mel(sr / 2), n_mels + 2))
    bins = np.fft.rfftfreq(n_fft, 1.0 / sr)
    fb = np.zeros((n_mels, len(bins)))
    for i in range(n_mels):
        lo, c, hi = hz[i], hz[i + 1], hz[i + 2]
        fb[i] = np.clip(np.minimum((bins - lo) / max(c - lo, 1e-9), (hi - bins) / max(hi - c, 1e-9)), 0, None)
    return fb / np.maximum(fb.sum(axis=1, keepdims=True), 1e-9)


_FB = None


def log_mel(x):
    """[128, frames] natural-log mel power of the mono mix (L+R)/2 of x [2, n] (or a mono [n] array):
    STFT n_fft 2048, hop 512, periodic Hann, centred frames with reflect padding (torch.stft center=True),
    power |X|^2, the 128-band filterbank above (20 Hz..22.05 kHz), ln(mel + 1e-5)."""
    global _FB
    if _FB is None:
        _FB = _mel_fb()
    m = np.asarray(x, dtype=np.float64)
    m = m.mean(axis=0) if m.ndim == 2 else m
    if len(m) <= FDMEL_N_FFT // 2:
        m = np.pad(m, (0, FDMEL_N_FFT // 2 + 1 - len(m)))
    m = np.pad(m, FDMEL_N_FFT // 2, mode="reflect")
    nfr = 1 + (len(m) - FDMEL_N_FFT) // FDMEL_HOP
    idx = np.arange(FDMEL_N_FFT)[None, :] + FDMEL_HOP * np.arange(nfr)[:, None]
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FDMEL_N_FFT) / FDMEL_N_FFT)  # periodic Hann
    P = np.abs(np.fft.rfft(m[idx] * win, axis=1)) ** 2
    return np.log(_FB @ P.T + 1e-5)


def fdmel_embedding(x):
    """Per-clip FD-mel vector (256): per-band mean over frames, then per-band std over frames, of log_mel(x).
    x is the clip itself (generated audio trimmed to the requested seconds; references as rendered), not the
    zero-padded window."""
    L = log_mel(x)
    return np.concatenate([L.mean(axis=1), L.std(axis=1)])


def frechet_distance(a, b):
    """Frechet distance between Gaussian fits of two sets of vectors a [N, D], b [M, D]:
    |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a^1/2 S_b S_a^1/2)^1/2), with unbiased sample covariances.
    The trace of the matrix square root is computed from the eigenvalues of the symmetric S_a^1/2 S_b S_a^1/2
    (clipped at 0), which is stable when N < D makes the covariances singular. FD has a positive finite-sample bias
    that grows as N shrinks; compare only FDs computed with the same N."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    mu = a.mean(0) - b.mean(0)
    sa, sb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(sa)
    ha = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    tr_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh(ha @ sb @ ha), 0, None)).sum()
    return float(mu @ mu + np.trace(sa) + np.trace(sb) - 2 * tr_sqrt)


MEASURES = dict(centroid=spectral_centroid, lr_balance=lr_balance_db, pan_slope=pan_trajectory, level=level_db,
                flatness=spectral_flatness, onset_rate=onset_rate, active_duration=active_duration)
