import Foundation
import SASampling
import SATensor
import Testing

/// The sampling half of the end-to-end fixtures (`Resources/e2e_tiny_*.safetensors`, SAT's
/// `generate_diffusion_cond` with 8 steps of dpmpp-2m on the tiny models): schedule, starting state and solver,
/// with the model replaced by a replay of SAT's recorded per-step denoiser outputs (`out.denoised[i]`, CFG
/// included). The full runs, with the Swift model in the loop, belong to the pipeline tests; this pins down
/// everything else they depend on. Tolerance 1e-5 of the latent scale; measured ≤ 1e-6.
@Suite struct EndToEndReplayTests {
    @Test(arguments: ["e2e_tiny_unet", "e2e_tiny_dit", "e2e_tiny_dit_negative"])
    func samplerReproducesSATLatentsFromRecordedDenoiserOutputs(_ name: String) throws {
        let file = try SamplingFixtures.file(name)
        #expect(file.metadata["steps"] == "8" && file.metadata["cfg_scale"] == "3.0")
        let kwargs = try SamplingFixtures.metadataObject(file, "sampler_kwargs")
        #expect(kwargs["sampler_type"] as? String == "dpmpp-2m")
        let sigmaMin = try #require(kwargs["sigma_min"] as? Double), sigmaMax = try #require(kwargs["sigma_max"] as? Double)
        let rho = try #require(kwargs["rho"] as? Double)
        let sigmas = try PolyexponentialSchedule(sigmaMin: sigmaMin, sigmaMax: sigmaMax, rho: rho).sigmas(stepCount: 8)
        for (sigma, reference) in zip(sigmas, try file.tensor(named: "out.sigmas").scalars) {
            #expect(abs(sigma - Double(reference)) <= 1e-5 * Double(reference))
        }
        let recorded = SamplingFixtures.unstack(try file.tensor(named: "out.denoised"))
        // generate_diffusion_cond → sample_k: x = in.noise · σ₀
        let x = try file.tensor(named: "in.noise") * Float(sigmas[0])
        var step = 0
        let recorder = SamplingFixtures.Recorder()
        let latents = try #require(SamplerKind(rawValue: "dpmpp-2m")).makeSampler().sample(x, sigmas: sigmas, denoise: { x, sigma in
            #expect(sigma == sigmas[step])
            defer { step += 1 }
            return recorded[step]
        }, progress: recorder.record)
        let xs = SamplingFixtures.expectTrajectory(recorder.xs + [latents], try file.tensor(named: "out.xs"), "\(name) xs")
        let final = SamplingFixtures.expectClose(latents, try file.tensor(named: "out.latents"), "\(name) latents")
        print("\(name) (replayed denoiser): max scaled |diff| xs \(xs), latents \(final)")
    }
}
