import Foundation
import SATensor
import SAMetrics

/// Prompts for `stable-audio score --prompts FILE`: a JSONL or CSV list mapping audio files to the text they were
/// made from.
///
/// JSONL: one object per line with string fields `file` and `prompt` (other fields are ignored). CSV (`.csv`): a
/// header naming at least `file` and `prompt`, then one record per line (RFC 4180 quoting, no line breaks inside a
/// field). Blank lines and lines starting with `#` are skipped. A `file` value matches a scored file when it equals
/// the path as listed, the path relative to the directory argument, the file name, or one of these without its
/// extension. Every problem (not JSON, a missing or empty field, a `file` given twice) is an error naming the line.
public struct AudioTextPromptList: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var line: Int
        public var file: String
        public var prompt: String
    }

    public let path: String
    public let entries: [Entry]

    public init(path: String, entries: [Entry]) {
        self.path = path
        self.entries = entries
    }

    /// Reads and validates `path`.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw AudioTextModelError(path: path, reason: "cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw AudioTextModelError(path: path, reason: "not UTF-8 text") }
        let csv = path.lowercased().hasSuffix(".csv")
        var entries: [Entry] = [], header: [String]? = nil, firstLine: [String: Int] = [:]
        func fail(_ line: Int, _ reason: String) -> AudioTextModelError { AudioTextModelError(path: "\(path):\(line)", reason: reason) }
        // Swift reads "\r\n" as one Character, which is a newline too.
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = index + 1
            let record = String(raw)
            let trimmed = record.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            var values: [String: String] = [:]
            if csv {
                let fields = CSVRecord.fields(record)
                guard let columns = header else {
                    let names = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                    guard names.contains("file"), names.contains("prompt") else { throw fail(line, "the CSV header must name the columns file and prompt") }
                    header = names
                    continue
                }
                guard fields.count <= columns.count else { throw fail(line, "\(fields.count) fields, but the header has \(columns.count) columns") }
                for (column, value) in zip(columns, fields) { values[column] = value }
            } else {
                guard let object = try? JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any] else {
                    throw fail(line, "not a JSON object (expected {\"file\": …, \"prompt\": …})")
                }
                for key in ["file", "prompt"] where object[key] != nil {
                    guard let string = object[key] as? String else { throw fail(line, "\(key) must be a string") }
                    values[key] = string
                }
            }
            guard let file = values["file"]?.trimmingCharacters(in: .whitespaces), !file.isEmpty else { throw fail(line, "file is missing or empty") }
            guard let prompt = values["prompt"], !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw fail(line, "prompt is missing or empty")
            }
            if let earlier = firstLine[file] { throw fail(line, "\(file) already has a prompt on line \(earlier)") }
            firstLine[file] = line
            entries.append(Entry(line: line, file: file, prompt: prompt))
        }
        guard !entries.isEmpty else { throw AudioTextModelError(path: path, reason: "no prompts") }
        self.init(path: path, entries: entries)
    }

    /// The entry whose `file` matches `file` (see the type's description), preferring the most specific form.
    public func entry(for file: DiscoveredFile) -> Entry? {
        let name = (file.path as NSString).lastPathComponent
        for candidate in [file.path, file.relativePath, name] + [file.path, file.relativePath, name].map(Self.stem) {
            if let entry = entries.first(where: { $0.file == candidate }) { return entry }
        }
        return nil
    }

    static func stem(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return path }
        return String(path[..<dot])
    }
}
