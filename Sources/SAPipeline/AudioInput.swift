import SAAudio
import SATensor

/// Audio a model reads (encode input, init audio): converted to the model's sample rate and channel count as SAT's
/// `prepare_audio` converts init audio (torchaudio's `Resample`, then SAT's channel rule; see
/// `AudioBuffer.converted(toSampleRate:channelCount:)`), and checked for at least one frame and no NaN or infinite
/// samples. A conversion is never silent: `conversion` says it in words for the caller to report.
struct AudioInput {
    /// The audio at the model's rate and channel count.
    let audio: AudioBuffer
    /// What was done to the file ("<path>: resampled 48000 Hz → 44100 Hz …"), nil when nothing.
    let conversion: String?
    let sourceSampleRate: Int
    let sourceChannelCount: Int

    /// Reads `path`, converts it and checks it; errors name the file.
    init(path: String, sampleRate: Int, channelCount: Int) throws {
        let (source, _) = try AudioFile.read(path)
        guard source.frameCount > 0 else { throw PipelineError("\(path): no audio frames") }
        let nonFinite = source.samples.nonFiniteCount
        guard nonFinite == 0 else { throw PipelineError("\(path): \(nonFinite) NaN or infinite samples") }
        do {
            let (audio, change) = try source.converted(toSampleRate: sampleRate, channelCount: channelCount)
            self.audio = audio
            conversion = change.map { "\(path): \($0)" }
        } catch let error as AudioConversionError {
            throw PipelineError("\(path): \(error.reason)")
        }
        sourceSampleRate = source.sampleRate
        sourceChannelCount = source.channelCount
    }
}
