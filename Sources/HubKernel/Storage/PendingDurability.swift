import Synchronization

/// What one command's reply waits for on the SQLite default: the commits it made or read
/// that are not flushed yet, and the deliveries that must not go out before them.
///
/// It exists so that a connection's next command need not wait for the previous one's flush
/// (pipelined group commit, issue #16): while a command runs, ``Database`` records its commits
/// here instead of waiting for them, and ``HubPublisher`` holds its events here instead of
/// delivering them; when the handler returns the command pipeline seals it and hands it to the
/// connection's ordered release (``Connection/release(_:after:database:done:)``), which sends
/// the events and then the reply once the flush covers them. A later command of the same
/// connection already sees every write (they are committed, only not yet flushed), replies stay
/// in order, and nothing reaches a client before it is on disk.
///
/// An event published *now* (not in a transaction) from inside such a command first settles
/// it: the connection's earlier replies are sent, the command's commits flushed and its held
/// events delivered, and only then the new one (``settle(database:)``) — the order subscribers
/// see is the order the commands published in. Modules publish in the transaction
/// (``EventPublisher/publish(_:on:in:)``) on the paths that should pipeline.
///
/// Set as a task local by the command pipeline, only when the database defers durability.
/// Work that outlives the command (a task a handler started) finds it sealed and waits for
/// itself, as outside a command.
final class PendingDurability: Sendable {
    /// The running command's, if any.
    @TaskLocal static var current: PendingDurability?

    /// The connection the command came on (its earlier replies go first).
    let connection: Connection

    init(connection: Connection) { self.connection = connection }

    private struct State {
        var target: UInt64 = 0
        var deliveries: [@Sendable () -> Void] = []
        var sealed = false
    }
    private let state = Mutex(State())

    /// Holds back the reply until commit `target` is flushed, and `delivery` (if any) until
    /// then, in call order. - Returns: `false` once sealed: the caller waits and delivers itself.
    func hold(until target: UInt64, _ delivery: (@Sendable () -> Void)? = nil) -> Bool {
        state.withLock { state in
            guard !state.sealed else { return false }
            state.target = max(state.target, target)
            if let delivery { state.deliveries.append(delivery) }
            return true
        }
    }

    /// Sends the connection's earlier replies, waits for this command's commits to be flushed
    /// and delivers what it held so far, so that an event published now follows them.
    /// - Throws: ``DatabaseUnavailable`` when the flush failed.
    func settle(database: Database) async throws {
        let target = state.withLock { $0.target }
        try await database.waitUntilDurable(target)
        await connection.earlierRepliesReleased()
        let deliveries = state.withLock { state in
            defer { state.deliveries = [] }
            return state.deliveries
        }
        for delivery in deliveries { delivery() }
    }

    /// Ends the command's collection. - Returns: the commit to wait for and what to deliver.
    func seal() -> (target: UInt64, deliveries: [@Sendable () -> Void]) {
        state.withLock { state in
            state.sealed = true
            defer { state.deliveries = [] }
            return (state.target, state.deliveries)
        }
    }
}
