import Foundation

/// Detects truncated RIFF/WAVE and AIFF files, which libsndfile reads without complaint (it shortens
/// the data to what the file holds).
///
/// The check walks the container's chunk list and compares the sample-data chunk's declared size (RIFF `data`,
/// AIFF `SSND`) with the bytes actually present. Streaming writers' placeholder sizes (0 and 0xFFFFFFFF) and other
/// containers are not judged. Limitations: compressed formats (FLAC, Ogg) rely on the decoder's own frame count check.
public enum ContainerIntegrity {
    /// A description of the truncation, or nil when the file looks complete (or is not RIFF/AIFF).
    public static func truncation(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let fileSize = try? handle.seekToEnd() else { return nil }
        try? handle.seek(toOffset: 0)
        guard let header = try? handle.read(upToCount: 12), header.count == 12 else { return nil }
        let tag = String(decoding: header.prefix(4), as: UTF8.self)
        let form = String(decoding: header[8..<12], as: UTF8.self)
        let littleEndian: Bool, dataChunk: String
        switch (tag, form) {
        case ("RIFF", "WAVE"): (littleEndian, dataChunk) = (true, "data")
        case ("FORM", "AIFF"), ("FORM", "AIFC"): (littleEndian, dataChunk) = (false, "SSND")
        default: return nil
        }
        var offset: UInt64 = 12
        while offset + 8 <= fileSize {
            try? handle.seek(toOffset: offset)
            guard let chunk = try? handle.read(upToCount: 8), chunk.count == 8 else { return nil }
            let identifier = String(decoding: chunk.prefix(4), as: UTF8.self)
            let bytes = Array(chunk[4..<8])
            let size = littleEndian
                ? UInt64(bytes[0]) | UInt64(bytes[1]) << 8 | UInt64(bytes[2]) << 16 | UInt64(bytes[3]) << 24
                : UInt64(bytes[3]) | UInt64(bytes[2]) << 8 | UInt64(bytes[1]) << 16 | UInt64(bytes[0]) << 24
            let available = fileSize - (offset + 8)
            if identifier == dataChunk {
                guard size != 0, size != 0xFFFF_FFFF else { return nil }
                return size > available
                    ? "truncated: the \(dataChunk) chunk declares \(size) bytes but the file holds only \(available)"
                    : nil
            }
            // Chunks are padded to an even size.
            offset += 8 + size + (size & 1)
        }
        return nil
    }
}
