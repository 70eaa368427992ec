import SATensor

/// Planar audio: a `[C, T]` tensor of samples in [-1, 1] and its sample rate.
public struct AudioBuffer: Sendable, Equatable {
    /// Samples, channels-first `[C, T]`.
    public var samples: Tensor
    /// Frames per second.
    public var sampleRate: Int

    public init(samples: Tensor, sampleRate: Int) {
        precondition(samples.rank == 2, "audio samples must be [C, T], got \(samples.shape)")
        precondition(sampleRate > 0, "sample rate must be positive, got \(sampleRate)")
        self.samples = samples
        self.sampleRate = sampleRate
    }

    public var channelCount: Int { samples.shape[0] }
    public var frameCount: Int { samples.shape[1] }
    /// Length in seconds.
    public var duration: Double { Double(frameCount) / Double(sampleRate) }

    /// Interleaved frames (L R L R … for stereo), as audio files store them.
    public func interleaved() -> [Float] {
        let channels = channelCount, frames = frameCount
        return samples.withUnsafeBufferPointer { planar in
            [Float](unsafeUninitializedCapacity: channels * frames) { output, initialized in
                for channel in 0..<channels {
                    for frame in 0..<frames { output[frame * channels + channel] = planar[channel * frames + frame] }
                }
                initialized = channels * frames
            }
        }
    }

    /// A buffer from interleaved frames.
    public init(interleaved: [Float], channelCount: Int, sampleRate: Int) {
        precondition(channelCount > 0 && interleaved.count % channelCount == 0,
                     "\(interleaved.count) samples do not split into \(channelCount) channels")
        let frames = interleaved.count / channelCount
        let planar = Tensor(uninitializedShape: [channelCount, frames]) { output in
            for frame in 0..<frames {
                for channel in 0..<channelCount { output[channel * frames + frame] = interleaved[frame * channelCount + channel] }
            }
        }
        self.init(samples: planar, sampleRate: sampleRate)
    }
}
