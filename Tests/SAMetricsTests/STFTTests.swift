import Dispatch
import Foundation
import SAMetrics
import Testing

/// STFT framing, padding and windowing against numpy (Float64), librosa and torch.stft.
@Suite struct STFTTests {
    static let signal = TestSignals.noise(seed: 1, count: 4000).map { Float(0.5 * $0) }

    static func compare(_ configuration: STFTConfiguration, fixture: String, tolerance: Double) throws {
        let reference = try Fixtures.matrix(fixture)
        let ours = try ShortTimeFourierTransform(configuration).powerSpectrogram(signal)
        #expect(ours.frameCount == reference.rowCount, "\(fixture): \(ours.frameCount) frames vs \(reference.rowCount)")
        #expect(ours.binCount == reference.dimension)
        let largest = reference.values.max() ?? 1
        var worst = 0.0
        for (a, b) in zip(ours.values, reference.values) { worst = Swift.max(worst, Swift.abs(Double(a) - b)) }
        #expect(worst / largest <= tolerance, "\(fixture): max |Δ| / max = \(worst / largest)")
    }

    @Test func librosaFramingMatchesNumPyFloat64() throws {
        try STFTTests.compare(STFTConfiguration(fftSize: 2048, hopLength: 512, center: true, padding: .zeros),
                              fixture: "stft_power_librosa_2048_512.npy", tolerance: 1e-6)
    }

    @Test func torchReflectFramingWithShortWindow() throws {
        try STFTTests.compare(STFTConfiguration(fftSize: 1024, hopLength: 120, windowLength: 600, center: true, padding: .reflect),
                              fixture: "stft_power_torch_1024_120_600.npy", tolerance: 1e-6)
    }

    @Test func oddFFTSizeMatchesLibrosa() throws {
        try STFTTests.compare(STFTConfiguration(fftSize: 2229, hopLength: 480, center: true, padding: .zeros),
                              fixture: "stft_power_librosa_2229_480.npy", tolerance: 1e-5)
    }

    @Test func reflectPaddingRejectsShortSignals() throws {
        let transform = try ShortTimeFourierTransform(STFTConfiguration(fftSize: 1024, hopLength: 256, padding: .reflect))
        #expect(throws: MetricsError.self) { try transform.powerSpectrogram([Float](repeating: 0, count: 300)) }
    }

    /// Plans are made under a lock, so concurrent first uses of many sizes are safe and give identical results.
    @Test func concurrentPlanningIsSafe() throws {
        let sizes = [96, 160, 250, 384, 640, 1000, 1536, 3000]
        // These sizes are used by no other test, so the concurrent calls below are their first (planning) uses.
        let results = ResultBox(count: sizes.count * 4)
        DispatchQueue.concurrentPerform(iterations: sizes.count * 4) { index in
            let size = sizes[index % sizes.count]
            let values = try? ShortTimeFourierTransform(STFTConfiguration(fftSize: size, hopLength: size / 2)).powerSpectrogram(STFTTests.signal).values
            results.set(index, values)
        }
        let expected = try sizes.map { size in
            try ShortTimeFourierTransform(STFTConfiguration(fftSize: size, hopLength: size / 2)).powerSpectrogram(STFTTests.signal).values
        }
        for index in 0..<(sizes.count * 4) { #expect(results.get(index) == expected[index % sizes.count]) }
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[Float]?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: [Float]?) { lock.lock(); values[index] = value; lock.unlock() }
    func get(_ index: Int) -> [Float]? { lock.lock(); defer { lock.unlock() }; return values[index] }
}
