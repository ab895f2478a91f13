import Foundation
import Logging
import SQLKit
import Testing
import HubTesting
@testable import HubKernel

/// "Acknowledged data is committed before the reply" (protocol.md), proven with commits that
/// fail: a foreign key checked only at COMMIT (`DEFERRABLE INITIALLY DEFERRED`) lets every
/// statement of a transaction succeed and then makes its commit fail. Runs on SQLite (with its
/// pipelined flush) and on PostgreSQL.
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
                                // every tenth transaction's commit fails
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
            // each commit stands alone: only the six with a missing parent fail
            for n in 0..<60 { #expect(outcomes["tx-\(n)"] == (n % 10 != 0)) }
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
