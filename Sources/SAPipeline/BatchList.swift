import Foundation
import SATensor

/// One item of a batch list.
public struct BatchItem: Sendable, Equatable {
    /// 1-based line in the list file (for messages).
    public var line: Int
    public var prompt: String
    public var seconds: Double
    public var seed: UInt64?
    public var negativePrompt: String?
    public var guidanceScale: Float?
    public var steps: Int?
    /// Output file stem; default `item-NNNN`.
    public var name: String?
}

/// Reads a batch list: JSON Lines (one object per line) or CSV with a header row. Keys: `prompt` and `seconds`
/// (required), `seed`, `negative_prompt`, `cfg_scale`, `steps`, `name`. Blank lines and lines starting with `#` are
/// skipped. Every problem names the file, the line and the field; a malformed line is reported as a per-item
/// error so the other items still render.
public enum BatchList {
    public struct Entry: Sendable {
        public var line: Int
        public var item: Result<BatchItem, PipelineError>
    }

    public static func read(_ path: String) throws -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { throw PipelineError("\(path): cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw PipelineError("\(path): not UTF-8 text") }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: "\r")) }
        let csv = path.lowercased().hasSuffix(".csv")
        var entries: [Entry] = []
        var header: [String]? = nil
        for (index, raw) in lines.enumerated() {
            let lineNumber = index + 1
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if csv {
                let fields = CSVRecord.fields(raw)
                guard let columns = header else {
                    header = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                    guard header!.contains("prompt"), header!.contains("seconds") else {
                        throw PipelineError("\(path):\(lineNumber): the CSV header must name at least prompt and seconds")
                    }
                    continue
                }
                var values: [String: String] = [:]
                for (column, value) in zip(columns, fields) where !value.isEmpty { values[column] = value }
                entries.append(Entry(line: lineNumber, item: item(values, line: lineNumber, path: path)))
            } else {
                guard let object = try? JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any] else {
                    entries.append(Entry(line: lineNumber, item: .failure(PipelineError("\(path):\(lineNumber): not a JSON object"))))
                    continue
                }
                var values: [String: String] = [:]
                for (key, value) in object {
                    if let string = value as? String { values[key] = string } else if let number = value as? NSNumber { values[key] = number.stringValue }
                }
                entries.append(Entry(line: lineNumber, item: item(values, line: lineNumber, path: path)))
            }
        }
        guard !entries.isEmpty else { throw PipelineError("\(path): no items") }
        return entries
    }

    static func item(_ values: [String: String], line: Int, path: String) -> Result<BatchItem, PipelineError> {
        func failure(_ message: String) -> Result<BatchItem, PipelineError> { .failure(PipelineError("\(path):\(line): \(message)")) }
        guard let prompt = values["prompt"], !prompt.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return failure("prompt is missing or empty") }
        guard let secondsText = values["seconds"], let seconds = Double(secondsText), seconds.isFinite, seconds > 0 else {
            return failure("seconds must be a positive number, got \(values["seconds"] ?? "nothing")")
        }
        var item = BatchItem(line: line, prompt: prompt, seconds: seconds)
        if let text = values["seed"] { guard let seed = UInt64(text) else { return failure("seed must be a non-negative integer, got \(text)") }; item.seed = seed }
        if let text = values["cfg_scale"] { guard let scale = Float(text), scale >= 0 else { return failure("cfg_scale must be ≥ 0, got \(text)") }; item.guidanceScale = scale }
        if let text = values["steps"] { guard let steps = Int(text), steps > 0 else { return failure("steps must be a positive integer, got \(text)") }; item.steps = steps }
        item.negativePrompt = values["negative_prompt"]
        if let name = values["name"] {
            guard !name.contains("/"), !name.hasPrefix("."), !name.isEmpty else { return failure("name must be a plain file stem, got \(name)") }
            item.name = name
        }
        return .success(item)
    }
}
