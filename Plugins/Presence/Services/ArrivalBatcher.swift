import Synchronization

/// Stores arrivals in batches: whoever arrives while a batch is being stored waits for the
/// next one, which takes everybody waiting at once. A reconnect storm then costs a database
/// round of statements per batch, not per connection (issue #16): in cluster mode every user
/// coming online is announced with a NOTIFY in the transaction that marks them online, and
/// PostgreSQL runs the commits of notifying transactions one at a time, WAL flush included —
/// one transaction per connect serialized the whole storm behind it.
///
/// Each caller returns once the batch that holds its item is stored, or throws what storing it
/// threw; a caller that is cancelled stops waiting at once (`CancellationError`), though its
/// item may still be stored. Batches never overlap.
final class ArrivalBatcher<Item: Sendable>: Sendable {
    private struct State {
        var nextID = 0
        /// Waiting for the next batch.
        var waiting: [(id: Int, item: Item)] = []
        /// Every caller not yet answered, in the next batch or the one being stored.
        var callers: [Int: CheckedContinuation<Void, any Error>] = [:]
        /// Cancelled before their continuation was registered.
        var cancelledEarly: Set<Int> = []
        var storing = false
    }

    private let state = Mutex(State())
    private let store: @Sendable ([Item]) async throws -> Void

    /// - Parameter store: stores one batch (never empty), all or nothing.
    init(store: @escaping @Sendable ([Item]) async throws -> Void) {
        self.store = store
    }

    /// Adds `item` to the next batch and returns once that batch is stored.
    func submit(_ item: Item) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (caller: CheckedContinuation<Void, any Error>) in
                let (leads, cancelled) = state.withLock { state -> (Bool, Bool) in
                    if state.cancelledEarly.remove(id) != nil { return (false, true) }
                    state.waiting.append((id, item))
                    state.callers[id] = caller
                    defer { state.storing = true }
                    return (!state.storing, false)
                }
                if cancelled { caller.resume(throwing: CancellationError()) }
                if leads { Task { await self.drain() } }
            }
        } onCancel: {
            let caller = state.withLock { state in
                guard let caller = state.callers.removeValue(forKey: id) else {
                    state.cancelledEarly.insert(id)
                    return CheckedContinuation<Void, any Error>?.none
                }
                state.waiting.removeAll { $0.id == id }
                return caller
            }
            caller?.resume(throwing: CancellationError())
        }
        // answered without cancellation: nothing of it is left behind
        state.withLock { _ = $0.cancelledEarly.remove(id) }
    }

    /// Stores batches until nobody is waiting.
    private func drain() async {
        while true {
            let batch = state.withLock { state in
                defer { state.waiting = [] }
                if state.waiting.isEmpty { state.storing = false }
                return state.waiting
            }
            guard !batch.isEmpty else { return }
            var failure: (any Error)?
            do { try await store(batch.map(\.item)) } catch { failure = error }
            let callers = state.withLock { state in batch.compactMap { state.callers.removeValue(forKey: $0.id) } }
            for caller in callers {
                if let failure { caller.resume(throwing: failure) } else { caller.resume() }
            }
        }
    }
}
