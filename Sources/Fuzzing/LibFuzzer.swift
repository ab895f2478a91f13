#if SWITCHBOARD_FUZZING
import Dispatch
import Foundation

/// libFuzzer's driver entry point (`libclang_rt.fuzzer_no_main`): runs the fuzzing loop with
/// our callback, taking libFuzzer's own options and corpus directories from `argv`.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Hands a ``FuzzTarget`` to libFuzzer.
enum LibFuzzer {
    /// The target the C callback runs: set once, before the driver starts, and only read after.
    nonisolated(unsafe) private static var target: (any FuzzTarget)?

    /// Runs libFuzzer until it stops (time limit, run limit, or a finding).
    /// - Returns: libFuzzer's exit code.
    static func run(_ target: any FuzzTarget, arguments: [String]) -> CInt {
        Self.target = target
        var argc = CInt(arguments.count)
        let strings = arguments.map { strdup($0) } + [nil]
        let argvBuffer = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count)
        argvBuffer.initialize(from: strings, count: strings.count)
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argvBuffer
        return runDriver(&argc, &argv) { bytes, count in
            guard let target = LibFuzzer.target else { return 0 }
            let input = bytes.map { Data(bytes: $0, count: count) } ?? Data()
            // the callback is synchronous; the target may be async (the hub): wait for it here,
            // on libFuzzer's thread, never on one of the concurrency pool's
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                await target.run(input)
                done.signal()
            }
            done.wait()
            return 0
        }
    }
}
#endif
