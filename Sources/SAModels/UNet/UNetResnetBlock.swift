import SANN
import SATensor

/// audio-diffusion-pytorch's `ResnetBlock1d` (SAT `models/adp.py`): two `ConvBlock1d`s with the mapping's scale
/// and shift applied in the second one only, plus a 1×1 projection of the input when the width changes.
///
///     ConvBlock(x; s, b) = conv₃( SiLU( GroupNorm(x) · (s + 1) + b ) )     (no scale/shift in block1)
///     (s, b)  = chunk( Linear(SiLU(mapping)), 2 )                          `to_scale_shift.to_scale_shift.1`
///     y       = block2( block1(x); s, b ) + to_out(x)
struct UNetResnetBlock: Sendable {
    struct ConvBlock: Sendable {
        let normalization: GroupNorm
        let projection: SameConvolution

        init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, groupCount: Int) throws {
            normalization = try GroupNorm(scope.child("groupnorm"), groupCount: groupCount, channels: inChannels)
            projection = try SameConvolution(scope.child("project"), inChannels: inChannels, outChannels: outChannels, kernelSize: 3)
        }

        func callAsFunction(_ input: Tensor, scale: Tensor? = nil, shift: Tensor? = nil) -> Tensor {
            var x = normalization(input)
            if let scale, let shift { x = x * (scale + 1) + shift }
            return projection(x.silu())
        }
    }

    let block1: ConvBlock
    let block2: ConvBlock
    let toScaleShift: Linear?
    let toOut: SameConvolution?

    init(_ scope: ParameterScope, inChannels: Int, outChannels: Int, groupCount: Int, mappingFeatures: Int?) throws {
        block1 = try ConvBlock(scope.child("block1"), inChannels: inChannels, outChannels: outChannels, groupCount: groupCount)
        toScaleShift = try mappingFeatures.map {
            try Linear(scope.child("to_scale_shift").child("to_scale_shift").child(1), inFeatures: $0, outFeatures: 2 * outChannels)
        }
        block2 = try ConvBlock(scope.child("block2"), inChannels: outChannels, outChannels: outChannels, groupCount: groupCount)
        toOut = inChannels == outChannels ? nil
            : try SameConvolution(scope.child("to_out"), inChannels: inChannels, outChannels: outChannels, kernelSize: 1)
    }

    /// `x` `[B, Cin, T]`, `mapping` `[B, M]` → `[B, Cout, T]`.
    func callAsFunction(_ input: Tensor, mapping: Tensor?) -> Tensor {
        let h = block1(input)
        var scale: Tensor? = nil, shift: Tensor? = nil
        if let toScaleShift, let mapping {
            let halves = toScaleShift(mapping.silu()).chunked(2, axis: 1)  // [B, C] each
            scale = halves[0].expandingDimension(at: 2)
            shift = halves[1].expandingDimension(at: 2)
        }
        return block2(h, scale: scale, shift: shift) + (toOut?(input) ?? input)
    }
}
