/// Inter-channel correlation in one octave band.
public struct OctaveBandCorrelation: Codable, Sendable, Equatable {
    /// Exact centre 1000·2^k Hz (62.5 … 16000); the nominal labels are 63, 125, …, 16k.
    public var centerFrequency: Double
    /// Σ_band Re(CSD) / √(Σ_band PSD_L · Σ_band PSD_R); nil when the band is empty or silent.
    public var correlation: Double?
}
