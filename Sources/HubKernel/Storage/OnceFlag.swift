import Synchronization

/// A flag set once and read from other tasks: whether a pooled connection was granted
/// (the lease watchdog), whether a probe query answered (``ConnectionProbe``).
final class OnceFlag: Sendable {
    private let value = Atomic(false)
    /// Sets the flag.
    func set() { value.store(true, ordering: .releasing) }
    /// Whether it was set.
    var isSet: Bool { value.load(ordering: .acquiring) }
}
