import Synchronization

/// Group commit (and group lookup): whoever submits while a batch is being
/// handled waits for the next one, which takes everybody waiting at once (up to
/// ``maxBatch``). Under load a burst costs one statement — and for a write one commit — per
/// batch instead of one per caller; alone, a caller waits for nobody (issue #16).
///
/// Why it matters on PostgreSQL: every commit pays a WAL flush, and in cluster mode every command that
/// publishes NOTIFYs the other nodes in its transaction — PostgreSQL runs the commits of
/// notifying transactions one at a time, flush included, so one transaction per command
/// serializes a whole node behind the disk. And a statement's round trip, parse and executor
/// start cost more than a small lookup itself. Presence stores connects this way, `chat.send`
/// stores messages this way, and a connect storm's lookups (a user topic's position, the
/// unread count) are read this way.
///
/// Each caller gets its own item's outcome once the batch that holds it is done, or throws
/// what the batch threw; a caller that is cancelled stops waiting at once
/// (`CancellationError`), though its item may still be stored. Batches never overlap, so a
/// batch may lock rows in an order of its choosing without deadlocking this node's next one.
/// The batch runs in a task of its own, outside the callers' `PendingDurability`: on SQLite a
/// batch that writes commits with ``Database/sharedTransaction(_:)`` and each caller adopts the
/// ``SharedCommit`` in its own command (`chat.send` does).
///
/// Why it matters on SQLite: every transaction takes the only connection, begins, commits and
/// writes its pages to the WAL; a batch does that once for all its callers.
public final class DatabaseBatcher<Item: Sendable, Outcome: Sendable>: Sendable {
    private struct State {
        var nextID = 0
        /// Waiting for the next batch.
        var waiting: [(id: Int, item: Item)] = []
        /// Every caller not yet answered, in the next batch or the one being stored.
        var callers: [Int: CheckedContinuation<Outcome, any Error>] = [:]
        /// Cancelled before their continuation was registered.
        var cancelledEarly: Set<Int> = []
        var storing = false
    }

    private let state = Mutex(State())
    private let store: @Sendable ([Item]) async throws -> [Outcome]
    /// The most items one batch takes; the rest wait for the next.
    public let maxBatch: Int

    /// - Parameter store: stores one batch (never empty, in submission order) and returns one
    ///   outcome per item, in the same order; a throw fails every caller of the batch.
    public init(maxBatch: Int = 256, store: @escaping @Sendable ([Item]) async throws -> [Outcome]) {
        precondition(maxBatch > 0)
        self.maxBatch = maxBatch
        self.store = store
    }

    /// Adds `item` to the next batch and returns its outcome once that batch is stored.
    ///
    /// A caller that finds no batch being stored stores its item at once, as a batch of one, in
    /// its own task: at low load a command costs no hop to another task and back (issue #16);
    /// whoever arrives meanwhile waits for the next batch, which a task of its own stores.
    public func submit(_ item: Item) async throws -> Outcome {
        let alone = state.withLock { state in
            guard !state.storing else { return false }
            state.storing = true
            return true
        }
        if alone {
            defer { handOver() }
            let outcomes = try await store([item])
            precondition(outcomes.count == 1, "DatabaseBatcher: one outcome per item")
            return outcomes[0]
        }
        return try await wait(for: item)
    }

    /// After a batch of one stored in its caller's task: the items that arrived meanwhile are
    /// stored by a task of its own (the caller's command goes on).
    private func handOver() {
        let more = state.withLock { state in
            if state.waiting.isEmpty { state.storing = false }
            return !state.waiting.isEmpty
        }
        if more { Task { await self.drain() } }
    }

    /// Waits for the next batch, which holds `item`; starts storing batches if nobody is.
    private func wait(for item: Item) async throws -> Outcome {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        defer { state.withLock { _ = $0.cancelledEarly.remove(id) } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (caller: CheckedContinuation<Outcome, any Error>) in
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
                    return CheckedContinuation<Outcome, any Error>?.none
                }
                state.waiting.removeAll { $0.id == id }
                return caller
            }
            caller?.resume(throwing: CancellationError())
        }
    }

    /// Stores batches until nobody is waiting.
    private func drain() async {
        while true {
            let batch = state.withLock { state in
                let batch = Array(state.waiting.prefix(maxBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.storing = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            let result: Result<[Outcome], any Error>
            do {
                let outcomes = try await store(batch.map(\.item))
                precondition(outcomes.count == batch.count, "DatabaseBatcher: one outcome per item")
                result = .success(outcomes)
            } catch {
                result = .failure(error)
            }
            let callers = state.withLock { state in batch.map { state.callers.removeValue(forKey: $0.id) } }
            for (index, caller) in callers.enumerated() {
                guard let caller else { continue }  // cancelled meanwhile: answered already
                switch result {
                case .success(let outcomes): caller.resume(returning: outcomes[index])
                case .failure(let error): caller.resume(throwing: error)
                }
            }
        }
    }
}
