/// SentencePiece's compiled normalization rules (`normalizer_spec.precompiled_charsmap`, or the base64
/// `precompiled_charsmap` of a tokenizer.json `Precompiled` normalizer): a Darts-clone double-array trie whose keys
/// are UTF-8 byte sequences and whose values are offsets of NUL-terminated replacements.
///
/// This implementation matches: sentencepiece 0.1.99 `normalizer.cc` (`DecodePrecompiledCharsMap`,
/// `NormalizePrefix`) with `darts.h` `commonPrefixSearch`, and Hugging Face tokenizers 0.22
/// `normalizers/precompiled.rs` (the `spm_precompiled` crate). Layout of the blob:
///
///     [trie size n: UInt32 little-endian][n bytes: trie units, UInt32 little-endian][replacements, NUL-separated]
///
/// A trie unit u encodes   has_leaf = (u >> 8) & 1,   value = u & 0x7FFFFFFF,   label = u & 0x800000FF,
///                         offset = (u >> 10) << ((u & 0x200) >> 6).
///
/// Two lookups are offered because the two references differ: SentencePiece takes the **longest** rule that is a
/// prefix of the remaining input; Hugging Face's `Precompiled` walks extended grapheme clusters and, for a cluster
/// shorter than 6 bytes, replaces the whole cluster by the **first** (shortest) rule that is a prefix of it, else
/// looks up each scalar of the cluster. Limitations: grapheme clusters are Swift `Character`s (Unicode's extended
/// grapheme clusters, as the `unicode-segmentation` crate); the two Unicode versions may differ on rare scripts.
public struct PrecompiledCharsmap: Sendable {
    private let units: [UInt32]
    private let replacements: [UInt8]
    /// The file the rules came from, for error messages.
    public let source: String

    /// Parses a charsmap blob; `source` names the file and field in errors.
    public init(blob: [UInt8], source: String) throws {
        self.source = source
        guard blob.count >= 4 else {
            throw TokenizerError(path: source, reason: "precompiled charsmap is \(blob.count) bytes, too short for its header")
        }
        let trieSize = Int(UInt32(blob[0]) | UInt32(blob[1]) << 8 | UInt32(blob[2]) << 16 | UInt32(blob[3]) << 24)
        guard trieSize % 4 == 0, trieSize >= 4, trieSize <= blob.count - 4 else {
            throw TokenizerError(path: source, reason: "precompiled charsmap trie size \(trieSize) does not fit the \(blob.count)-byte blob")
        }
        units = (0..<(trieSize / 4)).map { index in
            let base = 4 + index * 4
            return UInt32(blob[base]) | UInt32(blob[base + 1]) << 8 | UInt32(blob[base + 2]) << 16 | UInt32(blob[base + 3]) << 24
        }
        replacements = Array(blob[(4 + trieSize)...])
        guard String(validating: replacements, as: UTF8.self) != nil else {
            throw TokenizerError(path: source, reason: "precompiled charsmap replacements are not valid UTF-8")
        }
    }

    private func corrupt(_ what: String) -> TokenizerError {
        TokenizerError(path: source, reason: "precompiled charsmap is corrupt: \(what)")
    }

    /// Darts `commonPrefixSearch`: calls `found(value, length)` for every key that is a prefix of `bytes`,
    /// shortest first, until `found` returns false. With `stopAtNUL` the walk ends at a 0 byte, as the Rust port.
    private func commonPrefixSearch(_ bytes: UnsafeBufferPointer<UInt8>, stopAtNUL: Bool,
                                    _ found: (Int, Int) -> Bool) throws {
        guard let root = units.first else { return }
        var position = Int(Self.offset(root))
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if stopAtNUL && byte == 0 { return }
            position ^= Int(byte)
            guard position < units.count else { throw corrupt("trie index \(position) past \(units.count) units") }
            let unit = units[position]
            // label = u & 0x800000FF must equal the byte
            if unit & 0x8000_00FF != UInt32(byte) { return }
            position ^= Int(Self.offset(unit))
            guard position < units.count else { throw corrupt("trie index \(position) past \(units.count) units") }
            if (unit >> 8) & 1 == 1 {
                // value = leaf & 0x7FFFFFFF
                if !found(Int(units[position] & 0x7FFF_FFFF), index + 1) { return }
            }
        }
    }

    /// offset = (u >> 10) << ((u & 0x200) >> 6)
    @inline(__always) private static func offset(_ unit: UInt32) -> UInt32 { (unit >> 10) << ((unit & 0x200) >> 6) }

    /// The NUL-terminated replacement starting at `value`.
    private func replacement(at value: Int) throws -> ArraySlice<UInt8> {
        guard value >= 0, value < replacements.count else {
            throw corrupt("replacement offset \(value) past \(replacements.count) bytes")
        }
        var end = value
        while end < replacements.count && replacements[end] != 0 { end += 1 }
        return replacements[value..<end]
    }

    /// SentencePiece `NormalizePrefix` (trie part): the longest rule that is a prefix of `bytes`, as
    /// (replacement, bytes consumed), or nil when none applies.
    func longestMatch(_ bytes: UnsafeBufferPointer<UInt8>) throws -> (replacement: ArraySlice<UInt8>, length: Int)? {
        var longestLength = 0, longestValue = 0
        try commonPrefixSearch(bytes, stopAtNUL: false) { value, length in
            if longestLength == 0 || length > longestLength {
                longestLength = length
                longestValue = value
            }
            return true
        }
        guard longestLength > 0 else { return nil }
        return (try replacement(at: longestValue), longestLength)
    }

    /// Hugging Face `Precompiled::transform`: the replacement of the first (shortest) rule that is a prefix of
    /// `chunk`, or nil.
    func firstMatch(_ chunk: UnsafeBufferPointer<UInt8>) throws -> ArraySlice<UInt8>? {
        var firstValue: Int?
        try commonPrefixSearch(chunk, stopAtNUL: true) { value, _ in
            firstValue = value
            return false
        }
        return try firstValue.map { try replacement(at: $0) }
    }

    /// Hugging Face `Precompiled::normalize` on a whole string:
    ///
    ///     for each grapheme g:  if |g| < 6 bytes and transform(g) exists → transform(g)
    ///                           else for each scalar c of g: transform(c) ?? c
    public func normalizeGraphemes(_ text: String) throws -> String {
        var output = [UInt8]()
        output.reserveCapacity(text.utf8.count)
        for grapheme in text {
            var graphemeBytes = Array(grapheme.utf8)
            if graphemeBytes.count < 6 {
                if let replaced = try graphemeBytes.withUnsafeBufferPointer({ try firstMatch($0) }) {
                    output.append(contentsOf: replaced)
                    continue
                }
            }
            for scalar in grapheme.unicodeScalars {
                graphemeBytes = Array(String(scalar).utf8)
                if let replaced = try graphemeBytes.withUnsafeBufferPointer({ try firstMatch($0) }) {
                    output.append(contentsOf: replaced)
                } else {
                    output.append(contentsOf: graphemeBytes)
                }
            }
        }
        // Replacements are validated UTF-8 and rules replace whole scalars, so the result is valid UTF-8.
        return String(decoding: output, as: UTF8.self)
    }
}
