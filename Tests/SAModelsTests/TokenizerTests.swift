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

    @Test func directoryPrefersTokenizerJSON() throws {
        let directory = (try Self.resource("t5_tokenizer/spiece.model") as NSString).deletingLastPathComponent
        let tokenizer = try T5Tokenizer(directory: directory)
        #expect(tokenizer.source.hasSuffix("tokenizer.json"))
        #expect(tokenizer.suffixIDs == [1] && tokenizer.paddingID == 0 && tokenizer.prefixIDs.isEmpty)
    }
}
