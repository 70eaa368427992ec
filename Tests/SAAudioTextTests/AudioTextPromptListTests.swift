import Foundation
import SAAudioText
import SAMetrics
import Testing

/// `--prompts` files: JSONL and CSV, matching rules, and errors that name the line.
@Suite struct AudioTextPromptListTests {
    static func write(_ text: String, extension fileExtension: String) throws -> String {
        let path = NSTemporaryDirectory() + "prompts-\(getpid())-\(UInt64.random(in: 0..<UInt64.max)).\(fileExtension)"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func error(_ text: String, extension fileExtension: String) throws -> String {
        do {
            _ = try AudioTextPromptList(contentsOf: try write(text, extension: fileExtension))
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func readsJSONLAndCSVAndMatchesByPathNameOrStem() throws {
        let jsonl = try AudioTextPromptList(contentsOf: try Self.write("""
            {"file": "sub/a.wav", "prompt": "rain", "seed": 3}
            # a comment

            {"file": "b", "prompt": "wind"}
            """, extension: "jsonl"))
        #expect(jsonl.entries.map(\.line) == [1, 4])
        let a = DiscoveredFile(path: "gen/sub/a.wav", root: "gen", relativePath: "sub/a.wav", problem: nil)
        let b = DiscoveredFile(path: "gen/b.flac", root: "gen", relativePath: "b.flac", problem: nil)
        let c = DiscoveredFile(path: "gen/c.wav", root: "gen", relativePath: "c.wav", problem: nil)
        #expect(jsonl.entry(for: a)?.prompt == "rain")
        #expect(jsonl.entry(for: b)?.prompt == "wind")
        #expect(jsonl.entry(for: c) == nil)
        let csv = try AudioTextPromptList(contentsOf: try Self.write("name,File,prompt\nx,c.wav,\"thunder, then \"\"rain\"\"\"\r\n", extension: "csv"))
        #expect(csv.entry(for: c)?.prompt == "thunder, then \"rain\"")
    }

    @Test func problemsNameTheLine() throws {
        #expect(try Self.error("{\"file\": \"a\", \"prompt\": \"x\"}\nnot json\n", extension: "jsonl").contains(":2: not a JSON object"))
        #expect(try Self.error("{\"file\": \"a\", \"prompt\": 3}\n", extension: "jsonl").contains(":1: prompt must be a string"))
        #expect(try Self.error("{\"prompt\": \"x\"}\n", extension: "jsonl").contains(":1: file is missing or empty"))
        #expect(try Self.error("{\"file\": \"a\", \"prompt\": \"x\"}\n{\"file\": \"a\", \"prompt\": \"y\"}\n", extension: "jsonl")
            .contains(":2: a already has a prompt on line 1"))
        #expect(try Self.error("file,text\na,b\n", extension: "csv").contains(":1: the CSV header must name the columns file and prompt"))
        #expect(try Self.error("file,prompt\na,\n", extension: "csv").contains(":2: prompt is missing or empty"))
        #expect(try Self.error("file,prompt\na,b,c\n", extension: "csv").contains(":2: 3 fields, but the header has 2 columns"))
        #expect(try Self.error("\n# nothing\n", extension: "jsonl").contains("no prompts"))
    }
}
