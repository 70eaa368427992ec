import Foundation
import SAPipeline

/// Shows pipeline progress on stderr: a one-line bar (step i/N, s/it, ETA) or NDJSON events.
final class ProgressDisplay: @unchecked Sendable {
    let style: GenerateCommand.ProgressStyle
    private var samplingStarted: Double?
    private var drewBar = false

    init(style: GenerateCommand.ProgressStyle) { self.style = style }

    func show(_ event: PipelineProgress) {
        switch style {
        case .json:
            let line = String(format: #"{"stage":"%@","step":%d,"steps":%d,"sigma":%.6g,"elapsed":%.3f}"#,
                              event.stage.rawValue, event.step, event.stepCount, event.sigma, event.elapsed)
            FileHandleOutput.standardError(line + "\n")
        case .bar:
            guard event.stage == .sampling, event.stepCount > 0 else {
                if event.stage == .decoding { FileHandleOutput.standardError("\r\u{1B}[Kdecoding…") ; drewBar = true }
                return
            }
            if samplingStarted == nil { samplingStarted = event.elapsed }
            let done = Double(event.step - 1)
            let perStep = done > 0 ? (event.elapsed - samplingStarted!) / done : 0
            let eta = perStep * Double(event.stepCount - event.step + 1)
            let width = 30, filled = Int(Double(width) * Double(event.step) / Double(event.stepCount))
            let bar = String(repeating: "=", count: max(0, filled - 1)) + (filled > 0 ? ">" : "") + String(repeating: " ", count: width - filled)
            FileHandleOutput.standardError(String(format: "\r\u{1B}[K|%@| %d/%d  %.2f s/it  ETA %.0f s", bar, event.step, event.stepCount, perStep, eta))
            drewBar = true
        case .none, .auto:
            break
        }
    }

    func finish() {
        if drewBar { FileHandleOutput.standardError("\r\u{1B}[K") }
    }
}

/// Set by SIGINT (Ctrl-C) or SIGTERM (`kill`, `timeout`, a service manager); the progress callback reads it so
/// generation stops at the next step and nothing is written. A second signal while the first is pending takes the
/// signal's default action at once (terminate), for a user who will not wait for the step to end; the write-then-rename
/// in `AtomicFile` still leaves no partial output file then.
final class InterruptFlag: @unchecked Sendable {
    nonisolated(unsafe) static var shared: InterruptFlag?
    private let flag = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)

    var isSet: Bool { flag.pointee != 0 }

    /// The signal that set the flag (SIGINT or SIGTERM), 0 when none arrived.
    var signalNumber: Int32 { Int32(flag.pointee) }

    static func install() -> InterruptFlag {
        let instance = InterruptFlag()
        instance.flag.pointee = 0
        shared = instance
        // A parent may have started this process with the signals blocked: the mask survives fork and exec, and a
        // Swift program that spawns it from a Dispatch worker thread passes that thread's mask on (this project's
        // tests did: SigBlk had SIGINT and SIGTERM). Unblock them, or they wait, pending, until the clip is done.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for handled in [SIGINT, SIGTERM] { sigaddset(&unblocked, handled) }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        for handled in [SIGINT, SIGTERM] {
            signal(handled) { received in
                guard let flag = InterruptFlag.shared?.flag else { return }
                if flag.pointee != 0 {  // the second signal: default action now (both calls are async-signal-safe)
                    signal(received, SIG_DFL)
                    raise(received)
                    return
                }
                flag.pointee = sig_atomic_t(received)
            }
        }
        return instance
    }
}
