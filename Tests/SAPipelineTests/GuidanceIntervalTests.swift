import Foundation
import SAModels
import SAPipeline
import SATestSupport
import Testing

/// The CFG interval (SAT's `cfg_interval` on σ_v = sin(tπ/2)) as a request value and as a model default
/// (`stable_audio_swift.cfg_interval`), on the tiny DiT model: two steps at σ 500 and 0.3 (σ_v 1.0 and 0.29), so an
/// interval of 0.5…1 guides the first step only.
@Suite struct GuidanceIntervalTests {
    static func configuration(interval: ClosedRange<Double>?) -> GenerationConfiguration {
        var configuration = WindowLengthTests.configuration(seconds: 0.005, window: nil)
        configuration.guidanceScale = 3
        configuration.guidanceInterval = interval
        return configuration
    }

    @Test func theModelConfigSetsTheDefaultAndARequestOverridesIt() throws {
        let plain = try RequestValidationTests.pipeline()
        #expect(plain.defaults.guidanceInterval == 0...1)
        let everyStep = try plain.generate(Self.configuration(interval: nil))
        let firstStep = try plain.generate(Self.configuration(interval: 0.5...1))
        #expect(everyStep.guidanceInterval == 0...1 && firstStep.guidanceInterval == 0.5...1)
        // Guidance at σ 0.3 changes the clip, so leaving it out must too.
        #expect(everyStep.audio != firstStep.audio)
        try WindowLengthTests.withModel("interval-default", stableAudioSwift: ["cfg_interval": [0.5, 1]]) { folder in
            let pipeline = try RequestValidationTests.pipeline(modelPath: folder)
            #expect(pipeline.defaults.guidanceInterval == 0.5...1)
            let byDefault = try pipeline.generate(Self.configuration(interval: nil))
            #expect(byDefault.guidanceInterval == 0.5...1)
            #expect(byDefault.audio == firstStep.audio)
            let overridden = try pipeline.generate(Self.configuration(interval: 0...1))
            #expect(overridden.guidanceInterval == 0...1 && overridden.audio == everyStep.audio)
        }
    }

    @Test(arguments: ["[0.9, 0.1]", "[0.5]", "[-0.1, 1]", "[0, 1.5]", #"["0.1", 1]"#, #""0.1,1""#])
    func aBadModelDefaultIsAnErrorNamingTheKey(bounds: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(bounds.utf8), options: .fragmentsAllowed)
        let name = "interval-" + String(bounds.map { $0.isNumber ? $0 : "_" })
        try WindowLengthTests.withModel(name, stableAudioSwift: ["cfg_interval": value]) { folder in
            do {
                _ = try RequestValidationTests.pipeline(modelPath: folder)
                Issue.record("cfg_interval \(bounds) was accepted")
            } catch let error as ModelConfigurationError {
                #expect(error.description.contains("model_config.json: stable_audio_swift.cfg_interval: expected [lo, hi]"), "\(error)")
            }
        }
    }

    @Test func aRequestOutsideZeroToOneIsAnError() throws {
        let pipeline = try RequestValidationTests.pipeline()
        do {
            _ = try pipeline.generate(Self.configuration(interval: 0.2...1.5))
            Issue.record("cfg interval 0.2…1.5 was accepted")
        } catch let error as PipelineError {
            #expect(error.description.contains("cfg interval must lie within 0…1"), "\(error)")
        }
    }
}
