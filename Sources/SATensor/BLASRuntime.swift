import COpenBLAS
import CSystemSupport
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide OpenBLAS settings and the AVX-512 kernel switch.
///
/// Debian's OpenBLAS 0.3.21 does not recognise Zen 5 and falls back to its AVX2 ("Haswell") kernels, half the
/// speed of its AVX-512 ("SkylakeX") kernels on this hardware. OpenBLAS reads `OPENBLAS_CORETYPE` in a load-time
/// constructor, before `main`, so setting it from Swift is too late: executables call
/// `relaunchWithFastKernelsIfNeeded()` first thing, which re-executes the program once with the variable set when
/// the CPU has AVX-512F and the user has not chosen a core type. `STABLE_AUDIO_NO_RELAUNCH=1` turns this off.
public enum BLASRuntime {
    /// OpenBLAS's build configuration string (e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64").
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// The kernel family OpenBLAS chose at load time (e.g. "SkylakeX" or "Haswell").
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// The number of threads OpenBLAS uses for one call.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Sets OpenBLAS's thread count, clamped to 1…64 (OpenBLAS treats 0 as "all", which means 64 here).
    public static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(Swift.max(1, Swift.min(64, count))))
    }

    /// Whether the CPU reports AVX-512 Foundation in /proc/cpuinfo.
    public static var cpuHasAVX512: Bool {
        guard let file = fopen("/proc/cpuinfo", "r") else { return false }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { continue }
            let text = String(cString: line)
            if text.hasPrefix("flags") { return text.split(separator: " ").contains("avx512f") }
        }
        return false
    }

    /// Makes glibc's allocator keep large freed blocks for reuse instead of returning them to the system.
    ///
    /// glibc serves every block above 32 MB with its own `mmap` and unmaps it on free, so each large tensor an op
    /// creates costs a page fault per 4 KB on first write — for a 225 MB decoder activation that is most of a
    /// memory-bound op's time. With `M_MMAP_MAX = 0` every block comes from the heap, and freed activations are
    /// reused by the next op. Executables call this once at start; it never changes results.
    public static func configureAllocatorForLargeTensors() {
        sa_keep_large_blocks_in_heap()
    }

    /// Re-executes the current program with `OPENBLAS_CORETYPE=SkylakeX` when that makes GEMM faster.
    ///
    /// Does nothing when the variable is already set, when `STABLE_AUDIO_NO_RELAUNCH` is set, or when the CPU has
    /// no AVX-512. Returns only if no re-execution happened (or `execv` failed, in which case the program simply
    /// continues with the slower kernels).
    public static func relaunchWithFastKernelsIfNeeded() {
        guard getenv("OPENBLAS_CORETYPE") == nil, getenv("STABLE_AUDIO_NO_RELAUNCH") == nil, cpuHasAVX512 else { return }
        setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
        let arguments = CommandLine.unsafeArgv
        execv("/proc/self/exe", arguments)
        // execv only returns on failure: carry on with the kernels already loaded.
    }
}
