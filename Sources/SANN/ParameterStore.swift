import SATensor
#if canImport(Glibc)
import Glibc
#endif

/// A set of named tensors that layers take their parameters from, with strict bookkeeping.
///
/// Layers ask for keys by their full PyTorch names; the store checks that each exists with the expected shape
/// and holds only finite values, and records it as used. `verifyAllUsed` then fails on any tensor the model
/// did not take (unless its key starts with an explicitly allowed prefix), so a checkpoint that does not match
/// the architecture is rejected instead of silently half-loaded. F16 and BF16 tensors are converted to Float32.
public final class ParameterStore: @unchecked Sendable {
    private enum Source {
        case file(SafeTensorsFile)
        case dictionary([String: Tensor])
        case synthesized(seed: UInt64, standardDeviation: Float)
    }

    private let sources: [Source]
    /// A name for error messages (a path, or "in-memory parameters").
    public let sourceName: String
    private var used = Set<String>()
    private let lock = NSLockLike()

    /// Parameters from one or more safetensors files (later files may not repeat earlier keys).
    public init(files: [SafeTensorsFile]) {
        sources = files.map { .file($0) }
        sourceName = files.map(\.path).joined(separator: ", ")
    }

    /// Parameters from a dictionary, e.g. for tests or converted checkpoints.
    public init(tensors: [String: Tensor], sourceName: String = "in-memory parameters") {
        sources = [.dictionary(tensors)]
        self.sourceName = sourceName
    }

    /// A store that makes up every tensor a model asks for: N(0, σ²) values of the requested shape, seeded by the
    /// key, so a model of any size can be built for shape checks, parameter counts and timing without weights.
    /// Such a store holds no weight-norm pairs: layers see plain `weight` tensors.
    public init(synthesizingWithSeed seed: UInt64, standardDeviation: Float = 0.02) {
        sources = [.synthesized(seed: seed, standardDeviation: standardDeviation)]
        sourceName = "synthesized parameters (seed \(seed))"
    }

    /// Element counts of the tensors taken from a synthesizing store, by key.
    public private(set) var synthesizedShapes: [String: [Int]] = [:]

    /// Every key the store holds.
    public var keys: Set<String> {
        var all = Set<String>()
        for source in sources {
            switch source {
            case .file(let file): all.formUnion(file.entries.keys)
            case .dictionary(let tensors): all.formUnion(tensors.keys)
            case .synthesized: all.formUnion(lock.locked { synthesizedShapes.keys })
            }
        }
        return all
    }

    /// Whether `key` exists.
    public func contains(_ key: String) -> Bool {
        sources.contains { source in
            switch source {
            case .file(let file): return file.entries[key] != nil
            case .dictionary(let tensors): return tensors[key] != nil
            case .synthesized: return false
            }
        }
    }

    /// The shape stored under `key`, if present.
    public func shape(of key: String) -> [Int]? {
        for source in sources {
            switch source {
            case .file(let file): if let entry = file.entries[key] { return entry.shape }
            case .dictionary(let tensors): if let tensor = tensors[key] { return tensor.shape }
            case .synthesized: if let shape = lock.locked({ synthesizedShapes[key] }) { return shape }
            }
        }
        return nil
    }

    /// Takes `key`, requiring `shape` when given, and marks it used.
    public func take(_ key: String, shape expected: [Int]? = nil) throws -> Tensor {
        if case .synthesized(let seed, let deviation)? = sources.first {
            guard let expected else { throw WeightLoadingError.missingKey(key, source: sourceName) }
            var generator = SeededGenerator(seed: seed ^ UInt64(truncatingIfNeeded: key.hashValueStable))
            lock.locked {
                synthesizedShapes[key] = expected
                _ = used.insert(key)
            }
            return Tensor.randomNormal(shape: expected, standardDeviation: deviation, generator: &generator)
        }
        guard let tensor = try read(key) else { throw WeightLoadingError.missingKey(key, source: sourceName) }
        if let expected, tensor.shape != expected {
            throw WeightLoadingError.shapeMismatch(key: key, expected: expected, actual: tensor.shape, source: sourceName)
        }
        let nonFinite = tensor.nonFiniteCount
        if nonFinite > 0 { throw WeightLoadingError.nonFinite(key: key, count: nonFinite, source: sourceName) }
        lock.locked { _ = used.insert(key) }
        return tensor
    }

    /// Takes `key` if it exists (with the same checks as `take`), or returns nil.
    public func takeIfPresent(_ key: String, shape expected: [Int]? = nil) throws -> Tensor? {
        contains(key) ? try take(key, shape: expected) : nil
    }

    /// Marks keys as used without reading them (e.g. persisted buffers the port recomputes).
    public func markUsed(_ keys: [String]) {
        lock.locked { used.formUnion(keys) }
    }

    /// Keys not taken so far, sorted.
    public var unusedKeys: [String] {
        let taken = lock.locked { used }
        return keys.subtracting(taken).sorted()
    }

    /// Throws `unusedKeys` if any key was not taken, except keys starting with one of `allowedPrefixes`.
    public func verifyAllUsed(allowingPrefixes allowedPrefixes: [String] = []) throws {
        let leftover = unusedKeys.filter { key in !allowedPrefixes.contains { key.hasPrefix($0) } }
        if !leftover.isEmpty { throw WeightLoadingError.unusedKeys(leftover, source: sourceName) }
    }

    private func read(_ key: String) throws -> Tensor? {
        for source in sources {
            switch source {
            case .file(let file):
                guard let entry = file.entries[key] else { continue }
                guard entry.dtype.isFloatConvertible else {
                    throw WeightLoadingError.unsupportedDType(key: key, dtype: entry.dtype.rawValue, source: file.path)
                }
                return try file.tensor(named: key)
            case .dictionary(let tensors):
                if let tensor = tensors[key] { return tensor }
            case .synthesized:
                return nil
            }
        }
        return nil
    }

    /// A scope whose keys are `prefix.name`.
    public func scope(_ prefix: String) -> ParameterScope { ParameterScope(store: self, prefix: prefix) }
    /// The root scope (no prefix).
    public var root: ParameterScope { ParameterScope(store: self, prefix: "") }
}

/// A pthread mutex wrapped for the store's bookkeeping (layers may load in parallel).
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}

extension String {
    /// FNV-1a over the UTF-8 bytes: a hash that, unlike `hashValue`, is the same in every process.
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
