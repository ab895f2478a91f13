import Synchronization

/// The SQLite default's durability as the rest of the kernel sees it: whether replies wait
/// for a flush that runs apart from the commits (``SQLiteDurability``), and waiting for one.
/// PostgreSQL commits synchronously: every commit counts as on disk.
extension Database {
    /// Whether acknowledgements wait for a flush that runs apart from the commits (SQLite
    /// with `synchronous = full`): the command pipeline then lets a connection's next command
    /// run while the previous reply waits (``PendingDurability``).
    var defersDurability: Bool {
        if case .sqlite(_, _, .some) = backend { return true }
        return false
    }

    /// Whether commit `target` (as counted for ``PendingDurability``) is on disk.
    func isDurable(_ target: UInt64) -> Bool {
        guard case .sqlite(_, _, let durability?) = backend else { return true }
        return durability.synced.load(ordering: .acquiring) >= target
    }

    /// Returns once commit `target` is on disk. - Throws: ``DatabaseUnavailable`` when the
    /// flush failed.
    func waitUntilDurable(_ target: UInt64) async throws {
        if case .sqlite(_, _, let durability?) = backend { try await durability.waitUntilDurable(target) }
    }

    /// Runs `callback` once commit `target` is on disk (at once when it is, or without a
    /// flush to wait for); on the flushing thread otherwise, with the failure if it failed.
    func whenDurable(_ target: UInt64, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        guard case .sqlite(_, _, let durability?) = backend else { return callback(nil) }
        durability.whenDurable(target, callback)
    }

    /// Holds the SQLite syncer's flushes back (tests watch what waits for them).
    func holdFlushes(_ held: Bool) {
        if case .sqlite(_, _, let durability?) = backend { durability.flushesHeld.store(held, ordering: .relaxed) }
    }

    /// Makes the SQLite syncer's flushes fail as a failing disk's would (tests watch what the
    /// failure reaches).
    func failFlushes(_ failing: Bool) {
        if case .sqlite(_, _, let durability?) = backend { durability.flushesFail.store(failing, ordering: .relaxed) }
    }

    /// WAL flushes done so far (tests check that concurrent commits share them); 0 without
    /// a syncer.
    var sqliteFlushes: Int {
        if case .sqlite(_, _, let durability?) = backend { return durability.syncs.load(ordering: .relaxed) }
        return 0
    }

    /// SQLite commits counted, and those known to be on disk (tests).
    var sqliteDurability: (commits: UInt64, synced: UInt64)? {
        guard case .sqlite(_, _, let durability?) = backend else { return nil }
        return (durability.commits.load(ordering: .acquiring), durability.synced.load(ordering: .acquiring))
    }
}
