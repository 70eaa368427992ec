import Foundation
import SASampling
import SATensor
import SATestSupport
import Testing

/// `VDenoiser` against k-diffusion's `external.VDenoiser` (`Resources/vdenoiser.safetensors`): scalings and t for 12
/// sigmas from 0 to 1000 (1e-6 absolute, the README's tolerance) and D(x, σ) with the stand-in v model and one σ
/// per batch item (1e-5 of the output scale).
@Suite struct VDenoiserTests {
    @Test func scalingsMatchKDiffusion() throws {
        let file = try SamplingFixtures.file("vdenoiser")
        let sigmas = SamplingFixtures.doubles(try file.tensor(named: "in.sigmas"))
        let scalings = sigmas.map(VDenoiser.scalings(sigma:))
        let columns: [(String, [Double])] = [
            ("c_skip", scalings.map(\.cSkip)), ("c_out", scalings.map(\.cOut)), ("c_in", scalings.map(\.cIn)),
            ("t", sigmas.map(VDenoiser.time(sigma:))),
        ]
        for (name, values) in columns {
            let expected = try file.tensor(named: "out.\(name)").scalars
            let worst = zip(values, expected).map { abs($0 - Double($1)) }.max() ?? .nan
            #expect(worst <= 1e-6, "\(name): max |diff| \(worst)")
            print("vdenoiser \(name): max |diff| \(worst)")
        }
    }

    @Test func timeAndSigmaAreInverse() throws {
        for sigma in [0, 1e-4, 0.03, 1, 80, 1000, 1e6] {
            let back = VDenoiser.sigma(time: VDenoiser.time(sigma: sigma))
            // tan is ill-conditioned near π/2 (dσ/dδ = 1 + σ²): relative error grows like σ·ulp.
            #expect(abs(back - sigma) <= 1e-9 * max(1, sigma), "σ \(sigma) → \(back)")
        }
        #expect(VDenoiser.time(sigma: .infinity) == 1)
        // k-diffusion's t_to_sigma in float32 (tan near π/2 amplifies float32 rounding of t, so compare loosely).
        let file = try SamplingFixtures.file("vdenoiser")
        let t = try file.tensor(named: "out.t").scalars, expected = try file.tensor(named: "out.t_to_sigma").scalars
        for (time, reference) in zip(t, expected) {
            let sigma = VDenoiser.sigma(time: Double(time))
            #expect(abs(sigma - Double(reference)) <= 1e-3 * max(1, Double(reference)), "t \(time): \(sigma) vs \(reference)")
        }
    }

    @Test func denoisedMatchesKDiffusion() throws {
        let file = try SamplingFixtures.file("vdenoiser")
        let sigmas = SamplingFixtures.doubles(try file.tensor(named: "in.sigmas"))
        let x = try file.tensor(named: "in.x")
        let denoiser = VDenoiser(velocity: SamplingFixtures.standInVelocity)
        let error = SamplingFixtures.expectClose(try denoiser(x, sigmas: sigmas), try file.tensor(named: "out.denoised"), "denoised")
        print("vdenoiser denoised: max scaled |diff| \(error)")
    }

    @Test func sharedSigmaEqualsPerItemSigmas() throws {
        let x = randomTensor([3, 2, 5], seed: 7)
        let denoiser = VDenoiser(velocity: SamplingFixtures.standInVelocity)
        #expect(try denoiser(x, sigma: 2.5) == (try denoiser(x, sigmas: [2.5, 2.5, 2.5])))
        // σ = 0: c_skip = 1, c_out = 0 ⇒ D(x, 0) = x.
        #expect(try denoiser(x, sigma: 0) == x)
    }

    @Test func invalidSigmaIsRejected() throws {
        let denoiser = VDenoiser(velocity: SamplingFixtures.standInVelocity)
        let x = Tensor(zeros: [1, 2, 3])
        for bad in [-1.0, .nan, .infinity] {
            #expect(throws: SamplingError.self) { try denoiser(x, sigma: bad) }
        }
    }
}
