/// The fixed parameters of suite B; recorded in reports.
public struct PairedParameters: Codable, Sendable, Equatable {
    public var alignment = "time-aligned from the first sample, cut to the shorter length; equal sample rates and channel counts required (no resampling)"
    public var multiResolutionSTFT = "auraloss MultiResolutionSTFTLoss defaults: fft [1024, 2048, 512], hop [120, 240, 50], win [600, 1200, 240], periodic Hann, reflect-centred, SC + log-mag L1, mean over resolutions; per channel"
    public var melDistance = "DAC MelSpectrogramLoss defaults: windows [2048, 512], hop win/4, mels [150, 80] Slaney 0–fs/2 on magnitude, log10(max(M,1e-5)²) L1 + magnitude L1, summed over scales; per channel"
    public var logSpectralDistance = "ssr_eval formula, bels (dB = ×10): n_fft ⌊2048·fs/44100⌋, hop ⌊fs/100⌋, Hann, zero-padded centre; no preprocessing"
    public var scaleInvariantSDR = "zero-mean, Float64, no epsilon: 10·log10(‖αs‖²/‖αs−ŝ‖²), α = ⟨ŝ,s⟩/‖s‖²"
    public init() {}
}
