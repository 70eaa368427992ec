import Foundation
import SAAudio
import SATensor
import SATestSupport
import Testing

/// Audio round trips through libsndfile and the all-or-nothing write guarantee.
@Suite struct AudioFileTests {
    let folder: String = {
        let path = NSTemporaryDirectory() + "audio-tests-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    struct RoundTripCase: Sendable, CustomStringConvertible {
        var format: AudioFileFormat
        var fileExtension: String
        var channels: Int
        var frames: Int
        /// Largest allowed error: zero for float; for PCM half a quantization step plus libsndfile's scale
        /// asymmetry (it writes x·(2ᴺ⁻¹ − 1) but reads back q / 2ᴺ⁻¹, up to one more step for |x| ≤ 1).
        var tolerance: Float
        var description: String { "\(format) \(channels)ch \(frames) frames" }
    }

    static let cases: [RoundTripCase] = [
        RoundTripCase(format: .wav(.pcm16), fileExtension: "wav", channels: 2, frames: 44_101, tolerance: 1.5 / 32768),
        RoundTripCase(format: .wav(.pcm16), fileExtension: "wav", channels: 1, frames: 1, tolerance: 1.5 / 32768),
        RoundTripCase(format: .wav(.pcm24), fileExtension: "wav", channels: 2, frames: 9_999, tolerance: 1.5 / 8_388_608),
        RoundTripCase(format: .wav(.float32), fileExtension: "wav", channels: 2, frames: 12_345, tolerance: 0),
        RoundTripCase(format: .wav(.float32), fileExtension: "wav", channels: 1, frames: 777, tolerance: 0),
        RoundTripCase(format: .flac(.pcm16), fileExtension: "flac", channels: 2, frames: 30_001, tolerance: 1.5 / 32768),
        RoundTripCase(format: .flac(.pcm24), fileExtension: "flac", channels: 1, frames: 4_097, tolerance: 1.5 / 8_388_608),
        RoundTripCase(format: .flac(.pcm24), fileExtension: "flac", channels: 2, frames: 3, tolerance: 1.5 / 8_388_608),
    ]

    @Test(arguments: cases) func roundTrip(_ c: RoundTripCase) throws {
        var generator = SeededGenerator(seed: UInt64(c.frames * 7 + c.channels))
        let samples = Tensor.randomUniform(shape: [c.channels, c.frames], low: -0.99, high: 0.99, generator: &generator)
        let audio = AudioBuffer(samples: samples, sampleRate: 44_100)
        let path = "\(folder)/roundtrip-\(c.frames)-\(c.channels).\(c.fileExtension)"
        let metadata = AudioMetadata(title: "rain on a tin roof", comment: "seed=42 steps=100", software: "stable-audio-swift test")
        try AudioFile.write(audio, to: path, format: c.format, metadata: metadata)
        let (readBack, info) = try AudioFile.read(path)
        #expect(readBack.sampleRate == 44_100)
        #expect(readBack.samples.shape == [c.channels, c.frames])
        let comparison = compare(readBack.samples, samples, absoluteTolerance: c.tolerance)
        #expect(comparison.passed, "\(c): \(comparison)")
        #expect(info.metadata.title == metadata.title && info.metadata.comment == metadata.comment, "\(c): \(info.metadata)")
        // libsndfile appends its own version to the software tag.
        #expect(info.metadata.software?.hasPrefix(metadata.software!) == true, "\(c): \(info.metadata)")
        #expect(info.formatName.contains(c.fileExtension == "wav" ? "WAV" : "FLAC"))
    }

    @Test func pcmClipsInsteadOfWrapping() throws {
        let audio = AudioBuffer(samples: Tensor(shape: [1, 4], scalars: [1.5, -1.5, 0.5, 2]), sampleRate: 48_000)
        let path = folder + "/clip.wav"
        try AudioFile.write(audio, to: path, format: .wav(.pcm16))
        let (readBack, _) = try AudioFile.read(path)
        #expect(readBack.samples.scalars[0] > 0.999 && readBack.samples.scalars[1] < -0.999 && readBack.samples.scalars[3] > 0.999)
        #expect(readBack.sampleRate == 48_000)
    }

    @Test func unwritablePathFailsCleanlyAndLeavesNothing() throws {
        let audio = AudioBuffer(samples: Tensor(zeros: [2, 100]), sampleRate: 44_100)
        let target = folder + "/no-such-folder/out.wav"
        #expect(throws: (any Error).self) { try AudioFile.write(audio, to: target, format: .wav(.pcm16)) }
        #expect(!FileManager.default.fileExists(atPath: target))
        #expect(throws: (any Error).self) { try AudioFile.write(audio, to: "/proc/forbidden.wav", format: .wav(.pcm16)) }
    }

    @Test func failedWriteKeepsTheExistingFileAndLeavesNoTemporary() throws {
        let path = folder + "/keep.flac"
        let original = AudioBuffer(samples: Tensor(repeating: 0.25, shape: [2, 50]), sampleRate: 44_100)
        try AudioFile.write(original, to: path, format: .flac(.pcm16))
        let before = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        // FLAC cannot store float samples: rejected, and the existing file is untouched.
        #expect(throws: AudioFileError.self) {
            try AudioFile.write(AudioBuffer(samples: Tensor(zeros: [2, 10]), sampleRate: 44_100), to: path, format: .flac(.float32))
        }
        // FLAC cannot store 9 channels: fails inside libsndfile after the temporary file is requested.
        #expect(throws: AudioFileError.self) {
            try AudioFile.write(AudioBuffer(samples: Tensor(zeros: [9, 10]), sampleRate: 44_100), to: path, format: .flac(.pcm16))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == before)
        let (readBack, _) = try AudioFile.read(path)
        #expect(readBack.samples.shape == [2, 50])
        #expect(abs(readBack.samples.scalars[0] - 0.25) < 1e-4)
    }

    @Test func unreadableInputsNameTheFile() throws {
        let missing = folder + "/missing.wav"
        #expect(throws: AudioFileError.self) { try AudioFile.read(missing) }
        let garbage = folder + "/garbage.wav"
        FileManager.default.createFile(atPath: garbage, contents: Data("RIFF this is not audio at all".utf8))
        do {
            _ = try AudioFile.read(garbage)
            Issue.record("garbage should not decode")
        } catch let error as AudioFileError {
            #expect(error.description.hasPrefix(garbage))
        }
    }

    @Test func interleavingRoundTrips() {
        let audio = AudioBuffer(samples: Tensor(shape: [2, 3], scalars: [1, 2, 3, 10, 20, 30]), sampleRate: 8000)
        #expect(audio.interleaved() == [1, 10, 2, 20, 3, 30])
        #expect(AudioBuffer(interleaved: audio.interleaved(), channelCount: 2, sampleRate: 8000) == audio)
        #expect(audio.duration == 3.0 / 8000)
    }
}
