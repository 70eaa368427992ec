import SANN
import SATensor

/// descript-audio-codec 1.0.0's `ResidualUnit`: Snake1d, WNConv(k7, dilation d, padding 3d), Snake1d, WNConv(k1),
/// around a residual (centre-cropped if lengths differ, which "same" padding never causes). Keys `block.{0…3}`.
struct DACResidualUnit: Sendable {
    let firstActivation: Snake
    let dilatedConvolution: Conv1d
    let secondActivation: Snake
    let pointwiseConvolution: Conv1d

    init(_ scope: ParameterScope, channels: Int, dilation: Int) throws {
        let block = scope.child("block")
        firstActivation = try Snake(block.child(0), channels: channels, parameterization: .linearAlpha)
        dilatedConvolution = try Conv1d(block.child(1), inChannels: channels, outChannels: channels, kernelSize: 7, padding: 3 * dilation, dilation: dilation)
        secondActivation = try Snake(block.child(2), channels: channels, parameterization: .linearAlpha)
        pointwiseConvolution = try Conv1d(block.child(3), inChannels: channels, outChannels: channels, kernelSize: 1)
    }

    func callAsFunction(_ input: Tensor) -> Tensor {
        input + pointwiseConvolution(secondActivation(dilatedConvolution(firstActivation(input))))
    }
}

/// SAT's `DACEncoderWrapper` around descript-audio-codec 1.0.0's `Encoder` (keys `encoder.block.*`, then
/// `proj_out`), as Stable Audio 1.0's config uses it.
///
///     block.0             WNConv1d(Cin, d, k7, p3)                         (SAT swaps in Cin = in_channels)
///     block.1…n           EncoderBlock(2ⁱ·d): 3 residual units on 2ⁱ⁻¹·d (d = 1, 3, 9), Snake,
///                         WNConv1d(2ⁱ⁻¹·d → 2ⁱ·d, k = 2s, stride s, padding ⌈s/2⌉)
///     block.n+1, n+2      Snake, WNConv1d(W, W, k3, p1)                    W = d·2ⁿ
///     proj_out            Conv1d(W, latent_dim, k1)                        (plain convolution, no weight norm)
///
/// Snake1d here is DAC's: a linear α `[1, C, 1]` and y = x + sin²(αx)/(α + 1e-9).
public struct DACEncoder: Sendable {
    struct Block: Sendable {
        let residualUnits: [DACResidualUnit]
        let activation: Snake
        let downsample: Conv1d
    }

    let inputConvolution: Conv1d
    let blocks: [Block]
    let finalActivation: Snake
    let finalConvolution: Conv1d
    let projection: Conv1d?
    public let configuration: DACEncoderConfiguration

    public init(_ scope: ParameterScope, configuration: DACEncoderConfiguration) throws {
        self.configuration = configuration
        let block = scope.child("encoder").child("block")
        inputConvolution = try Conv1d(block.child(0), inChannels: configuration.inChannels, outChannels: configuration.modelDimension, kernelSize: 7, padding: 3)
        var width = configuration.modelDimension
        var built: [Block] = []
        for (index, stride) in configuration.strides.enumerated() {
            width *= 2
            let inner = block.child(index + 1).child("block")
            built.append(Block(
                residualUnits: try [1, 3, 9].enumerated().map { try DACResidualUnit(inner.child($0.offset), channels: width / 2, dilation: $0.element) },
                activation: try Snake(inner.child(3), channels: width / 2, parameterization: .linearAlpha),
                downsample: try Conv1d(inner.child(4), inChannels: width / 2, outChannels: width, kernelSize: 2 * stride, stride: stride,
                                       padding: (stride + 1) / 2)))
        }
        blocks = built
        let last = configuration.strides.count + 1
        finalActivation = try Snake(block.child(last), channels: width, parameterization: .linearAlpha)
        finalConvolution = try Conv1d(block.child(last + 1), inChannels: width, outChannels: width, kernelSize: 3, padding: 1)
        projection = try configuration.latentDimension.map {
            try Conv1d(scope.child("proj_out"), inChannels: width, outChannels: $0, kernelSize: 1)
        }
    }

    public var downsamplingRatio: Int { configuration.strides.reduce(1, *) }
    public var outputChannels: Int { configuration.latentDimension ?? configuration.encoderWidth }

    public func callAsFunction(_ audio: Tensor) -> Tensor {
        var x = inputConvolution(audio)
        for block in blocks {
            for unit in block.residualUnits { x = unit(x) }
            x = block.downsample(block.activation(x))
        }
        x = finalConvolution(finalActivation(x))
        return projection?(x) ?? x
    }
}

/// SAT's `DACDecoderWrapper` around descript-audio-codec 1.0.0's `Decoder` (keys `decoder.model.*`).
///
///     model.0             WNConv1d(latent_dim, C, k7, p3)
///     model.1…n           DecoderBlock(C/2ⁱ → C/2ⁱ⁺¹, rate r): Snake, WNConvTranspose1d(k = 2r, stride r, padding ⌈r/2⌉),
///                         3 residual units (d = 1, 3, 9)
///     model.n+1…n+3       Snake, WNConv1d(C/2ⁿ, Cout, k7, p3, with bias), Tanh
public struct DACDecoder: Sendable {
    struct Block: Sendable {
        let activation: Snake
        let upsample: ConvTranspose1d
        let residualUnits: [DACResidualUnit]
    }

    let inputConvolution: Conv1d
    let blocks: [Block]
    let finalActivation: Snake
    let outputConvolution: Conv1d
    public let configuration: DACDecoderConfiguration

    public init(_ scope: ParameterScope, configuration: DACDecoderConfiguration) throws {
        self.configuration = configuration
        let model = scope.child("decoder").child("model")
        inputConvolution = try Conv1d(model.child(0), inChannels: configuration.latentDimension, outChannels: configuration.channels, kernelSize: 7, padding: 3)
        blocks = try configuration.rates.enumerated().map { index, rate in
            let inWidth = configuration.channels >> index, outWidth = configuration.channels >> (index + 1)
            let block = model.child(index + 1).child("block")
            return Block(
                activation: try Snake(block.child(0), channels: inWidth, parameterization: .linearAlpha),
                upsample: try ConvTranspose1d(block.child(1), inChannels: inWidth, outChannels: outWidth, kernelSize: 2 * rate, stride: rate,
                                              padding: (rate + 1) / 2),
                residualUnits: try [1, 3, 9].enumerated().map { try DACResidualUnit(block.child($0.offset + 2), channels: outWidth, dilation: $0.element) })
        }
        let last = configuration.rates.count + 1
        let finalWidth = configuration.channels >> configuration.rates.count
        finalActivation = try Snake(model.child(last), channels: finalWidth, parameterization: .linearAlpha)
        outputConvolution = try Conv1d(model.child(last + 1), inChannels: finalWidth, outChannels: configuration.outChannels, kernelSize: 7, padding: 3)
    }

    public var upsamplingRatio: Int { configuration.rates.reduce(1, *) }

    public func callAsFunction(_ latents: Tensor) -> Tensor {
        var x = inputConvolution(latents)
        for block in blocks {
            x = block.upsample(block.activation(x))
            for unit in block.residualUnits { x = unit(x) }
        }
        return outputConvolution(finalActivation(x)).tanh()
    }
}
