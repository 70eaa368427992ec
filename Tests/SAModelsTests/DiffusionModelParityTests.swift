import Foundation
import SAModels
import SANN
import SATensor
import SATestSupport
import Testing

/// Whole tiny `diffusion_cond` models (U-Net + int timing, DiT + number timing), saved by stable-audio-tools as
/// model folders and loaded here with strict key verification: conditioner outputs, SAT's assembly of
/// cross-attention and global conditions, one backbone step as `generate_diffusion_cond` calls it (CFG 1 and 3,
/// batch CFG, `rescale_cfg=True`), the pretransform decode, and SAT's per-component parameter counts.
@Suite struct DiffusionModelParityTests {
    static let resources = Bundle.module.resourceURL!.path

    /// Stands in for the T5 prompt conditioner: takes its `proj_out` weights (so strict loading passes) and returns
    /// the fixture's precomputed prompt embeddings.
    struct InjectedPrompt: PromptConditioner {
        let output: ConditionerOutput
        func callAsFunction(_ prompts: [String]) throws -> ConditionerOutput { output }
    }

    @Test(arguments: ["tiny_unet_model", "tiny_dit_model"])
    func wholeModelMatches(name: String) throws {
        let io = try SafeTensorsFile(path: "\(Self.resources)/\(name).io.safetensors")
        let prompt = ConditionerOutput(embeddings: try io.tensor(named: "in.prompt_embeds"), mask: try io.tensor(named: "in.prompt_mask"))
        let model = try ConditionedDiffusionModel(folder: try ModelFolder(path: "\(Self.resources)/\(name)")) { specification, width, scope, _ in
            _ = try scope.child("proj_out").tensor("weight", shape: [width, 768])
            _ = try scope.child("proj_out").tensor("bias", shape: [width])
            #expect(specification.type == "t5")
            return InjectedPrompt(output: prompt)
        }
        let seconds = try #require(try JSONSerialization.jsonObject(with: Data(io.metadata["seconds"]!.utf8)) as? [String: [NSNumber]])
        let batch: [[String: ConditioningValue]] = (0..<2).map { item in
            ["prompt": .text("injected"), "seconds_start": .number(seconds["seconds_start"]![item].doubleValue),
             "seconds_total": .number(seconds["seconds_total"]![item].doubleValue)]
        }
        func expectClose(_ actual: Tensor?, _ key: String, tolerance: Float = 1e-4) throws {
            let expected = try io.tensor(named: key)
            guard let actual else { Issue.record("\(key): missing"); return }
            let error = actual.shape == expected.shape ? (actual - expected).maximumAbsolute() / max(expected.maximumAbsolute(), 1e-12) : .infinity
            #expect(error < tolerance, "\(name) \(key): relative error \(error)")
        }
        let outputs = try model.conditionerOutputs(batch)
        for id in ["seconds_start", "seconds_total"] {
            try expectClose(outputs[id]?.embeddings, "out.cond.\(id).embeds")
            try expectClose(outputs[id]?.mask, "out.cond.\(id).mask")
        }
        let inputs = try model.assemble(outputs)
        try expectClose(inputs.crossAttention, "out.cross_attn_cond")
        try expectClose(inputs.crossAttentionMask, "out.cross_attn_mask")
        if io.entries["out.global_cond"] != nil { try expectClose(inputs.global, "out.global_cond") }

        let x = try io.tensor(named: "in.x"), time = try io.tensor(named: "in.t").scalars
        // generate_diffusion_cond passes batch_cfg=True, rescale_cfg=True: φ = 0.4 for the U-Net, ignored by the DiT.
        let rescale: Float = name.contains("unet") ? 0.4 : 0
        try expectClose(model.velocity(x, time: time, inputs: inputs), "out.forward_cfg1")
        try expectClose(model.velocity(x, time: time, inputs: inputs, guidanceScale: 3, rescale: rescale), "out.forward_cfg3")
        try expectClose(model.pretransform.decode(try io.tensor(named: "in.latents")), "out.decoded_audio")
    }

    @Test(arguments: ["tiny_unet_model", "tiny_dit_model"])
    func inspectCountsEqualSATs(name: String) throws {
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(Self.resources)/\(name).inspect.json"))) as? [String: Any])
        let components = try #require(expected["components"] as? [String: [String: Int]])
        let summary = try CheckpointSummary(folder: try ModelFolder(path: "\(Self.resources)/\(name)"))
        let counted = try #require(summary.components)
        #expect(Set(counted.map(\.component)) == Set(components.keys))
        for component in counted {
            #expect(component.parameterCount == components[component.component]?["parameters"], "\(component.component)")
            #expect(component.storedElementCount == components[component.component]?["state_dict_elements"], "\(component.component)")
            #expect(component.tensorCount == components[component.component]?["state_dict_tensors"], "\(component.component)")
        }
        #expect(summary.parameterCount == expected["total_state_dict_elements"] as? Int)
    }

    @Test func configurationErrorsNameTheKey() throws {
        let path = "\(Self.resources)/tiny_dit_model/model_config.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        func error(_ modified: String) -> String {
            do {
                _ = try ModelConfiguration(json: Data(modified.utf8), path: "cfg.json")
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(error(text.replacingOccurrences(of: "\"dit\"", with: "\"mmdit\"")).contains("model.diffusion.type: 'mmdit' is not supported (supported: adp_cfg_1d, dit)"))
        #expect(error(text.replacingOccurrences(of: "\"type\": \"number\"", with: "\"type\": \"clap_text\"")).contains("is not supported"))
        #expect(error(text.replacingOccurrences(of: "\"global_cond_ids\": [", with: "\"global_cond_ids\": [\"fps\", ")).contains("names conditioner 'fps'"))
    }
}
