import SAAudio
#if canImport(Glibc)
import Glibc
#endif

/// A log-mel spectrogram picture of a file for the HTML report, as PNG bytes.
///
/// Each channel (at most two) is drawn as a 128-band Slaney log-mel spectrogram (n_fft 2048, hop 512, power 2) with low
/// frequencies at the bottom, time averaged (in power) into at most `maximumWidth` columns, and coloured with an
/// approximation of matplotlib's viridis over [max − 80 dB, max]; channels are stacked with a 2-pixel gap.
public enum SpectrogramImage {
    public static let melCount = 128
    public static let maximumWidth = 1000
    public static let dynamicRange: Float = 80
    public static let fftSize = 2048
    public static let hopLength = 512

    /// viridis at 11 evenly spaced points (approximate matplotlib values), interpolated linearly.
    static let viridis: [(Float, Float, Float)] = [
        (0.267, 0.005, 0.329), (0.283, 0.141, 0.458), (0.254, 0.265, 0.530), (0.207, 0.372, 0.553), (0.164, 0.471, 0.558),
        (0.128, 0.567, 0.551), (0.135, 0.659, 0.518), (0.267, 0.749, 0.441), (0.478, 0.821, 0.318), (0.741, 0.873, 0.150),
        (0.993, 0.906, 0.144),
    ]

    public static func png(_ audio: AudioBuffer) throws -> [UInt8] {
        let frames = audio.frameCount
        let transform = try ShortTimeFourierTransform(STFTConfiguration(fftSize: fftSize, hopLength: hopLength, window: .periodicHann,
                                                                       center: true, padding: .zeros))
        let bank = try MelFilterBank(MelConfiguration(sampleRate: audio.sampleRate, fftSize: fftSize, melCount: melCount))
        let channels = Swift.min(2, audio.channelCount)
        var images: [[Float]] = []
        var columns = 0
        for channel in 0..<channels {
            let samples = Array(audio.samples.scalars[(channel * frames)..<((channel + 1) * frames)])
            let mel = bank.apply(try transform.powerSpectrogram(samples))
            columns = Swift.max(1, Swift.min(maximumWidth, mel.frameCount))
            var image = [Float](repeating: 0, count: columns * melCount)
            for column in 0..<columns {
                let first = column * mel.frameCount / columns, last = Swift.max(first + 1, (column + 1) * mel.frameCount / columns)
                for band in 0..<melCount {
                    var sum: Float = 0
                    for frame in first..<last { sum += mel[frame, band] }
                    // 10·log10(max(mean power, 1e-10))
                    image[column * melCount + band] = 10 * log10(Swift.max(sum / Float(last - first), 1e-10))
                }
            }
            images.append(image)
        }
        let top = images.flatMap { $0 }.max() ?? 0
        let gap = 2
        let height = channels * melCount + (channels - 1) * gap
        var pixels = [UInt8](repeating: 255, count: columns * height * 3)
        for (channel, image) in images.enumerated() {
            for band in 0..<melCount {
                let row = channel * (melCount + gap) + (melCount - 1 - band)
                for column in 0..<columns {
                    let level = (image[column * melCount + band] - (top - dynamicRange)) / dynamicRange
                    let (r, g, b) = color(Swift.min(1, Swift.max(0, level)))
                    let offset = (row * columns + column) * 3
                    pixels[offset] = r
                    pixels[offset + 1] = g
                    pixels[offset + 2] = b
                }
            }
        }
        return try PNGEncoder.encodeRGB(width: columns, height: height, pixels: pixels)
    }

    static func color(_ level: Float) -> (UInt8, UInt8, UInt8) {
        let position = level * Float(viridis.count - 1)
        let index = Swift.min(viridis.count - 2, Int(position))
        let fraction = position - Float(index)
        let a = viridis[index], b = viridis[index + 1]
        func channel(_ x: Float, _ y: Float) -> UInt8 { UInt8(Swift.max(0, Swift.min(255, ((x + (y - x) * fraction) * 255).rounded()))) }
        return (channel(a.0, b.0), channel(a.1, b.1), channel(a.2, b.2))
    }
}
