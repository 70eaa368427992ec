/// Sample-level statistics of one channel, gathered in a single pass with Float64 accumulation.
struct ChannelStatistics {
    var nonFiniteCount = 0
    var firstNonFiniteIndex: Int? = nil
    var peak: Float = 0
    var sum = 0.0
    var sumOfSquares = 0.0
    var clippedRunCount = 0
    var clippedSampleCount = 0
    /// First and last sample index with |x| above the silence threshold.
    var firstAudibleIndex: Int? = nil
    var lastAudibleIndex: Int? = nil

    /// Gathers the statistics of `samples`.
    /// Clipping: runs of at least `minimumClipRun` consecutive samples with |x| ≥ `clipThreshold`.
    init(_ samples: UnsafeBufferPointer<Float>, clipThreshold: Float, minimumClipRun: Int, silenceThreshold: Float) {
        var run = 0
        var sums = SIMD4<Double>(repeating: 0), squares = SIMD4<Double>(repeating: 0)
        let count = samples.count
        var index = 0
        // Vector part: Float64 sums in four lanes; non-finite values are counted and left out of the sums below.
        while index + 4 <= count {
            let x = SIMD4<Double>(Double(samples[index]), Double(samples[index + 1]), Double(samples[index + 2]), Double(samples[index + 3]))
            sums += x
            squares += x * x
            index += 4
        }
        while index < count {
            let x = Double(samples[index])
            sums[0] += x
            squares[0] += x * x
            index += 1
        }
        for position in 0..<count {
            let value = samples[position]
            guard value.isFinite else {
                nonFiniteCount += 1
                if firstNonFiniteIndex == nil { firstNonFiniteIndex = position }
                run = 0
                continue
            }
            let magnitude = Swift.abs(value)
            if magnitude > peak { peak = magnitude }
            if magnitude > silenceThreshold {
                if firstAudibleIndex == nil { firstAudibleIndex = position }
                lastAudibleIndex = position
            }
            if magnitude >= clipThreshold {
                run += 1
                if run == minimumClipRun {
                    clippedRunCount += 1
                    clippedSampleCount += minimumClipRun
                } else if run > minimumClipRun {
                    clippedSampleCount += 1
                }
            } else {
                run = 0
            }
        }
        sum = sums.sum()
        sumOfSquares = squares.sum()
    }
}
