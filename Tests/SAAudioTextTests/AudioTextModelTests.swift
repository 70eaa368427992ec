import Foundation
import SAAudio
import SAAudioText
import SANN
import SATensor
import SATestSupport
import Testing

/// sfx-clap-mini against PyTorch: the training code's own `Clap` (random weights, real architecture and tokenizer)
/// run by `Tests/Fixtures/make_audio_text_fixture.py`. The fixture's parameters were rounded to F16 before PyTorch
/// ran, so the stored weights are exactly the ones PyTorch used and the tolerances are fp32 ones.
@Suite struct AudioTextModelTests {
    static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources").path
    static let modelFolder = resources + "/sfx_clap_mini_fixture"

    static let model: Result<AudioTextModel, Error> = Result { try AudioTextModel(directory: modelFolder) }
    static let io: Result<SafeTensorsFile, Error> = Result { try SafeTensorsFile(path: resources + "/sfx_clap_mini_fixture.io.safetensors") }

    static func clip(_ index: Int) throws -> AudioBuffer {
        AudioBuffer(samples: try io.get().tensor(named: "in.audio.\(index)"), sampleRate: 44_100)
    }

    static func captions() throws -> [String] {
        let text = try #require(try io.get().metadata["captions"])
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String])
    }

    /// Relative comparison: |a − e| ≤ tolerance · max|e| over the tensor.
    static func expectRelative(_ actual: Tensor, _ expected: Tensor, _ tolerance: Float, _ label: String) {
        let scale = Swift.max(expected.maximumAbsolute(), 1e-30)
        let comparison = compare(actual, expected, absoluteTolerance: tolerance * scale)
        #expect(comparison.violations == 0 && comparison.shapesMatch, "\(label): \(comparison) (scale \(scale))")
        print("sfx-clap-mini parity \(label): max|diff| \(comparison.maximumAbsoluteDifference), relative to max|expected| \(comparison.maximumAbsoluteDifference / scale)")
    }

    @Test func featuresMatchPyTorch() throws {
        let model = try Self.model.get()
        let expected = try Self.io.get().tensor(named: "out.features")
        for index in 0..<3 {
            let features = try model.features(try Self.clip(index))
            let reference = expected.slice(axis: 0, index..<(index + 1)).reshaped([2, 64, 257])
            let comparison = compare(features, reference, absoluteTolerance: 1e-4)
            #expect(comparison.violations == 0 && comparison.shapesMatch, "clip \(index) features: \(comparison)")
            print("sfx-clap-mini parity features clip \(index): max|diff| \(comparison.maximumAbsoluteDifference)")
        }
    }

    @Test func audioEmbeddingsAndFamilyLogitsMatchPyTorch() throws {
        let model = try Self.model.get()
        let file = try Self.io.get()
        var pooled: [Float] = [], embeddings: [Float] = [], logits: [Float] = []
        for index in 0..<3 {
            let features = try model.features(try Self.clip(index))
            let vector = model.audioTower.pooled(features)
            pooled += vector
            let result = try model.embed(try Self.clip(index))
            embeddings += result.embedding
            logits += result.familyLogits
            #expect(abs(result.familyProbabilities.reduce(0, +) - 1) < 1e-12)
        }
        Self.expectRelative(Tensor(shape: [3, 384], scalars: pooled), try file.tensor(named: "out.debug.pooled"), 1e-4, "pooled")
        Self.expectRelative(Tensor(shape: [3, 128], scalars: embeddings), try file.tensor(named: "out.audio_embedding"), 1e-4, "audio embeddings")
        Self.expectRelative(Tensor(shape: [3, 42], scalars: logits), try file.tensor(named: "out.family_logits"), 1e-4, "family logits")
    }

    @Test func tokensAndTextEmbeddingsMatchPyTorch() throws {
        let model = try Self.model.get()
        let file = try Self.io.get()
        let captions = try Self.captions()
        let ids = try file.tensor(named: "in.ids").scalars.map { Int($0) }
        let mask = try file.tensor(named: "in.mask").scalars.map { $0 != 0 }
        var embeddings: [Float] = []
        for (index, caption) in captions.enumerated() {
            let tokens = try model.tokenize(caption)
            #expect(tokens.ids == Array(ids[(index * 64)..<((index + 1) * 64)]), "caption \(index) ids")
            #expect(tokens.mask == Array(mask[(index * 64)..<((index + 1) * 64)]), "caption \(index) mask")
            embeddings += try model.embed(text: caption)
        }
        Self.expectRelative(Tensor(shape: [3, 128], scalars: embeddings), try file.tensor(named: "out.text_embedding"), 1e-4, "text embeddings")
        // The cosines PyTorch computed (audio i · text j).
        let similarity = try file.tensor(named: "out.similarity")
        for i in 0..<3 {
            let audio = try model.embed(try Self.clip(i)).embedding
            for j in 0..<3 {
                let cosine = AudioTextModel.cosine(audio, Array(embeddings[(j * 128)..<((j + 1) * 128)]))
                #expect(abs(cosine - Double(similarity.scalars[i * 3 + j])) < 1e-5, "cosine audio \(i) text \(j)")
            }
        }
    }

    @Test func monoIsReadAsIdenticalChannelsAndOnlyTheWindowIsSeen() throws {
        let model = try Self.model.get()
        let stereo = try Self.clip(1)
        let left = stereo.samples.slice(axis: 0, 0..<1)
        let mono = try model.embed(AudioBuffer(samples: left, sampleRate: 44_100))
        let doubled = try model.embed(AudioBuffer(samples: Tensor.concatenate([left, left], axis: 0), sampleRate: 44_100))
        #expect(mono == doubled)
        // Samples after the model's window (262144) change nothing.
        var generator = SeededGenerator(seed: 7)
        let window = model.configuration.windowLength
        let long = Tensor.randomUniform(shape: [2, window + 5_000], low: -0.3, high: 0.3, generator: &generator)
        var altered = long.scalars
        for channel in 0..<2 { for index in window..<(window + 5_000) { altered[channel * (window + 5_000) + index] = 0.9 } }
        let first = try model.embed(AudioBuffer(samples: long, sampleRate: 44_100))
        let second = try model.embed(AudioBuffer(samples: Tensor(shape: long.shape, scalars: altered), sampleRate: 44_100))
        #expect(first == second)
    }

    /// A 48 kHz clip longer than the window scores as its resampled 44.1 kHz version does, although only the input the
    /// window reads is resampled.
    @Test func otherRatesAreResampledFirst() throws {
        let model = try Self.model.get()
        var generator = SeededGenerator(seed: 8)
        let frames = model.configuration.windowLength * 48 / 44 + 3_000
        let clip = AudioBuffer(samples: Tensor.randomUniform(shape: [2, frames], low: -0.3, high: 0.3, generator: &generator), sampleRate: 48_000)
        let resampled = AudioBuffer(samples: try AudioResampler(from: 48_000, to: 44_100).resample(clip.samples), sampleRate: 44_100)
        #expect(resampled.frameCount > model.configuration.windowLength)
        #expect(try model.embed(clip) == model.embed(resampled))
    }

    @Test func wrongAudioIsRejectedWithAMessage() throws {
        let model = try Self.model.get()
        let audio = try Self.clip(2)
        do {
            _ = try model.embed(AudioBuffer(samples: audio.samples, sampleRate: 44_101), source: "x.wav")
            Issue.record("a 44101 Hz clip was scored")
        } catch {
            #expect("\(error)".contains("x.wav: resampling 44101 Hz → 44100 Hz needs"), "\(error)")
        }
        let three = Tensor.concatenate([audio.samples, audio.samples.slice(axis: 0, 0..<1)], axis: 0)
        #expect(throws: AudioTextModelError.self) { try model.embed(AudioBuffer(samples: three, sampleRate: 44_100)) }
    }
}
