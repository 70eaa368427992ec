/// One-dimensional convolutions on `[B, C, T]` tensors with PyTorch's semantics, computed as GEMMs.
///
/// conv1d: for each batch item and group, the input is unfolded tile by tile into a column matrix
/// (im2col: row `ci·K + k`, column j holds x[ci, (t0 + j)·stride + k·dilation − padLeft], zero outside the
/// signal) and multiplied by the weight viewed as `[Cout/groups, Cin/groups·K]`, which is PyTorch's weight
/// layout read row-major, so no weight repacking is needed. Pointwise convolutions (K = 1, stride 1, no
/// padding) skip the unfolding and multiply the input directly.
///
/// Tiles bound the column buffer (`convolutionTileElements` floats, 16 MB) so memory stays bounded on long
/// signals while each GEMM stays large enough for OpenBLAS's per-call packing to be cheap.
/// The unfolding runs on all cores, then each GEMM runs on OpenBLAS's threads: the two never overlap.
extension Tensor {
    /// Upper bound on the im2col / col2im buffer, in floats.
    public static let convolutionTileElements = 4 << 20

    /// Output length of a convolution: ⌊(T + padLeft + padRight − dilation·(K − 1) − 1) / stride⌋ + 1.
    public static func conv1dOutputLength(inputLength: Int, kernelSize: Int, stride: Int,
                                          padding: (left: Int, right: Int), dilation: Int) -> Int {
        (inputLength + padding.left + padding.right - dilation * (kernelSize - 1) - 1) / stride + 1
    }

    /// Output length of a transposed convolution: (T − 1)·stride − 2·padding + dilation·(K − 1) + outputPadding + 1.
    public static func convTranspose1dOutputLength(inputLength: Int, kernelSize: Int, stride: Int, padding: Int,
                                                   outputPadding: Int, dilation: Int) -> Int {
        (inputLength - 1) * stride - 2 * padding + dilation * (kernelSize - 1) + outputPadding + 1
    }

    /// `F.conv1d` with symmetric zero padding.
    public func conv1d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                       dilation: Int = 1, groups: Int = 1) -> Tensor {
        conv1d(weight: weight, bias: bias, stride: stride, padding: (padding, padding), dilation: dilation, groups: groups)
    }

    /// `F.conv1d` on zero-padded input with separate left and right padding (as `F.pad` then `conv1d`).
    ///
    /// `self` is `[B, Cin, T]`, `weight` is `[Cout, Cin/groups, K]`, `bias` is `[Cout]`; the result is `[B, Cout, T']`.
    public func conv1d(weight: Tensor, bias: Tensor?, stride: Int, padding: (left: Int, right: Int),
                       dilation: Int, groups: Int) -> Tensor {
        precondition(rank == 3 && weight.rank == 3, "conv1d expects input [B, C, T] and weight [Cout, Cin/g, K]; got \(shape), \(weight.shape)")
        let batch = shape[0], inChannels = shape[1], length = shape[2]
        let outChannels = weight.shape[0], kernelSize = weight.shape[2]
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0
                     && weight.shape[1] == inChannels / groups,
                     "conv1d: input \(shape), weight \(weight.shape) and groups \(groups) disagree")
        precondition(stride >= 1 && dilation >= 1 && padding.left >= 0 && padding.right >= 0, "conv1d: bad stride/dilation/padding")
        if let bias { precondition(bias.shape == [outChannels], "conv1d: bias \(bias.shape) for \(outChannels) channels") }
        let outLength = Tensor.conv1dOutputLength(inputLength: length, kernelSize: kernelSize, stride: stride,
                                                  padding: padding, dilation: dilation)
        precondition(outLength > 0, "conv1d: input length \(length) too short for kernel \(kernelSize), dilation \(dilation)")
        let inPerGroup = inChannels / groups, outPerGroup = outChannels / groups
        let columnRows = inPerGroup * kernelSize
        let pointwise = kernelSize == 1 && stride == 1 && padding == (0, 0)
        let tile = pointwise ? outLength : Swift.min(outLength, Swift.max(256, Tensor.convolutionTileElements / columnRows))

        var output = Tensor.channelBiasFilled(shape: [batch, outChannels, outLength], bias: bias)
        if !pointwise && outPerGroup * columnRows <= Tensor.smallWeightElements {
            conv1dTileParallel(weight: weight, output: &output, stride: stride, padLeft: padding.left, dilation: dilation, groups: groups)
            return output
        }
        withConvolutionBuffers(weight: weight, output: &output, scratchCount: pointwise ? 0 : columnRows * tile) { x, w, y, scratch in
            let column = pointwise ? nil : scratch
            for item in 0..<batch {
                for group in 0..<groups {
                    let groupInput = SendablePointer(x.base + (item * inChannels + group * inPerGroup) * length)
                    let groupWeight = w.base + group * outPerGroup * columnRows
                    let groupOutput = y.base + (item * outChannels + group * outPerGroup) * outLength
                    var start = 0
                    while start < outLength {
                        let width = Swift.min(tile, outLength - start)
                        let right: UnsafePointer<Float>
                        let rightStride: Int
                        if let column {
                            let tileStart = start
                            ConcurrentWork.forEach(inPerGroup * kernelSize, minimumRange: Swift.max(1, 65536 / Swift.max(1, width))) { row in
                                Tensor.unfoldRow(row, input: groupInput.base, length: length, kernelSize: kernelSize, stride: stride,
                                                 dilation: dilation, padLeft: padding.left, start: tileStart, width: width, into: column.base)
                            }
                            right = UnsafePointer(column.base)
                            rightStride = width
                        } else {
                            right = UnsafePointer(groupInput.base + start)
                            rightStride = length
                        }
                        GEMM.multiply(m: outPerGroup, n: width, k: columnRows, a: groupWeight, lda: columnRows,
                                      b: right, ldb: rightStride, beta: 1, c: groupOutput + start, ldc: outLength)
                        start += width
                    }
                }
            }
        }
        return output
    }

    /// Weight matrices up to this many floats (1 MB) are cheap for OpenBLAS to repack per call, so convolutions
    /// with such weights run one serial GEMM per cache-sized tile, tiles spread over the workers.
    static let smallWeightElements = 1 << 18
    /// Target size of one worker's column tile, in floats (about a core's L2 cache).
    static let cacheTileElements = 1 << 18

    /// conv1d for small weights: the output is cut into fixed tiles of `cacheTileElements / (Cin/g·K)` frames
    /// (a multiple of 16); each worker unfolds its tile into its own buffer and runs a serial GEMM on it, so the
    /// column matrix never leaves the core's cache. Tile boundaries depend only on the shape.
    private func conv1dTileParallel(weight: Tensor, output: inout Tensor, stride: Int, padLeft: Int, dilation: Int, groups: Int) {
        let batch = shape[0], inChannels = shape[1], length = shape[2]
        let outChannels = weight.shape[0], kernelSize = weight.shape[2]
        let inPerGroup = inChannels / groups, outPerGroup = outChannels / groups
        let columnRows = inPerGroup * kernelSize
        let outLength = output.shape[2]
        let tile = Swift.max(16, (Tensor.cacheTileElements / columnRows) & ~15)
        let tilesPerRow = (outLength + tile - 1) / tile
        let jobs = batch * groups * tilesPerRow
        withUnsafeBufferPointer { xBuffer in
            weight.withUnsafeBufferPointer { wBuffer in
                output.withUnsafeMutableBufferPointer { yBuffer in
                    let x = SendablePointer(xBuffer), w = SendablePointer(wBuffer), y = SendablePointer(yBuffer)
                    ConcurrentWork.forEachRange(jobs) { range in
                        let column = UnsafeMutablePointer<Float>.allocate(capacity: columnRows * tile)
                        defer { column.deallocate() }
                        for job in range {
                            let tileIndex = job % tilesPerRow, group = (job / tilesPerRow) % groups, item = job / (tilesPerRow * groups)
                            let start = tileIndex * tile, width = Swift.min(tile, outLength - start)
                            let groupInput = x.base + (item * inChannels + group * inPerGroup) * length
                            for row in 0..<columnRows {
                                Tensor.unfoldRow(row, input: groupInput, length: length, kernelSize: kernelSize, stride: stride,
                                                 dilation: dilation, padLeft: padLeft, start: start, width: width, into: column)
                            }
                            GEMM.multiplySerial(m: outPerGroup, n: width, k: columnRows, a: w.base + group * outPerGroup * columnRows,
                                                lda: columnRows, b: column, ldb: width, beta: 1,
                                                c: y.base + (item * outChannels + group * outPerGroup) * outLength + start, ldc: outLength)
                        }
                    }
                }
            }
        }
    }

    /// One row of im2col for one tile: column[row·width + j] = x[c, (start + j)·stride + k·dilation − padLeft]
    /// with row = c·K + k, or 0 outside the signal.
    @inline(__always) static func unfoldRow(_ row: Int, input: UnsafeMutablePointer<Float>, length: Int, kernelSize: Int, stride: Int,
                                            dilation: Int, padLeft: Int, start: Int, width: Int, into column: UnsafeMutablePointer<Float>) {
        let channel = row / kernelSize, tap = row % kernelSize
        let x = input + channel * length
        let destination = column + row * width
        let offset = tap * dilation - padLeft + start * stride
        if stride == 1 {
            // Positions offset + j for j in 0..<width; the valid ones form one contiguous run.
            let first = Swift.min(width, Swift.max(0, -offset))
            let last = Swift.max(first, Swift.min(width, length - offset))
            if first > 0 { destination.initialize(repeating: 0, count: first) }
            if last > first { (destination + first).update(from: x + offset + first, count: last - first) }
            if width > last { (destination + last).initialize(repeating: 0, count: width - last) }
        } else {
            for j in 0..<width {
                let position = offset + j * stride
                destination[j] = position >= 0 && position < length ? x[position] : 0
            }
        }
    }

    /// The pointers every GEMM convolution works on: `self` (input), `weight`, `output` and a zeroed scratch
    /// buffer of `scratchCount` floats (the im2col / col2im columns), all wrapped as `SendablePointer`s so the
    /// unfolding closures can hand them to `ConcurrentWork`.
    func withConvolutionBuffers(weight: Tensor, output: inout Tensor, scratchCount: Int,
                                _ body: (_ input: SendablePointer<Float>, _ weight: SendablePointer<Float>,
                                         _ output: SendablePointer<Float>, _ scratch: SendablePointer<Float>) -> Void) {
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, scratchCount))
        scratch.initialize(repeating: 0, count: Swift.max(1, scratchCount))
        defer { scratch.deallocate() }
        withUnsafeBufferPointer { xBuffer in
            weight.withUnsafeBufferPointer { wBuffer in
                output.withUnsafeMutableBufferPointer { yBuffer in
                    body(SendablePointer(xBuffer), SendablePointer(wBuffer), SendablePointer(yBuffer), SendablePointer(scratch))
                }
            }
        }
    }

    /// A `[B, C, T]` tensor whose rows hold `bias[c]` (or zeros without a bias).
    static func channelBiasFilled(shape: [Int], bias: Tensor?) -> Tensor {
        guard let bias else { return Tensor(zeros: shape) }
        let channels = shape[1], length = shape[2]
        return bias.withUnsafeBufferPointer { b in
            Tensor(uninitializedShape: shape) { y in
                for row in 0..<(shape[0] * channels) {
                    (y.baseAddress! + row * length).initialize(repeating: b[row % channels], count: length)
                }
            }
        }
    }

    /// `F.conv_transpose1d`.
    ///
    /// `self` is `[B, Cin, T]`, `weight` is `[Cin, Cout/groups, K]`, `bias` is `[Cout]`. Computed as a GEMM
    /// producing every tap's contribution, columns[(co·K + k), j] = Σ_ci W[ci, co, k]·x[ci, j], followed by an
    /// overlap-add (col2im) into y[co, j·stride + k·dilation − padding]. Input is processed in tiles; the
    /// overlap-add is split by output channel, so the summation order never depends on the core count.
    public func convTranspose1d(weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
                                outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1) -> Tensor {
        precondition(rank == 3 && weight.rank == 3, "conv_transpose1d expects input [B, C, T] and weight [Cin, Cout/g, K]; got \(shape), \(weight.shape)")
        let batch = shape[0], inChannels = shape[1], length = shape[2]
        let outPerGroup = weight.shape[1], kernelSize = weight.shape[2]
        precondition(groups >= 1 && inChannels % groups == 0 && weight.shape[0] == inChannels,
                     "conv_transpose1d: input \(shape), weight \(weight.shape) and groups \(groups) disagree")
        precondition(outputPadding >= 0 && outputPadding < Swift.max(stride, dilation), "conv_transpose1d: output padding must be smaller than stride or dilation")
        let outChannels = outPerGroup * groups, inPerGroup = inChannels / groups
        if let bias { precondition(bias.shape == [outChannels], "conv_transpose1d: bias \(bias.shape) for \(outChannels) channels") }
        let outLength = Tensor.convTranspose1dOutputLength(inputLength: length, kernelSize: kernelSize, stride: stride,
                                                           padding: padding, outputPadding: outputPadding, dilation: dilation)
        precondition(outLength > 0, "conv_transpose1d: output length \(outLength) is not positive")
        let columnRows = outPerGroup * kernelSize
        let tile = Swift.min(length, Swift.max(64, Tensor.convolutionTileElements / columnRows))

        var output = Tensor.channelBiasFilled(shape: [batch, outChannels, outLength], bias: bias)
        withConvolutionBuffers(weight: weight, output: &output, scratchCount: columnRows * tile) { x, w, y, column in
            for item in 0..<batch {
                for group in 0..<groups {
                    let groupInput = x.base + (item * inChannels + group * inPerGroup) * length
                    let groupWeight = w.base + group * inPerGroup * columnRows
                    let groupOutput = SendablePointer(y.base + (item * outChannels + group * outPerGroup) * outLength)
                    var start = 0
                    while start < length {
                        let width = Swift.min(tile, length - start)
                        // columns[co·K + k, j] = Σ_ci W[ci, co·K + k] · x[ci, start + j]
                        GEMM.multiply(transposeA: true, m: columnRows, n: width, k: inPerGroup, a: groupWeight,
                                      lda: columnRows, b: groupInput + start, ldb: length, c: column.base, ldc: width)
                        let tileStart = start
                        ConcurrentWork.forEach(outPerGroup, minimumRange: Swift.max(1, 32768 / Swift.max(1, width * kernelSize))) { channel in
                            let y = groupOutput.base + channel * outLength
                            for tap in 0..<kernelSize {
                                let contribution = column.base + (channel * kernelSize + tap) * width
                                let offset = tileStart * stride + tap * dilation - padding
                                for j in 0..<width {
                                    let position = offset + j * stride
                                    if position >= 0 && position < outLength { y[position] += contribution[j] }
                                }
                            }
                        }
                        start += width
                    }
                }
            }
        }
        return output
    }
}
