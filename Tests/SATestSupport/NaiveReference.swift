import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// Direct loop implementations of the tensor ops, written from PyTorch's definitions with no tiling, BLAS or
/// threading, accumulated in Float64. The fast paths are tested against these over grids of shapes.
public enum NaiveReference {
    /// y[b, o, t] = bias[o] + Σ_{i, k} W[o, i, k] · x[b, g·Cin/G + i, t·s + k·d − padLeft]
    public static func conv1d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padLeft: Int, padRight: Int,
                              dilation: Int, groups: Int) -> Tensor {
        let batch = x.shape[0], inChannels = x.shape[1], length = x.shape[2]
        let outChannels = weight.shape[0], inPerGroup = weight.shape[1], kernel = weight.shape[2]
        let outPerGroup = outChannels / groups
        let outLength = (length + padLeft + padRight - dilation * (kernel - 1) - 1) / stride + 1
        var y = Tensor(zeros: [batch, outChannels, outLength])
        for b in 0..<batch {
            for o in 0..<outChannels {
                let group = o / outPerGroup
                for t in 0..<outLength {
                    var total = Double(bias?.scalars[o] ?? 0)
                    for i in 0..<inPerGroup {
                        for k in 0..<kernel {
                            let position = t * stride + k * dilation - padLeft
                            guard position >= 0 && position < length else { continue }
                            total += Double(weight[[o, i, k]]) * Double(x[[b, group * inPerGroup + i, position]])
                        }
                    }
                    y[[b, o, t]] = Float(total)
                }
            }
        }
        _ = inChannels
        return y
    }

    /// y[b, o, h, w] = bias[o] + Σ_{i,kh,kw} W[o, i, kh, kw] · x[b, i, h + kh − pH, w + kw − pW] (stride 1, zero padding)
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, padHeight: Int, padWidth: Int) -> Tensor {
        let batch = x.shape[0], inChannels = x.shape[1], height = x.shape[2], width = x.shape[3]
        let outChannels = weight.shape[0], kernelHeight = weight.shape[2], kernelWidth = weight.shape[3]
        let outHeight = height + 2 * padHeight - kernelHeight + 1, outWidth = width + 2 * padWidth - kernelWidth + 1
        var y = Tensor(zeros: [batch, outChannels, outHeight, outWidth])
        for b in 0..<batch {
            for o in 0..<outChannels {
                for h in 0..<outHeight {
                    for w in 0..<outWidth {
                        var total = Double(bias?.scalars[o] ?? 0)
                        for i in 0..<inChannels {
                            for kh in 0..<kernelHeight {
                                let row = h + kh - padHeight
                                guard row >= 0 && row < height else { continue }
                                for kw in 0..<kernelWidth {
                                    let column = w + kw - padWidth
                                    guard column >= 0 && column < width else { continue }
                                    total += Double(weight[[o, i, kh, kw]]) * Double(x[[b, i, row, column]])
                                }
                            }
                        }
                        y[[b, o, h, w]] = Float(total)
                    }
                }
            }
        }
        return y
    }

    /// y[b, g·Cout/G + o, t·s + k·d − p] += W[g·Cin/G + i, o, k] · x[b, g·Cin/G + i, t]
    public static func convTranspose1d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int,
                                       outputPadding: Int, dilation: Int, groups: Int) -> Tensor {
        let batch = x.shape[0], inChannels = x.shape[1], length = x.shape[2]
        let outPerGroup = weight.shape[1], kernel = weight.shape[2]
        let inPerGroup = inChannels / groups, outChannels = outPerGroup * groups
        let outLength = (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1
        var accumulator = [Double](repeating: 0, count: batch * outChannels * outLength)
        for b in 0..<batch {
            for c in 0..<inChannels {
                let group = c / inPerGroup
                for o in 0..<outPerGroup {
                    for k in 0..<kernel {
                        for t in 0..<length {
                            let position = t * stride + k * dilation - padding
                            guard position >= 0 && position < outLength else { continue }
                            accumulator[(b * outChannels + group * outPerGroup + o) * outLength + position] +=
                                Double(weight[[c, o, k]]) * Double(x[[b, c, t]])
                        }
                    }
                }
            }
        }
        for index in accumulator.indices { accumulator[index] += Double(bias?.scalars[(index / outLength) % outChannels] ?? 0) }
        return Tensor(shape: [batch, outChannels, outLength], scalars: accumulator.map { Float($0) })
    }

    /// C[m, n] = Σ_k A[m, k] · B[k, n]
    public static func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        var c = Tensor(zeros: [m, n])
        for row in 0..<m {
            for column in 0..<n {
                var total = 0.0
                for inner in 0..<k { total += Double(a[[row, inner]]) * Double(b[[inner, column]]) }
                c[[row, column]] = Float(total)
            }
        }
        return c
    }

    /// Group norm over `[B, C, T]` with biased variance.
    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, epsilon: Float) -> Tensor {
        let batch = x.shape[0], channels = x.shape[1], length = x.count / (batch * channels)
        let perGroup = channels / groups
        var y = x
        for b in 0..<batch {
            for g in 0..<groups {
                var values: [Double] = []
                for c in (g * perGroup)..<((g + 1) * perGroup) {
                    for t in 0..<length { values.append(Double(x.scalars[(b * channels + c) * length + t])) }
                }
                let mean = values.reduce(0, +) / Double(values.count)
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
                for c in (g * perGroup)..<((g + 1) * perGroup) {
                    for t in 0..<length {
                        let index = (b * channels + c) * length + t
                        let normalized = (Double(x.scalars[index]) - mean) / (variance + Double(epsilon)).squareRoot()
                        let scaled = normalized * Double(weight?.scalars[c] ?? 1) + Double(bias?.scalars[c] ?? 0)
                        y.withUnsafeMutableBufferPointer { $0[index] = Float(scaled) }
                    }
                }
            }
        }
        return y
    }

    /// softmax(q·kᵀ·scale + bias)·v per head, keys/values shared by groups of query heads.
    public static func attention(query: Tensor, key: Tensor, value: Tensor, scale: Float, bias: Tensor?) -> Tensor {
        let batch = query.shape[0], heads = query.shape[1], queries = query.shape[2], depth = query.shape[3]
        let kvHeads = key.shape[1], keys = key.shape[2], valueDepth = value.shape[3]
        var output = Tensor(zeros: [batch, heads, queries, valueDepth])
        for b in 0..<batch {
            for h in 0..<heads {
                let kv = h / (heads / kvHeads)
                for i in 0..<queries {
                    var logits = [Double](repeating: 0, count: keys)
                    for j in 0..<keys {
                        var dot = 0.0
                        for d in 0..<depth { dot += Double(query[[b, h, i, d]]) * Double(key[[b, kv, j, d]]) }
                        logits[j] = dot * Double(scale)
                        if let bias {
                            logits[j] += Double(bias[[bias.shape[0] == 1 ? 0 : b, bias.shape[1] == 1 ? 0 : h, i, j]])
                        }
                    }
                    let largest = logits.max() ?? 0
                    let weights = logits.map { Foundation_exp($0 - largest) }
                    let total = weights.reduce(0, +)
                    for d in 0..<valueDepth {
                        var sum = 0.0
                        for j in 0..<keys { sum += weights[j] / total * Double(value[[b, kv, j, d]]) }
                        output[[b, h, i, d]] = Float(sum)
                    }
                }
            }
        }
        return output
    }

    private static func Foundation_exp(_ x: Double) -> Double { exp(x) }
}
