import CSndFile
import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// Reads and writes audio files through libsndfile.
///
/// Reading accepts whatever libsndfile decodes (WAV, FLAC, AIFF, OGG/Vorbis, …) at any rate and channel count;
/// callers decide what they accept. Writing supports WAV (16/24-bit PCM, 32-bit float) and FLAC (16/24-bit),
/// always through a temporary file in the destination folder that is renamed only on success, so a failure
/// never leaves a partial file. PCM writes clip out-of-range samples to full scale instead of wrapping.
public enum AudioFile {
    /// Reads a whole file as planar Float32 samples.
    public static func read(_ path: String) throws -> (AudioBuffer, AudioFileInfo) {
        var info = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioFileError(path: path, reason: "cannot open audio: \(String(cString: sf_strerror(nil)))")
        }
        defer { sf_close(file) }
        guard info.channels > 0, info.samplerate > 0 else {
            throw AudioFileError(path: path, reason: "invalid header: \(info.channels) channels at \(info.samplerate) Hz")
        }
        let channels = Int(info.channels)
        guard info.frames >= 0, info.frames <= Int64(Int32.max) else {
            throw AudioFileError(path: path, reason: "unsupported frame count \(info.frames)")
        }
        let expectedFrames = Int(info.frames)
        var interleaved = [Float](repeating: 0, count: expectedFrames * channels)
        let framesRead = interleaved.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress, sf_count_t(expectedFrames)) }
        guard framesRead >= 0 else { throw AudioFileError(path: path, reason: "read failed: \(String(cString: sf_strerror(file)))") }
        guard Int(framesRead) == expectedFrames else {
            throw AudioFileError(path: path, reason: "truncated: header promises \(expectedFrames) frames, only \(framesRead) could be read")
        }
        let buffer = AudioBuffer(interleaved: interleaved, channelCount: channels, sampleRate: Int(info.samplerate))
        let metadata = AudioMetadata(title: string(file, Int32(SF_STR_TITLE)), comment: string(file, Int32(SF_STR_COMMENT)),
                                     software: string(file, Int32(SF_STR_SOFTWARE)))
        return (buffer, AudioFileInfo(formatName: formatName(info.format), metadata: metadata))
    }

    /// Writes `audio` to `path` in `format`, atomically; an existing file at `path` is replaced only on success.
    public static func write(_ audio: AudioBuffer, to path: String, format: AudioFileFormat,
                             metadata: AudioMetadata = AudioMetadata()) throws {
        guard let formatCode = format.libsndfileFormat else {
            throw AudioFileError(path: path, reason: "\(format) is not supported (FLAC stores at most 24-bit PCM)")
        }
        var info = SF_INFO(frames: 0, samplerate: Int32(audio.sampleRate), channels: Int32(audio.channelCount),
                           format: formatCode, sections: 0, seekable: 0)
        guard sf_format_check(&info) != 0 else {
            throw AudioFileError(path: path, reason: "\(format) cannot store \(audio.channelCount) channels at \(audio.sampleRate) Hz")
        }
        try AtomicFile.write(to: path) { temporary in
            guard let file = sf_open(temporary, Int32(SFM_WRITE), &info) else {
                throw AudioFileError(path: path, reason: "cannot create: \(String(cString: sf_strerror(nil)))")
            }
            var closed = false
            defer { if !closed { sf_close(file) } }
            if format.encoding != .float32 { sf_command(file, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE)) }
            for (kind, value) in [(SF_STR_TITLE, metadata.title), (SF_STR_COMMENT, metadata.comment), (SF_STR_SOFTWARE, metadata.software)] {
                if let value, sf_set_string(file, Int32(kind), value) != 0 {
                    throw AudioFileError(path: path, reason: "cannot store metadata: \(String(cString: sf_strerror(file)))")
                }
            }
            let frames = audio.interleaved()
            let written = frames.withUnsafeBufferPointer { sf_writef_float(file, $0.baseAddress, sf_count_t(audio.frameCount)) }
            guard Int(written) == audio.frameCount else {
                throw AudioFileError(path: path, reason: "short write (\(written) of \(audio.frameCount) frames): \(String(cString: sf_strerror(file)))")
            }
            sf_write_sync(file)
            closed = true
            guard sf_close(file) == 0 else { throw AudioFileError(path: path, reason: "closing failed: \(String(cString: sf_strerror(nil)))") }
        }
    }

    /// libsndfile's version string, e.g. "libsndfile-1.2.0".
    public static var libraryVersion: String { String(cString: sf_version_string()) }

    private static func string(_ file: OpaquePointer, _ kind: Int32) -> String? {
        guard let value = sf_get_string(file, kind) else { return nil }
        return String(cString: value)
    }

    private static func formatName(_ format: Int32) -> String {
        func name(_ code: Int32, _ command: Int32) -> String {
            var info = SF_FORMAT_INFO(format: code, name: nil, extension: nil)
            guard sf_command(nil, command, &info, Int32(MemoryLayout<SF_FORMAT_INFO>.size)) == 0, let text = info.name else { return "unknown" }
            return String(cString: text)
        }
        let major = name(format & Int32(SF_FORMAT_TYPEMASK), Int32(SFC_GET_FORMAT_INFO))
        let minor = name(format & Int32(SF_FORMAT_SUBMASK), Int32(SFC_GET_FORMAT_INFO))
        return "\(major) / \(minor)"
    }
}
