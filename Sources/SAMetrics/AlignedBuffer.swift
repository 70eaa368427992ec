/// A fixed-size, 64-byte aligned, zero-initialised Float buffer that frees itself.
///
/// FFTW's new-array execute functions need arrays with the same alignment as the ones a plan was made with;
/// every FFT buffer in SAMetrics comes from here, so plans and executions always agree.
final class AlignedBuffer: @unchecked Sendable {
    static let alignment = 64
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(1, count) * MemoryLayout<Float>.stride,
                                                   alignment: AlignedBuffer.alignment)
        pointer = raw.bindMemory(to: Float.self, capacity: Swift.max(1, count))
        pointer.initialize(repeating: 0, count: Swift.max(1, count))
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }
}
