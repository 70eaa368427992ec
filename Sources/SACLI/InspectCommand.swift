import ArgumentParser
import Foundation
import SAModels

/// `stable-audio inspect PATH`: tensor and parameter counts, dtypes and config summary of a checkpoint.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Summarize a .safetensors checkpoint or a model folder (model_config.json + .safetensors)."
    )

    @Argument(help: "A .safetensors file or a model folder.")
    var path: String

    @Option(help: "Group parameter counts by the first N dot-separated components of each key.")
    var depth: Int = 1

    @Flag(help: "Print machine-readable JSON instead of a table.")
    var json = false

    func validate() throws {
        guard depth >= 1 else { throw ValidationError("--depth must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let summary = try CheckpointSummary(folder: try ModelFolder(path: path), prefixDepth: depth)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                FileHandleOutput.standardOutput(String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n")
            } else {
                FileHandleOutput.standardOutput(InspectCommand.table(summary))
            }
        }
    }

    /// The human-readable report.
    static func table(_ summary: CheckpointSummary) -> String {
        var lines: [String] = []
        lines.append("checkpoint  \(summary.path)")
        for file in summary.files { lines.append("file        \(file)") }
        lines.append("tensors     \(grouped(summary.tensorCount))")
        lines.append("parameters  \(grouped(summary.parameterCount))  (\(megabytes(summary.byteCount)) stored)")
        lines.append("")
        lines.append("dtype    tensors      parameters        bytes")
        for dtype in summary.dtypes {
            lines.append(padded(dtype.dtype, 6) + leftPadded(grouped(dtype.tensorCount), 10)
                         + leftPadded(grouped(dtype.parameterCount), 16) + leftPadded(megabytes(dtype.byteCount), 13))
        }
        lines.append("")
        let width = max(20, (summary.byPrefix.map(\.prefix.count).max() ?? 0) + 2)
        lines.append(padded("prefix (depth \(summary.prefixDepth))", width) + leftPadded("tensors", 10) + leftPadded("parameters", 16))
        for prefix in summary.byPrefix {
            lines.append(padded(prefix.prefix, width) + leftPadded(grouped(prefix.tensorCount), 10) + leftPadded(grouped(prefix.parameterCount), 16))
        }
        if let components = summary.components, !components.isEmpty {
            lines.append("")
            let componentWidth = max(28, (components.map(\.component.count).max() ?? 0) + 2)
            lines.append(padded("component", componentWidth) + leftPadded("tensors", 10) + leftPadded("parameters", 16) + leftPadded("stored", 16))
            for component in components {
                lines.append(padded(component.component, componentWidth) + leftPadded(grouped(component.tensorCount), 10)
                             + leftPadded(grouped(component.parameterCount), 16) + leftPadded(grouped(component.storedElementCount), 16))
            }
        }
        if let reason = summary.componentsUnavailableReason {
            lines.append("")
            lines.append("components  unavailable: \(reason)")
        }
        if let configuration = summary.configuration, !configuration.isEmpty {
            lines.append("")
            lines.append("model_config.json")
            for key in configuration.keys.sorted() { lines.append("  \(padded(key, 32))\(configuration[key]!)") }
        }
        if !summary.metadata.isEmpty {
            lines.append("")
            lines.append("metadata")
            for key in summary.metadata.keys.sorted() {
                let value = summary.metadata[key]!
                lines.append("  \(padded(key, 32))\(value.count > 80 ? String(value.prefix(77)) + "…" : value)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.2f MB", Double(bytes) / 1_000_000) }
    static func padded(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }
    static func leftPadded(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(1, width - text.count)) + text }
}
