/// Learned-embedding metrics from sfx-clap-mini, this project's own small audio-text model (NOT LAION-CLAP, not
/// PANNs or PaSST): filled by SAAudioText's `AudioTextScorer`, carried and rendered here. The numbers are never
/// labelled with the names of published metrics (CLAP score, FAD, KL_passt), which need those third-party models;
/// every metric name starts with `sfx_clap_mini_`.
public struct AudioTextScore: Codable, Sendable, Equatable {
    public var model: AudioTextModelDescription
    /// One entry per audio file the model looked at: the inputs (group "input"), then the set files.
    public var files: [AudioTextFileScore]
    public var set: AudioTextSetScore?
    /// Problems with the request as a whole (e.g. a prompts entry that matches no file), each naming its source.
    public var errors: [String]

    public init(model: AudioTextModelDescription) {
        self.model = model
        files = []
        errors = []
    }

    /// The entry for `path` in `group`, if any.
    public func file(_ path: String, group: String) -> AudioTextFileScore? {
        files.first { $0.path == path && $0.group == group }
    }

    /// Files for which a learned metric was asked (a prompt, or a set comparison) but could not be computed, plus
    /// request errors: what `--strict` counts. Files in `alreadyFailed` (counted by the model-free report) and set
    /// files (whose problems are also listed in `set.errors`) are counted once.
    public func failureCount(excluding alreadyFailed: Set<String> = []) -> Int {
        let inputs = files.filter { $0.group == "input" && $0.error != nil && $0.prompt != nil && !alreadyFailed.contains($0.path) }
        let setFiles = files.filter { $0.group != "input" && $0.error != nil && !alreadyFailed.contains($0.path) }
        let setMetrics = (set?.errors.count ?? 0) - files.filter { $0.group != "input" && $0.error != nil }.count
        return inputs.count + setFiles.count + Swift.max(0, setMetrics) + errors.count
    }
}
