/// The fixed parameters of BS.1770-4 / EBU R128 loudness; recorded in reports.
public struct LoudnessParameters: Codable, Sendable, Equatable {
    public var standard = "ITU-R BS.1770-4, EBU R128 / Tech 3341 / Tech 3342"
    public var kWeighting = "prototype-derived biquads (libebur128 / pyloudnorm DeMan constants), Float64 transposed DF-II"
    public var blockSeconds = 0.4
    public var stepSeconds = 0.1
    public var shortTermSeconds = 3.0
    public var absoluteGateLUFS = -70.0
    public var relativeGateLU = -10.0
    public var loudnessRangeRelativeGateLU = -20.0
    public var loudnessRangePercentiles = [10.0, 95.0]
    public var loudnessRangePercentileRule = "nearest rank, sorted[round((n−1)·p/100)] (Tech 3342 MATLAB, libebur128)"
    public var maximaRule = "momentary/short-term maxima over every sample position (window slid one sample at a time)"
    public var channelWeights = "1 ch: [1]; 2: L R [1, 1]; 3: L R C [1, 1, 1]; 5: L R C Ls Rs [1, 1, 1, 1.41, 1.41]; 6: L R C LFE Ls Rs (LFE excluded)"
    public init() {}
}
