import Foundation
import SASampling
import SATensor
import Testing

/// Sigma schedules against k-diffusion 0.1.1 (`Resources/schedules.safetensors`: `get_sigmas_polyexponential` and
/// `get_sigmas_karras`, float32) and the angle schedules against their closed forms and SAT's v-ddim time grid.
/// Tolerance: 1e-5 relative per sigma (k-diffusion rounds to float32; Float64 here; measured ≤ 1.3e-6).
@Suite struct NoiseScheduleTests {
    @Test func kDiffusionSchedulesMatchFixture() throws {
        let file = try SamplingFixtures.file("schedules")
        let cases = try SamplingFixtures.metadataObject(file, "cases")
        #expect(cases.count == 13)
        var worst = 0.0
        for (name, value) in cases.sorted(by: { $0.key < $1.key }) {
            let parameters = try #require(value as? [String: Any])
            let function = try #require(parameters["fn"] as? String)
            let n = try #require(parameters["n"] as? Int)
            let sigmaMin = try #require(parameters["sigma_min"] as? Double)
            let sigmaMax = try #require(parameters["sigma_max"] as? Double)
            let rho = try #require(parameters["rho"] as? Double)
            let schedule: any NoiseSchedule = function == "get_sigmas_polyexponential"
                ? PolyexponentialSchedule(sigmaMin: sigmaMin, sigmaMax: sigmaMax, rho: rho)
                : KarrasSchedule(sigmaMin: sigmaMin, sigmaMax: sigmaMax, rho: rho)
            let sigmas = try schedule.sigmas(stepCount: n)
            let expected = SamplingFixtures.doubles(try file.tensor(named: "out.\(name)"))
            #expect(sigmas.count == expected.count, "\(name): \(sigmas.count) sigmas, expected \(expected.count)")
            #expect(sigmas.last == 0, "\(name) must end in 0")
            var relative = 0.0
            for (actual, reference) in zip(sigmas.dropLast(), expected.dropLast()) {
                relative = max(relative, abs(actual - reference) / reference)
            }
            #expect(relative <= 1e-5, "\(name): max relative difference \(relative)")
            worst = max(worst, relative)
        }
        print("schedules: max relative difference vs k-diffusion \(worst)")
    }

    @Test func singleStepSchedulesAreSigmaMaxThenZero() throws {
        let poly = try PolyexponentialSchedule(sigmaMin: 0.01, sigmaMax: 100).sigmas(stepCount: 1)
        #expect(poly.count == 2 && abs(poly[0] - 100) < 1e-12 && poly[1] == 0)
        #expect(try KarrasSchedule(sigmaMin: 0.1, sigmaMax: 10).sigmas(stepCount: 1).last == 0)
        #expect(try LinearAngleSchedule(sigmaMax: 80).sigmas(stepCount: 1) == [80, 0])
    }

    @Test func polyexponentialWithRhoOneIsLogLinear() throws {
        let sigmas = try PolyexponentialSchedule(sigmaMin: 0.03, sigmaMax: 80, rho: 1).sigmas(stepCount: 10)
        #expect(abs(sigmas[0] - 80) < 1e-12 && abs(sigmas[9] - 0.03) < 1e-15)
        let ratios = (0..<8).map { sigmas[$0 + 1] / sigmas[$0] }
        for ratio in ratios { #expect(abs(ratio - ratios[0]) < 1e-12) }
    }

    @Test(arguments: [1, 2, 3, 8, 50, 100, 250])
    func linearAngleScheduleClosedForm(stepCount: Int) throws {
        let schedule = LinearAngleSchedule()
        let T = stepCount
        // Σ ω_t = π/2
        let steps = (1...T).map { schedule.angleStep($0, stepCount: T) }
        #expect(abs(steps.reduce(0, +) - Double.pi / 2) < 1e-13)
        // Large steps first: the schedule takes ω_T, ω_{T−1}, …, ω_1.
        let angles = try schedule.angles(stepCount: T)
        #expect(angles.count == T + 1 && angles[0] == Double.pi / 2 && angles[T] == 0)
        for k in 0..<T {
            let omega = angles[k] - angles[k + 1]
            #expect(abs(omega - schedule.angleStep(T - k, stepCount: T)) < 1e-13, "step \(k)")
            if k > 0 { #expect(omega < angles[k - 1] - angles[k] || T == 1) }
        }
        // σ = tan δ; σ₀ = tan(π/2) is large but finite; σ_T = 0; strictly decreasing.
        let sigmas = try schedule.sigmas(stepCount: T)
        #expect(sigmas[0].isFinite && sigmas[0] > 1e15 && sigmas[T] == 0)
        for k in 1..<T { #expect(abs(sigmas[k] - tan(angles[k])) <= 1e-15 * sigmas[k]) }
        for k in 0..<T { #expect(sigmas[k] > sigmas[k + 1]) }
        #expect(VDenoiser.time(sigma: sigmas[0]) == 1)
    }

    @Test func linearAngleScheduleExample() throws {
        // T = 4: ω_t = π/24 + 2πt/60 → steps ω_4 … ω_1 = 21π/120, 17π/120, 13π/120, 9π/120 (sum 60π/120 = π/2)
        let angles = try LinearAngleSchedule().angles(stepCount: 4)
        let expectedSteps = [4, 3, 2, 1].map { Double.pi / 24 + 2 * Double.pi * Double($0) / 60 }
        for k in 0..<4 { #expect(abs((angles[k] - angles[k + 1]) - expectedSteps[k]) < 1e-14) }
        for (step, numerator) in zip(expectedSteps, [21.0, 17, 13, 9]) { #expect(abs(step - numerator * Double.pi / 120) < 1e-15) }
    }

    @Test func finiteSigmaMaxScalesTheAngles() throws {
        let full = try LinearAngleSchedule().angles(stepCount: 10)
        let truncated = try LinearAngleSchedule(sigmaMax: 80).angles(stepCount: 10)
        let sigmas = try LinearAngleSchedule(sigmaMax: 80).sigmas(stepCount: 10)
        #expect(sigmas[0] == 80 && sigmas[10] == 0)
        let scale = atan(80.0) / (Double.pi / 2)
        for k in 0...10 { #expect(abs(truncated[k] - full[k] * scale) < 1e-14) }
    }

    @Test func uniformAngleScheduleIsSATsVDDIMTimeGrid() throws {
        // SAT v-ddim: t = torch.linspace(1, 0, steps + 1)[:-1] (out.v-ddim.t, float32), δ = t·π/2.
        let expected = try SamplingFixtures.file("sample_k").tensor(named: "out.v-ddim.t").scalars
        let angles = try UniformAngleSchedule().angles(stepCount: 10)
        #expect(angles.count == 11 && angles[10] == 0)
        for (k, t) in expected.enumerated() { #expect(abs(angles[k] / (Double.pi / 2) - Double(t)) < 1e-7) }
        for k in 0..<10 { #expect(abs((angles[k] - angles[k + 1]) - Double.pi / 20) < 1e-14) }
    }

    @Test func scheduleKindsBuildTheirSchedules() throws {
        #expect(ScheduleKind(rawValue: "linear-angle") == .linearAngle)
        let poly = try ScheduleKind.polyexponential.makeSchedule(sigmaMin: 0.3, sigmaMax: 500, rho: 1).sigmas(stepCount: 5)
        #expect(poly == (try PolyexponentialSchedule(sigmaMin: 0.3, sigmaMax: 500).sigmas(stepCount: 5)))
        let angle = try ScheduleKind.uniformAngle.makeSchedule(sigmaMin: 0.3, sigmaMax: .infinity, rho: 1).sigmas(stepCount: 5)
        #expect(angle == (try UniformAngleSchedule().sigmas(stepCount: 5)))
    }
}
