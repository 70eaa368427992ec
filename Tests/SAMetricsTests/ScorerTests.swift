import CZlib
import Foundation
import SAAudio
import SAMetrics
import SATensor
import Testing

/// End to end through the library behind `stable-audio score`: per-file errors, pairing, sets and the report writers.
@Suite struct ScorerTests {
    static func tone(seconds: Double, sampleRate: Int = 44100, seed: UInt64 = 1, level: Double = 0.3) -> AudioBuffer {
        let count = Int(seconds * Double(sampleRate))
        let left = TestSignals.add(TestSignals.sine(440, count: count, sampleRate: Double(sampleRate), amplitude: level),
                                   TestSignals.scaled(TestSignals.noise(seed: seed, count: count), 0.05))
        let right = TestSignals.add(TestSignals.sine(660, count: count, sampleRate: Double(sampleRate), amplitude: level),
                                    TestSignals.scaled(TestSignals.noise(seed: seed + 100, count: count), 0.05))
        return TestSignals.buffer([left, right], sampleRate: sampleRate)
    }

    /// A folder with one good file and one of each kind of bad file.
    static func makeInputs(_ directory: String) throws {
        try AudioFile.write(tone(seconds: 4), to: directory + "/good.wav", format: .wav(.pcm24))
        try AudioFile.write(TestSignals.buffer([[Double](repeating: 0, count: 44100), [Double](repeating: 0, count: 44100)], sampleRate: 44100),
                            to: directory + "/silent.wav", format: .wav(.pcm16))
        var nan = tone(seconds: 1).samples.scalars
        nan[100] = .nan
        nan[200] = .infinity
        try AudioFile.write(AudioBuffer(samples: Tensor(shape: [2, 44100], scalars: nan), sampleRate: 44100), to: directory + "/nan.wav", format: .wav(.float32))
        try AudioFile.write(AudioBuffer(samples: Tensor(zeros: [2, 0]), sampleRate: 44100), to: directory + "/empty.wav", format: .wav(.pcm16))
        try AudioFile.write(tone(seconds: 2), to: directory + "/truncated.wav", format: .wav(.pcm16))
        let truncatedPath = directory + "/truncated.wav"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: truncatedPath))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: truncatedPath))
        try Data("this is not audio".utf8).write(to: URL(fileURLWithPath: directory + "/garbage.wav"))
    }

    @Test func perFileErrorsDoNotStopTheRest() throws {
        let directory = try temporaryDirectory("errors")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ScorerTests.makeInputs(directory)
        let report = try MetricsScorer.score(ScoreRequest(inputs: [directory, directory + "/missing.wav"], workerCount: 2))
        let byName = Dictionary(uniqueKeysWithValues: report.files.map { (($0.path as NSString).lastPathComponent, $0) })
        #expect(byName.count == 7)
        let good = try #require(byName["good.wav"])
        #expect(good.error == nil)
        #expect(good.level?.integratedLoudness != nil && good.level?.truePeak != nil && good.spectrum?.centroid != nil)
        #expect(good.stereo?.correlation != nil)
        #expect(byName["silent.wav"]?.error?.contains("silent") == true)
        #expect(byName["nan.wav"]?.error?.contains("2 NaN/Inf samples") == true)
        #expect(byName["nan.wav"]?.hygiene?.nonFiniteCount == 2)
        #expect(byName["empty.wav"]?.error?.contains("empty") == true)
        #expect(byName["truncated.wav"]?.error?.contains("truncated") == true, "\(byName["truncated.wav"]?.error ?? "nil")")
        #expect(byName["garbage.wav"]?.error?.contains("cannot open") == true)
        #expect(byName["missing.wav"]?.error == "no such file or directory")
        #expect(report.failedFiles.count == 6)
    }

    @Test func pairsByNameAndWritesEveryReport() throws {
        let directory = try temporaryDirectory("paired")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/out", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/ref", withIntermediateDirectories: true)
        let reference = ScorerTests.tone(seconds: 3.2)
        var decoded = reference.samples.scalars.map { 0.9 * $0 }
        decoded[5] += 0.01
        try AudioFile.write(reference, to: directory + "/ref/a.wav", format: .wav(.float32))
        try AudioFile.write(AudioBuffer(samples: Tensor(shape: reference.samples.shape, scalars: decoded), sampleRate: 44100),
                            to: directory + "/out/a.flac", format: .flac(.pcm24))
        try AudioFile.write(reference, to: directory + "/out/b.wav", format: .wav(.pcm16))
        let report = try MetricsScorer.score(ScoreRequest(inputs: [directory + "/out"], reference: directory + "/ref",
                                                          spectrogramImages: true, workerCount: 2))
        #expect(report.files.count == 2)
        let a = try #require(report.files.first { $0.path.hasSuffix("a.flac") })
        #expect(a.paired?.error == nil)
        #expect(a.paired?.referencePath.hasSuffix("ref/a.wav") == true)
        #expect((a.paired?.mean?.scaleInvariantSDR ?? 0) > 30)
        let b = try #require(report.files.first { $0.path.hasSuffix("b.wav") })
        #expect(b.paired?.error?.contains("no reference named b.wav") == true)

        let json = try JSONReportWriter.encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect((object["parameters"] as? [String: Any])?["file"] != nil)
        #expect((object["files"] as? [Any])?.count == 2)
        let csv = CSVReportWriter.render(report).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[0].split(separator: ",").count == CSVReportWriter.header.count)
        let table = TableReportWriter.render(report)
        #expect(table.contains("LUFS") && table.contains("paired metrics"))
        let html = HTMLReportWriter.render(report)
        #expect(html.contains("data:image/png;base64,"))
        #expect(report.spectrogramImages.count == 2)

        // The PNG is well formed: signature, IHDR size, and an IDAT that inflates to height·(1 + 3·width) bytes.
        let png = try #require(report.spectrogramImages.values.first)
        #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func word(_ offset: Int) -> Int { png[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let width = word(16), height = word(20)
        #expect(height == 2 * 128 + 2)
        let idatLength = word(33)
        #expect(String(decoding: png[37..<41], as: UTF8.self) == "IDAT")
        var inflated = [UInt8](repeating: 0, count: height * (1 + 3 * width))
        var inflatedLength = uLongf(inflated.count)
        let status = Array(png[41..<(41 + idatLength)]).withUnsafeBufferPointer { source in
            inflated.withUnsafeMutableBufferPointer { uncompress($0.baseAddress, &inflatedLength, source.baseAddress, uLong(idatLength)) }
        }
        #expect(status == Z_OK && Int(inflatedLength) == inflated.count)
    }

    @Test func comparesAudioSets() throws {
        let directory = try temporaryDirectory("sets")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["generated", "reference"] { try FileManager.default.createDirectory(atPath: directory + "/" + name, withIntermediateDirectories: true) }
        for index in 0..<3 {
            try AudioFile.write(ScorerTests.tone(seconds: 2.5, seed: UInt64(index + 1), level: 0.2), to: directory + "/generated/g\(index).wav", format: .wav(.pcm16))
            try AudioFile.write(ScorerTests.tone(seconds: 2.5, seed: UInt64(index + 10), level: 0.4), to: directory + "/reference/r\(index).wav", format: .wav(.pcm16))
        }
        try AudioFile.write(ScorerTests.tone(seconds: 2.5, sampleRate: 48000), to: directory + "/generated/other_rate.wav", format: .wav(.pcm16))
        let report = try MetricsScorer.score(ScoreRequest(generatedSet: directory + "/generated", referenceSet: directory + "/reference",
                                                          bootstrapReplicates: 20, seed: 5, workerCount: 2))
        let set = try #require(report.set)
        #expect(set.kind == "audio" && set.frechetLabel == "FD-mel")
        #expect(set.dimension == 256)
        #expect(set.generatedFileCount == 4 && set.referenceFileCount == 3)
        #expect(set.generatedRowCount == 3 * 4)  // 2.5 s → 4 windows of 1 s every 0.5 s, per file
        #expect((set.frechetDistance ?? 0) > 0)
        #expect(set.bootstrap != nil)
        #expect(set.kernelDistance != nil)
        #expect(set.errors.contains { $0.contains("other_rate.wav") && $0.contains("48000 Hz") })
        #expect(set.errors.contains { $0.hasPrefix("FD-∞") })  // 12 rows < 500
        let loudness = try #require(set.descriptorDistances.first { $0.name == "integratedLoudness" })
        #expect((loudness.wasserstein ?? 0) > 3)  // the reference set's tones are 6 dB louder
        let html = HTMLReportWriter.render(report)
        #expect(html.contains("<svg") && html.contains("integratedLoudness"))
        let table = TableReportWriter.render(report)
        #expect(table.contains("FD-mel"))
        for forbidden in ["FD_openl3", "KL_passt", "CLAP", "FAD ="] {
            #expect(!table.contains(forbidden) && !html.contains(forbidden), "\(forbidden) must not be printed")
        }
    }

    @Test func comparesEmbeddingMatricesAndClassProbabilities() throws {
        let a = try Fixtures.url("embeddings_a.npy").path, b = try Fixtures.url("embeddings_b.npy").path
        let directory = try temporaryDirectory("classes")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let generated = Tensor(shape: [2, 3], scalars: [0.2, 0.3, 0.5, 0.1, 0.1, 0.8])
        let reference = Tensor(shape: [2, 3], scalars: [0.3, 0.3, 0.4, 0.2, 0.2, 0.6])
        try SafeTensorsWriter.write([(name: "probabilities", tensor: generated)], to: directory + "/gen.safetensors")
        try SafeTensorsWriter.write([(name: "probabilities", tensor: reference)], to: directory + "/ref.safetensors")
        let report = try MetricsScorer.score(ScoreRequest(generatedSet: a, referenceSet: b,
                                                          generatedClassProbabilities: directory + "/gen.safetensors",
                                                          referenceClassProbabilities: directory + "/ref.safetensors",
                                                          bootstrapReplicates: 10, workerCount: 2))
        let set = try #require(report.set)
        #expect(set.kind == "embeddings" && set.frechetLabel == "FD (provided embeddings)")
        let expected = try SetMetricsTests.frechetReference("a_b").sqrtm
        #expect(relativeError(try #require(set.frechetDistance), expected) <= 1e-6)
        #expect(set.frechetInfinity != nil && set.bootstrap?.resampledUnit == "rows")
        let classes = try #require(report.classDistribution)
        #expect(classes.rowCount == 2 && classes.classCount == 3)
        #expect(TableReportWriter.render(report).contains("KL(ref‖gen)"))
        #expect(throws: MetricsError.self) { try MetricsScorer.score(ScoreRequest(generatedSet: a)) }
    }
}
