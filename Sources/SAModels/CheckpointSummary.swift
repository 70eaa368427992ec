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

    /// Parameters of one model component (a key prefix that SAT builds as one module).
    public struct ComponentCount: Codable, Sendable, Equatable {
        public var component: String
        public var tensorCount: Int
        /// Every stored element under the prefix.
        public var storedElementCount: Int
        /// Trainable parameters, as SAT's `named_parameters()` counts them: stored elements less persisted buffers
        /// (the DiT's rotary `inv_freq` and its LayerNorms' all-zero `beta`).
        public var parameterCount: Int
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
    /// Per-component counts when the folder has a supported `model_config.json`.
    public var components: [ComponentCount]?
    /// Why there are no per-component counts although the folder has a `model_config.json`.
    public var componentsUnavailableReason: String?

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
        if let path = folder.configurationPath {
            do {
                components = CheckpointSummary.componentCounts(folder: folder, configuration: try ModelConfiguration(contentsOf: path))
            } catch {
                componentsUnavailableReason = "\(error)"
            }
        }
    }

    /// Whether a stored key is a persisted buffer rather than a parameter in SAT's modules.
    public static func isBuffer(_ key: String) -> Bool {
        key.hasSuffix(".rotary_pos_emb.inv_freq") || (key.contains(".transformer.layers.") && key.hasSuffix("_norm.beta"))
    }

    /// Counts per component prefix: the backbone, each conditioner with weights, the encoder and the decoder.
    static func componentCounts(folder: ModelFolder, configuration: ModelConfiguration) -> [ComponentCount] {
        var prefixes: [String]
        if let conditioning = configuration.conditioning {
            prefixes = ["model.model"] + conditioning.conditioners.map { "conditioner.conditioners.\($0.id)" }
                + ["pretransform.model.encoder", "pretransform.model.decoder"]
        } else {
            prefixes = ["encoder", "decoder"]
        }
        let entries = folder.weightFiles.flatMap { Array($0.entries.values) }
        return prefixes.compactMap { prefix in
            let matching = entries.filter { $0.name.hasPrefix(prefix + ".") }
            guard !matching.isEmpty else { return nil }
            return ComponentCount(component: prefix, tensorCount: matching.count,
                                  storedElementCount: matching.reduce(0) { $0 + $1.elementCount },
                                  parameterCount: matching.filter { !isBuffer($0.name) }.reduce(0) { $0 + $1.elementCount })
        }
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
