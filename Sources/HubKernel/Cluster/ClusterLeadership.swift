import Logging
import PostgresNIO
import SQLKit
import PostgresKit
import Synchronization

/// Runs each singleton job (the betting clock, the SLA monitor) on exactly one node of the
/// cluster: the node holding the job's PostgreSQL session advisory lock.
///
/// Every node waits for the lock on a connection of its own per job, trying every 500 ms.
/// The holder checks its connection every 500 ms; when a check fails, or none succeeded for
/// ``fenceAfter`` (the node was frozen, or the database unreachable), it cancels the job and
/// closes the connection, releasing the lock, before trying again.
///
/// - A killed leader's session ends with its socket: another node leads within ~0.5 s.
/// - A frozen leader (SIGSTOP, a stalled VM) still has an open socket, so the lock session
///   is opened with `idle_session_timeout`: PostgreSQL ends it ``sessionTimeoutMs`` after
///   the last check, and another node leads within ~3 s.
/// - A deposed leader that wakes up may finish the step it was in before it notices; every
///   side effect of a singleton job is therefore a compare-and-set on row state (a round
///   moves from `locked` to `settled` once; an SLA flag goes from false to true once), so
///   its late step changes nothing.
final class ClusterLeadership: Leadership {
    let database: Database
    let logger: Logger
    private let running = Mutex<[String: Int]>([:])
    /// How often the holder checks its lock connection, and a waiting node tries the lock.
    static let beat = Duration.milliseconds(500)
    /// How long without a successful check before the holder stops acting.
    static let fenceAfter = Duration.seconds(2)
    /// PostgreSQL ends an idle lock session after this long (a frozen holder's).
    static let sessionTimeoutMs = 2500

    init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    var ledJobs: [String] { running.withLock { $0.keys.sorted() } }

    private enum Outcome: Sendable { case finished, lost }

    func whileLeader(_ name: String, _ body: @escaping @Sendable () async throws -> Void) async throws {
        while !Task.isCancelled {
            var connection: PostgresConnection?
            do {
                connection = try await database.dedicatedConnection(logger: logger, settings: [
                    ("idle_session_timeout", String(Self.sessionTimeoutMs)),
                    ("application_name", "switchboard-leadership:\(name)"),
                ])
                guard let held = connection else { return try await body() }
                logger.info("contending for a singleton job", metadata: ["sb.job": .string(name)])
                while !(try await tryLock(name, on: held)) { try await Task.sleep(for: Self.beat) }
                // a node told to stop while its try was in flight does not start leading: it
                // would run a job's recovery step while its services shut down (one CI run's
                // node led the betting clock a second after SIGTERM and did not exit); throwing
                // here closes the connection, which releases the lock for another node
                try Task.checkCancellation()
                logger.notice("leading a singleton job", metadata: ["sb.job": .string(name)])
                running.withLock { $0[name, default: 0] += 1 }
                defer { running.withLock { running in running[name] = (running[name] ?? 1) > 1 ? running[name]! - 1 : nil } }
                let outcome = try await withThrowingTaskGroup(of: Outcome.self) { group in
                    group.addTask { try await body(); return .finished }
                    group.addTask { await self.holdOn(held); return .lost }
                    defer { group.cancelAll() }
                    return try await group.next() ?? .lost
                }
                ConnectionProbe.abandon(held)
                if outcome == .finished { return }
                logger.warning("lost the lead of a singleton job; it stopped here", metadata: ["sb.job": .string(name)])
            } catch {
                ConnectionProbe.abandon(connection)
                if Task.isCancelled { return }
                logger.warning("cannot contend for a singleton job; retrying", metadata: [
                    "sb.job": .string(name), "error": .string(String(describing: error)),
                ])
            }
            try await Task.sleep(for: Self.beat)
        }
    }

    private func tryLock(_ name: String, on connection: PostgresConnection) async throws -> Bool {
        let row = try await connection.sql().raw("""
            SELECT pg_try_advisory_lock(hashtextextended(current_schema() || ':switchboard-job:' || \(bind: name), 0)) AS taken
            """).first()
        return try row?.decode(column: "taken", as: Bool.self) ?? false
    }

    /// Returns when this node may no longer count on holding the lock.
    private func holdOn(_ connection: PostgresConnection) async {
        var lastGood = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: Self.beat) } catch { return }
            // woken late (frozen, starved): the lock may be someone else's by now
            if ContinuousClock.now - lastGood > Self.fenceAfter { return }
            let answered = await ConnectionProbe.answers(connection, within: .seconds(1))
            guard answered, ContinuousClock.now - lastGood <= Self.fenceAfter + .seconds(1) else { return }
            lastGood = ContinuousClock.now
        }
    }
}
