import SATensor

extension AudioBuffer {
    /// The buffer at `sampleRate` with `channelCount` channels, converted as SAT's `prepare_audio` converts init
    /// audio: resampled first (`AudioResampler`, torchaudio's `Resample`), then given the channel count by SAT's
    /// `set_audio_channels` rule (`mixed(toChannelCount:)`). Also returns what was done, in words (nil when nothing).
    /// With `prefixFrames`, only the input that the first `prefixFrames` output frames read is resampled (those frames
    /// are exact; the output may be longer but never cut short of the input).
    public func converted(toSampleRate sampleRate: Int, channelCount: Int, prefixFrames: Int? = nil) throws -> (audio: AudioBuffer, change: String?) {
        var audio = self, changes: [String] = []
        if self.sampleRate != sampleRate {
            let resampler = try AudioResampler(from: self.sampleRate, to: sampleRate)
            let read = prefixFrames.map { min(frameCount, resampler.inputFramesRead(forOutputFrames: $0)) } ?? frameCount
            audio = AudioBuffer(samples: resampler.resample(read < frameCount ? samples.slice(axis: 1, 0..<read) : samples),
                                sampleRate: sampleRate)
            changes.append("resampled \(self.sampleRate) Hz → \(sampleRate) Hz (windowed sinc, as torchaudio's Resample)")
        }
        if audio.channelCount != channelCount {
            audio = try audio.mixed(toChannelCount: channelCount)
            changes.append(channelCount == 1 ? "\(self.channelCount) channels averaged to mono"
                           : self.channelCount == 1 ? "mono copied to both channels" : "first \(channelCount) of \(self.channelCount) channels kept")
        }
        return (audio, changes.isEmpty ? nil : changes.joined(separator: ", "))
    }

    /// SAT's `set_audio_channels`: to mono by the mean of all channels; to stereo by copying a mono channel or keeping
    /// the first two of more. Other targets (more than two channels from a different count) throw.
    public func mixed(toChannelCount target: Int) throws -> AudioBuffer {
        let channels = channelCount, frames = frameCount
        if target == channels { return self }
        switch target {
        case 1:
            // mono[t] = (1/C) Σ_c x[c, t]
            let mono = Tensor(uninitializedShape: [1, frames]) { output in
                samples.withUnsafeBufferPointer { input in
                    for frame in 0..<frames {
                        var sum: Float = 0
                        for channel in 0..<channels { sum += input[channel * frames + frame] }
                        output[frame] = sum / Float(channels)
                    }
                }
            }
            return AudioBuffer(samples: mono, sampleRate: sampleRate)
        case 2 where channels == 1:
            return AudioBuffer(samples: Tensor.concatenate([samples, samples], axis: 0), sampleRate: sampleRate)
        case 2:
            return AudioBuffer(samples: samples.slice(axis: 0, 0..<2), sampleRate: sampleRate)
        default:
            throw AudioConversionError("cannot turn \(channels) channel(s) into \(target): only mono and stereo targets are supported")
        }
    }
}
