#!/usr/bin/env python3
"""Parity fixtures for SAMetricsTests (stable-audio-swift issue 5).

Writes small JSON / .npy files into Tests/SAMetricsTests/Resources/. Every test signal is defined by a formula that the
Swift tests reproduce exactly (a 64-bit LCG for noise, sines computed in Float64 and rounded once to Float32), so no
audio is committed except the four short EBU Tech 3341 cases 20-23, whose synthesis needs a long anti-aliasing filter.

Run with the project's metrics virtualenv (never the model venvs):
    python3 -m venv /work/venv-metrics
    /work/venv-metrics/bin/pip install torch==2.13.0+cpu numpy scipy pyloudnorm librosa auraloss soundfile
    /work/venv-metrics/bin/python Tests/Fixtures/make_metrics_fixtures.py

References used: pyloudnorm Meter(filter_class='DeMan'), librosa.filters.mel / librosa.stft / melspectrogram,
numpy.fft, torch.stft, auraloss MultiResolutionSTFTLoss, the DAC MelSpectrogramLoss formula (torch), the ssr_eval LSD
formula, scipy.signal.welch / csd, the pytorch-fid Fréchet code (scipy.linalg.sqrtm), fadtk's eig variant, the
KID polynomial MMD of audioldm_eval, scipy.stats.wasserstein_distance.
"""
import json
import os
import platform
import sys
import warnings

import numpy as np
import scipy
import scipy.linalg
import scipy.signal
import scipy.stats
import librosa
import pyloudnorm
import torch
import auraloss

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "SAMetricsTests", "Resources")
os.makedirs(OUT, exist_ok=True)

METADATA = {
    "generator": "Tests/Fixtures/make_metrics_fixtures.py",
    "python": platform.python_version(),
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "librosa": librosa.__version__,
    "pyloudnorm": getattr(pyloudnorm, "__version__", "0.2.0"),
    "torch": torch.__version__,
    "auraloss": getattr(auraloss, "__version__", "0.4.0"),
}


def write_json(name, payload):
    payload = dict(payload)
    payload["metadata"] = METADATA
    with open(os.path.join(OUT, name), "w") as handle:
        json.dump(payload, handle, indent=1, sort_keys=True)
        handle.write("\n")


# ---------------------------------------------------------------------------------------------------------------
# Shared signal recipes (mirrored in Tests/SAMetricsTests/TestSignals.swift)

def lcg_noise(seed, count):
    """Uniform noise in [-1, 1): 64-bit LCG (Knuth MMIX constants), top 24 bits -> exact Float32 values."""
    state = seed & 0xFFFFFFFFFFFFFFFF
    out = np.empty(count, dtype=np.float64)
    a, c, mask = 6364136223846793005, 1442695040888963407, 0xFFFFFFFFFFFFFFFF
    for i in range(count):
        state = (state * a + c) & mask
        out[i] = (state >> 40) / 16777216.0 * 2.0 - 1.0
    return out  # exact in float32


def sine(frequency, count, sample_rate, amplitude=1.0, phase=0.0, start=0):
    n = np.arange(start, start + count, dtype=np.float64)
    return amplitude * np.sin(2 * np.pi * frequency * n / sample_rate + phase)


def tone_segments(segments, sample_rate, channel_levels=(0.0, 0.0)):
    """EBU stereo 1 kHz tone: segments of (seconds, dBFS or None for silence); phase-continuous over the file.
    channel_levels are per-channel offsets in dB added to each segment level (case 6 uses absolute levels)."""
    lengths = [int(round(seconds * sample_rate)) for seconds, _ in segments]
    total = sum(lengths)
    channels = np.zeros((len(channel_levels), total), dtype=np.float64)
    position = 0
    for (seconds, level), length in zip(segments, lengths):
        if level is not None:
            for index, offset in enumerate(channel_levels):
                amplitude = 10.0 ** ((level + offset) / 20.0)
                channels[index, position:position + length] = sine(1000.0, length, sample_rate, amplitude, start=position)
        position += length
    return channels.astype(np.float32)


EBU_LOUDNESS_CASES = {
    "3341-1": [(20.0, -23.0)],
    "3341-2": [(20.0, -33.0)],
    "3341-3": [(10.0, -36.0), (60.0, -23.0), (10.0, -36.0)],
    "3341-4": [(10.0, -72.0), (10.0, -36.0), (60.0, -23.0), (10.0, -36.0), (10.0, -72.0)],
    "3341-5": [(20.0, -26.0), (20.1, -20.0), (20.0, -26.0)],
    "3342-1": [(20.0, -20.0), (20.0, -30.0)],
    "3342-2": [(20.0, -20.0), (20.0, -15.0)],
    "3342-3": [(20.0, -40.0), (20.0, -20.0)],
    "3342-4": [(20.0, -50.0), (20.0, -35.0), (20.0, -20.0), (20.0, -35.0), (20.0, -50.0)],
}


def loudness_fixtures():
    result = {}
    for rate in (48000, 44100):
        meter = pyloudnorm.Meter(rate, filter_class="DeMan")
        values = {}
        for name, segments in EBU_LOUDNESS_CASES.items():
            audio = tone_segments(segments, rate)
            values[name] = float(meter.integrated_loudness(audio.T.astype(np.float64)))
        # 3341-6: 5.0 channels L R C Ls Rs at -28, -28, -24, -30, -30 dBFS, 20 s
        audio = tone_segments([(20.0, 0.0)], rate, channel_levels=(-28.0, -28.0, -24.0, -30.0, -30.0))
        values["3341-6"] = float(meter.integrated_loudness(audio.T.astype(np.float64)))
        # Noise: 10 s stereo LCG noise at 0.25 (seeds 11, 12) and a quiet tail (noise at 0.01, 5 s)
        left = np.concatenate([0.25 * lcg_noise(11, 10 * rate), 0.01 * lcg_noise(13, 5 * rate)]).astype(np.float32)
        right = np.concatenate([0.25 * lcg_noise(12, 10 * rate), 0.01 * lcg_noise(14, 5 * rate)]).astype(np.float32)
        values["noise"] = float(meter.integrated_loudness(np.stack([left, right], 1).astype(np.float64)))
        result[str(rate)] = values

    # K-filter from the analog prototype (libebur128 / DeMan constants) at 44.1 kHz, Float64 repr.
    def k_filter(fs):
        f0, G, Q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
        K = np.tan(np.pi * f0 / fs)
        Vh = 10.0 ** (G / 20.0)
        Vb = Vh ** 0.4996667741545416
        a0 = 1.0 + K / Q + K * K
        shelf_b = [(Vh + Vb * K / Q + K * K) / a0, 2.0 * (K * K - Vh) / a0, (Vh - Vb * K / Q + K * K) / a0]
        shelf_a = [1.0, 2.0 * (K * K - 1.0) / a0, (1.0 - K / Q + K * K) / a0]
        f0, Q = 38.13547087602444, 0.5003270373238773
        K = np.tan(np.pi * f0 / fs)
        d = 1.0 + K / Q + K * K
        return {"shelf_b": shelf_b, "shelf_a": shelf_a, "highpass_b": [1.0, -2.0, 1.0],
                "highpass_a": [1.0, 2.0 * (K * K - 1.0) / d, (1.0 - K / Q + K * K) / d]}

    write_json("loudness_reference.json", {
        "description": "pyloudnorm Meter(rate, filter_class='DeMan').integrated_loudness on the Swift-synthesised EBU tones",
        "pyloudnorm_deman": result,
        "k_filter_44100": k_filter(44100.0),
    })


def true_peak_fixtures():
    """EBU Tech 3341 cases 20-23 (fs-relative, so one set serves 48 and 44.1 kHz): an fs/6 sine at 0.5 FS holding one
    period of an fs/4 sine at 1.0 FS, inserted at an upward zero crossing, synthesised at 4*fs, low-passed with a
    1023-tap Kaiser(12) FIR at 0.98*fs/2 and decimated with offsets 0..3. 4800 output samples each."""
    count = 4800
    n4 = 4 * count + 16
    m = np.arange(n4)
    n0 = 24 * 400
    base = lambda k: 0.5 * np.sin(2 * np.pi * k / 24)
    s = np.where(m < n0, base(m), np.where(m < n0 + 16, np.sin(2 * np.pi * (m - n0) / 16), base(m - 16)))
    h = scipy.signal.firwin(1023, 0.98 / 4, window=("kaiser", 12))
    y = np.convolve(s, h, mode="same")
    cases = np.stack([y[k::4][:count] for k in range(4)]).astype(np.float32)
    np.save(os.path.join(OUT, "true_peak_cases_20_23.npy"), cases)
    ideal = [float(20 * np.log10(np.max(np.abs(scipy.signal.resample(c.astype(np.float64), 4 * count))))) for c in cases]
    write_json("true_peak_reference.json", {"ideal_fft_4x_dbtp_20_23": ideal,
                                            "description": "FFT-ideal 4x true peak of true_peak_cases_20_23.npy"})


def sparse(matrix):
    rows, columns = np.nonzero(matrix)
    return {"rows": rows.tolist(), "columns": columns.tolist(), "values": [float(v) for v in matrix[rows, columns]],
            "shape": list(matrix.shape)}


def mel_fixtures():
    configs = [
        {"sr": 44100, "n_fft": 2048, "n_mels": 128, "fmin": 0.0, "fmax": None, "htk": False, "norm": "slaney"},
        {"sr": 44100, "n_fft": 2048, "n_mels": 128, "fmin": 0.0, "fmax": None, "htk": True, "norm": "slaney"},
        {"sr": 48000, "n_fft": 1024, "n_mels": 64, "fmin": 50.0, "fmax": 14000.0, "htk": True, "norm": None},
        {"sr": 44100, "n_fft": 2048, "n_mels": 150, "fmin": 0.0, "fmax": None, "htk": False, "norm": "slaney"},
        {"sr": 44100, "n_fft": 512, "n_mels": 80, "fmin": 0.0, "fmax": None, "htk": False, "norm": "slaney"},
        {"sr": 16000, "n_fft": 512, "n_mels": 64, "fmin": 125.0, "fmax": 7500.0, "htk": True, "norm": "slaney"},
    ]
    entries = []
    for config in configs:
        args = {k: v for k, v in config.items()}
        w64 = librosa.filters.mel(**args, dtype=np.float64)
        w32 = librosa.filters.mel(**args)  # default float32
        entries.append({"config": config, "float64": sparse(w64), "float32": sparse(w32.astype(np.float64))})
    write_json("mel_filterbanks.json", {"filterbanks": entries})


def stft_fixtures():
    signal = (0.5 * lcg_noise(1, 4000)).astype(np.float32)
    x = signal.astype(np.float64)
    results = {}
    # librosa-style: n_fft 2048, hop 512, periodic Hann, centred zero padding; numpy Float64 reference and librosa.
    window = scipy.signal.get_window("hann", 2048, fftbins=True)
    padded = np.pad(x, 1024, mode="constant")
    frames = 1 + (len(padded) - 2048) // 512
    power = np.stack([np.abs(np.fft.rfft(padded[t * 512:t * 512 + 2048] * window)) ** 2 for t in range(frames)])
    lib = np.abs(librosa.stft(signal, n_fft=2048, hop_length=512, center=True)) ** 2  # [bins, frames], complex64 path
    np.save(os.path.join(OUT, "stft_power_librosa_2048_512.npy"), power)
    results["librosa_max_relative_vs_numpy"] = float(np.max(np.abs(lib.T - power)) / np.max(power))
    # torch.stft: n_fft 1024, hop 120, win 600 (auraloss resolution 1), reflect centring
    t = torch.stft(torch.tensor(signal), 1024, 120, 600, torch.hann_window(600), center=True, pad_mode="reflect",
                   return_complex=True)
    tpower = (t.real ** 2 + t.imag ** 2).numpy().T.astype(np.float64)
    np.save(os.path.join(OUT, "stft_power_torch_1024_120_600.npy"), tpower)
    # Odd FFT size (LSD at 48 kHz uses 2229): librosa, n_fft 2229, hop 480
    odd = np.abs(librosa.stft(signal, n_fft=2229, hop_length=480, center=True)) ** 2
    np.save(os.path.join(OUT, "stft_power_librosa_2229_480.npy"), odd.T.astype(np.float64))
    write_json("stft_reference.json", {"signal": "0.5 * lcg_noise(seed 1, 4000) as Float32", **results})


def paired_signals(rate=44100, count=44100):
    """Reference: L = 0.5 sin(440) + 0.1 noise(21), R = 0.3 sin(660) + 0.2 noise(22);
    estimate: 0.8 reference + 0.05 noise(23/24) + 0.02 sin(3000)."""
    ref_l = 0.5 * sine(440.0, count, rate) + 0.1 * lcg_noise(21, count)
    ref_r = 0.3 * sine(660.0, count, rate) + 0.2 * lcg_noise(22, count)
    reference = np.stack([ref_l, ref_r]).astype(np.float32)
    r32 = reference.astype(np.float64)
    est_l = 0.8 * r32[0] + 0.05 * lcg_noise(23, count) + 0.02 * sine(3000.0, count, rate)
    est_r = 0.8 * r32[1] + 0.05 * lcg_noise(24, count) + 0.02 * sine(3000.0, count, rate)
    estimate = np.stack([est_l, est_r]).astype(np.float32)
    return estimate, reference


def dac_mel_distance(x, y, rate):
    """descript-audio-codec MelSpectrogramLoss() defaults (audiotools STFT: torch.stft center=True reflect, periodic
    Hann from scipy get_window, magnitude; librosa slaney mel; log10(clamp(1e-5)^2) L1 + magnitude L1, summed)."""
    total = 0.0
    for window_length, n_mels in ((2048, 150), (512, 80)):
        hop = window_length // 4
        window = torch.tensor(scipy.signal.get_window("hann", window_length), dtype=torch.float32)
        basis = torch.tensor(librosa.filters.mel(sr=rate, n_fft=window_length, n_mels=n_mels, fmin=0.0, fmax=rate / 2))
        mels = []
        for signal in (x, y):
            stft = torch.stft(torch.tensor(signal)[None], n_fft=window_length, hop_length=hop, window=window,
                              return_complex=True, center=True)
            magnitude = torch.abs(stft)  # [1, bins, frames]
            mels.append(magnitude.transpose(1, 2) @ basis.T)
        xm, ym = mels
        total += torch.nn.functional.l1_loss(xm.clamp(1e-5).pow(2.0).log10(), ym.clamp(1e-5).pow(2.0).log10()).item()
        total += torch.nn.functional.l1_loss(xm, ym).item()
    return total


def lsd_bels(estimate, target, rate):
    n_fft = int(2048 / (44100 / rate))
    hop = int(rate / 100)
    e = np.abs(librosa.stft(estimate.astype(np.float32), n_fft=n_fft, hop_length=hop, center=True)).T.astype(np.float64)
    t = np.abs(librosa.stft(target.astype(np.float32), n_fft=n_fft, hop_length=hop, center=True)).T.astype(np.float64)
    eps = 1e-12
    lsd = np.log10(t ** 2 / ((e + eps) ** 2) + eps) ** 2
    return float(np.mean(np.mean(lsd, axis=1) ** 0.5))


def si_sdr(estimate, reference):
    s = reference.astype(np.float64) - reference.astype(np.float64).mean()
    e = estimate.astype(np.float64) - estimate.astype(np.float64).mean()
    alpha = np.dot(e, s) / np.dot(s, s)
    target = alpha * s
    return float(10 * np.log10(np.sum(target ** 2) / np.sum((target - e) ** 2)))


def paired_fixtures():
    rate = 44100
    estimate, reference = paired_signals(rate)
    loss = auraloss.freq.MultiResolutionSTFTLoss()
    channels = []
    for c in range(2):
        x = torch.tensor(estimate[c])[None, None]
        y = torch.tensor(reference[c])[None, None]
        channels.append({
            "multi_resolution_stft": float(loss(x, y).item()),
            "mel_distance": dac_mel_distance(estimate[c], reference[c], rate),
            "lsd_bels": lsd_bels(estimate[c], reference[c], rate),
            "si_sdr": si_sdr(estimate[c], reference[c]),
            "auraloss_si_sdr": float(-auraloss.time.SISDRLoss()(x, y).item()),
        })
    # Gain law for auraloss: x = 0.7 y
    y = torch.tensor(reference[0])[None, None]
    gain = float(loss(0.7 * y, y).item())
    write_json("paired_reference.json", {"sample_rate": rate, "channels": channels, "auraloss_gain_0_7": gain,
                                         "signals": "see paired_signals() in the generator"})


def spectrum_signal(rate=44100, count=3 * 44100):
    l = (0.3 * sine(2000.0, count, rate) + 0.2 * sine(500.0, count, rate) + 0.003 * sine(11000.0, count, rate)
         + 0.0001 * sine(17000.0, count, rate) + 1e-5 * lcg_noise(31, count) + 0.05 * sine(90.0, count, rate))
    r = (0.25 * sine(2000.0, count, rate, phase=0.7) + 0.2 * sine(500.0, count, rate, phase=np.pi)
         + 0.002 * sine(11000.0, count, rate) + 1e-5 * lcg_noise(32, count) + 0.05 * sine(90.0, count, rate)
         + 0.01 * lcg_noise(33, count))
    return np.stack([l, r]).astype(np.float32)


def spectrum_fixtures():
    rate = 44100
    audio = spectrum_signal(rate).astype(np.float64)
    kwargs = dict(fs=rate, window="hann", nperseg=4096, noverlap=2048, detrend=False, scaling="density")
    freqs, pl = scipy.signal.welch(audio[0], **kwargs)
    _, pr = scipy.signal.welch(audio[1], **kwargs)
    _, cross = scipy.signal.csd(audio[0], audio[1], **kwargs)
    cross = cross.real
    mean = (pl + pr) / 2
    total = mean.sum()
    centroid = float((freqs * mean).sum() / total)
    cumulative = np.cumsum(mean)
    rolloff = float(freqs[np.argmax(cumulative >= 0.95 * total)])
    hf = float(mean[freqs > 16000].sum() / total)
    band = (freqs >= 1000) & (freqs <= 4000)
    reference = mean[band].mean()
    threshold = reference * 10 ** (-60 / 10)
    bandwidth = None
    for k in range(len(mean) - 1, -1, -1):
        lo, hi = max(0, k - 4), min(len(mean) - 1, k + 4)
        if mean[lo:hi + 1].mean() >= threshold:
            bandwidth = float(freqs[k])
            break
    octave = []
    for k in range(-4, 5):
        center = 1000 * 2.0 ** k
        sel = (freqs >= center / np.sqrt(2)) & (freqs < center * np.sqrt(2))
        octave.append(float(cross[sel].sum() / np.sqrt(pl[sel].sum() * pr[sel].sum())))
    L, R = audio
    icc = float(np.sum(L * R) / np.sqrt(np.sum(L * L) * np.sum(R * R)))
    M, S = (L + R) / 2, (L - R) / 2
    side_mid = float(10 * np.log10(np.sum(S * S) / np.sum(M * M)))
    write_json("spectrum_reference.json", {
        "psd_left": pl.tolist(), "psd_right": pr.tolist(), "csd_real": cross.tolist(),
        "centroid": centroid, "rolloff": rolloff, "hf_ratio": hf, "bandwidth": bandwidth,
        "octave_icc": octave, "icc": icc, "side_mid_db": side_mid,
        "welch": "scipy.signal.welch(fs=44100, window='hann', nperseg=4096, noverlap=2048, detrend=False, scaling='density')",
    })


def frechet_pytorch_fid(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """pytorch-fid calculate_frechet_distance (as in stable-audio-metrics / audioldm_eval)."""
    diff = mu1 - mu2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            covmean, _ = scipy.linalg.sqrtm(sigma1.dot(sigma2), disp=False)
        except TypeError:
            covmean = scipy.linalg.sqrtm(sigma1.dot(sigma2))
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = scipy.linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("Imaginary component")
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def frechet_fadtk_eig(mu1, sigma1, mu2, sigma2):
    diff = mu1 - mu2
    D, V = scipy.linalg.eig(sigma1.dot(sigma2))
    covmean = (V * np.lib.scimath.sqrt(D)) @ np.linalg.inv(V)
    return float((diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)).real)


def polynomial_mmd(codes_g, codes_r):
    """audioldm_eval / KID unbiased MMD^2 with k(x,y) = (x.y/d + 1)^3."""
    d = codes_g.shape[1]
    K_XX = (codes_g @ codes_g.T / d + 1) ** 3
    K_YY = (codes_r @ codes_r.T / d + 1) ** 3
    K_XY = (codes_g @ codes_r.T / d + 1) ** 3
    m = K_XX.shape[0]
    Kt_XX_sum = K_XX.sum() - np.trace(K_XX)
    Kt_YY_sum = K_YY.sum() - np.trace(K_YY)
    K_XY_sum = K_XY.sum()
    return float((Kt_XX_sum + Kt_YY_sum) / (m * (m - 1)) - 2 * K_XY_sum / (m * m))


def set_fixtures():
    rng = np.random.default_rng(1234)
    d = 64
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    a = (rng.normal(size=(600, d)) @ mixing).astype(np.float32)
    b = (rng.normal(size=(700, d)) @ (mixing + 0.1 * rng.normal(size=(d, d)) / np.sqrt(d)) + 0.2).astype(np.float32)
    c = (rng.normal(size=(40, d)) @ mixing).astype(np.float32)        # rank-deficient (N < d)
    e = (rng.normal(size=(50, d)) @ mixing + 0.1).astype(np.float32)  # rank-deficient
    np.save(os.path.join(OUT, "embeddings_a.npy"), a)
    np.save(os.path.join(OUT, "embeddings_b.npy"), b)
    np.save(os.path.join(OUT, "embeddings_c_rank_deficient.npy"), c)
    np.save(os.path.join(OUT, "embeddings_e_rank_deficient.npy"), e)
    small = np.asfortranarray(rng.normal(size=(5, 3)))
    np.save(os.path.join(OUT, "small_fortran_float64.npy"), small)

    def stats(x):
        x = x.astype(np.float64)
        return np.mean(x, axis=0), np.cov(x, rowvar=False)

    fd = {}
    for name, (x, y) in {"a_b": (a, b), "c_e": (c, e), "a_c": (a, c)}.items():
        m1, s1 = stats(x)
        m2, s2 = stats(y)
        fd[name] = {"pytorch_fid_sqrtm": frechet_pytorch_fid(m1, s1, m2, s2), "fadtk_eig": frechet_fadtk_eig(m1, s1, m2, s2)}

    subsets = []
    values = []
    rs = np.random.RandomState(2020)
    for _ in range(5):
        gi = rs.choice(len(a), 30, replace=False)
        ri = rs.choice(len(b), 30, replace=False)
        subsets.append({"generated": gi.tolist(), "reference": ri.tolist()})
        values.append(polynomial_mmd(a[gi].astype(np.float64), b[ri].astype(np.float64)))

    u = [-23.1, -20.5, -18.0, -25.2, -19.9, -21.0]
    v = [-14.2, -16.8, -15.5, -13.9]
    w1 = float(scipy.stats.wasserstein_distance(u, v))

    # FD-mel features of a formula signal (2.5 s stereo at 44.1 kHz) with librosa.
    rate = 44100
    count = int(2.5 * rate)
    audio = np.stack([
        0.3 * sine(440.0, count, rate) + 0.05 * lcg_noise(41, count),
        0.2 * sine(880.0, count, rate) + 0.1 * lcg_noise(42, count),
    ]).astype(np.float32)
    rows = []
    for channel in audio:
        mel = librosa.feature.melspectrogram(y=channel, sr=rate, n_fft=2048, hop_length=441, n_mels=64, power=2.0,
                                             center=True, pad_mode="constant")
        logmel = 10 * np.log10(np.maximum(mel.astype(np.float64), 1e-10))  # [64, frames]
        frames = logmel.shape[1]
        starts = list(range(0, frames - 100 + 1, 50)) or [0]
        length = 100 if frames >= 100 else frames
        rows.append([np.concatenate([logmel[:, s:s + length].mean(1), logmel[:, s:s + length].std(1)]) for s in starts])
    features = [np.concatenate([l, r]).tolist() for l, r in zip(rows[0], rows[1])]

    write_json("set_reference.json", {
        "frechet": fd,
        "kid_subsets": subsets, "kid_values": values,
        "wasserstein": {"u": u, "v": v, "value": w1},
        "fd_mel_features": features,
        "fd_mel_signal": "L = 0.3 sin(440) + 0.05 noise(41), R = 0.2 sin(880) + 0.1 noise(42), 2.5 s at 44.1 kHz",
        "small_fortran_float64": small.tolist(),
    })


if __name__ == "__main__":
    loudness_fixtures()
    true_peak_fixtures()
    mel_fixtures()
    stft_fixtures()
    paired_fixtures()
    spectrum_fixtures()
    set_fixtures()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total / 1e6:.2f} MB, into {os.path.normpath(OUT)}", file=sys.stderr)
