import Foundation
import SASampling
import SATensor
import Testing

/// The DPM-Solver++ samplers against k-diffusion 0.1.1's `sample_dpmpp_2m`, `sample_dpmpp_2m_sde` (midpoint and
/// heun) and `sample_dpmpp_3m_sde` (`Resources/samplers.safetensors`), driven by the fixture script's stand-in
/// x₀-denoiser on polyexponential(10, 0.03, 80, 1) and Karras(12, 0.05, 50, 7) sigmas, with the recorded SDE
/// noise replayed in call order. Every step's x and denoised estimate and the result are compared at 1e-5 of the
/// tensor's scale (max(1, max|x|)); measured ≤ 1e-6.
@Suite struct SamplerParityTests {
    static let cases = ["dpmpp_2m.poly10", "dpmpp_2m_sde.poly10", "dpmpp_3m_sde.poly10", "dpmpp_2m.karras12",
                        "dpmpp_3m_sde.karras12", "dpmpp_2m_sde_heun.poly10"]

    static func sampler(for kind: String) -> any Sampler {
        switch kind {
        case "dpmpp_2m": return DPMSolverPlusPlus2M()
        case "dpmpp_2m_sde": return DPMSolverPlusPlus2MSDE()
        case "dpmpp_2m_sde_heun": return DPMSolverPlusPlus2MSDE(solverType: .heun)
        default: return DPMSolverPlusPlus3MSDE()
        }
    }

    @Test func fixtureHasExactlyTheseCases() throws {
        let cases = try SamplingFixtures.metadataObject(try SamplingFixtures.file("samplers"), "cases")
        #expect(Set(cases.keys) == Set(Self.cases))
    }

    @Test(arguments: cases)
    func samplerMatchesKDiffusion(_ name: String) throws {
        let file = try SamplingFixtures.file("samplers")
        let kind = String(name.split(separator: ".")[0])
        let sampler = Self.sampler(for: kind)
        let sigmaTensor = try file.tensor(named: "in.\(name).sigmas")
        let sigmas = SamplingFixtures.doubles(sigmaTensor)
        // x = noise · sigmas[0]  (float32 product, as the script does)
        let x = try file.tensor(named: "in.\(name).noise") * sigmaTensor.scalars[0]
        let recorder = SamplingFixtures.Recorder()
        let result: Tensor
        if sampler.isStochastic {
            var noise = RecordedNoiseSource(stacked: try file.tensor(named: "in.\(name).sde_noise"))
            result = try sampler.sample(x, sigmas: sigmas, denoise: SamplingFixtures.standInDenoiser, noise: &noise,
                                        progress: recorder.record)
            // One draw per step with σᵢ₊₁ > 0, all used, with the step's σ pair.
            #expect(noise.remainingCount == 0 && noise.usedCount == sigmas.count - 2)
            #expect(noise.usedCount == sampler.noiseDrawCount(sigmas: sigmas))
            for (j, call) in noise.calls.enumerated() { #expect(call.sigma == sigmas[j] && call.sigmaNext == sigmas[j + 1]) }
        } else {
            result = try sampler.sample(x, sigmas: sigmas, denoise: SamplingFixtures.standInDenoiser, progress: recorder.record)
        }
        #expect(recorder.steps.map(\.index) == Array(0..<(sigmas.count - 1)))
        let xs = SamplingFixtures.expectTrajectory(recorder.xs + [result], try file.tensor(named: "out.\(name).xs"), "\(name) xs")
        let denoised = SamplingFixtures.expectTrajectory(recorder.denoised, try file.tensor(named: "out.\(name).denoised"),
                                                         "\(name) denoised")
        let final = SamplingFixtures.expectClose(result, try file.tensor(named: "out.\(name).final"), "\(name) final")
        print("samplers \(name): max scaled |diff| xs \(xs), denoised \(denoised), final \(final)")
    }
}
