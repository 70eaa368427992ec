/// A small seeded generator (SplitMix64) so that every random choice in SAMetrics (FD-∞ resampling, bootstrap, KID
/// subsets) is reproducible from the recorded seed, on every platform and Swift version.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// ref: Steele, Lea & Flood 2014; constants from Vigna's splitmix64.c
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<bound by rejection (no modulo bias), independent of the standard library's algorithm.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let limit = UInt64(bound)
        let threshold = (0 &- limit) % limit  // 2^64 mod bound
        while true {
            let value = next()
            if value >= threshold { return Int(value % limit) }
        }
    }

    /// `count` distinct indices from 0..<population (partial Fisher–Yates), in draw order.
    public mutating func sampleWithoutReplacement(_ count: Int, from population: Int) -> [Int] {
        precondition(count <= population, "cannot draw \(count) of \(population) without replacement")
        var pool = Array(0..<population)
        for position in 0..<count {
            let pick = position + nextIndex(below: population - position)
            pool.swapAt(position, pick)
        }
        return Array(pool[0..<count])
    }
}
