import Foundation
import SAModels
import SANN
import SATensor
import SATestSupport
import Testing

/// DiT (continuous transformer) parity against stable-audio-tools 0.0.19 on a tiny random-weight config with
/// SAO's structure (`Resources/dit.safetensors`: rotary on 32 of 40 head dims, one key/value head for two query
/// heads, prepended global token): conditional pass, the zero-context null condition, negative prompts, batch
/// CFG, CFG-rescale and the CFG interval. Tolerance: 1e-4 of the output scale.
@Suite struct DiTParityTests {
    static let path = Bundle.module.resourceURL!.path + "/dit.safetensors"

    @Test func forwardAndGuidanceMatch() throws {
        let file = try SafeTensorsFile(path: Self.path)
        let configuration = try JSONDecoder().decode(DiTConfiguration.self, from: Data(file.metadata["config"]!.utf8))
        let store = ParameterStore(tensors: try file.fixtureWeights(), sourceName: "dit.safetensors")
        let model = try DiffusionTransformer(store.root, configuration: configuration)
        try store.verifyAllUsed()

        let x = try file.tensor(named: "in.x"), time = try file.tensor(named: "in.t").scalars
        let context = try file.tensor(named: "in.cross_attn_cond"), global = try file.tensor(named: "in.global_cond")
        let negative = try file.tensor(named: "in.negative_cross_attn_cond"), negativeMask = try file.tensor(named: "in.negative_cross_attn_mask")
        func expectClose(_ actual: Tensor, _ name: String) throws {
            let expected = try file.tensor(named: "out.\(name)")
            let error = actual.shape == expected.shape ? (actual - expected).maximumAbsolute() / expected.maximumAbsolute() : .infinity
            #expect(error < 1e-4, "\(name): relative error \(error)")
        }
        try expectClose(model.timestepFeatures(time), "debug.timestep_features")
        try expectClose(model.forward(x, time: time, context: context, globalCondition: global), "cond")
        try expectClose(model.forward(x, time: time, context: context, globalCondition: global), "cond_with_mask")
        try expectClose(model.forward(x, time: time, context: Tensor(zeros: context.shape), globalCondition: global), "uncond_zero")
        try expectClose(model.forward(x, time: time, context: negative * negativeMask.expandingDimension(at: 2), globalCondition: global), "negative_filled")

        try expectClose(model(x, time: time, context: context, globalCondition: global, guidance: ClassifierFreeGuidance(scale: 3)), "cfg3")
        // DiTWrapper ignores rescale_cfg; only scale_phi rescales.
        try expectClose(model(x, time: time, context: context, globalCondition: global, guidance: ClassifierFreeGuidance(scale: 3)), "cfg3_rescale_cfg_flag")
        try expectClose(model(x, time: time, context: context, globalCondition: global, guidance: ClassifierFreeGuidance(scale: 3, rescale: 0.7)), "cfg3_phi0p7")
        let negativeGuidance = ClassifierFreeGuidance(scale: 3, negativeEmbedding: negative, negativeMask: negativeMask)
        try expectClose(model(x, time: time, context: context, globalCondition: global, guidance: negativeGuidance), "cfg3_negative")
        var negativeRescaled = negativeGuidance
        negativeRescaled.rescale = 0.4
        try expectClose(model(x, time: time, context: context, globalCondition: global, guidance: negativeRescaled), "cfg3_negative_phi0p4")
        // σ₀ = sin(0.37·π/2) ≈ 0.55 lies outside [0.6, 1]: no guidance for the whole batch.
        try expectClose(model(x, time: time, context: context, globalCondition: global, guidance: ClassifierFreeGuidance(scale: 3),
                              guidanceInterval: 0.6...1), "cfg3_interval_0p6_1")
    }

    @Test func headWidthBelowRotaryWidthIsRejected() throws {
        let text = #"{"io_channels": 8, "embed_dim": 32, "depth": 1, "num_heads": 4, "cond_token_dim": 8}"#
        #expect(throws: ModelConfigurationError.self) { try JSONDecoder().decode(DiTConfiguration.self, from: Data(text.utf8)) }
    }
}
