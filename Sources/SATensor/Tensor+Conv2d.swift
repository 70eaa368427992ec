/// Two-dimensional convolution and max pooling on `[B, C, H, W]` tensors with PyTorch's semantics.
///
/// conv2d matches `F.conv2d(x, weight, bias, stride=1, padding=(pH, pW))` (zero padding, no dilation, no groups):
/// for each batch item the input is unfolded (im2col: row `(ci·KH + kh)·KW + kw`, column `h·W' + w` holds
/// `x[ci, h + kh − pH, w + kw − pW]`, zero outside the image) and multiplied by the weight viewed as
/// `[Cout, Cin·KH·KW]`, PyTorch's layout read row-major. The unfolding is done in bands of output rows so the
/// column buffer stays under `convolutionTileElements` floats; band sizes depend only on the shapes, and every
/// GEMM goes through `GEMM.multiply`, so results do not depend on the core count.
/// Limitations: stride 1, no dilation or groups (what the project's audio-text model needs).
extension Tensor {
    /// `F.conv2d` with stride 1 and symmetric zero padding `(padding.height, padding.width)`.
    ///
    /// `self` is `[B, Cin, H, W]`, `weight` is `[Cout, Cin, KH, KW]`, `bias` is `[Cout]`; the result is
    /// `[B, Cout, H + 2·pH − KH + 1, W + 2·pW − KW + 1]`.
    public func conv2d(weight: Tensor, bias: Tensor? = nil, padding: (height: Int, width: Int) = (0, 0)) -> Tensor {
        precondition(rank == 4 && weight.rank == 4 && weight.shape[1] == shape[1],
                     "conv2d expects input [B, C, H, W] and weight [Cout, C, KH, KW]; got \(shape), \(weight.shape)")
        precondition(padding.height >= 0 && padding.width >= 0, "conv2d: negative padding \(padding)")
        let batch = shape[0], inChannels = shape[1], height = shape[2], width = shape[3]
        let outChannels = weight.shape[0], kernelHeight = weight.shape[2], kernelWidth = weight.shape[3]
        if let bias { precondition(bias.shape == [outChannels], "conv2d: bias \(bias.shape) for \(outChannels) channels") }
        // H' = H + 2·pH − KH + 1,  W' = W + 2·pW − KW + 1
        let outHeight = height + 2 * padding.height - kernelHeight + 1
        let outWidth = width + 2 * padding.width - kernelWidth + 1
        precondition(outHeight > 0 && outWidth > 0, "conv2d: input \(shape) too small for kernel \(kernelHeight)×\(kernelWidth)")
        let columnRows = inChannels * kernelHeight * kernelWidth
        let outPlane = outHeight * outWidth
        let bandRows = Swift.max(1, Swift.min(outHeight, Tensor.convolutionTileElements / Swift.max(1, columnRows * outWidth)))
        var output = Tensor.channelBiasFilled(shape: [batch, outChannels, outPlane], bias: bias)
            .reshaped([batch, outChannels, outHeight, outWidth])
        let padHeight = padding.height, padWidth = padding.width
        withConvolutionBuffers(weight: weight, output: &output, scratchCount: columnRows * bandRows * outWidth) { x, w, y, column in
            for item in 0..<batch {
                let input = SendablePointer(x.base + item * inChannels * height * width)
                let itemOutput = y.base + item * outChannels * outPlane
                var firstRow = 0
                while firstRow < outHeight {
                    let rows = Swift.min(bandRows, outHeight - firstRow)
                    let bandWidth = rows * outWidth
                    let bandStart = firstRow
                    ConcurrentWork.forEach(columnRows, minimumRange: Swift.max(1, 16384 / Swift.max(1, bandWidth))) { row in
                        // row = (ci·KH + kh)·KW + kw
                        let kw = row % kernelWidth, kh = (row / kernelWidth) % kernelHeight, ci = row / (kernelWidth * kernelHeight)
                        let plane = input.base + ci * height * width
                        let destination = column.base + row * bandWidth
                        for r in 0..<rows {
                            let sourceRow = bandStart + r + kh - padHeight
                            let target = destination + r * outWidth
                            guard sourceRow >= 0 && sourceRow < height else {
                                target.update(repeating: 0, count: outWidth)
                                continue
                            }
                            let source = plane + sourceRow * width
                            for outColumn in 0..<outWidth {
                                let sourceColumn = outColumn + kw - padWidth
                                target[outColumn] = sourceColumn >= 0 && sourceColumn < width ? source[sourceColumn] : 0
                            }
                        }
                    }
                    // Y[:, band] += W·columns   ([Cout, Cin·KH·KW] × [Cin·KH·KW, rows·W'])
                    GEMM.multiply(m: outChannels, n: bandWidth, k: columnRows, a: w.base, lda: columnRows,
                                  b: column.base, ldb: bandWidth, beta: 1, c: itemOutput + firstRow * outWidth, ldc: outPlane)
                    firstRow += rows
                }
            }
        }
        return output
    }

    /// `F.max_pool2d(x, kernel_size=k, stride=k)` (floor mode, no padding) on `[B, C, H, W]` → `[B, C, ⌊H/k⌋, ⌊W/k⌋]`.
    /// A NaN in a window gives NaN, as in PyTorch.
    public func maxPool2d(kernelSize: Int) -> Tensor {
        precondition(rank == 4 && kernelSize >= 1, "maxPool2d expects [B, C, H, W] and a positive kernel; got \(shape), \(kernelSize)")
        let planes = shape[0] * shape[1], height = shape[2], width = shape[3]
        let outHeight = height / kernelSize, outWidth = width / kernelSize
        return withUnsafeBufferPointer { input in
            Tensor(uninitializedShape: [shape[0], shape[1], outHeight, outWidth]) { output in
                for plane in 0..<planes {
                    let source = input.baseAddress! + plane * height * width
                    let target = output.baseAddress! + plane * outHeight * outWidth
                    for h in 0..<outHeight {
                        for w in 0..<outWidth {
                            var maximum = -Float.infinity
                            for dh in 0..<kernelSize {
                                let row = source + (h * kernelSize + dh) * width + w * kernelSize
                                for dw in 0..<kernelSize {
                                    let value = row[dw]
                                    if value > maximum || value.isNaN { maximum = value }
                                    if maximum.isNaN { break }
                                }
                            }
                            target[h * outWidth + w] = maximum
                        }
                    }
                }
            }
        }
    }
}
