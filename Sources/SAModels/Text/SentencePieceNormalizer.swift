/// SentencePiece's text normalizer: character rules from the precompiled charsmap (longest match), then
/// whitespace handling, producing the string the unigram model segments.
///
/// This implementation matches: sentencepiece 0.1.99 `normalizer.cc` `Normalizer::Normalize` (without the
/// normalized-to-original alignment):
///
///     if remove_extra_whitespaces: drop leading prefixes that normalize to exactly " "
///     if add_dummy_prefix (and not treat_whitespace_as_suffix): emit "▁"
///     for each prefix p (a user-defined symbol, else the longest charsmap rule, else one character):
///         after a space (remove_extra_whitespaces), drop the leading spaces of p's replacement
///         emit the replacement with " " escaped as "▁" (escape_whitespaces)
///     if remove_extra_whitespaces: drop trailing "▁" (or " ")
///     if add_dummy_prefix and treat_whitespace_as_suffix: append "▁"
///
/// For the T5 models' `nmt_nfkc` rules this means: NFKC, tabs/newlines/most controls to spaces, runs of spaces
/// collapsed to one, leading and trailing spaces removed, and one "▁" in front.
public struct SentencePieceNormalizer: Sendable {
    public let charsmap: PrecompiledCharsmap?
    public let addDummyPrefix: Bool
    public let removeExtraWhitespaces: Bool
    public let escapeWhitespaces: Bool
    public let treatWhitespaceAsSuffix: Bool
    /// USER_DEFINED pieces, matched before the charsmap and never normalized (longest first).
    private let userDefinedSymbols: [[UInt8]]

    public init(charsmap: PrecompiledCharsmap?, addDummyPrefix: Bool = true, removeExtraWhitespaces: Bool = true,
                escapeWhitespaces: Bool = true, treatWhitespaceAsSuffix: Bool = false, userDefinedSymbols: [String] = []) {
        self.charsmap = charsmap
        self.addDummyPrefix = addDummyPrefix
        self.removeExtraWhitespaces = removeExtraWhitespaces
        self.escapeWhitespaces = escapeWhitespaces
        self.treatWhitespaceAsSuffix = treatWhitespaceAsSuffix
        self.userDefinedSymbols = userDefinedSymbols.map { Array($0.utf8) }.sorted { $0.count > $1.count }
    }

    /// The normalizer a SentencePiece model file describes.
    public init(model: SentencePieceModel) throws {
        self.init(charsmap: model.precompiledCharsmap.isEmpty ? nil
                    : try PrecompiledCharsmap(blob: model.precompiledCharsmap, source: "\(model.path): normalizer_spec.precompiled_charsmap"),
                  addDummyPrefix: model.addDummyPrefix, removeExtraWhitespaces: model.removeExtraWhitespaces,
                  escapeWhitespaces: model.escapeWhitespaces, treatWhitespaceAsSuffix: model.treatWhitespaceAsSuffix,
                  userDefinedSymbols: model.pieces.filter { $0.type == .userDefined }.map(\.text))
    }

    private static let spaceSymbol: [UInt8] = Array("▁".utf8)

    /// The normalized UTF-8 bytes of `text`.
    public func normalize(_ text: String) throws -> [UInt8] {
        var input = Array(text.utf8)
        return try input.withUnsafeMutableBufferPointer { buffer in try normalize(UnsafeBufferPointer(buffer)) }
    }

    private func normalize(_ input: UnsafeBufferPointer<UInt8>) throws -> [UInt8] {
        var position = 0
        let size = input.count
        if removeExtraWhitespaces {
            while position < size {
                let (replacement, length) = try normalizePrefix(input, at: position)
                guard replacement.elementsEqual([0x20]) else { break }
                position += length
            }
        }
        guard position < size else { return [] }

        var output = [UInt8]()
        output.reserveCapacity((size - position) * 3)
        let addWhitespace = { (output: inout [UInt8]) in
            if self.escapeWhitespaces { output.append(contentsOf: Self.spaceSymbol) } else { output.append(0x20) }
        }
        if !treatWhitespaceAsSuffix && addDummyPrefix { addWhitespace(&output) }
        var isPreviousSpace = removeExtraWhitespaces
        while position < size {
            var (replacement, length) = try normalizePrefix(input, at: position)
            if isPreviousSpace {
                while replacement.first == 0x20 { replacement = replacement.dropFirst() }
            }
            if !replacement.isEmpty {
                for byte in replacement {
                    if escapeWhitespaces && byte == 0x20 { output.append(contentsOf: Self.spaceSymbol) } else { output.append(byte) }
                }
                isPreviousSpace = replacement.last == 0x20
            }
            position += length
            if !removeExtraWhitespaces { isPreviousSpace = false }
        }
        if removeExtraWhitespaces {
            let space = escapeWhitespaces ? Self.spaceSymbol : [0x20]
            while output.count >= space.count && output.suffix(space.count).elementsEqual(space) {
                output.removeLast(space.count)
            }
        }
        if treatWhitespaceAsSuffix && addDummyPrefix { addWhitespace(&output) }
        return output
    }

    /// `NormalizePrefix`: the replacement for the start of `input[position…]` and how many bytes it consumes.
    private func normalizePrefix(_ input: UnsafeBufferPointer<UInt8>, at position: Int) throws -> (ArraySlice<UInt8>, Int) {
        let rest = UnsafeBufferPointer(rebasing: input[position...])
        for symbol in userDefinedSymbols where symbol.count <= rest.count && rest.prefix(symbol.count).elementsEqual(symbol) {
            return (ArraySlice(symbol), symbol.count)
        }
        if let charsmap, let match = try charsmap.longestMatch(rest) { return match }
        let length = min(UnigramModel.utf8Length(leading: rest[0]), rest.count)
        return (ArraySlice(rest.prefix(length)), length)
    }
}
