import Foundation
import SAAudio
import SAMetrics
import Testing

/// EBU Tech 3341 / 3342 cases synthesised at 48 and 44.1 kHz, and parity with pyloudnorm's DeMan filters.
@Suite struct LoudnessTests {
    static let rates = [48000, 44100]

    static func deman(_ rate: Int, _ name: String) throws -> Double {
        let fixture = try Fixtures.json("loudness_reference.json")
        let table = (fixture["pyloudnorm_deman"] as? [String: [String: Double]])?[String(rate)]
        guard let value = table?[name] else { throw MetricsError("loudness_reference.json", "no value for \(name) at \(rate)") }
        return value
    }

    static func measure(_ audio: AudioBuffer) throws -> LoudnessMeasurement {
        try withChannels(audio) { try LoudnessMeter.measure(channels: $0, sampleRate: audio.sampleRate) }
    }

    @Test func kFilterAt48kHzEqualsTheITUTable() {
        let filter = KWeightingFilter(sampleRate: 48000)
        // ref: ITU-R BS.1770-4 Tables 1 and 2
        let shelfB = [1.53512485958697, -2.69169618940638, 1.19839281085285]
        let shelfA = [1.0, -1.69065929318241, 0.73248077421585]
        let highPassA = [1.0, -1.99004745483398, 0.99007225036621]
        for (ours, table) in zip(filter.shelf.numerator + filter.shelf.denominator + filter.highPass.numerator + filter.highPass.denominator,
                                 shelfB + shelfA + [1, -2, 1] + highPassA) {
            #expect(Swift.abs(ours - table) <= 1e-12, "K-filter coefficient \(ours) vs ITU \(table)")
        }
    }

    @Test func kFilterAt44100MatchesThePrototypeFormula() throws {
        let fixture = try Fixtures.json("loudness_reference.json")
        let reference = try #require(fixture["k_filter_44100"] as? [String: [Double]])
        let filter = KWeightingFilter(sampleRate: 44100)
        let pairs: [([Double], String)] = [(filter.shelf.numerator, "shelf_b"), (filter.shelf.denominator, "shelf_a"),
                                           (filter.highPass.numerator, "highpass_b"), (filter.highPass.denominator, "highpass_a")]
        for (ours, key) in pairs {
            let expected = try #require(reference[key])
            for (a, b) in zip(ours, expected) { #expect(Swift.abs(a - b) <= 1e-12, "\(key): \(a) vs \(b)") }
        }
    }

    static let integratedCases: [(String, [(Double, Double?)], Double)] = [
        ("3341-1", [(20, -23)], -23), ("3341-2", [(20, -33)], -33),
        ("3341-3", [(10, -36), (60, -23), (10, -36)], -23),
        ("3341-4", [(10, -72), (10, -36), (60, -23), (10, -36), (10, -72)], -23),
        ("3341-5", [(20, -26), (20.1, -20), (20, -26)], -23),
    ]

    @Test(arguments: rates) func tech3341Cases1To5(rate: Int) throws {
        for (name, segments, expected) in LoudnessTests.integratedCases {
            let measured = try LoudnessTests.measure(TestSignals.toneSegments(segments, sampleRate: rate))
            let integrated = try #require(measured.integrated)
            #expect(Swift.abs(integrated - expected) <= 0.1, "\(name) at \(rate): I = \(integrated)")
            #expect(Swift.abs(integrated - (try LoudnessTests.deman(rate, name))) <= 0.01, "\(name) at \(rate): I = \(integrated) vs pyloudnorm DeMan")
            if name == "3341-1" || name == "3341-2" {
                #expect(Swift.abs(try #require(measured.momentaryMaximum) - expected) <= 0.1, "\(name) M")
                #expect(Swift.abs(try #require(measured.shortTermMaximum) - expected) <= 0.1, "\(name) S")
                // M and S stay at the level for the whole tone (after the first window).
                #expect(measured.momentarySeries.allSatisfy { Swift.abs($0 - expected) <= 0.1 }, "\(name) M series")
                #expect(measured.shortTermSeries.allSatisfy { Swift.abs($0 - expected) <= 0.1 }, "\(name) S series")
            }
        }
    }

    @Test(arguments: rates) func tech3341Case6FiveChannels(rate: Int) throws {
        let audio = TestSignals.toneSegments([(20, 0)], sampleRate: rate, channelLevels: [-28, -28, -24, -30, -30])
        let integrated = try #require(try LoudnessTests.measure(audio).integrated)
        #expect(Swift.abs(integrated + 23) <= 0.1, "3341-6 at \(rate): \(integrated)")
        #expect(Swift.abs(integrated - (try LoudnessTests.deman(rate, "3341-6"))) <= 0.01)
    }

    @Test(arguments: rates) func tech3341Case9ShortTermIsConstant(rate: Int) throws {
        let segments = Array(repeating: [(1.34, -20.0), (1.66, -30.0)] as [(Double, Double?)], count: 5).flatMap { $0 }
        let measured = try LoudnessTests.measure(TestSignals.toneSegments(segments, sampleRate: rate))
        // S values every 100 ms from t = 3 s on
        #expect(!measured.shortTermSeries.isEmpty)
        for value in measured.shortTermSeries { #expect(Swift.abs(value + 23) <= 0.1, "3341-9 at \(rate): S = \(value)") }
    }

    @Test(arguments: rates) func tech3341Case10MaximumShortTerm(rate: Int) throws {
        for i in 0..<20 {
            let audio = TestSignals.toneSegments([(Double(i) * 0.15, nil), (3, -23), (1, nil)], sampleRate: rate)
            let maximum = try #require(try LoudnessTests.measure(audio).shortTermMaximum)
            #expect(Swift.abs(maximum + 23) <= 0.1, "3341-10-\(i + 1) at \(rate): max S = \(maximum)")
        }
    }

    @Test(arguments: rates) func tech3341Case12MomentaryIsConstant(rate: Int) throws {
        let segments = Array(repeating: [(0.18, -20.0), (0.22, -30.0)] as [(Double, Double?)], count: 25).flatMap { $0 }
        let measured = try LoudnessTests.measure(TestSignals.toneSegments(segments, sampleRate: rate))
        // Block j ends at 0.1·j + 0.4 s; "after 1 s" means j ≥ 6.
        for value in measured.momentarySeries.dropFirst(6) { #expect(Swift.abs(value + 23) <= 0.1, "3341-12 at \(rate): M = \(value)") }
    }

    @Test(arguments: rates) func tech3341Case13MaximumMomentary(rate: Int) throws {
        for i in 0..<20 {
            let audio = TestSignals.toneSegments([(Double(i) * 0.02, nil), (0.4, -23), (1, nil)], sampleRate: rate)
            let maximum = try #require(try LoudnessTests.measure(audio).momentaryMaximum)
            #expect(Swift.abs(maximum + 23) <= 0.1, "3341-13-\(i + 1) at \(rate): max M = \(maximum)")
        }
    }

    @Test(arguments: rates) func tech3342LoudnessRange(rate: Int) throws {
        let cases: [(String, [(Double, Double?)], Double)] = [
            ("3342-1", [(20, -20), (20, -30)], 10), ("3342-2", [(20, -20), (20, -15)], 5),
            ("3342-3", [(20, -40), (20, -20)], 20), ("3342-4", [(20, -50), (20, -35), (20, -20), (20, -35), (20, -50)], 15),
        ]
        for (name, segments, expected) in cases {
            let measured = try LoudnessTests.measure(TestSignals.toneSegments(segments, sampleRate: rate))
            let range = try #require(measured.loudnessRange)
            #expect(Swift.abs(range - expected) <= 1, "\(name) at \(rate): LRA = \(range)")
            #expect(Swift.abs(range - expected) <= 0.05, "\(name) at \(rate): LRA = \(range) (expected near-exact integers)")
            let integrated = try #require(measured.integrated)
            #expect(Swift.abs(integrated - (try LoudnessTests.deman(rate, name))) <= 0.01, "\(name) I = \(integrated) vs DeMan")
        }
    }

    @Test(arguments: rates) func noiseMatchesPyloudnormDeMan(rate: Int) throws {
        let loud = 10 * rate, quiet = 5 * rate
        let left = TestSignals.scaled(TestSignals.noise(seed: 11, count: loud), 0.25) + TestSignals.scaled(TestSignals.noise(seed: 13, count: quiet), 0.01)
        let right = TestSignals.scaled(TestSignals.noise(seed: 12, count: loud), 0.25) + TestSignals.scaled(TestSignals.noise(seed: 14, count: quiet), 0.01)
        let integrated = try #require(try LoudnessTests.measure(TestSignals.buffer([left, right], sampleRate: rate)).integrated)
        #expect(Swift.abs(integrated - (try LoudnessTests.deman(rate, "noise"))) <= 0.01, "noise at \(rate): \(integrated)")
    }

    @Test func silenceIsGatedOut() throws {
        let measured = try LoudnessTests.measure(TestSignals.toneSegments([(2, nil)], sampleRate: 48000))
        #expect(measured.integrated == nil)
        #expect(measured.silentBlockCount == measured.blockCount)
    }

    @Test func unsupportedLayoutsAndRatesAreRejected() {
        let quad = TestSignals.toneSegments([(1, -23)], sampleRate: 48000, channelLevels: [0, 0, 0, 0])
        #expect(throws: MetricsError.self) { try LoudnessTests.measure(quad) }
        let slow = TestSignals.toneSegments([(1, -23)], sampleRate: 4000)
        #expect(throws: MetricsError.self) { try LoudnessTests.measure(slow) }
    }
}
