import Foundation
import SASampling
import SATensor
import Testing

/// The whole `sample_k` path as the pipeline will run it: schedule → x₀ → sampler with `VDenoiser` around a v model,
/// against SAT 0.0.19's `sample_k` (`Resources/sample_k.safetensors`, stand-in v model, 10 steps,
/// polyexponential σmin 0.03 / σmax 80 / ρ 1, recorded SDE noise), including init data (σmax = init noise level 5)
/// and SAT's own v-ddim `sample()`. Tolerance 1e-5 of the tensor's scale per step; measured ≤ 1e-6.
@Suite struct SampleKParityTests {
    @Test(arguments: ["dpmpp-2m", "dpmpp-2m-sde", "dpmpp-3m-sde", "dpmpp-2m-init"])
    func kDiffusionSamplerMatchesSampleK(_ name: String) throws {
        let file = try SamplingFixtures.file("sample_k")
        let configuration = try #require(try SamplingFixtures.metadataObject(file, "cases")[name] as? [String: Any])
        let sigmaMax = try #require(configuration["sigma_max"] as? Double)
        let samplerType = try #require(configuration["sampler_type"] as? String)
        let kind = try #require(SamplerKind(rawValue: samplerType))
        let sigmas = try PolyexponentialSchedule(sigmaMin: 0.03, sigmaMax: sigmaMax, rho: 1).sigmas(stepCount: 10)
        let expectedSigmas = try file.tensor(named: "out.\(name).sigmas").scalars
        for (sigma, reference) in zip(sigmas, expectedSigmas) { #expect(abs(sigma - Double(reference)) <= 1e-5 * Double(reference)) }

        // sample_k: x = noise·σ₀ (+ init_data)
        var x = try file.tensor(named: "in.noise") * Float(sigmas[0])
        if name.hasSuffix("-init") { x = try file.tensor(named: "in.init_data") + x }
        let denoiser = VDenoiser(velocity: SamplingFixtures.standInVelocity)
        let sampler = kind.makeSampler()
        let recorder = SamplingFixtures.Recorder()
        let result: Tensor
        if sampler.isStochastic {
            var noise = RecordedNoiseSource(stacked: try file.tensor(named: "in.\(name).sde_noise"))
            result = try sampler.sample(x, sigmas: sigmas, denoise: { try denoiser($0, sigma: $1) }, noise: &noise,
                                        progress: recorder.record)
            #expect(noise.remainingCount == 0)
        } else {
            result = try sampler.sample(x, sigmas: sigmas, denoise: { try denoiser($0, sigma: $1) }, progress: recorder.record)
        }
        let xs = SamplingFixtures.expectTrajectory(recorder.xs + [result], try file.tensor(named: "out.\(name).xs"), "\(name) xs")
        let denoised = SamplingFixtures.expectTrajectory(recorder.denoised, try file.tensor(named: "out.\(name).denoised"),
                                                         "\(name) denoised")
        let final = SamplingFixtures.expectClose(result, try file.tensor(named: "out.\(name).final"), "\(name) final")
        print("sample_k \(name): max scaled |diff| xs \(xs), denoised \(denoised), final \(final)")
    }

    /// SAT's v-ddim directly on the v model in v-space, on the uniform angle schedule.
    @Test func vDDIMInVSpaceMatchesSAT() throws {
        let file = try SamplingFixtures.file("sample_k")
        let angles = try UniformAngleSchedule().angles(stepCount: 10)
        let recorder = SamplingFixtures.Recorder()
        var times: [Float] = []
        let result = try DDIMSampler().sample(velocityState: try file.tensor(named: "in.noise"), angles: angles, velocity: { x, t in
            times.append(t[0])
            return SamplingFixtures.standInVelocity(x, t)
        }, progress: recorder.record)
        let expectedTimes = try file.tensor(named: "out.v-ddim.t").scalars
        for (t, reference) in zip(times, expectedTimes) { #expect(abs(t - reference) <= 1e-7) }
        let xs = SamplingFixtures.expectTrajectory(recorder.xs + [result], try file.tensor(named: "out.v-ddim.xs"), "v-ddim xs")
        let denoised = SamplingFixtures.expectTrajectory(recorder.denoised, try file.tensor(named: "out.v-ddim.denoised"),
                                                         "v-ddim pred")
        let final = SamplingFixtures.expectClose(result, try file.tensor(named: "out.v-ddim.final"), "v-ddim final")
        print("sample_k v-ddim (v-space): max scaled |diff| xs \(xs), pred \(denoised), final \(final)")
    }

    /// The same v-ddim run through the `Sampler` protocol (k-diffusion scaling, `VDenoiser`), starting from
    /// x = noise·σ₀ with σ₀ = tan(π/2) ≈ 1.6e16; states compared after mapping back to v-space (z = x·cos δ).
    @Test func vDDIMThroughSamplerProtocolMatchesSAT() throws {
        let file = try SamplingFixtures.file("sample_k")
        let sigmas = try UniformAngleSchedule().sigmas(stepCount: 10)
        let denoiser = VDenoiser(velocity: SamplingFixtures.standInVelocity)
        let recorder = SamplingFixtures.Recorder()
        let x = try file.tensor(named: "in.noise") * Float(sigmas[0])
        let result = try SamplerKind.ddim.makeSampler().sample(x, sigmas: sigmas, denoise: { try denoiser($0, sigma: $1) },
                                                               progress: recorder.record)
        let vSpace = recorder.steps.map { $0.x * Float(cos(atan($0.sigma))) }
        let xs = SamplingFixtures.expectTrajectory(vSpace + [result], try file.tensor(named: "out.v-ddim.xs"), "ddim xs")
        let denoised = SamplingFixtures.expectTrajectory(recorder.denoised, try file.tensor(named: "out.v-ddim.denoised"),
                                                         "ddim denoised")
        print("sample_k v-ddim (Sampler protocol): max scaled |diff| xs \(xs), denoised \(denoised)")
    }
}
