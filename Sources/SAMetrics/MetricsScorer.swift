import SAAudio
import SATensor

/// Scores files, pairs and sets: the library behind `stable-audio score`.
///
/// Files are decoded and scored in parallel (one file per worker; FFT plans are shared and made serially). A file
/// that cannot be read or scored (empty, silent, NaN/Inf, truncated, unsupported layout) gets an `error` in its own
/// entry and the rest are still scored; only an unusable request (nothing to score, a set without its reference set)
/// throws.
public enum MetricsScorer {
    private struct FileResult: Sendable {
        var score: FileScore
        var channelFeatures: [[Double]]
        var featureRows: Int
        var image: [UInt8]?
    }

    public static func score(_ request: ScoreRequest) throws -> ScoreReport {
        guard !request.inputs.isEmpty || request.generatedSet != nil || request.generatedClassProbabilities != nil else {
            throw MetricsError("", "nothing to score: give FILES|DIRS, --set with --reference-set, or class probabilities")
        }
        guard (request.generatedSet == nil) == (request.referenceSet == nil) else {
            throw MetricsError("", "--set and --reference-set must be given together")
        }
        guard (request.generatedClassProbabilities == nil) == (request.referenceClassProbabilities == nil) else {
            throw MetricsError("", "class probabilities need both the generated and the reference matrix")
        }
        guard request.bootstrapReplicates >= 0 else { throw MetricsError("", "bootstrap replicates must be ≥ 0") }
        var report = ScoreReport(parameters: ReportParameters(set: SetParameters(bootstrapReplicates: request.bootstrapReplicates, seed: request.seed)),
                                 inputs: request.inputs, reference: request.reference)

        let inputs = AudioFileDiscovery.expand(request.inputs)
        let references = request.reference.map { AudioFileDiscovery.expand([$0]) } ?? []
        let pairing = try pairReferences(inputs, references: references, referenceArgument: request.reference)
        let results = ParallelMap.map(inputs.count, workers: request.workerCount) { index in
            scoreFile(inputs[index], reference: pairing[index], features: false, image: request.spectrogramImages)
        }
        report.files = results.map(\.score)
        for result in results { if let image = result.image { report.spectrogramImages[result.score.path] = image } }

        if let generated = request.generatedSet, let reference = request.referenceSet {
            report.set = try compareSets(generated: generated, reference: reference, request: request)
        }
        if let generated = request.generatedClassProbabilities, let reference = request.referenceClassProbabilities {
            do {
                report.classDistribution = try ClassDistributionScore.compare(generated: EmbeddingMatrixReader.read(generated),
                                                                              reference: EmbeddingMatrixReader.read(reference))
            } catch {
                report.errors.append("class distribution: \(error)")
            }
        }
        return report
    }

    /// The reference path for each input (nil when not paired), or a problem string in `FileScore.paired`.
    private static func pairReferences(_ inputs: [DiscoveredFile], references: [DiscoveredFile], referenceArgument: String?) throws -> [PairTarget?] {
        guard let referenceArgument else { return inputs.map { _ in nil } }
        if !AudioFileDiscovery.isDirectory(referenceArgument) {
            // One reference file for every input.
            return inputs.map { _ in PairTarget(path: referenceArgument, problem: references.first?.problem) }
        }
        var byRelative: [String: String] = [:], byStem: [String: [String]] = [:]
        for reference in references where reference.problem == nil {
            byRelative[reference.relativePath] = reference.path
            byStem[stem(reference.relativePath), default: []].append(reference.path)
        }
        return inputs.map { input in
            if let path = byRelative[input.relativePath] { return PairTarget(path: path, problem: nil) }
            if let candidates = byStem[stem(input.relativePath)], candidates.count == 1 { return PairTarget(path: candidates[0], problem: nil) }
            return PairTarget(path: AudioFileDiscovery.join(referenceArgument, input.relativePath),
                              problem: "no reference named \(input.relativePath) (any audio extension) in \(referenceArgument)")
        }
    }

    private struct PairTarget: Sendable {
        var path: String
        var problem: String?
    }

    private static func stem(_ relative: String) -> String {
        guard let dot = relative.lastIndex(of: "."), !relative[dot...].contains("/") else { return relative }
        return String(relative[..<dot])
    }

    private static func scoreFile(_ file: DiscoveredFile, reference: PairTarget?, features: Bool, image: Bool) -> FileResult {
        if let problem = file.problem {
            return FileResult(score: FileScore(path: file.path, error: problem), channelFeatures: [], featureRows: 0, image: nil)
        }
        let audio: AudioBuffer, info: AudioFileInfo
        do {
            (audio, info) = try AudioFile.read(file.path)
        } catch let error as AudioFileError {
            return FileResult(score: FileScore(path: file.path, error: error.reason), channelFeatures: [], featureRows: 0, image: nil)
        } catch {
            return FileResult(score: FileScore(path: file.path, error: "\(error)"), channelFeatures: [], featureRows: 0, image: nil)
        }
        if let truncation = ContainerIntegrity.truncation(of: file.path) {
            var score = FileScore(path: file.path, error: truncation)
            score.format = info.formatName
            score.sampleRate = audio.sampleRate
            score.channelCount = audio.channelCount
            return FileResult(score: score, channelFeatures: [], featureRows: 0, image: nil)
        }
        var score = FileAnalyzer.analyze(audio, path: file.path, format: info.formatName)
        if let reference {
            if let problem = reference.problem {
                score.paired = PairedScore(referencePath: reference.path, error: problem)
            } else {
                do {
                    if let truncation = ContainerIntegrity.truncation(of: reference.path) {
                        throw AudioFileError(path: reference.path, reason: truncation)
                    }
                    let (referenceAudio, _) = try AudioFile.read(reference.path)
                    score.paired = PairedAnalyzer.compare(estimate: audio, reference: referenceAudio, referencePath: reference.path)
                } catch let error as AudioFileError {
                    score.paired = PairedScore(referencePath: reference.path, error: "reference: \(error.reason)")
                } catch {
                    score.paired = PairedScore(referencePath: reference.path, error: "reference: \(error)")
                }
            }
        }
        var channelFeatures: [[Double]] = []
        var rows = 0
        if features, score.error == nil {
            do {
                for channel in 0..<Swift.min(2, audio.channelCount) {
                    let mono = AudioBuffer(samples: Tensor(shape: [1, audio.frameCount],
                                                           scalars: Array(audio.samples.scalars[(channel * audio.frameCount)..<((channel + 1) * audio.frameCount)])),
                                           sampleRate: audio.sampleRate)
                    let extracted = try MelFrameFeatures.extract(mono, channelLayout: 1)
                    channelFeatures.append(extracted.values)
                    rows = extracted.rowCount
                }
            } catch {
                score.warnings.append("FD-mel features: \(error)")
                channelFeatures = []
            }
        }
        var png: [UInt8]? = nil
        if image, audio.frameCount > 0, score.hygiene?.nonFiniteCount ?? 0 == 0 {
            do { png = try SpectrogramImage.png(audio) } catch { score.warnings.append("spectrogram picture: \(error)") }
        }
        return FileResult(score: score, channelFeatures: channelFeatures, featureRows: rows, image: png)
    }

    private static func isMatrix(_ path: String) -> Bool {
        let lowered = path.lowercased()
        return lowered.hasSuffix(".npy") || lowered.hasSuffix(".safetensors")
    }

    private static func compareSets(generated: String, reference: String, request: ScoreRequest) throws -> SetScore {
        switch (isMatrix(generated), isMatrix(reference)) {
        case (true, true):
            var score = SetScore(generatedPath: generated, referencePath: reference, kind: "embeddings",
                                 frechetLabel: "FD (provided embeddings)",
                                 featureDescription: "embedding matrices given by the user (rows = frames or items)")
            let generatedMatrix: FeatureMatrix, referenceMatrix: FeatureMatrix
            do {
                generatedMatrix = try EmbeddingMatrixReader.read(generated)
                referenceMatrix = try EmbeddingMatrixReader.read(reference)
            } catch {
                score.errors.append("\(error)")
                return score
            }
            score.generatedRowCount = generatedMatrix.rowCount
            score.referenceRowCount = referenceMatrix.rowCount
            score.dimension = generatedMatrix.dimension
            guard generatedMatrix.dimension == referenceMatrix.dimension else {
                score.errors.append("\(generated): \(generatedMatrix.dimension)-d rows, the reference \(reference) has \(referenceMatrix.dimension)-d")
                return score
            }
            distributionMetrics(generatedMatrix, referenceMatrix, request: request, into: &score)
            return score
        case (false, false):
            return compareAudioSets(generated: generated, reference: reference, request: request)
        default:
            throw MetricsError("", "--set and --reference-set must both be audio directories or both be .npy/.safetensors matrices (got \(generated) and \(reference))")
        }
    }

    private static func distributionMetrics(_ generated: FeatureMatrix, _ reference: FeatureMatrix, request: ScoreRequest,
                                            standardizeForKernel: Bool = false, into score: inout SetScore) {
        do {
            let referenceStatistics = try FrechetDistance.Reference(GaussianStatistics(reference))
            score.frechetDistance = try FrechetDistance.distance(GaussianStatistics(generated), to: referenceStatistics)
            do {
                score.frechetInfinity = try FrechetExtrapolation.extrapolate(generated, reference: referenceStatistics, seed: request.seed)
            } catch { score.errors.append("FD-∞: \(error)") }
            if request.bootstrapReplicates > 0 {
                do {
                    score.bootstrap = try BootstrapInterval.frechet(generated, reference: referenceStatistics,
                                                                    replicateCount: request.bootstrapReplicates, seed: request.seed)
                } catch { score.errors.append("bootstrap: \(error)") }
            }
        } catch {
            score.errors.append("Fréchet distance: \(error)")
        }
        do {
            if standardizeForKernel {
                // The cubic kernel is not scale-invariant: z-score both sets with the reference set's per-dimension
                // mean and standard deviation (log-mel dB statistics are far from the O(1) scale it assumes).
                let (x, y) = KernelDistance.standardized(generated, reference)
                score.kernelDistance = try KernelDistance.compute(x, y, seed: request.seed)
            } else {
                score.kernelDistance = try KernelDistance.compute(generated, reference, seed: request.seed)
            }
        } catch { score.errors.append("KID: \(error)") }
    }

    private static func compareAudioSets(generated: String, reference: String, request: ScoreRequest) -> SetScore {
        var score = SetScore(generatedPath: generated, referencePath: reference, kind: "audio", frechetLabel: "FD-mel",
                             featureDescription: MelFrameFeatures.description)
        let generatedFiles = AudioFileDiscovery.expand([generated])
        let referenceFiles = AudioFileDiscovery.expand([reference])
        let all = generatedFiles + referenceFiles
        let results = ParallelMap.map(all.count, workers: request.workerCount) { index in
            scoreFile(all[index], reference: nil, features: true, image: false)
        }
        let generatedResults = Array(results[0..<generatedFiles.count])
        let referenceResults = Array(results[generatedFiles.count...])
        score.generatedFiles = generatedResults.map(\.score)
        score.referenceFiles = referenceResults.map(\.score)
        score.generatedFileCount = generatedResults.count
        score.referenceFileCount = referenceResults.count

        // One sample rate per comparison: the reference set's most common rate.
        var rateCounts: [Int: Int] = [:]
        for result in referenceResults { if let rate = result.score.sampleRate { rateCounts[rate, default: 0] += 1 } }
        let rate = rateCounts.max { ($0.value, -$0.key) < ($1.value, -$1.key) }?.key
        let layout = results.contains { ($0.score.channelCount ?? 1) >= 2 } ? 2 : 1
        func matrix(_ results: [FileResult], source: String) -> FeatureMatrix {
            var values: [Double] = []
            var groups: [Range<Int>] = []
            var rows = 0
            for result in results {
                if let error = result.score.error {
                    score.errors.append("\(result.score.path): \(error)")
                    continue
                }
                guard result.score.sampleRate == rate else {
                    score.errors.append("\(result.score.path): left out of FD-mel: \(result.score.sampleRate ?? 0) Hz differs from the reference set's \(rate ?? 0) Hz (nothing is resampled)")
                    continue
                }
                guard !result.channelFeatures.isEmpty, result.featureRows > 0 else { continue }
                let width = 2 * MelFrameFeatures.melCount
                for row in 0..<result.featureRows {
                    for slot in 0..<layout {
                        let channel = Swift.min(slot, result.channelFeatures.count - 1)
                        values.append(contentsOf: result.channelFeatures[channel][(row * width)..<((row + 1) * width)])
                    }
                }
                groups.append(rows..<(rows + result.featureRows))
                rows += result.featureRows
            }
            return FeatureMatrix(source: source, rowCount: rows, dimension: layout * 2 * MelFrameFeatures.melCount, values: values, groups: groups)
        }
        let generatedMatrix = matrix(generatedResults, source: generated)
        let referenceMatrix = matrix(referenceResults, source: reference)
        score.generatedRowCount = generatedMatrix.rowCount
        score.referenceRowCount = referenceMatrix.rowCount
        score.dimension = generatedMatrix.dimension
        distributionMetrics(generatedMatrix, referenceMatrix, request: request, standardizeForKernel: true, into: &score)

        for descriptor in SetScore.descriptors {
            let u = score.generatedFiles.filter { $0.error == nil }.compactMap(descriptor.value)
            let v = score.referenceFiles.filter { $0.error == nil }.compactMap(descriptor.value)
            score.descriptorDistances.append(DescriptorDistance(name: descriptor.name, unit: descriptor.unit,
                                                                wasserstein: WassersteinDistance.distance(u, v),
                                                                generatedCount: u.count, referenceCount: v.count))
        }
        return score
    }
}
