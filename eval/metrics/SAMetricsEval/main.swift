// SAMetricsEval: heavy checks and the benchmark for SAMetrics (issue 5). Release builds only:
//
//   swift build -c release --product SAMetricsEval
//   .build/release/SAMetricsEval make-audio /tmp/metrics-hour            # 60 one-minute 44.1 kHz stereo WAVs
//   .build/release/SAMetricsEval score /tmp/metrics-hour                  # times suite A over them
//   .build/release/SAMetricsEval stft                                     # STFT throughput per transform size
//   .build/release/SAMetricsEval sets GEN_DIR REF_DIR                     # times suite C on two audio sets
//   .build/release/SAMetricsEval compliance Tests/SAMetricsTests/Resources  # EBU / parity numbers, printed
//
// After the lead registers `ScoreCommand`, `stable-audio score /tmp/metrics-hour --quiet` runs the same library
// call (MetricsScorer.score) as `score` here.
import CFFTW3
import Dispatch
import Foundation
import SAAudio
import SAMetrics
import SATensor

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("SAMetricsEval: \(message)\n".utf8))
    exit(1)
}

func seconds(_ start: DispatchTime) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

func format(_ value: Double, _ decimals: Int = 3) -> String { String(format: "%.\(decimals)f", value) }

/// Music-like test audio: a chord of four voices with harmonics and note envelopes, a decaying "kick" every 0.5 s,
/// and noise bursts, panned differently on L and R; deterministic per file index.
func musicLikeAudio(index: Int, seconds: Int, sampleRate: Int) -> AudioBuffer {
    var generator = SplitMix64(seed: UInt64(index) &* 0x9E37_79B9 &+ 17)
    let count = seconds * sampleRate
    var left = [Float](repeating: 0, count: count), right = [Float](repeating: 0, count: count)
    let fs = Double(sampleRate)
    let roots = [110.0, 130.81, 146.83, 164.81, 196.0, 220.0]
    for voice in 0..<4 {
        let base = roots[generator.nextIndex(below: roots.count)] * [1.0, 1.5, 2.0, 2.5][voice]
        let pan = Double(generator.nextIndex(below: 1000)) / 1000
        for harmonic in 1...4 {
            // recursive oscillator: z ← z·e^{iω}, renormalised every block
            let omega = 2 * Double.pi * base * Double(harmonic) / fs
            let stepRe = cos(omega), stepIm = sin(omega)
            var re = 1.0, im = 0.0
            let amplitude = 0.08 / Double(harmonic)
            for n in 0..<count {
                let noteTime = Double(n % (sampleRate * 2)) / fs  // a new note every 2 s
                let envelope = amplitude * exp(-1.5 * noteTime)
                let value = envelope * im
                left[n] += Float(value * (1 - pan))
                right[n] += Float(value * pan)
                let nextRe = re * stepRe - im * stepIm
                im = re * stepIm + im * stepRe
                re = nextRe
                if n & 4095 == 0 {
                    let norm = (re * re + im * im).squareRoot()
                    re /= norm
                    im /= norm
                }
            }
        }
    }
    var noiseState: UInt64 = UInt64(index) + 1
    for n in 0..<count {
        let beatTime = Double(n % (sampleRate / 2)) / fs
        let kick = 0.3 * exp(-30 * beatTime) * sin(2 * Double.pi * 55 * beatTime)
        noiseState = noiseState &* 6364136223846793005 &+ 1442695040888963407
        let noise = (Double(noiseState >> 40) / 16777216.0 * 2 - 1) * 0.05 * exp(-12 * beatTime)
        left[n] += Float(kick + noise)
        right[n] += Float(kick - 0.5 * noise)
    }
    return AudioBuffer(samples: Tensor(shape: [2, count], scalars: left + right), sampleRate: sampleRate)
}

func makeAudio(_ arguments: [String]) {
    guard let directory = arguments.first else { fail("usage: make-audio DIR [--minutes N]") }
    var minutes = 60
    if let flag = arguments.firstIndex(of: "--minutes"), flag + 1 < arguments.count, let value = Int(arguments[flag + 1]) { minutes = value }
    do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch { fail("\(error)") }
    let start = DispatchTime.now()
    DispatchQueue.concurrentPerform(iterations: minutes) { index in
        let audio = musicLikeAudio(index: index, seconds: 60, sampleRate: 44100)
        let path = directory + "/" + String(format: "minute_%03d.wav", index)
        do { try AudioFile.write(audio, to: path, format: .wav(.pcm16)) } catch { fail("\(error)") }
    }
    print("wrote \(minutes) one-minute 44.1 kHz stereo 16-bit WAV files to \(directory) in \(format(seconds(start), 1)) s")
}

func score(_ arguments: [String]) {
    guard let directory = arguments.first else { fail("usage: score DIR [--jobs N] [--json OUT]") }
    var request = ScoreRequest(inputs: [directory])
    if let flag = arguments.firstIndex(of: "--jobs"), flag + 1 < arguments.count, let value = Int(arguments[flag + 1]) { request.workerCount = value }
    // Warm-up: plan the FFT size once so the timing is of scoring only (plans are cached for the process).
    _ = FileAnalyzer.analyze(musicLikeAudio(index: 0, seconds: 1, sampleRate: 44100), path: "warm-up")
    let start = DispatchTime.now()
    let report: ScoreReport
    do { report = try MetricsScorer.score(request) } catch { fail("\(error)") }
    let elapsed = seconds(start)
    let audioSeconds = report.files.compactMap(\.duration).reduce(0, +)
    let failed = report.files.filter { $0.error != nil }.count
    print("suite A over \(report.files.count) files (\(format(audioSeconds / 60, 1)) min of audio, \(failed) errors) with \(request.workerCount) workers:")
    print("  wall \(format(elapsed, 2)) s, \(format(audioSeconds / elapsed, 0))× real time")
    if let flag = arguments.firstIndex(of: "--json"), flag + 1 < arguments.count {
        do { try JSONReportWriter.write(report, to: arguments[flag + 1]) } catch { fail("\(error)") }
    }
    // Per-stage cost on one file, single thread, for the breakdown.
    guard let first = report.files.first?.path, let (audio, _) = try? AudioFile.read(first) else { return }
    let frames = audio.frameCount
    var stages: [(String, Double)] = []
    var t = DispatchTime.now()
    _ = try? AudioFile.read(first)
    stages.append(("decode (libsndfile)", seconds(t)))
    audio.samples.withUnsafeBufferPointer { all in
        let channels = (0..<2).map { UnsafeBufferPointer(rebasing: all[($0 * frames)..<(($0 + 1) * frames)]) }
        t = DispatchTime.now()
        _ = try? LoudnessMeter.measure(channels: channels, sampleRate: audio.sampleRate)
        stages.append(("loudness (K-filter, M/S/I/LRA, per channel, mono)", seconds(t)))
        t = DispatchTime.now()
        _ = channels.map { TruePeakMeter.peak(of: $0) }
        stages.append(("true peak (4×, 2 channels)", seconds(t)))
        t = DispatchTime.now()
        _ = try? LongTermSpectrum(channels: channels, sampleRate: audio.sampleRate)
        stages.append(("Welch spectrum + cross-spectrum", seconds(t)))
    }
    t = DispatchTime.now()
    _ = FileAnalyzer.analyze(audio, path: first)
    stages.append(("whole FileAnalyzer.analyze", seconds(t)))
    print("  one-minute file, one thread:")
    for (name, time) in stages { print("    \(name): \(format(time * 1000, 1)) ms") }
}

/// FFTW's bare r2c throughput (the figure eval/metrics/fftw_r2c_bench.c prints), measured in this process so it sits
/// side by side with the STFT numbers: FFTW_ESTIMATE plan, 256 distinct frames, new-array execute, ≥ 0.3 s.
func bareFFTW(size: Int) -> Double {
    let frames = 256, stride = size / 2 + 2  // even complex stride keeps every output frame 16-byte aligned
    guard let input = fftwf_alloc_real(size * frames), let output = fftwf_alloc_complex(stride * frames) else { fail("fftwf_alloc failed") }
    defer { fftwf_free(input); fftwf_free(output) }
    guard let plan = fftwf_plan_dft_r2c_1d(Int32(size), input, output, UInt32(FFTW_ESTIMATE)) else { fail("FFTW planning failed") }
    defer { fftwf_destroy_plan(plan) }
    var state: UInt64 = 7
    for index in 0..<(size * frames) {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        input[index] = Float(Double(state >> 40) / 16777216.0 - 0.5)
    }
    var count = 0
    let start = DispatchTime.now()
    while seconds(start) < 0.3 {
        for frame in 0..<frames { fftwf_execute_dft_r2c(plan, input + frame * size, output + frame * stride) }
        count += frames
    }
    return seconds(start) / Double(count)
}

func sets(_ arguments: [String]) {
    guard arguments.count >= 2 else { fail("usage: sets GENERATED_DIR REFERENCE_DIR") }
    let start = DispatchTime.now()
    let report: ScoreReport
    do { report = try MetricsScorer.score(ScoreRequest(generatedSet: arguments[0], referenceSet: arguments[1])) } catch { fail("\(error)") }
    print("suite C (FD-mel, FD-mel-∞, 200-resample bootstrap, KID-mel, Wasserstein-1) in \(format(seconds(start), 2)) s wall:")
    print(TableReportWriter.render(report), terminator: "")
}

func stft(_ arguments: [String]) {
    let sampleCount = 60 * 44100
    var state: UInt64 = 1
    let signal = (0..<sampleCount).map { _ -> Float in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Double(state >> 40) / 16777216.0 * 2 - 1)
    }
    print("STFT throughput, one thread, 60 s of noise; best of 5 runs. 'frames only' = window + FFTW r2c (FFTW_ESTIMATE)")
    print("per frame (forEachFrame); 'power' = powerSpectrogram, which also writes |X|² for every bin into a new array.")
    print("mflops = 2.5·N·log2(N) / 2 / t(µs), FFTW's convention for real transforms.")
    print("   N    hop   frames  FFTW bare ns  mflops  frames-only ns  mflops   power ns  mflops  frames-only/bare")
    for size in [512, 1024, 2048, 4096] {
        let hop = size / 4
        do {
            let transform = try ShortTimeFourierTransform(STFTConfiguration(fftSize: size, hopLength: hop))
            _ = try transform.powerSpectrogram(Array(signal.prefix(44100)))
            var best = Double.infinity, bestFrames = Double.infinity
            let frames = transform.frameCount(sampleCount: signal.count)
            var checksum: Float = 0
            for _ in 0..<5 {
                var start = DispatchTime.now()
                try signal.withUnsafeBufferPointer { samples in
                    try transform.forEachFrame(samples) { _, spectrum in checksum += spectrum[2] }
                }
                bestFrames = Swift.min(bestFrames, seconds(start))
                start = DispatchTime.now()
                _ = try transform.powerSpectrogram(signal)
                best = Swift.min(best, seconds(start))
            }
            let flops = 2.5 * Double(size) * log2(Double(size)) / 2
            let bare = (0..<3).map { _ in bareFFTW(size: size) }.min() ?? .nan
            let framesOnly = bestFrames / Double(frames), power = best / Double(frames)
            print(String(format: "%5d %6d %8d %13.1f %7.0f %15.1f %7.0f %10.1f %7.0f %8.2f", size, hop, frames, bare * 1e9, flops / (bare * 1e6),
                         framesOnly * 1e9, flops / (framesOnly * 1e6), power * 1e9, flops / (power * 1e6), framesOnly / bare)
                  + (checksum.isNaN ? " (nan)" : ""))
        } catch { fail("\(error)") }
    }
}

func compliance(_ arguments: [String]) {
    let resources = arguments.first ?? "Tests/SAMetricsTests/Resources"
    func json(_ name: String) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: resources + "/" + name),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { fail("cannot read \(resources)/\(name)") }
        return object
    }
    func tone(_ segments: [(Double, Double?)], _ rate: Int, _ levels: [Double] = [0, 0]) -> AudioBuffer {
        let lengths = segments.map { Int(($0.0 * Double(rate)).rounded()) }
        let total = lengths.reduce(0, +)
        var planar = [Float](repeating: 0, count: levels.count * total)
        var position = 0
        for (segment, length) in zip(segments, lengths) {
            if let level = segment.1 {
                for (channel, offset) in levels.enumerated() {
                    let amplitude = pow(10, (level + offset) / 20)
                    for index in 0..<length {
                        planar[channel * total + position + index] = Float(amplitude * sin(2 * Double.pi * 1000 * Double(position + index) / Double(rate)))
                    }
                }
            }
            position += length
        }
        return AudioBuffer(samples: Tensor(shape: [levels.count, total], scalars: planar), sampleRate: rate)
    }
    func measure(_ audio: AudioBuffer) -> LoudnessMeasurement {
        let frames = audio.frameCount
        return audio.samples.withUnsafeBufferPointer { all in
            let channels = (0..<audio.channelCount).map { UnsafeBufferPointer(rebasing: all[($0 * frames)..<(($0 + 1) * frames)]) }
            guard let result = try? LoudnessMeter.measure(channels: channels, sampleRate: audio.sampleRate) else { fail("loudness failed") }
            return result
        }
    }
    let deman = (json("loudness_reference.json")["pyloudnorm_deman"] as? [String: [String: Double]]) ?? [:]
    let cases: [(String, [(Double, Double?)], [Double], Double)] = [
        ("3341-1", [(20, -23)], [0, 0], -23), ("3341-2", [(20, -33)], [0, 0], -33),
        ("3341-3", [(10, -36), (60, -23), (10, -36)], [0, 0], -23),
        ("3341-4", [(10, -72), (10, -36), (60, -23), (10, -36), (10, -72)], [0, 0], -23),
        ("3341-5", [(20, -26), (20.1, -20), (20, -26)], [0, 0], -23),
        ("3341-6", [(20, 0)], [-28, -28, -24, -30, -30], -23),
    ]
    for rate in [48000, 44100] {
        print("EBU Tech 3341 integrated loudness at \(rate) Hz (expected ±0.1 LU; pyloudnorm DeMan within 0.01 LU):")
        for (name, segments, levels, expected) in cases {
            let value = measure(tone(segments, rate, levels)).integrated ?? .nan
            let reference = deman[String(rate)]?[name] ?? .nan
            print("  \(name): I = \(format(value, 4)) LUFS, error vs standard \(format(value - expected, 4)) LU, vs DeMan \(String(format: "%+.1e", value - reference)) LU")
        }
        let lra: [(String, [(Double, Double?)], Double)] = [
            ("3342-1", [(20, -20), (20, -30)], 10), ("3342-2", [(20, -20), (20, -15)], 5),
            ("3342-3", [(20, -40), (20, -20)], 20), ("3342-4", [(20, -50), (20, -35), (20, -20), (20, -35), (20, -50)], 15),
        ]
        print("EBU Tech 3342 at \(rate) Hz (LRA expected ±1 LU):")
        for (name, segments, expected) in lra {
            let measured = measure(tone(segments, rate))
            let reference = deman[String(rate)]?[name] ?? .nan
            print("  \(name): LRA = \(format(measured.loudnessRange ?? .nan, 4)) LU (error \(format((measured.loudnessRange ?? .nan) - expected, 4))), I vs DeMan \(String(format: "%+.1e", (measured.integrated ?? .nan) - reference)) LU")
        }
        var worstS = 0.0, worstM = 0.0
        for i in 0..<20 {
            worstS = Swift.max(worstS, Swift.abs((measure(tone([(Double(i) * 0.15, nil), (3, -23), (1, nil)], rate)).shortTermMaximum ?? .nan) + 23))
            worstM = Swift.max(worstM, Swift.abs((measure(tone([(Double(i) * 0.02, nil), (0.4, -23), (1, nil)], rate)).momentaryMaximum ?? .nan) + 23))
        }
        let case9 = measure(tone(Array(repeating: [(1.34, -20.0), (1.66, -30.0)] as [(Double, Double?)], count: 5).flatMap { $0 }, rate)).shortTermSeries
        let case12 = measure(tone(Array(repeating: [(0.18, -20.0), (0.22, -30.0)] as [(Double, Double?)], count: 25).flatMap { $0 }, rate)).momentarySeries.dropFirst(6)
        print("  3341-9: S after 3 s within [\(format(case9.min() ?? .nan, 4)), \(format(case9.max() ?? .nan, 4))] LUFS")
        print("  3341-10: worst |max S + 23| over 20 files = \(format(worstS, 4)) LU")
        print("  3341-12: M after 1 s within [\(format(case12.min() ?? .nan, 4)), \(format(case12.max() ?? .nan, 4))] LUFS")
        print("  3341-13: worst |max M + 23| over 20 files = \(format(worstM, 4)) LU")
    }
    print("EBU Tech 3341 true peak (expected +0.2/−0.4 dB; fs-relative, identical at 48 and 44.1 kHz):")
    for (number, divisor, amplitude, phase, expected) in [(15, 4.0, 0.5, 0.0, -6.0), (16, 4, 0.5, 45, -6), (17, 6, 0.5, 60, -6), (18, 8, 0.5, 67.5, -6), (19, 4, 1.41, 45, 3)] {
        let rate = 48000, count = rate / 2, fade = rate / 100
        let samples = (0..<count).map { n -> Float in
            let envelope = n < fade ? Double(n) / Double(fade) : (n >= count - fade ? Double(count - 1 - n) / Double(fade) : 1)
            return Float(envelope * amplitude * sin(2 * Double.pi * Double(n) / divisor + phase * Double.pi / 180))
        }
        let peak = samples.withUnsafeBufferPointer { TruePeakMeter.decibels(TruePeakMeter.peak(of: $0)) ?? .nan }
        print("  case \(number): \(format(peak, 4)) dBTP, error \(format(peak - expected, 4)) dB")
    }
    if let matrix = try? EmbeddingMatrixReader.read(resources + "/true_peak_cases_20_23.npy") {
        for index in 0..<4 {
            let row = matrix.values[(index * matrix.dimension)..<((index + 1) * matrix.dimension)].map { Float($0) }
            let peak = row.withUnsafeBufferPointer { TruePeakMeter.decibels(TruePeakMeter.peak(of: $0)) ?? .nan }
            print("  case \(20 + index): \(format(peak, 4)) dBTP, error \(format(peak, 4)) dB")
        }
    }
    // Mel filter banks and Fréchet distances against librosa / pytorch-fid.
    if let banks = json("mel_filterbanks.json")["filterbanks"] as? [[String: Any]] {
        print("mel filter banks vs librosa (max relative error per weight, floor 1e-6·max):")
        for entry in banks {
            guard let config = entry["config"] as? [String: Any], let sr = config["sr"] as? Int, let fft = config["n_fft"] as? Int,
                  let mels = config["n_mels"] as? Int, let fmin = config["fmin"] as? Double else { continue }
            let configuration = MelConfiguration(sampleRate: sr, fftSize: fft, melCount: mels, minimumFrequency: fmin,
                                                 maximumFrequency: config["fmax"] as? Double,
                                                 scale: (config["htk"] as? Bool) == true ? .htk : .slaney,
                                                 normalization: (config["norm"] as? String) == "slaney" ? .slaney : .none)
            guard let ours = try? MelFilterBank(configuration).denseWeights() else { continue }
            var line = "  sr \(sr) n_fft \(fft) mels \(mels) \((config["htk"] as? Bool) == true ? "htk" : "slaney") norm \(config["norm"] as? String ?? "none"):"
            for key in ["float64", "float32"] {
                guard let sparse = entry[key] as? [String: Any], let rows = sparse["rows"] as? [Int], let columns = sparse["columns"] as? [Int],
                      let values = sparse["values"] as? [Double] else { continue }
                var dense = [Double](repeating: 0, count: ours.count)
                for (i, value) in values.enumerated() { dense[rows[i] * (fft / 2 + 1) + columns[i]] = value }
                let largest = dense.map(Swift.abs).max() ?? 1
                let worst = zip(ours, dense).map { Swift.abs($0 - $1) / Swift.max(Swift.abs($1), 1e-6 * largest) }.max() ?? 0
                line += " vs \(key) \(String(format: "%.2e", worst))"
            }
            print(line)
        }
    }
    if let frechet = json("set_reference.json")["frechet"] as? [String: [String: Double]] {
        print("Fréchet distance (symmetric eigh, Float64) vs pytorch-fid scipy sqrtm:")
        let files = ["a": "embeddings_a.npy", "b": "embeddings_b.npy", "c": "embeddings_c_rank_deficient.npy", "e": "embeddings_e_rank_deficient.npy"]
        for (pair, values) in frechet.sorted(by: { $0.key < $1.key }) {
            let names = pair.split(separator: "_").map(String.init)
            guard let x = try? EmbeddingMatrixReader.read(resources + "/" + files[names[0]]!),
                  let y = try? EmbeddingMatrixReader.read(resources + "/" + files[names[1]]!),
                  let ours = try? FrechetDistance.distance(GaussianStatistics(x), GaussianStatistics(y)),
                  let sqrtm = values["pytorch_fid_sqrtm"] else { continue }
            print("  \(pair) (\(x.rowCount)×\(x.dimension) vs \(y.rowCount)×\(y.dimension)): \(ours) vs \(sqrtm), relative error \(String(format: "%.2e", Swift.abs(ours - sqrtm) / sqrtm))")
        }
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "make-audio": makeAudio(Array(arguments.dropFirst()))
case "score": score(Array(arguments.dropFirst()))
case "stft": stft(Array(arguments.dropFirst()))
case "sets": sets(Array(arguments.dropFirst()))
case "compliance": compliance(Array(arguments.dropFirst()))
default: fail("usage: SAMetricsEval make-audio DIR [--minutes N] | score DIR [--jobs N] [--json OUT] | stft | sets GEN REF | compliance [RESOURCES]")
}
