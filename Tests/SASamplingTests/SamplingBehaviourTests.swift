import Foundation
import SASampling
import SATensor
import SATestSupport
import Testing

/// Determinism, noise sources, cancellation, equivalences between the DDIM entry points, and bad input.
@Suite struct SamplingBehaviourTests {
    static func denoise(_ x: Tensor, _ sigma: Double) throws -> Tensor {
        try VDenoiser(velocity: SamplingFixtures.standInVelocity)(x, sigma: sigma)
    }

    // MARK: Determinism and noise

    @Test(arguments: SamplerKind.allCases)
    func sameSeedGivesIdenticalTensors(_ kind: SamplerKind) throws {
        let sigmas = try PolyexponentialSchedule(sigmaMin: 0.3, sigmaMax: 500).sigmas(stepCount: 12)
        func run(seed: UInt64) throws -> Tensor {
            var noise = SeededNoiseSource(seed: seed)
            let x = noise.draw(shape: [2, 8, 33]) * Float(sigmas[0])
            return try kind.makeSampler().sample(x, sigmas: sigmas, denoise: Self.denoise, noise: &noise)
        }
        let first = try run(seed: 42), second = try run(seed: 42)
        #expect(first.scalars.map(\.bitPattern) == second.scalars.map(\.bitPattern))
        #expect(first.scalars.allSatisfy { $0.isFinite })
        #expect(try run(seed: 43) != first)
    }

    @Test func seededNoiseIsStandardNormalAndCounted() throws {
        var source = SeededNoiseSource(seed: 1)
        let draw = try source.noise(shape: [4, 64, 1001], sigma: 2, sigmaNext: 1)
        let count = Double(draw.count)
        let mean = draw.scalars.reduce(0.0) { $0 + Double($1) } / count
        let variance = draw.scalars.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.01, "mean \(mean), variance \(variance)")
        #expect(source.drawCount == 1)
        // Independent of what was asked before only through the stream: a fresh source repeats it exactly.
        var again = SeededNoiseSource(seed: 1)
        #expect(again.draw(shape: [4, 64, 1001]) == draw)
    }

    @Test func stochasticSamplersDrawOncePerNonFinalStep() throws {
        let sigmas = try KarrasSchedule(sigmaMin: 0.05, sigmaMax: 50).sigmas(stepCount: 7)
        for sampler in [DPMSolverPlusPlus2MSDE() as any Sampler, DPMSolverPlusPlus3MSDE()] {
            var noise = SeededNoiseSource(seed: 9)
            _ = try sampler.sample(Tensor(repeating: 1, shape: [1, 2, 4]), sigmas: sigmas, denoise: Self.denoise, noise: &noise)
            #expect(noise.drawCount == 6 && sampler.noiseDrawCount(sigmas: sigmas) == 6)
        }
        // η = 0: the ODE variants draw nothing and need no source.
        for sampler in [DPMSolverPlusPlus2MSDE(eta: 0) as any Sampler, DPMSolverPlusPlus3MSDE(eta: 0)] {
            #expect(!sampler.isStochastic)
            _ = try sampler.sample(Tensor(repeating: 1, shape: [1, 2, 4]), sigmas: sigmas, denoise: Self.denoise)
        }
    }

    @Test func recordedNoiseSourceReportsExhaustionAndShape() throws {
        let sigmas = try PolyexponentialSchedule(sigmaMin: 0.03, sigmaMax: 80).sigmas(stepCount: 4)
        let x = Tensor(repeating: 1, shape: [1, 2, 3])
        var short = RecordedNoiseSource([Tensor(zeros: [1, 2, 3])])
        #expect(throws: SamplingError.noiseExhausted(requested: 2, available: 1)) {
            try DPMSolverPlusPlus3MSDE().sample(x, sigmas: sigmas, denoise: Self.denoise, noise: &short)
        }
        var wrong = RecordedNoiseSource([Tensor(zeros: [1, 3, 2])])
        #expect(throws: SamplingError.noiseShapeMismatch(expected: [1, 2, 3], actual: [1, 3, 2])) {
            try DPMSolverPlusPlus2MSDE().sample(x, sigmas: sigmas, denoise: Self.denoise, noise: &wrong)
        }
        #expect(throws: SamplingError.noiseSourceRequired(sampler: "dpmpp-3m-sde")) {
            try DPMSolverPlusPlus3MSDE().sample(x, sigmas: sigmas, denoise: Self.denoise)
        }
    }

    // MARK: Progress and cancellation

    @Test func progressReportsEveryStepAndCanCancel() throws {
        let sigmas = try PolyexponentialSchedule(sigmaMin: 0.03, sigmaMax: 80).sigmas(stepCount: 8)
        for kind in SamplerKind.allCases {
            var evaluations = 0
            var reported: [Int] = []
            var noise = SeededNoiseSource(seed: 3)
            #expect(throws: CancellationError.self) {
                try kind.makeSampler().sample(Tensor(repeating: 1, shape: [1, 2, 3]), sigmas: sigmas, denoise: { x, sigma in
                    evaluations += 1
                    return try Self.denoise(x, sigma)
                }, noise: &noise, progress: { step in
                    reported.append(step.index)
                    #expect(step.stepCount == 8 && step.sigma == sigmas[step.index] && step.sigmaNext == sigmas[step.index + 1])
                    return step.index < 3
                })
            }
            #expect(evaluations == 4 && reported == [0, 1, 2, 3], "\(kind)")
        }
    }

    // MARK: DDIM equivalences and the angle schedules with every sampler

    @Test func ddimEntryPointsAgreeOnLinearAngleSchedule() throws {
        let schedule = LinearAngleSchedule()
        let z0 = randomTensor([2, 4, 16], seed: 11)
        let vSpace = try DDIMSampler().sample(velocityState: z0, angles: try schedule.angles(stepCount: 20),
                                              velocity: SamplingFixtures.standInVelocity)
        let sigmas = try schedule.sigmas(stepCount: 20)
        let kSpace = try DDIMSampler().sample(z0 * Float(sigmas[0]), sigmas: sigmas, denoise: Self.denoise)
        SamplingFixtures.expectClose(kSpace, vSpace, "DDIM k-space vs v-space")
    }

    @Test(arguments: SamplerKind.allCases)
    func everySamplerRunsOnAngleSchedules(_ kind: SamplerKind) throws {
        // σ₀ = tan(π/2) ≈ 1.6e16: x₀ = noise·σ₀ is huge but finite and the v-denoiser rescales it.
        for schedule in [LinearAngleSchedule() as any NoiseSchedule, UniformAngleSchedule(), LinearAngleSchedule(sigmaMax: 100)] {
            let sigmas = try schedule.sigmas(stepCount: 25)
            var noise = SeededNoiseSource(seed: 5)
            let x = noise.draw(shape: [1, 4, 8]) * Float(sigmas[0])
            let result = try kind.makeSampler().sample(x, sigmas: sigmas, denoise: Self.denoise, noise: &noise)
            #expect(result.scalars.allSatisfy { $0.isFinite && abs($0) < 10 }, "\(kind) on \(schedule)")
        }
    }

    @Test func deterministicSamplersConvergeToTheSameODESolution() throws {
        // Many steps: DPM-Solver++(2M), DDIM and 3M SDE with η = 0 integrate the same probability-flow ODE.
        let sigmas = try PolyexponentialSchedule(sigmaMin: 0.01, sigmaMax: 100).sigmas(stepCount: 400)
        let x = randomTensor([1, 4, 8], seed: 2) * Float(sigmas[0])
        let reference = try DPMSolverPlusPlus2M().sample(x, sigmas: sigmas, denoise: Self.denoise)
        SamplingFixtures.expectClose(try DDIMSampler().sample(x, sigmas: sigmas, denoise: Self.denoise), reference,
                                     tolerance: 1e-2, "DDIM vs 2M")
        SamplingFixtures.expectClose(try DPMSolverPlusPlus3MSDE(eta: 0).sample(x, sigmas: sigmas, denoise: Self.denoise),
                                     reference, tolerance: 1e-3, "3M (η 0) vs 2M")
    }

    // MARK: Bad input

    @Test func schedulesRejectBadParameters() throws {
        #expect(throws: SamplingError.invalidStepCount(0)) { try PolyexponentialSchedule(sigmaMin: 0.01, sigmaMax: 100).sigmas(stepCount: 0) }
        #expect(throws: SamplingError.invalidStepCount(-3)) { try KarrasSchedule(sigmaMin: 0.01, sigmaMax: 100).sigmas(stepCount: -3) }
        #expect(throws: SamplingError.invalidStepCount(0)) { try LinearAngleSchedule().sigmas(stepCount: 0) }
        #expect(throws: SamplingError.invalidStepCount(0)) { try UniformAngleSchedule().angles(stepCount: 0) }
        #expect(throws: SamplingError.invalidSigmaRange(sigmaMin: 100, sigmaMax: 0.01)) {
            try PolyexponentialSchedule(sigmaMin: 100, sigmaMax: 0.01).sigmas(stepCount: 10)
        }
        #expect(throws: SamplingError.invalidSigmaRange(sigmaMin: 5, sigmaMax: 5)) { try KarrasSchedule(sigmaMin: 5, sigmaMax: 5).sigmas(stepCount: 10) }
        for (sigmaMin, sigmaMax, rho) in [(-0.01, 100.0, 1.0), (0, 100, 1), (.nan, 100, 1), (0.01, .nan, 1), (0.01, .infinity, 1),
                                          (0.01, 100, 0), (0.01, 100, -1), (0.01, 100, .nan)] {
            #expect(throws: SamplingError.self) { try PolyexponentialSchedule(sigmaMin: sigmaMin, sigmaMax: sigmaMax, rho: rho).sigmas(stepCount: 5) }
            #expect(throws: SamplingError.self) { try KarrasSchedule(sigmaMin: sigmaMin, sigmaMax: sigmaMax, rho: rho).sigmas(stepCount: 5) }
        }
        for sigmaMax in [0, -1, Double.nan] {
            #expect(throws: SamplingError.self) { try LinearAngleSchedule(sigmaMax: sigmaMax).sigmas(stepCount: 5) }
            #expect(throws: SamplingError.self) { try UniformAngleSchedule(sigmaMax: sigmaMax).angles(stepCount: 5) }
        }
        // Messages name the parameter and the value.
        let error = SamplingError.invalidParameter(name: "sigma_min", value: -0.01, requirement: "a finite number greater than 0")
        #expect(throws: error) { try PolyexponentialSchedule(sigmaMin: -0.01, sigmaMax: 100).sigmas(stepCount: 5) }
        #expect(error.description == "sigma_min must be a finite number greater than 0 (got -0.01)")
        #expect(SamplingError.invalidStepCount(0).description == "the number of sampling steps must be at least 1 (got 0)")
        #expect(SamplingError.invalidSigmaRange(sigmaMin: 5, sigmaMax: 1).description
                == "sigma_min must be less than sigma_max (got sigma_min 5.0, sigma_max 1.0)")
    }

    @Test(arguments: SamplerKind.allCases)
    func samplersRejectBadSigmas(_ kind: SamplerKind) throws {
        let x = Tensor(repeating: 1, shape: [1, 2, 3])
        let bad: [(sigmas: [Double], index: Int)] = [
            ([10], -1), ([], -1), ([10, -1, 0], 1), ([10, .nan, 0], 1), ([.infinity, 1, 0], 0), ([10, 10, 0], 1),
            ([1, 5, 0], 1), ([10, 0, 0], 2), ([-1, -2], 0),
        ]
        for (sigmas, index) in bad {
            var noise = SeededNoiseSource(seed: 0)
            do {
                _ = try kind.makeSampler().sample(x, sigmas: sigmas, denoise: Self.denoise, noise: &noise)
                Issue.record("\(kind) accepted sigmas \(sigmas)")
            } catch let error as SamplingError {
                guard case .invalidSigmas(let reason, let at) = error else {
                    Issue.record("\(kind), \(sigmas): unexpected \(error)")
                    continue
                }
                #expect(at == index && !reason.isEmpty, "\(sigmas): \(error)")
                #expect(error.description.hasPrefix("invalid sigma schedule"))
            }
            #expect(noise.drawCount == 0)
        }
        var noise = SeededNoiseSource(seed: 0)
        #expect(throws: SamplingError.self) {
            try DPMSolverPlusPlus2MSDE(eta: -1).sample(x, sigmas: [1, 0], denoise: Self.denoise, noise: &noise)
        }
        #expect(throws: SamplingError.self) {
            try DPMSolverPlusPlus3MSDE(noiseScale: .nan).sample(x, sigmas: [1, 0], denoise: Self.denoise, noise: &noise)
        }
    }

    @Test func ddimVelocityEntryRejectsBadAngles() throws {
        let z = Tensor(zeros: [1, 2, 3])
        for angles in [[1.0], [2.0, 0], [1, 1, 0], [1, .nan, 0], [1, -0.1]] {
            #expect(throws: SamplingError.self) {
                try DDIMSampler().sample(velocityState: z, angles: angles, velocity: SamplingFixtures.standInVelocity)
            }
        }
    }
}
