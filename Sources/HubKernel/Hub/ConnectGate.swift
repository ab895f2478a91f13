import NIOCore
import Synchronization

/// Bounds how many WebSocket connections are between their admission and the end of their
/// connect hooks (`HUB_MAX_PENDING_CONNECTS`).
///
/// It exists for reconnect storms: after a deploy every client connects at once, the event
/// loops accept faster than the modules' connect hooks (a presence write, an unread count)
/// finish, and without a bound every connection waits in its hooks at once — a suspended
/// task and its frames each, heap the storm leaves behind (docs/benchmarks.md, "Idle
/// connections hold no task"). With the gate, an upgrade past the bound waits before its
/// `101` for a place, in arrival order; clients pace themselves by the answer, and one that
/// waited `maxWait` is refused `unavailable` (503, `retryAfterMs`) to try again.
final class ConnectGate: Sendable {
    /// Places; 0 turns the gate off.
    let limit: Int
    /// How long an upgrade waits for a place before it is refused.
    let maxWait: Duration

    private struct Waiter {
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Bool, Never>
    }
    private struct State {
        var inUse = 0
        var waiters = CircularBuffer<Waiter>()
        /// A task refuses overdue waiters while any wait (one per gate, not one per waiter).
        var sweeping = false
    }
    private let state = Mutex(State())
    private let metrics: HubMetrics?

    init(limit: Int, maxWait: Duration, metrics: HubMetrics? = nil) {
        self.limit = limit
        self.maxWait = maxWait
        self.metrics = metrics
    }

    /// Connections holding a place now (for `/metrics` and tests).
    var pending: Int { state.withLock { $0.inUse } }
    /// Upgrades waiting for a place now.
    var waiting: Int { state.withLock { $0.waiters.count } }

    /// Takes a place, waiting for one (first come, first served) when all are held.
    /// - Returns: the place; give it back with ``ConnectPass/release()``.
    /// - Throws: `unavailable` when none freed within ``maxWait``.
    func enter() async throws(HubError) -> ConnectPass {
        guard limit > 0 else { return ConnectPass(gate: nil) }
        let granted = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let (now, sweep) = state.withLock { state -> (Bool, Bool) in
                if state.inUse < limit, state.waiters.isEmpty {
                    state.inUse += 1
                    return (true, false)
                }
                state.waiters.append(Waiter(deadline: .now + maxWait, continuation: continuation))
                defer { state.sweeping = true }
                return (false, !state.sweeping)
            }
            if now {
                metrics?.connectsPending(1)
                continuation.resume(returning: true)
            } else {
                metrics?.connectWaited()
            }
            if sweep { Task { await self.sweep() } }
        }
        guard granted else {
            metrics?.connectRefused()
            throw HubError(.unavailable, "the node is busy admitting connections; try again", retryAfterMs: 1000)
        }
        return ConnectPass(gate: self)
    }

    /// Gives a place back: to the longest waiting upgrade still on time, or to the pool.
    fileprivate func leave() {
        let (next, overdue) = state.withLock { state -> (CheckedContinuation<Bool, Never>?, [CheckedContinuation<Bool, Never>]) in
            let overdue = Self.takeOverdue(&state)
            if state.waiters.isEmpty {
                state.inUse -= 1
                return (nil, overdue)
            }
            return (state.waiters.removeFirst().continuation, overdue)  // the place passes on: inUse stays
        }
        for waiter in overdue { waiter.resume(returning: false) }
        if let next { next.resume(returning: true) } else { metrics?.connectsPending(-1) }
    }

    /// Refuses overdue waiters until none waits (a gate whose hooks all hang still answers).
    private func sweep() async {
        let interval = max(min(maxWait / 4, .seconds(1)), .milliseconds(10))
        while true {
            try? await Task.sleep(for: interval)
            let (overdue, done) = state.withLock { state in
                let overdue = Self.takeOverdue(&state)
                if state.waiters.isEmpty { state.sweeping = false }
                return (overdue, state.waiters.isEmpty)
            }
            for waiter in overdue { waiter.resume(returning: false) }
            if done { return }
        }
    }

    /// Removes the waiters whose time is up (the oldest come first).
    private static func takeOverdue(_ state: inout State) -> [CheckedContinuation<Bool, Never>] {
        let now = ContinuousClock.now
        var overdue: [CheckedContinuation<Bool, Never>] = []
        while let first = state.waiters.first, first.deadline <= now {
            overdue.append(state.waiters.removeFirst().continuation)
        }
        return overdue
    }
}

/// One connection's place in the ``ConnectGate``, given back once: when its connect hooks
/// have run, or when its socket closes first (an upgrade that never completed).
final class ConnectPass: Sendable {
    private let gate: ConnectGate?
    private let released = Atomic(false)

    fileprivate init(gate: ConnectGate?) { self.gate = gate }

    /// Gives the place back; later calls do nothing.
    func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        gate?.leave()
    }
}
