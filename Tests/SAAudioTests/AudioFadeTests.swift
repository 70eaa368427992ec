import Foundation
import SAAudio
import SATensor
import Testing

/// `AudioBuffer.fading`: half-Hann ramps whose ends are exactly 0, the middle untouched, errors for bad lengths.
@Suite struct AudioFadeTests {
    /// Two channels of constant 0.5 and −0.25 at 1,000 Hz, so a frame's gain is the sample over the constant.
    static func constant(frames: Int) -> AudioBuffer {
        AudioBuffer(samples: Tensor(uninitializedShape: [2, frames]) { output in
            for frame in 0..<frames { output[frame] = 0.5; output[frames + frame] = -0.25 }
        }, sampleRate: 1_000)
    }

    @Test func rampsFollowTheFormulaAndLeaveTheMiddleAlone() throws {
        let faded = try Self.constant(frames: 1_000).fading(inSeconds: 0.1, outSeconds: 0.2)
        let left = Array(faded.samples.scalars[0..<1_000]).map { $0 / 0.5 }
        let right = Array(faded.samples.scalars[1_000..<2_000]).map { $0 / -0.25 }
        #expect(faded.frameCount == 1_000 && faded.channelCount == 2)
        for frame in 0..<1_000 { #expect(abs(left[frame] - right[frame]) < 1e-6) }  // one gain for both channels
        #expect(left[0] == 0 && left[999] == 0)
        #expect(abs(left[50] - 0.5) < 1e-6)          // fade-in midpoint: sin²(π/4)
        #expect(abs(left[899] - 0.5) < 1e-6)         // fade-out midpoint: frame 800 + 99, cos²(π/2 · 100/200)
        #expect(left[100..<800].allSatisfy { $0 == 1 })
        #expect(zip(left[0..<100], left[1..<101]).allSatisfy { $0 < $1 })      // rising
        #expect(zip(left[800..<999], left[801..<1_000]).allSatisfy { $0 > $1 })  // falling
    }

    @Test func theFadeOutIsTheFadeInReversed() throws {
        let fadeIn = try Self.constant(frames: 64).fading(inSeconds: 0.032, outSeconds: 0).samples.scalars[0..<32]
        let fadeOut = try Self.constant(frames: 64).fading(inSeconds: 0, outSeconds: 0.032).samples.scalars[32..<64]
        #expect(Array(fadeIn) == Array(fadeOut.reversed()))
    }

    @Test func overlappingFadesMultiplyAndZeroLengthsChangeNothing() throws {
        let clip = Self.constant(frames: 10)
        #expect(try clip.fading(inSeconds: 0, outSeconds: 0) == clip)
        let both = try clip.fading(inSeconds: 0.01, outSeconds: 0.01)  // all ten frames in both ramps
        let fadeIn = try clip.fading(inSeconds: 0.01, outSeconds: 0), fadeOut = try clip.fading(inSeconds: 0, outSeconds: 0.01)
        for frame in 0..<10 {
            let expected = fadeIn.samples.scalars[frame] * fadeOut.samples.scalars[frame] / 0.5
            #expect(abs(both.samples.scalars[frame] - expected) < 1e-7)
        }
    }

    @Test func rejectsFadesLongerThanTheClipOrNotANumber() {
        let clip = Self.constant(frames: 100)
        #expect(throws: AudioConversionError.self) { try clip.fading(inSeconds: 0.2, outSeconds: 0) }
        #expect(throws: AudioConversionError.self) { try clip.fading(inSeconds: 0, outSeconds: -0.01) }
        #expect(throws: AudioConversionError.self) { try clip.fading(inSeconds: .nan, outSeconds: 0) }
        #expect((try? clip.fading(inSeconds: 0.1, outSeconds: 0.1)) != nil)  // exactly the clip's length is allowed
    }
}
