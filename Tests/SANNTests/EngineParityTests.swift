import Foundation
import SANN
import SATensor
import SATestSupport
import Testing

/// Parity against PyTorch for every case in `Resources/engine_fixtures.safetensors`, produced by
/// `Tests/Fixtures/make_engine_fixtures.py` (torch 2.13.0+cpu, seed 20261121; both recorded in the file).
///
/// Tolerances: single ops atol 1e-5 / rtol 1e-4 (BLAS and PyTorch sum in different orders; Float32 rounding of
/// sums of ~100 terms stays well inside this); modules built from several ops (attention, weight-normalized
/// convolutions) max|diff| ≤ 1e-4 with rtol 1e-4.
@Suite struct EngineParityTests {
    static let fixture: FixtureFile? = try? FixtureFile(resource: "engine_fixtures.safetensors", in: .module)
    static let caseNames: [String] = fixture?.caseNames ?? []

    @Test func fixtureIsPresentAndComplete() throws {
        let fixture = try FixtureFile(resource: "engine_fixtures.safetensors", in: .module)
        #expect(fixture.caseNames.count >= 72)
        #expect(fixture.file.metadata["torch_version"]?.hasPrefix("2.") == true)
        #expect(fixture.file.metadata["seed"] == "20261121")
    }

    @Test(arguments: caseNames) func matchesPyTorch(caseName: String) throws {
        let fixture = try #require(Self.fixture)
        let configuration = try fixture.configuration(caseName)
        let op = try #require(configuration["op"] as? String)
        let expected = try fixture.tensor(caseName, "output")
        let (actual, tolerance) = try Self.evaluate(op: op, caseName: caseName, configuration: configuration, fixture: fixture)
        let comparison = compare(actual, expected, absoluteTolerance: tolerance.absolute, relativeTolerance: tolerance.relative)
        #expect(comparison.passed, "\(caseName): \(comparison)")
    }

    typealias Tolerance = (absolute: Float, relative: Float)
    static let opTolerance: Tolerance = (1e-5, 1e-4)
    static let blockTolerance: Tolerance = (1e-4, 1e-4)

    static func evaluate(op: String, caseName: String, configuration c: [String: Any], fixture: FixtureFile) throws -> (Tensor, Tolerance) {
        let input = try fixture.tensor(caseName, "input")
        func tensor(_ name: String) throws -> Tensor { try fixture.tensor(caseName, name) }
        func optional(_ name: String) throws -> Tensor? { fixture.has(caseName, name) ? try tensor(name) : nil }
        let parameters = { ParameterStore(tensors: (try? fixture.parameters(caseName)) ?? [:], sourceName: caseName).root }
        switch op {
        case "conv1d":
            let padding = c["pad_left"] != nil ? (c.int("pad_left")!, c.int("pad_right")!) : (c.int("padding")!, c.int("padding")!)
            return (input.conv1d(weight: try tensor("weight"), bias: try optional("bias"), stride: c.int("stride")!,
                                 padding: padding, dilation: c.int("dilation")!, groups: c.int("groups")!), opTolerance)
        case "conv_transpose1d":
            return (input.convTranspose1d(weight: try tensor("weight"), bias: try optional("bias"), stride: c.int("stride")!,
                                          padding: c.int("padding")!, outputPadding: c.int("output_padding")!,
                                          dilation: c.int("dilation")!, groups: c.int("groups")!), opTolerance)
        case "weight_norm_conv1d":
            let layer = try Conv1d(parameters(), inChannels: c.int("in_channels")!, outChannels: c.int("out_channels")!,
                                   kernelSize: c.int("kernel_size")!, stride: c.int("stride")!, padding: c.int("padding")!,
                                   dilation: c.int("dilation")!, groups: c.int("groups")!, hasBias: c["bias"] as? Bool ?? true)
            return (layer(input), blockTolerance)
        case "weight_norm_conv_transpose1d":
            let layer = try ConvTranspose1d(parameters(), inChannels: c.int("in_channels")!, outChannels: c.int("out_channels")!,
                                            kernelSize: c.int("kernel_size")!, stride: c.int("stride")!, padding: c.int("padding")!,
                                            outputPadding: c.int("output_padding", default: 0)!, dilation: c.int("dilation", default: 1)!,
                                            groups: c.int("groups", default: 1)!, hasBias: c["bias"] as? Bool ?? true)
            return (layer(input), blockTolerance)
        case "linear":
            let layer = try Linear(parameters(), inFeatures: c.int("in_features")!, outFeatures: c.int("out_features")!,
                                   hasBias: c["bias"] as? Bool ?? true)
            return (layer(input), opTolerance)
        case "embedding":
            let layer = try Embedding(parameters(), count: c.int("num_embeddings")!, dimension: c.int("embedding_dim")!)
            let indices = try tensor("indices")
            return (layer(indices.scalars.map { Int($0) }, shape: indices.shape), opTolerance)
        case "group_norm":
            let layer = try GroupNorm(parameters(), groupCount: c.int("num_groups")!, channels: c.int("num_channels")!,
                                      epsilon: Float(c.double("eps")!))
            return (layer(input), opTolerance)
        case "layer_norm":
            let epsilon = Float(c.double("eps")!)
            if fixture.has(caseName, "weight") {
                return (input.layerNorm(weight: try tensor("weight"), bias: try optional("bias"), epsilon: epsilon), opTolerance)
            }
            let width = input.shape.last!
            let layer = try LayerNorm(parameters(), dimension: width, epsilon: epsilon,
                                      biasName: (c["bias"] as? Bool ?? true) ? "bias" : nil)
            return (layer(input), opTolerance)
        case "rms_norm":
            return (RMSNorm(weight: try tensor("weight"), epsilon: Float(c.double("eps")!))(input), opTolerance)
        case "softmax": return (input.softmax(), opTolerance)
        case "gelu": return ((c["approximate"] as? String) == "tanh" ? input.geluTanh() : input.gelu(), opTolerance)
        case "silu": return (input.silu(), opTolerance)
        case "relu": return (input.relu(), opTolerance)
        case "elu": return (input.elu(), opTolerance)
        case "softplus": return (input.softplus(), opTolerance)
        case "snake_beta":
            let channels = input.shape[1]
            let store = ParameterStore(tensors: ["alpha": try tensor("alpha"), "beta": try tensor("beta")], sourceName: caseName)
            return (try Snake(store.root, channels: channels, parameterization: .logScaleAlphaBeta)(input), opTolerance)
        case "snake1d":
            let channels = input.shape[1]
            let store = ParameterStore(tensors: ["alpha": try tensor("alpha")], sourceName: caseName)
            return (try Snake(store.root, channels: channels, parameterization: .linearAlpha)(input), opTolerance)
        case "sdpa":
            var bias = try optional("bias_mask")
            if c["is_causal"] as? Bool == true {
                let queries = input.shape[2], keys = try tensor("key").shape[2]
                bias = Tensor(shape: [1, 1, queries, keys], scalars: (0..<(queries * keys)).map { $0 % keys > $0 / keys ? -Float.infinity : 0 })
            }
            return (Tensor.scaledDotProductAttention(query: input, key: try tensor("key"), value: try tensor("value"),
                                                     scale: c.double("scale").map { Float($0) }, bias: bias), opTolerance)
        case "attention":
            let context = try optional("context")
            let layer = try MultiHeadAttention(parameters(), dimension: c.int("dim")!, contextDimension: c.int("context_dim"),
                                               headCount: c.int("heads")!)
            return (layer(input, context: context), blockTolerance)
        case "interpolate":
            let size = c.int("size")!
            return ((c["mode"] as? String) == "linear" ? input.interpolateLinear(size: size) : input.interpolateNearest(size: size), opTolerance)
        case "permute": return (input.permuted((c["dims"] as! [NSNumber]).map(\.intValue)), opTolerance)
        case "transpose": return (input.transposed(c.int("dim0")!, c.int("dim1")!), opTolerance)
        case "cat": return (Tensor.concatenate([input, try tensor("other")], axis: c.int("dim")!), opTolerance)
        case "pad":
            let amounts = (c["pad"] as! [NSNumber]).map(\.intValue)
            if (c["mode"] as? String) == "reflect" { return (input.paddedReflect(before: amounts[0], after: amounts[1]), opTolerance) }
            var result = input
            // F.pad lists (before, after) pairs from the last dimension backwards.
            for pair in 0..<(amounts.count / 2) {
                result = result.padded(axis: -1 - pair, before: amounts[2 * pair], after: amounts[2 * pair + 1],
                                       value: Float(c.double("value") ?? 0))
            }
            return (result, opTolerance)
        default:
            Issue.record("unhandled fixture op \(op) in \(caseName)")
            return (input, opTolerance)
        }
    }
}
