import Foundation
import SAModels
import SANN
import SASampling
import SATensor
import SATestSupport
import Testing

/// End-to-end parity with stable-audio-tools' `generate_diffusion_cond` on the tiny U-Net and DiT model folders
/// (`Tests/Fixtures/make_sampler_fixtures.py`): SAT's conditioners and assembly, 8 steps of DPM-Solver++(2M) on the
/// polyexponential schedule (σ 0.03…80), batch CFG 3 (rescale φ 0.4 where SAT applies it), injected initial noise
/// and prompt embeddings; final latents and every step within 1e-3 of the latent scale (the bar), decoded
/// audio within 1e-4 of its scale.
@Suite struct EndToEndParityTests {
    struct InjectedPrompt: PromptConditioner {
        let output: ConditionerOutput
        func callAsFunction(_ prompts: [String]) throws -> ConditionerOutput { output }
    }

    @Test(arguments: ["e2e_tiny_unet", "e2e_tiny_dit", "e2e_tiny_dit_negative"])
    func matchesStableAudioTools(_ name: String) throws {
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let root = tests.path
        let e = try SafeTensorsFile(path: "\(root)/SASamplingTests/Resources/\(name).safetensors")
        let folder = tests.deletingLastPathComponent().path + "/" + e.metadata["model_folder"]!
        let prompt = ConditionerOutput(embeddings: try e.tensor(named: "in.prompt_embeds"), mask: try e.tensor(named: "in.prompt_mask"))
        var negativePrompt: ConditionerOutput?
        if e.entries["in.negative_prompt_embeds"] != nil {
            negativePrompt = ConditionerOutput(embeddings: try e.tensor(named: "in.negative_prompt_embeds"), mask: try e.tensor(named: "in.negative_prompt_mask"))
        }
        final class Box: @unchecked Sendable { var output: ConditionerOutput; init(_ o: ConditionerOutput) { output = o } }
        let box = Box(prompt)
        let model = try ConditionedDiffusionModel(folder: try ModelFolder(path: folder)) { _, width, scope, _ in
            _ = try scope.child("proj_out").tensor("weight", shape: [width, 768])
            _ = try scope.child("proj_out").tensor("bias", shape: [width])
            return InjectedPromptBox(box: box)
        }
        struct InjectedPromptBox: PromptConditioner { let box: Box; func callAsFunction(_ p: [String]) throws -> ConditionerOutput { box.output } }
        let starts = try e.tensor(named: "in.seconds_start").scalars, totals = try e.tensor(named: "in.seconds_total").scalars
        let batch: [[String: ConditioningValue]] = (0..<2).map { i in
            ["prompt": .text("injected"), "seconds_start": .number(Double(starts[i])), "seconds_total": .number(Double(totals[i]))]
        }
        let inputs = try model.condition(batch)
        var negative: ConditioningInputs?
        if let negativePrompt { box.output = negativePrompt; negative = try model.condition(batch); box.output = prompt }
        let rescale: Float = name == "e2e_tiny_dit" ? 0 : 0.4
        let sigmas = try PolyexponentialSchedule(sigmaMin: 0.03, sigmaMax: 80, rho: 1).sigmas(stepCount: 8)
        let x = try e.tensor(named: "in.noise") * Float(sigmas[0])
        let denoiser = VDenoiser { x, t in model.velocity(x, time: t, inputs: inputs, guidanceScale: 3, rescale: rescale, negative: negative) }
        var steps: [SamplerStep] = []
        let latents = try DPMSolverPlusPlus2M().sample(x, sigmas: sigmas, denoise: { try denoiser($0, sigma: $1) }, progress: { steps.append($0); return true })
        let expected = try e.tensor(named: "out.latents")
        let rel = (latents - expected).maximumAbsolute() / expected.maximumAbsolute()
        let den = try e.tensor(named: "out.denoised")
        var worstDen: Float = 0
        for (i, s) in steps.enumerated() {
            let r = den.slice(axis: 0, i..<(i+1)).squeezingDimension(0)
            worstDen = max(worstDen, (s.denoised - r).maximumAbsolute() / r.maximumAbsolute())
        }
        let audio = model.pretransform.decode(latents)
        let expectedAudio = try e.tensor(named: "out.audio")
        let audioError = (audio - expectedAudio).maximumAbsolute() / expectedAudio.maximumAbsolute()
        #expect(rel < 1e-3, "\(name): final latents relative error \(rel)")
        #expect(worstDen < 1e-3, "\(name): worst per-step denoised relative error \(worstDen)")
        #expect(audioError < 1e-4, "\(name): decoded audio relative error \(audioError)")
    }
}
