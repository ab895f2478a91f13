import Synchronization

/// One commit that several commands share — their writes stored together in one transaction,
/// a batch (``DatabaseBatcher``) — as each of those commands must see it: its reply leaves only
/// once the commit is on disk, and the events the transaction published go out before that
/// reply, once, whichever comes first: the first such reply, or the flush itself (so a batch
/// whose senders all went away meanwhile is still announced).
///
/// It exists so that batching does not undo pipelining on the SQLite default (issue #16): the
/// batch is stored by a task of its own, outside every command's ``PendingDurability``, so the
/// transaction cannot hold back anybody's reply itself. Each caller hands it to its own command
/// instead (``adopt()``), and the connection's next command runs while the flush is pending, as
/// after a transaction of its own.
///
/// Events keep commit order across batches: delivering one shared commit's events first
/// delivers those of every earlier shared commit of the database not delivered yet (a caller's
/// reply may be released before an earlier batch's callers' are; the earlier batch is on disk
/// by then, being an earlier commit). On PostgreSQL, which commits synchronously, there is
/// nothing to wait for and the events went out before the callers got the commit.
public final class SharedCommit: Sendable {
    /// The commit to wait for, as counted by the SQLite syncer (0: nothing to wait for).
    let target: UInt64
    private let database: Database
    private struct State {
        /// The transaction's events; nil once delivered.
        var delivery: (@Sendable () -> Void)?
        /// The shared commit before this one, until this one is delivered.
        var previous: SharedCommit?
    }
    private let state: Mutex<State>

    /// Called by ``Database/sharedTransaction(_:)`` holding the database's order of shared
    /// commits (`previous` is the one made just before).
    init(target: UInt64, database: Database, previous: SharedCommit?, delivery: @escaping @Sendable () -> Void) {
        self.target = target
        self.database = database
        state = Mutex(State(delivery: delivery, previous: previous))
    }

    /// Makes the running command's reply wait for this commit's flush and its events go out
    /// before that reply (``PendingDurability``); outside a command, waits for the flush and
    /// delivers the events itself before returning.
    /// - Throws: ``DatabaseUnavailable`` when the flush failed (the events are then not sent).
    public func adopt() async throws {
        if database.defersDurability, PendingDurability.current?.hold(until: target, { self.deliver() }) == true { return }
        try await database.waitUntilDurable(target)
        deliver()
    }

    /// Whether the events were delivered (tests).
    var isDelivered: Bool { state.withLock { $0.delivery == nil } }

    /// Delivers the events of every earlier shared commit not delivered yet, oldest first, then
    /// this one's; at most once each. Deliveries of the whole database run one at a time, so
    /// two callers releasing on two threads cannot interleave two batches' events.
    func deliver() {
        database.sharedCommitOrder.withLock { _ in
            var deliveries: [@Sendable () -> Void] = []
            var next: SharedCommit? = self
            while let commit = next {
                let taken = commit.state.withLock { state -> State in
                    defer { state = State(delivery: nil, previous: nil) }
                    return state
                }
                if let delivery = taken.delivery { deliveries.append(delivery) }
                next = taken.previous
            }
            for delivery in deliveries.reversed() { delivery() }
        }
    }
}
