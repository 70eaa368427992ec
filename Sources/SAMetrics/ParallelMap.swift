import Dispatch
import Foundation

/// Runs independent jobs on all cores with dynamic scheduling (each worker takes the next unclaimed index), so files of
/// different lengths balance out; results come back in index order, so output never depends on timing.
enum ParallelMap {
    private final class State<Result>: @unchecked Sendable {
        let lock = NSLock()
        var next = 0
        var results: [Result?]
        init(count: Int) { results = [Result?](repeating: nil, count: count) }

        func claim() -> Int {
            lock.lock()
            defer { lock.unlock() }
            let index = next
            next += 1
            return index
        }

        func store(_ result: Result, at index: Int) {
            lock.lock()
            results[index] = result
            lock.unlock()
        }
    }

    static func map<Result>(_ count: Int, workers: Int, _ body: @Sendable (Int) -> Result) -> [Result] {
        guard count > 0 else { return [] }
        let state = State<Result>(count: count)
        let workerCount = Swift.max(1, Swift.min(workers, count))
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            while true {
                let index = state.claim()
                guard index < count else { return }
                state.store(body(index), at: index)
            }
        }
        // Every index below `count` was claimed and stored exactly once.
        return state.results.compactMap { $0 }
    }
}
