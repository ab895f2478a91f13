import CSQLite
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes SQLite commits durable without anyone holding the database while the disk works:
/// pipelined group commit.
///
/// The connection commits with `synchronous = NORMAL` — the WAL frames are written, not yet
/// flushed — and SQLite's WAL hook counts each commit. A caller that must not answer before
/// its writes are on disk waits for ``waitUntilDurable(_:)``; one syncer thread flushes the WAL
/// file (`fdatasync`) covering every commit made before the flush started, wakes all of them,
/// and starts the next flush if later commits wait. Meanwhile the connection keeps running
/// other commands' statements and commits: a flush is shared by every commit it covers, and no
/// command waits for one it is not in. That is `synchronous = FULL`'s promise (an acknowledged
/// write survives power loss) at NORMAL's cost per commit.
///
/// Because the WAL hook replaces SQLite's automatic checkpoint, the syncer also checkpoints
/// (PASSIVE, on a connection of its own, so the writer never waits for it) once the WAL holds
/// ``checkpointPages`` pages. A checkpoint syncs the database file before the WAL is reused,
/// so frames it overwrites are already durable elsewhere. The WAL is reused only when a write
/// begins after a checkpoint that copied everything; under a steady stream of writes the
/// background one may never finish first, so past ``overduePages`` the writer checkpoints
/// itself, holding the connection (``checkpointIfOverdue(on:)``), which bounds the WAL.
///
/// The WAL file descriptor and the checkpoint connection are used only on the syncer thread
/// (and closed by ``close()`` after it stopped): hence `@unchecked Sendable`.
final class SQLiteDurability: @unchecked Sendable {
    /// WAL pages after which the syncer checkpoints (SQLite's own default threshold; tests
    /// use fewer).
    let checkpointPages: Int
    /// WAL pages after which the writer checkpoints in line.
    var overduePages: Int { 4 * checkpointPages }

    /// Commits that wrote to the WAL (SQLite's WAL hook, on the committing thread).
    let commits = Atomic<UInt64>(0)
    /// Commits known to be on disk.
    let synced = Atomic<UInt64>(0)
    /// WAL pages after the last commit.
    let walPages = Atomic<Int>(0)
    /// Flushes done (tests check that commits share them).
    let syncs = Atomic<Int>(0)
    /// Tests hold flushes back to watch what waits for them.
    let flushesHeld = Atomic<Bool>(false)
    /// Tests make flushes fail, as a failing disk's `fdatasync` does, to watch what the
    /// failure reaches.
    let flushesFail = Atomic<Bool>(false)

    /// Who waits for a flush: a suspended task, or work to run on the syncer thread right after
    /// the flush (the connections' held replies: no task to wake per reply).
    private enum Waiter {
        case task(CheckedContinuation<Void, any Error>)
        case callback(@Sendable ((any Error)?) -> Void)

        func wake(_ failure: (any Error)?) {
            switch self {
            case .task(let continuation):
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
            case .callback(let callback):
                callback(failure)
            }
        }
    }

    private struct State {
        var syncing = false
        var closed = false
        var waiters: [(target: UInt64, waiter: Waiter)] = []
    }
    private let state = Mutex(State())
    private let thread = NIOThreadPool(numberOfThreads: 1)
    private let databasePath: String
    private var walDescriptor: Int32 = -1
    private var checkpointConnection: OpaquePointer?

    /// Starts the syncer for the database at `databasePath`, counting `handle`'s commits.
    init(handle: SQLiteHandle, databasePath: String, checkpointPages: Int = 1000) {
        self.databasePath = databasePath
        self.checkpointPages = checkpointPages
        thread.start()
        sqlite3_wal_hook(handle.raw, { context, _, _, pages in
            guard let context else { return SQLITE_OK }
            let durability = Unmanaged<SQLiteDurability>.fromOpaque(context).takeUnretainedValue()
            durability.walPages.store(Int(pages), ordering: .relaxed)
            durability.commits.add(1, ordering: .releasing)
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Returns once every commit counted up to `target` is on disk; throws
    /// ``DatabaseUnavailable`` when the flush failed or the database is closing.
    func waitUntilDurable(_ target: UInt64) async throws {
        if synced.load(ordering: .acquiring) >= target { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            enqueue(.task(continuation), for: target)
        }
    }

    /// Runs `callback` once every commit counted up to `target` is on disk — at once when it
    /// already is, else on the syncer thread right after the flush (with the failure, if it
    /// failed). It must be quick: the next flush waits for it.
    func whenDurable(_ target: UInt64, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        if synced.load(ordering: .acquiring) >= target { return callback(nil) }
        enqueue(.callback(callback), for: target)
    }

    private func enqueue(_ waiter: Waiter, for target: UInt64) {
        enum Next { case wake, fail, wait, start }
        let next = state.withLock { state -> Next in
            if state.closed { return .fail }
            if synced.load(ordering: .acquiring) >= target { return .wake }
            state.waiters.append((target, waiter))
            if state.syncing { return .wait }
            state.syncing = true
            return .start
        }
        switch next {
        case .wake: waiter.wake(nil)
        case .fail: waiter.wake(DatabaseUnavailable(reason: "the database is closing"))
        case .wait: break
        case .start: thread.submit { _ in self.syncRounds() }
        }
    }

    /// Flushes until nobody waits: each round covers every commit counted before it began.
    private func syncRounds() {
        while true {
            while flushesHeld.load(ordering: .relaxed) { usleep(1000) }
            let target = commits.load(ordering: .acquiring)
            let failure = flushWAL()
            syncs.add(1, ordering: .relaxed)
            if failure == nil { synced.store(max(synced.load(ordering: .relaxed), target), ordering: .releasing) }
            let (ready, more) = state.withLock { state -> ([(target: UInt64, waiter: Waiter)], Bool) in
                let ready = state.waiters.filter { $0.target <= target }
                state.waiters.removeAll { $0.target <= target }
                if state.waiters.isEmpty { state.syncing = false }
                return (ready, !state.waiters.isEmpty)
            }
            let error = failure.map { DatabaseUnavailable(reason: $0) }
            for entry in ready { entry.waiter.wake(error) }
            if failure == nil, walPages.load(ordering: .relaxed) >= checkpointPages { checkpoint() }
            if !more { return }
        }
    }

    /// `fdatasync` of the WAL file; the reason when it failed.
    private func flushWAL() -> String? {
        if flushesFail.load(ordering: .relaxed) { return "flushing the WAL failed (injected by a test)" }
        if walDescriptor < 0 {
            walDescriptor = open(databasePath + "-wal", O_RDONLY | O_CLOEXEC)
            if walDescriptor < 0 { return "cannot open the WAL to flush it (errno \(errno))" }
        }
        #if os(Linux)
        let flushed = fdatasync(walDescriptor)
        #else
        let flushed = fsync(walDescriptor)
        #endif
        return flushed == 0 ? nil : "flushing the WAL failed (errno \(errno))"
    }

    /// A PASSIVE checkpoint on the syncer's own connection: it copies what no reader still
    /// needs into the database file and never blocks the writer.
    private func checkpoint() {
        if checkpointConnection == nil {
            var connection: OpaquePointer?
            guard sqlite3_open_v2(databasePath, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
                sqlite3_close_v2(connection)
                return
            }
            checkpointConnection = connection
        }
        var logFrames: Int32 = 0
        var checkpointed: Int32 = 0
        sqlite3_wal_checkpoint_v2(checkpointConnection, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &checkpointed)
    }

    /// A checkpoint on the writer's own connection when the background ones fell far behind;
    /// call holding the database's lock (no write can interleave, so it completes and the next
    /// write starts the WAL over).
    func checkpointIfOverdue(on handle: SQLiteHandle) {
        guard walPages.load(ordering: .relaxed) >= overduePages else { return }
        var logFrames: Int32 = 0
        var checkpointed: Int32 = 0
        if sqlite3_wal_checkpoint_v2(handle.raw, nil, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &checkpointed) == SQLITE_OK {
            walPages.store(0, ordering: .relaxed)
        }
    }

    /// Stops the syncer (waiting for a flush in progress), fails later waits, and closes its
    /// file and connection. Call before closing the database's connection.
    func close() async {
        state.withLock { $0.closed = true }
        while state.withLock({ $0.syncing }) { try? await Task.sleep(for: .milliseconds(1)) }
        try? await thread.shutdownGracefully()
        if let checkpointConnection { sqlite3_close_v2(checkpointConnection) }
        checkpointConnection = nil
        if walDescriptor >= 0 {
            #if canImport(Glibc)
            _ = Glibc.close(walDescriptor)
            #else
            _ = Darwin.close(walDescriptor)
            #endif
        }
        walDescriptor = -1
    }
}
