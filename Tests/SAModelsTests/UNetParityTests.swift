import Foundation
import SAModels
import SANN
import SATensor
import SATestSupport
import Testing

/// `adp_cfg_1d` (UNetCFG1d) parity against stable-audio-tools 0.0.19 on a tiny random-weight config
/// (`Resources/unet.safetensors` from `Tests/Fixtures/make_model_fixtures.py`): plain and masked forward passes,
/// the learned null condition, negative prompts, batch CFG with scale 3, and CFG-rescale at SAT's default
/// φ = 0.4 and at 0.7. Tolerance: 1e-4 of the output scale (whole tiny model; the bar is 1e-3).
@Suite struct UNetParityTests {
    static let path = Bundle.module.resourceURL!.path + "/unet.safetensors"

    struct Fixture {
        let file: SafeTensorsFile
        let model: UNet1D
        let x: Tensor, embedding: Tensor, mask: Tensor, negative: Tensor, negativeMask: Tensor
        let time: [Float]

        init() throws {
            file = try SafeTensorsFile(path: UNetParityTests.path)
            let configuration = try JSONDecoder().decode(UNetConfiguration.self, from: Data(file.metadata["config"]!.utf8))
            let store = ParameterStore(tensors: try file.fixtureWeights(), sourceName: "unet.safetensors")
            model = try UNet1D(store.root, configuration: configuration)
            try store.verifyAllUsed()
            x = try file.tensor(named: "in.x")
            embedding = try file.tensor(named: "in.embedding")
            mask = try file.tensor(named: "in.embedding_mask")
            negative = try file.tensor(named: "in.negative_embedding")
            negativeMask = try file.tensor(named: "in.negative_embedding_mask")
            time = try file.tensor(named: "in.t").scalars
        }

        func expectClose(_ actual: Tensor, _ name: String) throws {
            let expected = try file.tensor(named: "out.\(name)")
            let error = actual.shape == expected.shape ? (actual - expected).maximumAbsolute() / expected.maximumAbsolute() : .infinity
            #expect(error < 1e-4, "\(name): relative error \(error)")
        }
    }

    @Test func forwardPassesMatch() throws {
        let f = try Fixture()
        try f.expectClose(f.model.forward(f.x, time: f.time, embedding: f.embedding, mask: nil), "plain")
        try f.expectClose(f.model.forward(f.x, time: f.time, embedding: f.embedding, mask: f.mask), "masked")
        let null = f.model.nullEmbedding(batch: 2, length: f.embedding.shape[1])
        try f.expectClose(null, "debug.fixed_embedding_rows")
        try f.expectClose(f.model.forward(f.x, time: f.time, embedding: null, mask: f.mask), "uncond_fixed")
        let keep = f.negativeMask.expandingDimension(at: 2)
        let filled = f.negative * keep + null * (1 - keep)
        try f.expectClose(f.model.forward(f.x, time: f.time, embedding: filled, mask: f.mask), "negative_filled")
    }

    @Test func guidanceMatches() throws {
        let f = try Fixture()
        let cfg3 = ClassifierFreeGuidance(scale: 3)
        try f.expectClose(f.model(f.x, time: f.time, embedding: f.embedding, mask: f.mask, guidance: cfg3), "cfg3")
        try f.expectClose(f.model(f.x, time: f.time, embedding: f.embedding, mask: f.mask, guidance: cfg3), "cfg3_nobatch")
        try f.expectClose(f.model(f.x, time: f.time, embedding: f.embedding, mask: nil, guidance: cfg3), "cfg3_nomask")
        // generate_diffusion_cond passes rescale_cfg=True; UNetCFG1d's default scale_phi is then 0.4.
        try f.expectClose(f.model(f.x, time: f.time, embedding: f.embedding, mask: f.mask, guidance: ClassifierFreeGuidance(scale: 3, rescale: 0.4)), "cfg3_rescale_default")
        try f.expectClose(f.model(f.x, time: f.time, embedding: f.embedding, mask: f.mask, guidance: ClassifierFreeGuidance(scale: 3, rescale: 0.7)), "cfg3_rescale_phi0p7")
        let negative = ClassifierFreeGuidance(scale: 3, negativeEmbedding: f.negative, negativeMask: f.negativeMask)
        try f.expectClose(f.model(f.x, time: f.time, embedding: f.embedding, mask: f.mask, guidance: negative), "cfg3_negative")
        var negativeRescaled = negative
        negativeRescaled.rescale = 0.4
        try f.expectClose(f.model(f.x, time: f.time, embedding: f.embedding, mask: f.mask, guidance: negativeRescaled), "cfg3_negative_rescale_default")
    }

    @Test func unsupportedOptionsNameTheKey() throws {
        let file = try SafeTensorsFile(path: Self.path)
        let text = file.metadata["config"]!
        func error(_ modified: String) -> String {
            do {
                _ = try JSONDecoder().decode(UNetConfiguration.self, from: Data(modified.utf8))
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(error(text.replacingOccurrences(of: "\"use_nearest_upsample\": false", with: "\"use_nearest_upsample\": true")).contains("use_nearest_upsample: 'true' is not supported"))
        #expect(error(text.replacingOccurrences(of: "\"factors\": [1, 2, 4]", with: "\"factors\": [1, 2]")).contains("multipliers"))
    }
}
