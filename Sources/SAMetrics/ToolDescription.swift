import SAAudio

/// Versions of the tool and the libraries that produced a report.
public struct ToolDescription: Codable, Sendable, Equatable {
    public var name = "stable-audio score"
    public var metricsVersion = "1"
    public var fftw: String
    public var libsndfile: String

    public init() {
        fftw = RealFourierTransform.libraryVersion
        libsndfile = AudioFile.libraryVersion
    }
}
