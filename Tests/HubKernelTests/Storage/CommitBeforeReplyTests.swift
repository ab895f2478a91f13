import Foundation
import Logging
import SQLKit
import Synchronization
import Testing
import HubTesting
@testable import HubKernel

/// "Acknowledged data is committed before the reply" (protocol.md), proven with commits that
/// fail: a foreign key checked only at COMMIT (`DEFERRABLE INITIALLY DEFERRED`) lets every
/// statement of a transaction succeed and then makes its commit fail. Runs on SQLite (with its
/// group commit) and on PostgreSQL.
@Suite("Committed before acknowledged")
struct CommitBeforeReplyTests {
    /// A table whose rows need a parent, checked at commit; parent 1 exists.
    func withRecords(_ body: @Sendable (Database) async throws -> Void) async throws {
        try await TestDatabase.with { database in
            try await database.withConnection { sql in
                try await sql.raw("CREATE TABLE parents (id INTEGER PRIMARY KEY)").run()
                try await sql.raw("INSERT INTO parents (id) VALUES (1)").run()
                try await sql.raw("""
                    CREATE TABLE records (owner TEXT PRIMARY KEY,
                                          parent INTEGER NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)
                    """).run()
            }
            try await body(database)
        }
    }

    func owners(_ database: Database) async throws -> Set<String> {
        Set(try await database.withConnection { try await $0.raw("SELECT owner FROM records").all().map { try $0.decode(column: "owner", as: String.self) } })
    }

    @Test("a transaction whose COMMIT fails reports the failure and leaves nothing behind") func failedCommit() async throws {
        try await withRecords { database in
            await #expect(throws: (any Error).self) {
                try await database.transaction { sql in
                    try await sql.raw("INSERT INTO records (owner, parent) VALUES ('orphan', 2)").run()
                }
            }
            try await database.transaction { sql in
                try await sql.raw("INSERT INTO records (owner, parent) VALUES ('child', 1)").run()
            }
            #expect(try await owners(database) == ["child"])
        }
    }

    @Test("under concurrency, a transaction reports success exactly when its writes were committed") func successMeansCommitted() async throws {
        try await withRecords { database in
            let outcomes = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for n in 0..<60 {
                    group.addTask {
                        let owner = "tx-\(n)"
                        do {
                            try await database.transaction { sql in
                                // every tenth transaction's commit fails, and on SQLite takes its group down with it
                                try await sql.raw("INSERT INTO records (owner, parent) VALUES (\(bind: owner), \(bind: n % 10 == 0 ? 2 : 1))").run()
                            }
                            return (owner, true)
                        } catch {
                            return (owner, false)
                        }
                    }
                }
                var outcomes: [String: Bool] = [:]
                for try await (owner, ok) in group { outcomes[owner] = ok }
                return outcomes
            }
            let stored = try await owners(database)
            for (owner, acknowledged) in outcomes {
                #expect(acknowledged == stored.contains(owner), "\(owner): acknowledged \(acknowledged), stored \(stored.contains(owner))")
            }
            // (how many innocent ones share a poisoned commit depends on timing; that each
            // answer tells the truth about its own writes does not)
            for n in stride(from: 0, to: 60, by: 10) { #expect(outcomes["tx-\(n)"] == false) }
        }
    }

    @Test("a command whose commit fails gets an error reply and publishes nothing") func commandCommitFails() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { hub in
            let writer = try await hub.client()
            let watcher = try await hub.client()
            #expect(try await watcher.send("hub.subscribe", ["topic": "probe:open-records"]).ok)
            let refused = try await writer.send("probe.record", ["text": "orphan", "parent": 2])
            #expect(refused.error?.code == .internal)
            try await watcher.expectNoEvent("probe.recorded")
            #expect(try await writer.send("probe.record", ["text": "kept", "parent": 1]).ok)
            #expect(try await watcher.expectEvent("probe.recorded").data["text"] == "kept")
            let rows = try await hub.hub.database.withConnection { try await $0.raw("SELECT text FROM probe_records").all() }
            #expect(try rows.map { try $0.decode(column: "text", as: String.self) } == ["kept"])
        }
    }
}

/// The group commit's own contract, driven step by step (SQLite only: it is SQLite's).
@Suite("SQLite group commit, step by step")
struct SQLiteGroupCommitStepTests {
    func withConnection(_ body: @Sendable (any SQLDatabase, SQLiteGroupCommit) async throws -> Void) async throws {
        let database = try await Database.open(.sqliteMemory, logger: Logger(label: "test"))
        try await database.withConnection { sql in
            try await sql.raw("CREATE TABLE parents (id INTEGER PRIMARY KEY)").run()
            try await sql.raw("INSERT INTO parents (id) VALUES (1)").run()
            try await sql.raw("CREATE TABLE records (owner TEXT PRIMARY KEY, parent INTEGER NOT NULL REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)").run()
            try await body(sql, SQLiteGroupCommit())
        }
        await database.close()
    }

    func insert(_ owner: String, parent: Int) -> @Sendable (any SQLDatabase) async throws -> Void {
        { sql in try await sql.raw("INSERT INTO records (owner, parent) VALUES (\(bind: owner), \(bind: parent))").run() }
    }

    @Test("a member's commit is not reported before the group commits") func waitsForCommit() async throws {
        try await withConnection { sql, group in
            let (outcome, commit) = try await group.run(on: sql, othersWaiting: { true }, insert("first", parent: 1))
            #expect((try? outcome.get()) != nil)
            let reported = Reported()
            let waiter = Task { try await commit.committed(); reported.set() }
            for _ in 0..<50 { await Task.yield() }
            #expect(!reported.isSet, "the member was told 'committed' while its group was still open")
            await group.commitPending(on: sql)
            try await waiter.value
            #expect(reported.isSet)
        }
    }

    @Test("a failed group commit fails every member, including those whose own work was fine") func failedGroup() async throws {
        try await withConnection { sql, group in
            let (first, firstCommit) = try await group.run(on: sql, othersWaiting: { true }, insert("a", parent: 1))
            let (second, secondCommit) = try await group.run(on: sql, othersWaiting: { true }, insert("orphan", parent: 2))
            let (third, thirdCommit) = try await group.run(on: sql, othersWaiting: { false }, insert("c", parent: 1))
            #expect(firstCommit === secondCommit && secondCommit === thirdCommit)
            for outcome in [first, second, third] { #expect((try? outcome.get()) != nil) }
            for commit in [firstCommit, secondCommit, thirdCommit] {
                await #expect(throws: (any Error).self) { try await commit.committed() }
            }
            let left = try await sql.raw("SELECT COUNT(*) AS n FROM records").first()?.decode(column: "n", as: Int.self)
            #expect(left == 0)
        }
    }
}

/// Set once by the task that was told its commit happened.
private final class Reported: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
