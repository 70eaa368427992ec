import SATensor
import SATestSupport
import Testing

/// The GEMM convolutions (conv1d, conv_transpose1d, conv2d) against direct loops (`NaiveReference`) over grids of
/// shapes, strides, padding, dilation and groups. Tolerance rtol 1e-4 plus atol 1e-6·max|y|: the naive loops sum in
/// Float64, the fast paths in Float32 in BLAS's order, so an output near zero that is a sum of thousands of products
/// carries an absolute error proportional to the output scale, not to itself.
@Suite struct ConvolutionTests {
    struct Conv1dCase: Sendable, CustomStringConvertible {
        var batch, inChannels, outChannels, length, kernel, stride, padLeft, padRight, dilation, groups: Int
        var bias: Bool
        var description: String {
            "B\(batch) \(inChannels)→\(outChannels) T\(length) K\(kernel) s\(stride) p(\(padLeft),\(padRight)) d\(dilation) g\(groups)\(bias ? "" : " nobias")"
        }
    }

    static let conv1dGrid: [Conv1dCase] = {
        var cases: [Conv1dCase] = []
        var index = 0
        for kernel in [1, 2, 3, 7] {
            for stride in [1, 2, 3] {
                for (padLeft, padRight) in [(0, 0), (1, 1), (3, 2)] {
                    for dilation in [1, 2, 9] {
                        for groups in [1, 2] {
                            index += 1
                            let length = 31 + index % 7
                            if (length + padLeft + padRight - dilation * (kernel - 1) - 1) < 0 { continue }
                            cases.append(Conv1dCase(batch: 1 + index % 2, inChannels: 4, outChannels: 6, length: length,
                                                    kernel: kernel, stride: stride, padLeft: padLeft, padRight: padRight,
                                                    dilation: dilation, groups: groups, bias: index % 3 != 0))
                        }
                    }
                }
            }
        }
        // Depthwise, and a case whose column matrix is split into several tiles (Cin·K = 4608 → 910-column tiles).
        cases.append(Conv1dCase(batch: 2, inChannels: 8, outChannels: 8, length: 50, kernel: 7, stride: 1, padLeft: 9, padRight: 9, dilation: 3, groups: 8, bias: true))
        cases.append(Conv1dCase(batch: 1, inChannels: 512, outChannels: 2, length: 2000, kernel: 9, stride: 1, padLeft: 4, padRight: 4, dilation: 1, groups: 1, bias: true))
        return cases
    }()

    @Test(arguments: conv1dGrid) func conv1dMatchesDirectLoops(_ c: Conv1dCase) {
        let seed = stableSeed(c.description)
        let x = randomTensor([c.batch, c.inChannels, c.length], seed: seed)
        let weight = randomTensor([c.outChannels, c.inChannels / c.groups, c.kernel], seed: seed + 1, scale: 0.3)
        let bias = c.bias ? randomTensor([c.outChannels], seed: seed + 2) : nil
        let fast = x.conv1d(weight: weight, bias: bias, stride: c.stride, padding: (c.padLeft, c.padRight), dilation: c.dilation, groups: c.groups)
        let naive = NaiveReference.conv1d(x, weight: weight, bias: bias, stride: c.stride, padLeft: c.padLeft,
                                          padRight: c.padRight, dilation: c.dilation, groups: c.groups)
        let comparison = compare(fast, naive, absoluteTolerance: max(1e-5, 1e-6 * naive.maximumAbsolute()), relativeTolerance: 1e-4)
        #expect(comparison.passed, "\(c): \(comparison)")
    }

    struct TransposeCase: Sendable, CustomStringConvertible {
        var batch, inChannels, outChannels, length, kernel, stride, padding, outputPadding, dilation, groups: Int
        var description: String {
            "B\(batch) \(inChannels)→\(outChannels) T\(length) K\(kernel) s\(stride) p\(padding) op\(outputPadding) d\(dilation) g\(groups)"
        }
    }

    static let transposeGrid: [TransposeCase] = {
        var cases: [TransposeCase] = []
        for (kernel, stride, padding) in [(16, 8, 4), (4, 2, 1), (3, 1, 0), (8, 4, 2), (5, 3, 2), (2, 2, 0)] {
            for dilation in [1, 2] {
                for groups in [1, 2] {
                    cases.append(TransposeCase(batch: 2, inChannels: 4, outChannels: 6, length: 13, kernel: kernel, stride: stride,
                                               padding: padding, outputPadding: stride > 1 ? 1 : 0, dilation: dilation, groups: groups))
                }
            }
        }
        // Several input tiles: Cout·K = 4096 → 1024-frame tiles over 1500 frames.
        cases.append(TransposeCase(batch: 1, inChannels: 2, outChannels: 256, length: 1500, kernel: 16, stride: 8, padding: 4,
                                   outputPadding: 0, dilation: 1, groups: 1))
        return cases
    }()

    @Test(arguments: transposeGrid) func convTranspose1dMatchesDirectLoops(_ c: TransposeCase) {
        let seed = stableSeed(c.description)
        let x = randomTensor([c.batch, c.inChannels, c.length], seed: seed)
        let weight = randomTensor([c.inChannels, c.outChannels / c.groups, c.kernel], seed: seed + 1, scale: 0.3)
        let bias = randomTensor([c.outChannels], seed: seed + 2)
        let fast = x.convTranspose1d(weight: weight, bias: bias, stride: c.stride, padding: c.padding,
                                     outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups)
        let naive = NaiveReference.convTranspose1d(x, weight: weight, bias: bias, stride: c.stride, padding: c.padding,
                                                   outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups)
        let comparison = compare(fast, naive, absoluteTolerance: max(1e-5, 1e-6 * naive.maximumAbsolute()), relativeTolerance: 1e-4)
        #expect(comparison.passed, "\(c): \(comparison)")
    }

    struct Conv2dCase: Sendable, CustomStringConvertible {
        var batch, inChannels, outChannels, height, width, kernelHeight, kernelWidth, padHeight, padWidth: Int
        var bias: Bool
        var description: String {
            "B\(batch) \(inChannels)→\(outChannels) \(height)×\(width) K\(kernelHeight)×\(kernelWidth) p(\(padHeight),\(padWidth))\(bias ? "" : " nobias")"
        }
    }

    static let conv2dGrid: [Conv2dCase] = [
        Conv2dCase(batch: 2, inChannels: 3, outChannels: 5, height: 9, width: 11, kernelHeight: 3, kernelWidth: 3, padHeight: 1, padWidth: 1, bias: true),
        Conv2dCase(batch: 1, inChannels: 4, outChannels: 2, height: 7, width: 6, kernelHeight: 1, kernelWidth: 1, padHeight: 0, padWidth: 0, bias: false),
        Conv2dCase(batch: 1, inChannels: 2, outChannels: 3, height: 8, width: 10, kernelHeight: 5, kernelWidth: 3, padHeight: 2, padWidth: 0, bias: true),
        Conv2dCase(batch: 2, inChannels: 1, outChannels: 4, height: 6, width: 5, kernelHeight: 2, kernelWidth: 4, padHeight: 0, padWidth: 3, bias: false),
        // Several row bands: Cin·KH·KW = 1152 column rows × 1024 output columns exceeds the 4 Mi-float tile → 3-row bands.
        Conv2dCase(batch: 1, inChannels: 128, outChannels: 2, height: 8, width: 1024, kernelHeight: 3, kernelWidth: 3, padHeight: 1, padWidth: 1, bias: true),
    ]

    @Test(arguments: conv2dGrid) func conv2dMatchesDirectLoops(_ c: Conv2dCase) {
        let seed = stableSeed(c.description)
        let x = randomTensor([c.batch, c.inChannels, c.height, c.width], seed: seed)
        let weight = randomTensor([c.outChannels, c.inChannels, c.kernelHeight, c.kernelWidth], seed: seed + 1, scale: 0.3)
        let bias = c.bias ? randomTensor([c.outChannels], seed: seed + 2) : nil
        let fast = x.conv2d(weight: weight, bias: bias, padding: (c.padHeight, c.padWidth))
        let naive = NaiveReference.conv2d(x, weight: weight, bias: bias, padHeight: c.padHeight, padWidth: c.padWidth)
        #expect(fast.shape == naive.shape)
        let comparison = compare(fast, naive, absoluteTolerance: max(1e-5, 1e-6 * naive.maximumAbsolute()), relativeTolerance: 1e-4)
        #expect(comparison.passed, "\(c): \(comparison)")
    }

    @Test func outputLengthsFollowPyTorch() {
        // SAT's Oobleck decoder block: ConvTranspose k=2s, padding ceil(s/2) gives exactly L·s for even s.
        for stride in [2, 4, 8] {
            #expect(Tensor.convTranspose1dOutputLength(inputLength: 10, kernelSize: 2 * stride, stride: stride,
                                                       padding: (stride + 1) / 2, outputPadding: 0, dilation: 1) == 10 * stride)
        }
        // Encoder block: k=2s, padding ceil(s/2) gives L/s when s divides L.
        #expect(Tensor.conv1dOutputLength(inputLength: 64, kernelSize: 16, stride: 8, padding: (4, 4), dilation: 1) == 8)
    }

    /// Determinism: the same product computed with one worker and with all workers is bit-identical, because
    /// GEMM blocks are fixed by shape and OpenBLAS runs single-threaded inside each block.
    @Test func resultsDoNotDependOnWorkerCount() {
        let x = randomTensor([2, 64, 3000], seed: 7)
        let weight = randomTensor([64, 64, 7], seed: 8, scale: 0.1)
        let parallel = x.conv1d(weight: weight, stride: 1, padding: 27, dilation: 9)
        let parallelTransposed = x.convTranspose1d(weight: weight, stride: 4, padding: 2)
        let a = randomTensor([300, 700], seed: 9), b = randomTensor([700, 2100], seed: 10)
        let product = a.matmul(b)
        var serialProduct = Tensor(zeros: [300, 2100])
        a.withUnsafeBufferPointer { left in
            b.withUnsafeBufferPointer { right in
                serialProduct.withUnsafeMutableBufferPointer { output in
                    // The blocks GEMM.multiply uses, run one after another on this thread.
                    let (splitColumns, blocks) = GEMM.partition(m: 300, n: 2100, k: 700)
                    #expect(splitColumns && blocks > 1)
                    for block in 0..<blocks {
                        let range = GEMM.blockRange(block, of: blocks, total: 2100)
                        GEMM.multiplySerial(m: 300, n: range.count, k: 700, a: left.baseAddress!, lda: 700,
                                            b: right.baseAddress! + range.lowerBound, ldb: 2100,
                                            c: output.baseAddress! + range.lowerBound, ldc: 2100)
                    }
                }
            }
        }
        #expect(product == serialProduct)
        // Repeated runs agree bit for bit.
        #expect(parallel == x.conv1d(weight: weight, stride: 1, padding: 27, dilation: 9))
        #expect(parallelTransposed == x.convTranspose1d(weight: weight, stride: 4, padding: 2))
    }
}
