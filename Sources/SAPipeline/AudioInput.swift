import SAAudio
import SATensor

/// Audio a model reads (encode input, init audio), validated against what the model takes: its sample rate and
/// channel count, at least one frame, and no NaN or infinite samples. Nothing is resampled or remixed silently.
enum AudioInput {
    /// Reads `path` and checks it; errors name the file and the mismatch.
    static func read(_ path: String, sampleRate: Int, channelCount: Int) throws -> AudioBuffer {
        let (audio, _) = try AudioFile.read(path)
        guard audio.sampleRate == sampleRate else {
            throw PipelineError("\(path): sample rate \(audio.sampleRate) Hz, but the model expects \(sampleRate) Hz (convert it first, e.g. `sox in.wav -r \(sampleRate) out.wav`)")
        }
        guard audio.channelCount == channelCount else {
            throw PipelineError("\(path): \(audio.channelCount) channel(s), but the model expects \(channelCount)")
        }
        guard audio.frameCount > 0 else { throw PipelineError("\(path): no audio frames") }
        let nonFinite = audio.samples.nonFiniteCount
        guard nonFinite == 0 else { throw PipelineError("\(path): \(nonFinite) NaN or infinite samples") }
        return audio
    }
}
