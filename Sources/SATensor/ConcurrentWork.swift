import Dispatch

/// A raw pointer that may cross into `DispatchQueue.concurrentPerform` closures.
///
/// Swift 6 requires `@Sendable` closures there; the workers write disjoint ranges, which the type system cannot see.
public struct SendablePointer<Pointee>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Pointee>
    @inlinable public init(_ base: UnsafeMutablePointer<Pointee>) { self.base = base }
    @inlinable public init(_ buffer: UnsafeMutableBufferPointer<Pointee>) { self.base = buffer.baseAddress! }
    @inlinable public init(_ buffer: UnsafeBufferPointer<Pointee>) { self.base = UnsafeMutablePointer(mutating: buffer.baseAddress!) }
}

/// Splits loops that do not call BLAS over the machine's cores.
///
/// Work is cut into a fixed number of contiguous ranges that depends only on the problem size, never on timing,
/// so results are identical for any core count as long as each range's result does not depend on the split
/// (every caller computes element- or row-independent results). BLAS calls must never run inside `forEachRange`
/// while OpenBLAS has more than one thread: the two thread pools would oversubscribe the cores.
public enum ConcurrentWork {
    /// Worker count: the active processor count, at most 64.
    public static let workerCount: Int = Swift.max(1, Swift.min(64, sysconfActiveProcessors()))

    /// Runs `body` over `0..<count` in contiguous ranges of at least `minimumRange` items, in parallel.
    @inlinable public static func forEachRange(
        _ count: Int, minimumRange: Int = 1, _ body: @Sendable (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunks = Swift.min(workerCount, Swift.max(1, count / Swift.max(1, minimumRange)))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            if start < end { body(start..<end) }
        }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, spread over the workers in contiguous ranges.
    @inlinable public static func forEach(_ count: Int, minimumRange: Int = 1, _ body: @Sendable (Int) -> Void) {
        forEachRange(count, minimumRange: minimumRange) { range in
            for index in range { body(index) }
        }
    }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func sysconfActiveProcessors() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#else
import Foundation
@usableFromInline func sysconfActiveProcessors() -> Int { ProcessInfo.processInfo.activeProcessorCount }
#endif
