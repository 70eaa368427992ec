import Foundation
import SATensor

/// What `stable-audio inspect` reports about a checkpoint: tensor and parameter counts, dtypes, parameter
/// counts grouped by key prefix, and a summary of `model_config.json` when the folder has one.
public struct CheckpointSummary: Codable, Sendable, Equatable {
    /// Parameters under one key prefix (the first `depth` dot-separated components of the key).
    public struct PrefixCount: Codable, Sendable, Equatable {
        public var prefix: String
        public var tensorCount: Int
        public var parameterCount: Int
    }

    /// Tensors stored with one dtype.
    public struct DTypeCount: Codable, Sendable, Equatable {
        public var dtype: String
        public var tensorCount: Int
        public var parameterCount: Int
        public var byteCount: Int
    }

    public var path: String
    public var files: [String]
    public var tensorCount: Int
    public var parameterCount: Int
    public var byteCount: Int
    public var dtypes: [DTypeCount]
    public var prefixDepth: Int
    public var byPrefix: [PrefixCount]
    public var metadata: [String: String]
    /// Selected fields of `model_config.json` as "key": "value" text, in a fixed order.
    public var configuration: [String: String]?

    /// Summarizes `folder`, grouping parameters by the first `prefixDepth` components of each key.
    public init(folder: ModelFolder, prefixDepth: Int = 1) throws {
        path = folder.path
        files = folder.weightFiles.map(\.path)
        self.prefixDepth = max(1, prefixDepth)
        var prefixes: [String: PrefixCount] = [:]
        var dtypeCounts: [String: DTypeCount] = [:]
        var tensors = 0, parameters = 0, bytes = 0
        var mergedMetadata: [String: String] = [:]
        for file in folder.weightFiles {
            mergedMetadata.merge(file.metadata) { first, _ in first }
            for entry in file.entries.values {
                tensors += 1
                parameters += entry.elementCount
                bytes += entry.dataRange.count
                let prefix = entry.name.split(separator: ".", omittingEmptySubsequences: false)
                    .prefix(self.prefixDepth).joined(separator: ".")
                prefixes[prefix, default: PrefixCount(prefix: prefix, tensorCount: 0, parameterCount: 0)].tensorCount += 1
                prefixes[prefix]!.parameterCount += entry.elementCount
                let dtype = entry.dtype.rawValue
                dtypeCounts[dtype, default: DTypeCount(dtype: dtype, tensorCount: 0, parameterCount: 0, byteCount: 0)].tensorCount += 1
                dtypeCounts[dtype]!.parameterCount += entry.elementCount
                dtypeCounts[dtype]!.byteCount += entry.dataRange.count
            }
        }
        tensorCount = tensors
        parameterCount = parameters
        byteCount = bytes
        metadata = mergedMetadata
        byPrefix = prefixes.values.sorted { $0.prefix < $1.prefix }
        dtypes = dtypeCounts.values.sorted { $0.dtype < $1.dtype }
        configuration = try folder.configurationObject().map(CheckpointSummary.summarize)
    }

    /// The fields of a stable-audio-tools `model_config.json` worth showing, as text.
    static func summarize(_ configuration: [String: Any]) -> [String: String] {
        var summary: [String: String] = [:]
        func text(_ value: Any?) -> String? {
            switch value {
            case let string as String: return string
            case let number as NSNumber: return number.stringValue
            default: return nil
            }
        }
        for key in ["model_type", "sample_rate", "sample_size", "audio_channels"] { summary[key] = text(configuration[key]) }
        let model = configuration["model"] as? [String: Any] ?? [:]
        summary["io_channels"] = text(model["io_channels"])
        if let diffusion = model["diffusion"] as? [String: Any] { summary["diffusion.type"] = text(diffusion["type"]) }
        if let pretransform = model["pretransform"] as? [String: Any] {
            summary["pretransform.type"] = text(pretransform["type"])
            let inner = pretransform["config"] as? [String: Any] ?? [:]
            summary["pretransform.downsampling_ratio"] = text(inner["downsampling_ratio"])
            summary["pretransform.latent_dim"] = text(inner["latent_dim"])
        }
        for part in ["encoder", "decoder", "bottleneck"] {
            if let block = model[part] as? [String: Any] { summary["\(part).type"] = text(block["type"]) }
        }
        summary["latent_dim"] = text(model["latent_dim"])
        summary["downsampling_ratio"] = text(model["downsampling_ratio"])
        if let conditioning = model["conditioning"] as? [String: Any],
           let configs = conditioning["configs"] as? [[String: Any]] {
            summary["conditioning"] = configs.map { "\(text($0["id"]) ?? "?"):\(text($0["type"]) ?? "?")" }.joined(separator: ", ")
        }
        return summary.compactMapValues { $0 }
    }
}
