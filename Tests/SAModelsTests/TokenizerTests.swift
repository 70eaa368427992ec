import Foundation
import SAModels
import Testing

/// The T5 tokenizer against Hugging Face (transformers 4.57.6, tokenizers 0.22.2, sentencepiece 0.1.99) on the
/// strings of `t5_tokenizer_cases.json` (written by `Tests/Fixtures/make_model_fixtures.py`, part "tokenizer").
@Suite struct TokenizerTests {
    static func resource(_ name: String) throws -> String {
        let base = (name as NSString).deletingPathExtension, pathExtension = (name as NSString).pathExtension
        guard let url = Bundle.module.url(forResource: base, withExtension: pathExtension.isEmpty ? nil : pathExtension, subdirectory: "Resources")
            ?? Bundle.module.url(forResource: base, withExtension: pathExtension.isEmpty ? nil : pathExtension) else {
            throw TokenizerError(path: name, reason: "test resource not found")
        }
        return url.path
    }

    struct Case {
        let name: String
        let text: String
        let fast: [Int]
        let slow: [Int]
        let fastMaxLength: (ids: [Int], mask: [Bool])
        let slowMaxLength: (ids: [Int], mask: [Bool])
        let hubStyle: [Int]
        let sentencePiece: [Int]
    }

    static func text(hex: String) throws -> String {
        let digits = Array(hex.utf8)
        var bytes = [UInt8]()
        for index in stride(from: 0, to: digits.count - 1, by: 2) {
            bytes.append(try #require(UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16)))
        }
        return try #require(String(validating: bytes, as: UTF8.self))
    }

    static func cases() throws -> (cases: [Case], maxLength: Int) {
        let data = try Data(contentsOf: URL(fileURLWithPath: try resource("t5_tokenizer_cases.json")))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let maxLength = try #require(root["max_length"] as? Int)
        let entries = try #require(root["cases"] as? [[String: Any]])
        func ids(_ object: Any?) throws -> [Int] { try #require(object as? [Int]) }
        func encoding(_ object: Any?) throws -> (ids: [Int], mask: [Bool]) {
            let encoding = try #require(object as? [String: Any])
            return (try ids(encoding["input_ids"]), try ids(encoding["attention_mask"]).map { $0 != 0 })
        }
        let cases = try entries.map { entry in
            // The text is rebuilt from its UTF-8 hex: JSONSerialization is not trusted with every scalar.
            Case(name: try #require(entry["name"] as? String), text: try Self.text(hex: try #require(entry["utf8_hex"] as? String)),
                 fast: try encoding(entry["fast"]).ids, slow: try encoding(entry["slow"]).ids,
                 fastMaxLength: try encoding(entry["fast_max_length"]), slowMaxLength: try encoding(entry["slow_max_length"]),
                 hubStyle: try ids(entry["hubstyle_ids"]), sentencePiece: try ids(entry["sentencepiece_ids"]))
        }
        return (cases, maxLength)
    }

    @Test func fastTokenizerMatchesTransformers() throws {
        let (cases, maxLength) = try Self.cases()
        let tokenizer = try T5Tokenizer(tokenizerJSON: try Self.resource("t5_tokenizer/tokenizer.json"))
        var agreeing = 0
        for testCase in cases {
            let ids = try tokenizer.encodeWithSpecialTokens(testCase.text)
            #expect(ids == testCase.fast, "\(testCase.name): \(ids) vs HF fast \(testCase.fast)")
            let batch = try tokenizer([testCase.text], maxLength: maxLength)
            #expect(batch.inputIDs[0] == testCase.fastMaxLength.ids, "\(testCase.name) (max_length \(maxLength))")
            #expect(batch.attentionMask[0] == testCase.fastMaxLength.mask, "\(testCase.name) mask")
            if ids == testCase.fast && batch.inputIDs[0] == testCase.fastMaxLength.ids { agreeing += 1 }
        }
        #expect(agreeing == cases.count)
        #expect(cases.count == 22)
    }

    @Test func slowTokenizerMatchesTransformers() throws {
        let (cases, maxLength) = try Self.cases()
        let tokenizer = try T5Tokenizer(sentencePieceModel: try Self.resource("t5_tokenizer/spiece.model"))
        for testCase in cases {
            let ids = try tokenizer.encodeWithSpecialTokens(testCase.text)
            #expect(ids == testCase.slow, "\(testCase.name): \(ids) vs HF slow \(testCase.slow)")
            let batch = try tokenizer([testCase.text], maxLength: maxLength)
            #expect(batch.inputIDs[0] == testCase.slowMaxLength.ids, "\(testCase.name) (max_length \(maxLength))")
            #expect(batch.attentionMask[0] == testCase.slowMaxLength.mask, "\(testCase.name) mask")
        }
    }

    @Test func hubStyleTokenizerJSONMatchesTokenizers() throws {
        let (cases, _) = try Self.cases()
        let tokenizer = try T5Tokenizer(tokenizerJSON: try Self.resource("t5_tokenizer_hubstyle.json"))
        for testCase in cases {
            let ids = try tokenizer.encodeWithSpecialTokens(testCase.text)
            #expect(ids == testCase.hubStyle, "\(testCase.name): \(ids) vs tokenizers \(testCase.hubStyle)")
        }
    }

    @Test func sentencePieceOnlyMatchesSentencePiece() throws {
        let (cases, _) = try Self.cases()
        let tokenizer = try T5Tokenizer.sentencePieceOnly(modelPath: try Self.resource("t5_tokenizer/spiece.model"))
        for testCase in cases {
            let ids = try tokenizer.encode(testCase.text)
            #expect(ids == testCase.sentencePiece, "\(testCase.name): \(ids) vs sp.encode \(testCase.sentencePiece)")
        }
    }

    /// 500 seeded strings of awkward pieces (`t5_tokenizer_fuzz.json`, `Tests/Fixtures/make_text_fixtures.py`): the
    /// Hugging Face variants disagree with each other on some, and each Swift path must match its own reference.
    @Test func fuzzStringsMatchEveryReference() throws {
        struct Document: Decodable {
            struct Case: Decodable {
                // swiftlint:disable:next identifier_name
                let utf8_hex: String, fast: [Int], slow: [Int], hubstyle: [Int], sentencepiece: [Int]
            }
            let cases: [Case]
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: try Self.resource("t5_tokenizer_fuzz.json")))
        let document = try JSONDecoder().decode(Document.self, from: data)
        let fast = try T5Tokenizer(tokenizerJSON: try Self.resource("t5_tokenizer/tokenizer.json"))
        let slow = try T5Tokenizer(sentencePieceModel: try Self.resource("t5_tokenizer/spiece.model"))
        let hub = try T5Tokenizer(tokenizerJSON: try Self.resource("t5_tokenizer_hubstyle.json"))
        let sentencePiece = try T5Tokenizer.sentencePieceOnly(modelPath: try Self.resource("t5_tokenizer/spiece.model"))
        var mismatches = [String: Int]()
        for testCase in document.cases {
            let text = try Self.text(hex: testCase.utf8_hex)
            let results = [("fast", try fast.encodeWithSpecialTokens(text), testCase.fast),
                           ("slow", try slow.encodeWithSpecialTokens(text), testCase.slow),
                           ("hubstyle", try hub.encodeWithSpecialTokens(text), testCase.hubstyle),
                           ("sentencepiece", try sentencePiece.encode(text), testCase.sentencepiece)]
            for (name, ours, reference) in results where ours != reference {
                mismatches[name, default: 0] += 1
                Issue.record("\(name) \(text.debugDescription): \(ours) vs \(reference)")
            }
        }
        #expect(document.cases.count == 500)
        #expect(mismatches.isEmpty)
    }

    @Test func directoryPrefersTokenizerJSON() throws {
        let directory = (try Self.resource("t5_tokenizer/spiece.model") as NSString).deletingLastPathComponent
        let tokenizer = try T5Tokenizer(directory: directory)
        #expect(tokenizer.source.hasSuffix("tokenizer.json"))
        #expect(tokenizer.suffixIDs == [1] && tokenizer.paddingID == 0 && tokenizer.prefixIDs.isEmpty)
    }
}

/// Bad and unusual input for the tokenizer: clear errors naming the file and field, never a crash.
@Suite struct TokenizerInputTests {
    static let folder: String = {
        let path = NSTemporaryDirectory() + "t5-tokenizer-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func write(_ bytes: [UInt8], _ name: String) -> String {
        let path = folder + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    static func fast() throws -> T5Tokenizer { try T5Tokenizer(tokenizerJSON: try TokenizerTests.resource("t5_tokenizer/tokenizer.json")) }

    @Test func emptyAndWhitespaceOnlyPromptsGiveOnlyEndOfSequence() throws {
        let tokenizer = try Self.fast()
        let batch = try tokenizer(["", " ", "   \t\n \u{3000}\u{00A0} "], maxLength: 8)
        for row in 0..<3 {
            #expect(batch.inputIDs[row] == [1, 0, 0, 0, 0, 0, 0, 0])
            #expect(batch.attentionMask[row] == [true] + Array(repeating: false, count: 7))
        }
    }

    @Test func tenThousandCharacterPromptIsTruncatedToMaxLength() throws {
        let tokenizer = try Self.fast()
        let prompt = String(String(repeating: "A dog barks at 128 BPM, café naïve 🎵. ", count: 300).prefix(10_000))
        #expect(prompt.count == 10_000)
        let start = Date()
        let batch = try tokenizer([prompt], maxLength: 128)
        let elapsed = Date().timeIntervalSince(start)
        #expect(batch.inputIDs[0].count == 128 && batch.inputIDs[0].last == 1)
        #expect(batch.attentionMask[0].allSatisfy { $0 })
        #expect(Array(batch.inputIDs[0].dropLast()) == Array(try tokenizer.encode(prompt).prefix(127)))
        #expect(elapsed < 5, "tokenizing 10,000 characters took \(elapsed) s")
    }

    @Test func nonBMPEmojiBecomeOneUnknownPerRun() throws {
        let tokenizer = try Self.fast()
        // 🎵🎸 (two scalars outside the BMP) fuse into one <unk>; 👍🏽 (emoji + skin tone) too.
        #expect(try tokenizer.encode("🎵🎸 👍🏽") == [3, 2, 3, 2])
        let slow = try T5Tokenizer(sentencePieceModel: try TokenizerTests.resource("t5_tokenizer/spiece.model"))
        #expect(try slow.encode("🎵🎸 👍🏽") == [3, 2, 3, 2])
    }

    @Test func truncatedSentencePieceModelNamesTheFile() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try TokenizerTests.resource("t5_tokenizer/spiece.model"))))
        for (name, content) in [("truncated.model", Array(bytes.prefix(1000))), ("garbage.model", (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }),
                                ("empty.model", [])] {
            let path = Self.write(content, name)
            do {
                _ = try T5Tokenizer(sentencePieceModel: path)
                Issue.record("\(name) was accepted")
            } catch let error as TokenizerError {
                #expect(error.path == path && error.description.contains(name), "\(error)")
                #expect(error.description.contains("SentencePiece") || error.description.contains("charsmap"), "\(error)")
            }
        }
        #expect(throws: TokenizerError.self) { try T5Tokenizer(sentencePieceModel: Self.folder + "/missing.model") }
        #expect(throws: TokenizerError.self) { try T5Tokenizer(directory: Self.folder + "/no-such-folder") }
    }

    /// A corrupted trie inside an otherwise valid model fails cleanly when it is used.
    @Test func corruptCharsmapIsAnError() throws {
        let blob: [UInt8] = [8, 0, 0, 0] + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + Array("x\0".utf8)
        let charsmap = try PrecompiledCharsmap(blob: blob, source: "bad.model")
        #expect(throws: TokenizerError.self) { try charsmap.normalizeGraphemes("abc") }
        #expect(throws: TokenizerError.self) { try PrecompiledCharsmap(blob: [200, 0, 0, 0, 1], source: "bad.model") }
    }

    // A minimal protobuf writer, to build SentencePiece models in tests.
    static func varint(_ value: Int) -> [UInt8] {
        var value = UInt64(bitPattern: Int64(value)), bytes = [UInt8]()
        repeat {
            bytes.append(UInt8(value & 0x7F) | (value >= 0x80 ? 0x80 : 0))
            value >>= 7
        } while value != 0
        return bytes
    }
    static func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] { varint(number << 3 | 2) + varint(payload.count) + payload }
    static func field(_ number: Int, varint value: Int) -> [UInt8] { varint(number << 3) + varint(value) }
    static func piece(_ text: String, _ score: Float, _ type: Int) -> [UInt8] {
        let bits = score.bitPattern
        return field(1, field(1, Array(text.utf8)) + [0x15, UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
                     + field(3, varint: type))
    }

    /// `<pad>`, `</s>`, `<unk>`, "▁", "a", "b", "ab", then 256 byte pieces; no charsmap (identity normalization).
    static func model(modelType: Int = 1, byteFallback: Bool) -> [UInt8] {
        var bytes = piece("<pad>", 0, 3) + piece("</s>", 0, 3) + piece("<unk>", 0, 2)
        bytes += piece("▁", -1, 1) + piece("a", -2, 1) + piece("b", -2, 1) + piece("ab", -3, 1)
        if byteFallback {
            for value in 0..<256 { bytes += piece(String(format: "<0x%02X>", value), 0, 6) }
        }
        let trainer = field(3, varint: modelType) + field(35, varint: byteFallback ? 1 : 0) + field(40, varint: 2)
            + field(41, varint: -1) + field(42, varint: 1) + field(43, varint: 0)
        return bytes + field(2, trainer) + field(3, field(1, Array("identity".utf8)))
    }

    @Test func byteFallbackAndUnknownRuns() throws {
        let plain = try T5Tokenizer.sentencePieceOnly(modelPath: Self.write(Self.model(byteFallback: false), "plain.model"))
        // "▁ab" is one piece path ▁ + ab; "é€" is an unknown run → one <unk>.
        #expect(try plain.encode("ab") == [3, 6])
        #expect(try plain.encode("aé€b") == [3, 4, 2, 5])
        let bytes = try T5Tokenizer.sentencePieceOnly(modelPath: Self.write(Self.model(byteFallback: true), "bytes.model"))
        // é = C3 A9, € = E2 82 AC: each byte becomes <0xXX> (ids 7 + byte).
        #expect(try bytes.encode("aé€b") == [3, 4, 7 + 0xC3, 7 + 0xA9, 7 + 0xE2, 7 + 0x82, 7 + 0xAC, 5])
        #expect(try bytes([""], maxLength: 3).inputIDs == [[1, 0, 0]])
    }

    @Test func unsupportedModelsAndFilesNameTheField() throws {
        let bpe = Self.write(Self.model(modelType: 2, byteFallback: false), "bpe.model")
        do {
            _ = try SentencePieceModel(contentsOf: bpe)
            Issue.record("a BPE model was accepted")
        } catch let error as TokenizerError {
            #expect(error.key == "trainer_spec.model_type" && error.description.contains("BPE"))
        }
        // No padding piece: T5 needs one.
        var noPadding = Self.model(byteFallback: false)
        noPadding += Self.field(2, Self.field(43, varint: -1))
        #expect(throws: TokenizerError.self) { try T5Tokenizer.sentencePieceOnly(modelPath: Self.write(noPadding, "nopad.model")) }

        let cases: [(String, String, String)] = [
            ("{broken", "", "not valid JSON"),
            (#"{"model": {"type": "BPE", "vocab": {}}}"#, "model.type", "BPE"),
            (#"{"model": {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 0}, "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFD"}]}}"#,
             "normalizer.normalizers[0].type", "NFD"),
            (#"{"model": {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 0}, "pre_tokenizer": {"type": "ByteLevel"}}"#, "pre_tokenizer.type", "ByteLevel"),
            (#"{"model": {"type": "Unigram", "vocab": [["a", "x"]], "unk_id": 0}}"#, "model.vocab[0]", "[piece, score]"),
            (#"{"model": {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 5}}"#, "model.unk_id", "outside"),
        ]
        for (index, (json, key, fragment)) in cases.enumerated() {
            let path = Self.write(Array(json.utf8), "tokenizer-\(index).json")
            do {
                _ = try T5Tokenizer(tokenizerJSON: path)
                Issue.record("\(json) was accepted")
            } catch let error as TokenizerError {
                #expect(error.key == key && error.description.contains(fragment) && error.description.contains(path), "\(error)")
            }
        }
    }

    @Test func maxLengthTooSmallIsAnError() throws {
        #expect(throws: TokenizerError.self) { try Self.fast()(["hi"], maxLength: 0) }
        #expect(try Self.fast()(["hello world"], maxLength: 1).inputIDs == [[1]])
    }
}
