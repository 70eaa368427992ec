import CSndFile

/// Container and sample encoding for written audio files.
public enum AudioFileFormat: Sendable, Equatable, CustomStringConvertible {
    /// RIFF WAVE with 16- or 24-bit PCM, or 32-bit float.
    case wav(AudioSampleEncoding)
    /// FLAC with 16- or 24-bit PCM (FLAC stores at most 24 bits).
    case flac(AudioSampleEncoding)

    public var encoding: AudioSampleEncoding {
        switch self {
        case .wav(let encoding), .flac(let encoding): return encoding
        }
    }

    public var description: String {
        switch self {
        case .wav(let encoding): return "WAV \(encoding)"
        case .flac(let encoding): return "FLAC \(encoding)"
        }
    }

    /// The libsndfile format code, or nil when the combination is not supported (FLAC float).
    var libsndfileFormat: Int32? {
        switch self {
        case .wav(let encoding): return Int32(SF_FORMAT_WAV) | encoding.libsndfileSubtype
        case .flac(.float32): return nil
        case .flac(let encoding): return Int32(SF_FORMAT_FLAC) | encoding.libsndfileSubtype
        }
    }
}

/// Sample encodings.
public enum AudioSampleEncoding: Sendable, Equatable, CustomStringConvertible {
    case pcm16, pcm24, float32

    public var description: String {
        switch self {
        case .pcm16: return "16-bit PCM"
        case .pcm24: return "24-bit PCM"
        case .float32: return "32-bit float"
        }
    }

    var libsndfileSubtype: Int32 {
        switch self {
        case .pcm16: return Int32(SF_FORMAT_PCM_16)
        case .pcm24: return Int32(SF_FORMAT_PCM_24)
        case .float32: return Int32(SF_FORMAT_FLOAT)
        }
    }
}

/// Text metadata stored in (and read from) audio files.
public struct AudioMetadata: Sendable, Equatable {
    public var title: String?
    public var comment: String?
    public var software: String?

    public init(title: String? = nil, comment: String? = nil, software: String? = nil) {
        self.title = title
        self.comment = comment
        self.software = software
    }
}

/// What `AudioFile.read` found besides the samples.
public struct AudioFileInfo: Sendable, Equatable {
    /// libsndfile's name for the container and encoding, e.g. "WAV (Microsoft) / Signed 16 bit PCM".
    public var formatName: String
    public var metadata: AudioMetadata
}
