public import Foundation

/// Wall-clock time in milliseconds since the Unix epoch, injected so tests control time.
///
/// Everything time-based in the kernel and in modules (rate limits, token expiry, round and
/// SLA deadlines) reads this clock, never `Date()` directly.
public protocol HubClock: Sendable {
    /// Now, in milliseconds since 1970-01-01T00:00:00Z.
    func nowMs() -> Int64
}

/// The real clock.
public struct SystemClock: HubClock {
    /// The wall clock.
    public init() {}
    /// Milliseconds since 1970, from the system clock.
    public func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
