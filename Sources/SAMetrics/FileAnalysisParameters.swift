/// The fixed parameters of the per-file suite A; recorded in reports.
public struct FileAnalysisParameters: Codable, Sendable, Equatable {
    public var loudness = LoudnessParameters()
    public var truePeak = "4× polyphase, Kaiser(β=7) windowed sinc spanning 32 input samples (129-tap prototype), Float32"
    public var clipThreshold: Float = 0.9999
    public var minimumClipRun = 3
    public var silenceThresholdDecibels = -60.0
    public var silenceRatioRule = "fraction of 400 ms blocks (100 ms step) at or below −70 LUFS"
    public var welch = "Hann (periodic) 4096, overlap 2048, no detrend, one-sided density, full segments (scipy.signal.welch)"
    public var spectralDescriptors = "on the channel-mean PSD; roll-off 95 %; HF ratio above 16 kHz; bandwidth: highest bin of the 9-bin smoothed PSD within 60 dB of the 1–4 kHz mean"
    public var stereo = "ICC = ΣLR/√(ΣL²ΣR²); octave bands fc = 62.5 Hz … 16 kHz, [fc/√2, fc·√2) from Welch CSD; S/M = 10·log10(ΣS²/ΣM²), M=(L+R)/2, S=(L−R)/2; balance = LUFS(L) − LUFS(R); mono loss = LUFS((L+R)/2 on both) − LUFS(stereo); negative-correlation ratio: active Welch segments with ρ < −0.3"
    public var resampling = "none: every metric runs at the file's own rate"
    public init() {}
}
