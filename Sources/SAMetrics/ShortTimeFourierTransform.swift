/// A short-time Fourier transform over cached FFTW plans.
///
/// This implementation matches: `torch.stft(x, n_fft, hop, win_length, window, center, pad_mode)` and
/// `librosa.stft` (frame t starts at `t·hop − ⌊n_fft/2⌋` when centred; the window is zero-padded and centred in the
/// FFT when shorter; the spectrum is unnormalised). Frame count: `1 + (T + 2·⌊n_fft/2⌋ − n_fft)/hop` when centred
/// (`1 + T/hop` for even sizes), `1 + (T − n_fft)/hop` otherwise. Limitations: single-precision FFT (relative error about 1e-6 against a Float64 FFT); reflect
/// padding needs a signal longer than `fftSize/2` samples, as torch requires.
public struct ShortTimeFourierTransform: Sendable {
    public let configuration: STFTConfiguration
    let transform: RealFourierTransform
    /// The window over its own support, which starts at `windowOffset` within the FFT frame.
    let window: [Float]
    let windowOffset: Int

    public init(_ configuration: STFTConfiguration) throws {
        guard configuration.hopLength > 0, configuration.windowLength > 0,
              configuration.windowLength <= configuration.fftSize else {
            throw MetricsError("", "invalid STFT: fft \(configuration.fftSize), hop \(configuration.hopLength), window \(configuration.windowLength)")
        }
        self.configuration = configuration
        transform = try RealFourierTransform.shared(size: configuration.fftSize)
        window = configuration.window.coefficients(length: configuration.windowLength).map { Float($0) }
        windowOffset = (configuration.fftSize - configuration.windowLength) / 2
    }

    public var binCount: Int { configuration.fftSize / 2 + 1 }

    /// Number of frames for a signal of `sampleCount` samples.
    public func frameCount(sampleCount: Int) -> Int {
        let padded = sampleCount + (configuration.center ? 2 * (configuration.fftSize / 2) : 0)
        return padded >= configuration.fftSize ? 1 + (padded - configuration.fftSize) / configuration.hopLength : 0
    }

    /// Calls `body(frame, spectrum)` for every frame in order; `spectrum` holds `binCount` interleaved complex
    /// values and is only valid during the call.
    public func forEachFrame(_ signal: UnsafeBufferPointer<Float>, _ body: (Int, UnsafePointer<Float>) -> Void) throws {
        try forEachFrame([signal]) { frame, spectra in body(frame, spectra[0]) }
    }

    /// Transforms several equally long signals frame by frame in lockstep: `body(frame, spectra)` gets one spectrum
    /// per signal, valid only during the call.
    public func forEachFrame(_ signals: [UnsafeBufferPointer<Float>], _ body: (Int, [UnsafePointer<Float>]) -> Void) throws {
        guard let sampleCount = signals.first?.count else { return }
        guard signals.allSatisfy({ $0.count == sampleCount }) else { throw MetricsError("", "STFT: signals differ in length") }
        let fftSize = configuration.fftSize
        let pad = configuration.center ? fftSize / 2 : 0
        if configuration.center, configuration.padding == .reflect, sampleCount <= pad {
            throw MetricsError("", "signal of \(sampleCount) samples is too short for reflect padding of \(pad) (needs more than \(pad))")
        }
        let frames = frameCount(sampleCount: sampleCount)
        guard frames > 0 else { return }
        let input = AlignedBuffer(count: fftSize)
        let outputs = signals.map { _ in AlignedBuffer(count: 2 * binCount) }
        let spectra = outputs.map { UnsafePointer($0.pointer) }
        let windowLength = window.count
        try window.withUnsafeBufferPointer { windowValues in
            for frame in 0..<frames {
                // Padded index p = frame·hop + windowOffset + j maps to signal index p − pad.
                let first = frame * configuration.hopLength + windowOffset - pad
                let destination = input.pointer + windowOffset
                for (signal, output) in zip(signals, outputs) {
                    if first >= 0, first + windowLength <= sampleCount, let source = signal.baseAddress {
                        let start = source + first
                        for j in 0..<windowLength { destination[j] = start[j] * windowValues[j] }
                    } else {
                        for j in 0..<windowLength { destination[j] = try sample(at: first + j, signal, count: sampleCount) * windowValues[j] }
                    }
                    transform.forward(input.pointer, output.pointer)
                }
                body(frame, spectra)
            }
        }
    }

    private func sample(at index: Int, _ signal: UnsafeBufferPointer<Float>, count: Int) throws -> Float {
        if index >= 0 && index < count { return signal[index] }
        switch configuration.padding {
        case .zeros:
            return 0
        case .reflect:
            // x[−i] = x[i], x[T−1+i] = x[T−1−i]
            let reflected = index < 0 ? -index : 2 * (count - 1) - index
            guard reflected >= 0, reflected < count else { throw MetricsError("", "reflect padding index \(index) out of range for \(count) samples") }
            return signal[reflected]
        }
    }

    /// |X|² for every frame and bin.
    public func powerSpectrogram(_ signal: [Float]) throws -> Spectrogram {
        let frames = frameCount(sampleCount: signal.count)
        let bins = binCount
        // Every element is written below (one row per frame), so the array starts uninitialised.
        let values = try [Float](unsafeUninitializedCapacity: frames * bins) { output, initializedCount in
            try signal.withUnsafeBufferPointer { samples in
                try forEachFrame(samples) { frame, spectrum in
                    let row = output.baseAddress! + frame * bins
                    for bin in 0..<bins { row[bin] = spectrum[2 * bin] * spectrum[2 * bin] + spectrum[2 * bin + 1] * spectrum[2 * bin + 1] }
                }
            }
            initializedCount = frames * bins
        }
        return Spectrogram(frameCount: frames, binCount: bins, values: values)
    }

    /// `transform(re, im)` of every frame and bin, frame-major.
    public func spectrogram(_ signal: [Float], _ transform: (Float, Float) -> Float) throws -> Spectrogram {
        let frames = frameCount(sampleCount: signal.count)
        let bins = binCount
        var values = [Float](repeating: 0, count: frames * bins)
        try values.withUnsafeMutableBufferPointer { output in
            try signal.withUnsafeBufferPointer { samples in
                try forEachFrame(samples) { frame, spectrum in
                    let row = output.baseAddress! + frame * bins
                    for bin in 0..<bins { row[bin] = transform(spectrum[2 * bin], spectrum[2 * bin + 1]) }
                }
            }
        }
        return Spectrogram(frameCount: frames, binCount: bins, values: values)
    }
}
