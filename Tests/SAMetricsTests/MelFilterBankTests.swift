import Foundation
import SAMetrics
import Testing

/// Mel filter banks against librosa.filters.mel (Slaney and HTK scales, Slaney and no normalisation).
@Suite struct MelFilterBankTests {
    static func dense(_ sparse: [String: Any]) throws -> (values: [Double], rows: Int, columns: Int) {
        let shape = try #require(sparse["shape"] as? [Int])
        let rows = try #require(sparse["rows"] as? [Int]), columns = try #require(sparse["columns"] as? [Int])
        let values = try #require(sparse["values"] as? [Double])
        var dense = [Double](repeating: 0, count: shape[0] * shape[1])
        for (index, value) in values.enumerated() { dense[rows[index] * shape[1] + columns[index]] = value }
        return (dense, shape[0], shape[1])
    }

    @Test func matchesLibrosa() throws {
        let entries = try #require(try Fixtures.json("mel_filterbanks.json")["filterbanks"] as? [[String: Any]])
        #expect(entries.count == 6)
        for entry in entries {
            let config = try #require(entry["config"] as? [String: Any])
            let configuration = MelConfiguration(
                sampleRate: try #require(config["sr"] as? Int), fftSize: try #require(config["n_fft"] as? Int),
                melCount: try #require(config["n_mels"] as? Int), minimumFrequency: try #require(config["fmin"] as? Double),
                maximumFrequency: config["fmax"] as? Double, scale: (config["htk"] as? Bool) == true ? .htk : .slaney,
                normalization: (config["norm"] as? String) == "slaney" ? .slaney : .none)
            let ours = try MelFilterBank(configuration).denseWeights()
            for (key, tolerance) in [("float64", 1e-9), ("float32", 1e-6)] {
                let reference = try MelFilterBankTests.dense(try #require(entry[key] as? [String: Any]))
                #expect(reference.values.count == ours.count)
                let largest = reference.values.map(Swift.abs).max() ?? 1
                var worst = 0.0
                for (a, b) in zip(ours, reference.values) {
                    // relative per weight, with an absolute floor far below any weight that matters
                    worst = Swift.max(worst, Swift.abs(a - b) / Swift.max(Swift.abs(b), 1e-6 * largest))
                }
                #expect(worst <= tolerance, "\(config) vs librosa \(key): worst relative error \(worst)")
            }
        }
    }

    @Test func scalesRoundTrip() {
        for scale in [MelScale.slaney, .htk] {
            for frequency in [0.0, 440, 1000, 999.99, 8000, 22050] {
                let back = MelFilterBank.melToHertz(MelFilterBank.hertzToMel(frequency, scale: scale), scale: scale)
                #expect(Swift.abs(back - frequency) <= 1e-9 * Swift.max(1, frequency))
            }
        }
        #expect(Swift.abs(MelFilterBank.hertzToMel(1000, scale: .slaney) - 15) <= 1e-14)
    }
}
