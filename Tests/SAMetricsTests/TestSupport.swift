import Foundation
import SAAudio
import SAMetrics
import SATensor

/// Test signals mirrored exactly by Tests/Fixtures/make_metrics_fixtures.py.
enum TestSignals {
    /// Uniform noise in [−1, 1): 64-bit LCG (Knuth MMIX constants), top 24 bits (exact in Float32).
    static func noise(seed: UInt64, count: Int) -> [Double] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 40) / 16777216.0 * 2.0 - 1.0
        }
    }

    /// amplitude·sin(2π·f·n/fs + phase), n = start…start+count−1, in Float64.
    static func sine(_ frequency: Double, count: Int, sampleRate: Double, amplitude: Double = 1, phase: Double = 0, start: Int = 0) -> [Double] {
        (0..<count).map { amplitude * sin(2 * Double.pi * frequency * Double(start + $0) / sampleRate + phase) }
    }

    static func add(_ signals: [Double]...) -> [Double] {
        var result = [Double](repeating: 0, count: signals[0].count)
        for signal in signals { for index in 0..<result.count { result[index] += signal[index] } }
        return result
    }

    static func scaled(_ signal: [Double], _ factor: Double) -> [Double] { signal.map { $0 * factor } }

    /// EBU stereo (or multichannel) 1 kHz tone: segments of (seconds, dBFS or nil), phase-continuous;
    /// `channelLevels` are per-channel offsets in dB.
    static func toneSegments(_ segments: [(Double, Double?)], sampleRate: Int, channelLevels: [Double] = [0, 0]) -> AudioBuffer {
        let lengths = segments.map { Int(($0.0 * Double(sampleRate)).rounded()) }
        let total = lengths.reduce(0, +)
        var planar = [Float](repeating: 0, count: channelLevels.count * total)
        var position = 0
        for (segment, length) in zip(segments, lengths) {
            if let level = segment.1 {
                for (channel, offset) in channelLevels.enumerated() {
                    let amplitude = pow(10, (level + offset) / 20)
                    for index in 0..<length {
                        let n = position + index
                        planar[channel * total + n] = Float(amplitude * sin(2 * Double.pi * 1000 * Double(n) / Double(sampleRate)))
                    }
                }
            }
            position += length
        }
        return AudioBuffer(samples: Tensor(shape: [channelLevels.count, total], scalars: planar), sampleRate: sampleRate)
    }

    static func buffer(_ channels: [[Double]], sampleRate: Int) -> AudioBuffer {
        let frames = channels[0].count
        return AudioBuffer(samples: Tensor(shape: [channels.count, frames], scalars: channels.flatMap { $0.map(Float.init) }), sampleRate: sampleRate)
    }
}

enum Fixtures {
    static func url(_ name: String) throws -> URL {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        guard let url = Bundle.module.url(forResource: parts[0], withExtension: parts[1], subdirectory: "Resources") else {
            throw MetricsError(name, "fixture not found in the test bundle")
        }
        return url
    }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(name))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw MetricsError(name, "not a JSON object") }
        return object
    }

    static func matrix(_ name: String) throws -> FeatureMatrix {
        try EmbeddingMatrixReader.read(url(name).path)
    }
}

/// Channels of a buffer as buffer pointers, for the meters' pointer APIs.
func withChannels<R>(_ audio: AudioBuffer, _ body: ([UnsafeBufferPointer<Float>]) throws -> R) rethrows -> R {
    let frames = audio.frameCount
    return try audio.samples.withUnsafeBufferPointer { all in
        try body((0..<audio.channelCount).map { UnsafeBufferPointer(rebasing: all[($0 * frames)..<(($0 + 1) * frames)]) })
    }
}

func relativeError(_ value: Double, _ reference: Double) -> Double {
    Swift.abs(value - reference) / Swift.max(Swift.abs(reference), 1e-300)
}

/// A fresh temporary directory.
func temporaryDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "samtests-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
