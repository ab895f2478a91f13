import Foundation
import Synchronization
import Testing
import HubTesting
import SQLKit
@testable import HubKernel

/// Two contenders for one singleton job on one PostgreSQL schema. A frozen leader (SIGSTOP:
/// its socket stays open, so only `idle_session_timeout` ends its lock session) needs real
/// processes: `scripts/cluster_test.py` freezes one, with SIGKILL failovers, several times.
@Suite("Cluster leadership on PostgreSQL", .enabled(if: (try? TestDatabase.kind()) == .postgres))
struct ClusterLeadershipTests {
    /// How long the first contender may take to lead a job nobody holds. Nothing bounds that
    /// but opening a connection: these tests start with the rest of the PostgreSQL suite, a
    /// hundred tests connecting and migrating on two cores, and one CI run took over 3 s. The
    /// bounds under test (failover, fencing) are each measured from their own event.
    static let uncontendedLead = Duration.seconds(20)

    /// How many lock sessions contend for `job`: the holder's and each waiting node's.
    static func sessions(of job: String, in database: Database) async throws -> Int {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE application_name = \(bind: "switchboard-leadership:" + job)
                """).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// Counts how many bodies run at once, the most ever, and each contender's starts and stops.
    final class Probe: Sendable {
        let active = Atomic(0)
        let most = Atomic(0)
        let log = Mutex<[String]>([])

        func body(_ name: String) -> @Sendable () async throws -> Void {
            { [self] in
                let now = active.add(1, ordering: .relaxed).newValue
                _ = most.max(now, ordering: .relaxed)
                log.withLock { $0.append("start \(name)") }
                do { try await Task.sleep(for: .seconds(3600)) } catch {}
                active.subtract(1, ordering: .relaxed)
                log.withLock { $0.append("stop \(name)") }
                throw CancellationError()
            }
        }
    }

    @Test("one contender at a time runs the job; when the leader dies, the other leads at its next try") func failover() async throws {
        try await TestDatabase.withRestartable { store in
            try await store.open { database in
                let first = ClusterLeadership(database: database, logger: TestHub.quietLogger)
                let second = ClusterLeadership(database: database, logger: TestHub.quietLogger)
                let probe = Probe()
                let a = Task { try await first.whileLeader("job") { try await probe.body("a")() } }
                #expect(try await eventually(within: Self.uncontendedLead) { first.ledJobs == ["job"] })
                let b = Task { try await second.whileLeader("job") { try await probe.body("b")() } }
                // the second contender has its lock session, then tries at least twice and fails
                #expect(try await eventually(within: Self.uncontendedLead, every: .milliseconds(50)) { try await Self.sessions(of: "job", in: database) == 2 })
                try await Task.sleep(for: .seconds(1.5))
                #expect(second.ledJobs.isEmpty, "two leaders")
                #expect(probe.most.load(ordering: .relaxed) == 1)
                a.cancel()  // the node stops: its lock session closes with it
                let stopped = ContinuousClock.now
                // ledJobs names the job before its body has run: wait for the body itself
                #expect(try await eventually(within: .seconds(2)) { second.ledJobs == ["job"] && probe.log.withLock { $0.contains("start b") } })
                // the lock is free once the closed socket reaches PostgreSQL, and the other contender
                // tries every 500 ms: well under 1 s on an idle machine, 2.5 s allows a loaded CI
                #expect(ContinuousClock.now - stopped < .seconds(2.5))
                #expect(probe.log.withLock { $0 } == ["start a", "stop a", "start b"])
                #expect(probe.most.load(ordering: .relaxed) == 1)
                b.cancel()
                _ = await a.result
                _ = await b.result
            }
        }
    }

    @Test("a leader whose lock session is ended stops acting, and the job is led again") func fenced() async throws {
        try await TestDatabase.withRestartable { store in
            try await store.open { database in
                let first = ClusterLeadership(database: database, logger: TestHub.quietLogger)
                let second = ClusterLeadership(database: database, logger: TestHub.quietLogger)
                let probe = Probe()
                let a = Task { try await first.whileLeader("fenced-job") { try await probe.body("a")() } }
                #expect(try await eventually(within: Self.uncontendedLead) { first.ledJobs == ["fenced-job"] })
                let b = Task { try await second.whileLeader("fenced-job") { try await probe.body("b")() } }
                // the second contender has its lock session, then tries at least once and fails
                #expect(try await eventually(within: Self.uncontendedLead, every: .milliseconds(50)) { try await Self.sessions(of: "fenced-job", in: database) == 2 })
                try await Task.sleep(for: .milliseconds(700))
                // as PostgreSQL does to a frozen holder (idle_session_timeout), or a network cut
                let ended = try await database.withConnection { sql in
                    try await sql.raw("""
                        SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity
                        WHERE application_name = 'switchboard-leadership:fenced-job' AND pid IN (
                            SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)
                        """).first()?.decode(column: "n", as: Int.self)
                }
                #expect(ended == 1)
                let terminated = ContinuousClock.now
                // the lock is free at once, so the other contender may start before the deposed
                // leader notices (why every job step is a compare-and-set); the overlap is bounded
                // by one failed check: the next beat (500 ms) plus the probe's timeout (1 s), as
                // a query on a killed connection may hang until then
                #expect(try await eventually(within: .seconds(4)) { probe.log.withLock { $0 }.contains("stop a") }, "the deposed leader kept acting")
                #expect(ContinuousClock.now - terminated < ClusterLeadership.beat + .seconds(1) + .seconds(1),
                        "stopped within one failed check (beat + probe timeout), with a second of scheduling slack")
                #expect(try await eventually(within: .seconds(3)) { second.ledJobs == ["fenced-job"] && first.ledJobs.isEmpty })
                #expect(probe.active.load(ordering: .relaxed) == 1)
                a.cancel()
                b.cancel()
                _ = await a.result
                _ = await b.result
            }
        }
    }
}
