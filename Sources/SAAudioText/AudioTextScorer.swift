import Foundation
import SAAudio
import SAMetrics

/// Scores audio with sfx-clap-mini (this project's own audio-text model): the learned metrics of `stable-audio score`.
///
/// - Every input file (FILES|DIRS) and every file of an audio `--set` / `--reference-set` is embedded once; each gets
///   its predicted family and that family's probability.
/// - Files with a prompt (`prompt` for all, or an `AudioTextPromptList`) get `sfx_clap_mini_text_audio_cosine`,
///   the cosine of the normalised audio and text embeddings. Prompts apply to the inputs and the generated set.
/// - Audio directory sets get `sfx_clap_mini_frechet_distance` (SAMetrics' `FrechetDistance` on Gaussians fitted to
///   the audio embeddings, one row per file) and `sfx_clap_mini_kl` (SAMetrics' `ClassDistributionScore` on the
///   family distributions softmax(logits) of generated/reference files paired by relative path, else by a unique
///   file stem: KL(ref‖gen) with ε on gen, and the reverse direction, each averaged over pairs).
/// Files the model cannot read (other sample rates, more than 2 channels, unreadable) get an `error` in their entry
/// and are left out of the set metrics; nothing here throws for a single bad file.
public enum AudioTextScorer {
    public struct Request: Sendable {
        public var inputs: [String]
        public var prompt: String?
        public var prompts: AudioTextPromptList?
        public var generatedSet: String?
        public var referenceSet: String?

        public init(inputs: [String] = [], prompt: String? = nil, prompts: AudioTextPromptList? = nil,
                    generatedSet: String? = nil, referenceSet: String? = nil) {
            self.inputs = inputs
            self.prompt = prompt
            self.prompts = prompts
            self.generatedSet = generatedSet
            self.referenceSet = referenceSet
        }
    }

    public static func description(of model: AudioTextModel) -> AudioTextModelDescription {
        let configuration = model.configuration
        return AudioTextModelDescription(name: configuration.name, path: model.directory, step: configuration.step,
                                         sampleRate: configuration.sampleRate, windowLength: configuration.windowLength,
                                         embeddingDimension: configuration.embeddingDimension, families: configuration.families)
    }

    public static func score(_ request: Request, model: AudioTextModel) -> AudioTextScore {
        var score = AudioTextScore(model: description(of: model))
        var audioCache: [String: Result<AudioTextAudioEmbedding, Error>] = [:]
        var textCache: [String: Result<[Float], Error>] = [:]
        var usedPromptLines = Set<Int>()

        func embedding(_ path: String) -> Result<AudioTextAudioEmbedding, Error> {
            if let cached = audioCache[path] { return cached }
            let result = Result { () throws -> AudioTextAudioEmbedding in
                if let truncation = ContainerIntegrity.truncation(of: path) { throw AudioTextModelError(path: path, reason: truncation) }
                let (audio, _) = try AudioFile.read(path)
                return try model.embed(audio, source: path)
            }
            audioCache[path] = result
            return result
        }
        func fileScore(_ file: DiscoveredFile, group: String, prompted: Bool) -> (AudioTextFileScore, AudioTextAudioEmbedding?) {
            var entry = AudioTextFileScore(group: group, path: file.path)
            if prompted {
                if let list = request.prompts, let match = list.entry(for: file) {
                    entry.prompt = match.prompt
                    usedPromptLines.insert(match.line)
                } else {
                    entry.prompt = request.prompt
                }
            }
            if let problem = file.problem {
                entry.error = problem
                return (entry, nil)
            }
            switch embedding(file.path) {
            case .failure(let error):
                entry.error = Self.message(error, path: file.path)
                return (entry, nil)
            case .success(let audio):
                let family = audio.predictedFamily
                entry.family = model.configuration.families[family]
                entry.familyProbability = audio.familyProbabilities[family]
                if let prompt = entry.prompt {
                    let text = textCache[prompt] ?? Result { try model.embed(text: prompt) }
                    textCache[prompt] = text
                    switch text {
                    case .success(let vector): entry.textAudioCosine = AudioTextModel.cosine(audio.embedding, vector)
                    case .failure(let error): entry.error = "prompt: \(error)"
                    }
                }
                return (entry, audio)
            }
        }

        for file in AudioFileDiscovery.expand(request.inputs) {
            score.files.append(fileScore(file, group: "input", prompted: true).0)
        }
        if let generated = request.generatedSet, let reference = request.referenceSet {
            if isMatrix(generated) || isMatrix(reference) {
                score.errors.append("sfx-clap-mini set metrics need audio directories; \(generated) / \(reference) are embedding matrices (scored as given above)")
            } else {
                var set = AudioTextSetScore(generatedPath: generated, referencePath: reference)
                let generatedFiles = AudioFileDiscovery.expand([generated]), referenceFiles = AudioFileDiscovery.expand([reference])
                var generatedEmbeddings: [(DiscoveredFile, AudioTextAudioEmbedding)] = []
                var referenceEmbeddings: [(DiscoveredFile, AudioTextAudioEmbedding)] = []
                for file in generatedFiles {
                    let (entry, audio) = fileScore(file, group: "generated", prompted: true)
                    score.files.append(entry)
                    if let audio { generatedEmbeddings.append((file, audio)) } else { set.errors.append("\(file.path): left out: \(entry.error ?? "")") }
                }
                for file in referenceFiles {
                    let (entry, audio) = fileScore(file, group: "reference", prompted: false)
                    score.files.append(entry)
                    if let audio { referenceEmbeddings.append((file, audio)) } else { set.errors.append("\(file.path): left out: \(entry.error ?? "")") }
                }
                compareSets(generatedEmbeddings, referenceEmbeddings, dimension: model.configuration.embeddingDimension, into: &set)
                score.set = set
            }
        }
        if let list = request.prompts {
            for entry in list.entries where !usedPromptLines.contains(entry.line) {
                score.errors.append("\(list.path):\(entry.line): \(entry.file) matches no scored file")
            }
        }
        return score
    }

    static func compareSets(_ generated: [(DiscoveredFile, AudioTextAudioEmbedding)], _ reference: [(DiscoveredFile, AudioTextAudioEmbedding)],
                            dimension: Int, into set: inout AudioTextSetScore) {
        set.generatedFileCount = generated.count
        set.referenceFileCount = reference.count
        // Fréchet distance on the audio embeddings, one row per file.
        func matrix(_ items: [(DiscoveredFile, AudioTextAudioEmbedding)], source: String) -> FeatureMatrix {
            FeatureMatrix(source: source, rowCount: items.count, dimension: dimension, values: items.flatMap { $0.1.embedding.map(Double.init) })
        }
        do {
            set.frechetDistance = try FrechetDistance.distance(GaussianStatistics(matrix(generated, source: set.generatedPath)),
                                                               GaussianStatistics(matrix(reference, source: set.referencePath)))
            if Swift.min(generated.count, reference.count) <= dimension {
                set.notes.append("\(Swift.min(generated.count, reference.count)) files ≤ \(dimension) embedding dimensions: the covariances are rank-deficient and the Fréchet distance is biased upward for small sets; compare only sets of equal size")
            }
        } catch {
            set.errors.append("sfx_clap_mini_frechet_distance: \(error)")
        }
        // KL between the family distributions of paired files.
        var byRelative: [String: Int] = [:], byStem: [String: [Int]] = [:]
        for (index, item) in reference.enumerated() {
            byRelative[item.0.relativePath] = index
            byStem[AudioTextPromptList.stem(item.0.relativePath), default: []].append(index)
        }
        var pairs: [(AudioTextAudioEmbedding, AudioTextAudioEmbedding)] = []
        for (file, audio) in generated {
            if let index = byRelative[file.relativePath] ?? byStem[AudioTextPromptList.stem(file.relativePath)].flatMap({ $0.count == 1 ? $0[0] : nil }) {
                pairs.append((audio, reference[index].1))
            } else {
                set.unpairedFiles.append(file.path)
            }
        }
        set.pairedFileCount = pairs.count
        guard !pairs.isEmpty else {
            set.errors.append("sfx_clap_mini_kl: no generated file has a reference file of the same name")
            return
        }
        let classes = pairs[0].0.familyProbabilities.count
        let generatedMatrix = FeatureMatrix(source: set.generatedPath, rowCount: pairs.count, dimension: classes, values: pairs.flatMap(\.0.familyProbabilities))
        let referenceMatrix = FeatureMatrix(source: set.referencePath, rowCount: pairs.count, dimension: classes, values: pairs.flatMap(\.1.familyProbabilities))
        do {
            let divergence = try ClassDistributionScore.compare(generated: generatedMatrix, reference: referenceMatrix)
            set.kl = divergence.referenceToGenerated
            set.klGeneratedToReference = divergence.generatedToReference
        } catch {
            set.errors.append("sfx_clap_mini_kl: \(error)")
        }
    }

    static func isMatrix(_ path: String) -> Bool {
        let lowered = path.lowercased()
        return lowered.hasSuffix(".npy") || lowered.hasSuffix(".safetensors")
    }

    /// An error's text without repeating the path the entry already names.
    static func message(_ error: Error, path: String) -> String {
        if let error = error as? AudioTextModelError, error.path == path { return error.key.map { "\($0): \(error.reason)" } ?? error.reason }
        if let error = error as? AudioFileError { return error.reason }
        return "\(error)"
    }
}
