import Foundation
import SASampling
import SATensor
import SATestSupport
import Testing

/// Shared pieces of the sampling parity tests: fixture access, the fixture script's stand-in models
/// (`Tests/Fixtures/make_sampler_fixtures.py`), step recording and scaled comparisons.
enum SamplingFixtures {
    /// A committed fixture in `Resources/`.
    static func file(_ name: String) throws -> SafeTensorsFile {
        try FixtureFile(resource: "\(name).safetensors", in: .module).file
    }

    /// A JSON object stored in a fixture's metadata.
    static func metadataObject(_ file: SafeTensorsFile, _ key: String) throws -> [String: Any] {
        let text = try #require(file.metadata[key], "fixture metadata has no \(key)")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The rows of a stacked tensor `[N, …]`.
    static func unstack(_ tensor: Tensor) -> [Tensor] {
        (0..<tensor.shape[0]).map { tensor.slice(axis: 0, $0..<($0 + 1)).squeezingDimension(0) }
    }

    /// A float32 sigma tensor as Float64 values.
    static func doubles(_ tensor: Tensor) -> [Double] { tensor.scalars.map(Double.init) }

    /// The raw k-diffusion stand-in x₀-denoiser (`standin_denoiser`), σ shared by the batch:
    ///
    ///     D(x, σ) = 0.9·tanh(x)/√(1+σ²) + 0.1·sin(x)
    static func standInDenoiser(_ x: Tensor, _ sigma: Double) -> Tensor {
        let root = Float((1 + sigma * sigma).squareRoot())
        return x.map { tanhf($0) * 0.9 / root + 0.1 * sinf($0) }
    }

    /// The stand-in v model (`standin_v_model`), playing SAT's `model.model(x, t)`, t per batch item:
    ///
    ///     v(x, t) = sin(πt/2)·x − cos(πt/2)·(0.7·tanh(1.5x) + 0.05·sin(3x))
    static func standInVelocity(_ x: Tensor, _ time: [Float]) -> Tensor {
        precondition(x.shape[0] == time.count)
        let perItem = x.count / time.count
        var output = [Float](repeating: 0, count: x.count)
        for (item, t) in time.enumerated() {
            let angle = Double(t) * Double.pi / 2
            let alpha = Float(cos(angle)), sigma = Float(sin(angle))
            for index in (item * perItem)..<((item + 1) * perItem) {
                let value = x.scalars[index]
                output[index] = sigma * value - alpha * (0.7 * tanhf(1.5 * value) + 0.05 * sinf(3 * value))
            }
        }
        return Tensor(shape: x.shape, scalars: output)
    }

    /// Collects `SamplerStep`s (x entering each step and the denoised estimate).
    final class Recorder {
        var steps: [SamplerStep] = []
        func record(_ step: SamplerStep) -> Bool {
            steps.append(step)
            return true
        }
        var xs: [Tensor] { steps.map(\.x) }
        var denoised: [Tensor] { steps.map(\.denoised) }
    }

    /// Compares with |a − e| ≤ tolerance·max(1, max|e|) (the README's "1e-5 abs (×max(1, scale))") and returns
    /// the max |a − e| relative to that scale, so a test can record what it measured.
    @discardableResult
    static func expectClose(_ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5, _ label: String,
                            sourceLocation: SourceLocation = #_sourceLocation) -> Float {
        let scale = max(1, expected.scalars.map(abs).max() ?? 0)
        let comparison = compare(actual, expected, absoluteTolerance: tolerance * scale)
        #expect(comparison.passed, "\(label): \(comparison)", sourceLocation: sourceLocation)
        return comparison.maximumAbsoluteDifference / scale
    }

    /// Compares a whole trajectory (one tensor per step) with a stacked expected tensor; returns the worst scaled error.
    @discardableResult
    static func expectTrajectory(_ actual: [Tensor], _ expected: Tensor, tolerance: Float = 1e-5, _ label: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) -> Float {
        #expect(actual.count == expected.shape[0], "\(label): \(actual.count) steps, expected \(expected.shape[0])",
                sourceLocation: sourceLocation)
        var worst: Float = 0
        for (index, (a, e)) in zip(actual, unstack(expected)).enumerated() {
            worst = max(worst, expectClose(a, e, tolerance: tolerance, "\(label)[\(index)]", sourceLocation: sourceLocation))
        }
        return worst
    }
}
