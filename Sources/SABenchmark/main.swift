import Foundation
import SATensor

// stable-audio-bench: engine-core throughput, measured side by side in one run.
//
//   swift build -c release && OPENBLAS_CORETYPE=SkylakeX .build/release/stable-audio-bench [--quick]
//
// Prints the machine's sgemm rate (OpenBLAS with its own threads, and through the engine's deterministic
// GEMM layer), then conv1d / conv_transpose1d at U-Net and VAE-decoder shapes as GFLOP/s and as a fraction of
// the sgemm rate. FLOPs count 2 per multiply-add of the mathematical convolution (no im2col overhead).

BLASRuntime.relaunchWithFastKernelsIfNeeded()
let quick = CommandLine.arguments.contains("--quick")
let repetitions = quick ? 3 : 7

/// Median wall time of `body` over `repetitions` runs, after one warm-up run.
func medianSeconds(_ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[times.count / 2]
}

func row(_ name: String, _ flops: Double, _ seconds: Double, _ reference: Double?) -> String {
    let rate = flops / seconds / 1e9
    let fraction = reference.map { String(format: "%5.0f%%", 100 * rate / $0) } ?? "     –"
    return name.padding(toLength: 58, withPad: " ", startingAt: 0)
        + String(format: "%9.2f ms %9.1f GF/s ", seconds * 1000, rate) + fraction
}

// MARK: sgemm
let size = quick ? 1024 : 2048
var generator = SeededGenerator(seed: 2)
let a = Tensor.randomNormal(shape: [size, size], generator: &generator)
let b = Tensor.randomNormal(shape: [size, size], generator: &generator)
var c = Tensor(zeros: [size, size])
let gemmFlops = 2 * pow(Double(size), 3)

// The engine's own measurements come first: once OpenBLAS's thread pool has run, its threads keep spinning for
// a while and would steal cores from the engine's workers (the engine itself never uses that pool).
// Warm-up: libdispatch starts its worker threads lazily, so the first parallel calls of a process can run on
// one core. A few convolutions first make every measurement below see the steady state an engine run sees.
do {
    var warmGenerator = SeededGenerator(seed: 5)
    let w = Tensor.randomNormal(shape: [256, 256, 3], generator: &warmGenerator), x = Tensor.randomNormal(shape: [1, 256, 4096], generator: &warmGenerator)
    for _ in 0..<20 { _ = x.conv1d(weight: w, padding: 1) }
}
let engineSeconds = medianSeconds { _ = a.matmul(b) }
var measurements: [(name: String, flops: Double, seconds: Double)] = [
    ("sgemm \(size)³, engine GEMM (deterministic blocks)", gemmFlops, engineSeconds),
]

// MARK: convolutions
struct ConvolutionShape {
    var name: String
    var batch, inChannels, outChannels, length, kernel, stride, padding, dilation: Int
    var transposed: Bool
}

let shapes: [ConvolutionShape] = [
    ConvolutionShape(name: "U-Net conv1d 1024→1024 k3, 4096 frames", batch: 1, inChannels: 1024, outChannels: 1024, length: 4096, kernel: 3, stride: 1, padding: 1, dilation: 1, transposed: false),
    ConvolutionShape(name: "U-Net conv1d 1280→1280 k3, 1024 frames, batch 2", batch: 2, inChannels: 1280, outChannels: 1280, length: 1024, kernel: 3, stride: 1, padding: 1, dilation: 1, transposed: false),
    ConvolutionShape(name: "U-Net downsample 1024→1280 k9 s4, 2048 frames", batch: 1, inChannels: 1024, outChannels: 1280, length: 2048, kernel: 9, stride: 4, padding: 4, dilation: 1, transposed: false),
    ConvolutionShape(name: "VAE conv1d 64→64 k7 d9, 44100 frames", batch: 1, inChannels: 64, outChannels: 64, length: 44100, kernel: 7, stride: 1, padding: 27, dilation: 9, transposed: false),
    ConvolutionShape(name: "VAE conv1d 128→128 k7 d3, 44100 frames", batch: 1, inChannels: 128, outChannels: 128, length: 44100, kernel: 7, stride: 1, padding: 9, dilation: 3, transposed: false),
    ConvolutionShape(name: "VAE conv1d 128→128 k1, 44100 frames", batch: 1, inChannels: 128, outChannels: 128, length: 44100, kernel: 1, stride: 1, padding: 0, dilation: 1, transposed: false),
    ConvolutionShape(name: "VAE conv_transpose1d 256→128 k16 s8, 5513→44104 frames", batch: 1, inChannels: 256, outChannels: 128, length: 5513, kernel: 16, stride: 8, padding: 4, dilation: 1, transposed: true),
    ConvolutionShape(name: "VAE conv_transpose1d 2048→1024 k16 s8, 22→176 frames", batch: 1, inChannels: 2048, outChannels: 1024, length: 22, kernel: 16, stride: 8, padding: 4, dilation: 1, transposed: true),
]

for shape in shapes {
    var shapeGenerator = SeededGenerator(seed: 3)
    let x = Tensor.randomNormal(shape: [shape.batch, shape.inChannels, shape.length], generator: &shapeGenerator)
    let seconds: Double
    let flops: Double
    if shape.transposed {
        let weight = Tensor.randomNormal(shape: [shape.inChannels, shape.outChannels, shape.kernel], standardDeviation: 0.02, generator: &shapeGenerator)
        flops = 2 * Double(shape.batch * shape.inChannels * shape.outChannels * shape.kernel * shape.length)
        seconds = medianSeconds { _ = x.convTranspose1d(weight: weight, stride: shape.stride, padding: shape.padding) }
    } else {
        let weight = Tensor.randomNormal(shape: [shape.outChannels, shape.inChannels, shape.kernel], standardDeviation: 0.02, generator: &shapeGenerator)
        let outLength = Tensor.conv1dOutputLength(inputLength: shape.length, kernelSize: shape.kernel, stride: shape.stride,
                                                  padding: (shape.padding, shape.padding), dilation: shape.dilation)
        flops = 2 * Double(shape.batch * shape.inChannels * shape.outChannels * shape.kernel * outLength)
        seconds = medianSeconds { _ = x.conv1d(weight: weight, stride: shape.stride, padding: shape.padding, dilation: shape.dilation) }
    }
    measurements.append((shape.name, flops, seconds))
}

BLASRuntime.setThreadCount(ConcurrentWork.workerCount)
let nativeSeconds = medianSeconds {
    a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in c.withUnsafeMutableBufferPointer { z in
        GEMM.multiplySerial(m: size, n: size, k: size, a: x.baseAddress!, lda: size, b: y.baseAddress!, ldb: size, c: z.baseAddress!, ldc: size)
    } } }
}
BLASRuntime.setThreadCount(1)
let sgemmRate = gemmFlops / nativeSeconds / 1e9

print("stable-audio-bench \(StableAudioVersion.string)  OpenBLAS kernels: \(BLASRuntime.coreName)  workers: \(ConcurrentWork.workerCount)  repetitions: \(repetitions) (median)")
print("")
print("operation".padding(toLength: 58, withPad: " ", startingAt: 0) + "      time        rate  of sgemm")
print(row("sgemm \(size)³, OpenBLAS's own threads (machine rate)", gemmFlops, nativeSeconds, nil))
for measurement in measurements { print(row(measurement.name, measurement.flops, measurement.seconds, sgemmRate)) }
