public import HubKernel
import Synchronization

/// A clock tests move by hand: token expiry, rate-limit refills and deadlines without sleeping.
public final class TestClock: HubClock {
    private let now: Mutex<Int64>

    /// Starts at `startMs` (default: a fixed instant in 2026).
    public init(startMs: Int64 = 1_790_000_000_000) { now = Mutex(startMs) }

    /// The test's current time; it moves only when the test advances it.
    public func nowMs() -> Int64 { now.withLock { $0 } }

    /// Moves time forward.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        now.withLock { $0 += seconds * 1000 + attoseconds / 1_000_000_000_000_000 }
    }

    /// Moves time forward by milliseconds.
    public func advance(ms: Int64) { now.withLock { $0 += ms } }
}
