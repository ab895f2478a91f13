import Foundation
import Logging
import SQLKit
import Synchronization
import Testing
@testable import HubKernel

/// A transaction shared by a batch of commands (``Database/sharedTransaction(_:)``): it returns
/// at its commit, not its flush; whoever adopts it waits for the flush; its events go out once,
/// after those of every earlier shared commit (issue #16).
@Suite("Shared commits")
struct SharedCommitTests {
    func withDatabase(_ body: (Database) async throws -> Void) async throws {
        try await withItemsDatabase(body)
    }

    /// Stores `owner` in a shared transaction whose after-commit work records `owner` in `delivered`.
    func store(_ owner: String, on database: Database, delivered: CommitDeliveries) async throws -> SharedCommit {
        try await database.sharedTransaction { transaction in
            try await transaction.raw("INSERT INTO items (owner) VALUES (\(bind: owner))").run()
            transaction.afterCommit { delivered.append(owner) }
        }.commit
    }

    @Test("returns once committed, before the flush; adopting it outside a command waits for the flush, then delivers")
    func adoptWaitsForTheFlush() async throws {
        try await withDatabase { database in
            let delivered = CommitDeliveries()
            database.holdFlushes(true)
            let commit = try await store("a", on: database, delivered: delivered)
            let state = try #require(database.sqliteDurability)
            #expect(state.commits >= commit.target && state.synced < commit.target, "returned only after its flush")
            #expect(delivered.all.isEmpty && !commit.isDelivered)
            let adopted = Task { try await commit.adopt() }
            try await Task.sleep(for: .milliseconds(100))
            #expect(delivered.all.isEmpty, "delivered before the flush")
            database.holdFlushes(false)
            try await adopted.value
            #expect(delivered.all == ["a"])
            #expect(try #require(database.sqliteDurability).synced >= commit.target)
        }
    }

    @Test("events go out once, the earlier shared commit's first, whichever caller delivers")
    func deliveredOnceInCommitOrder() async throws {
        try await withDatabase { database in
            let delivered = CommitDeliveries()
            database.holdFlushes(true)
            let first = try await store("first", on: database, delivered: delivered)
            let second = try await store("second", on: database, delivered: delivered)
            #expect(second.target > first.target)
            // the later batch's caller released first (its connection had nothing held before)
            second.deliver()
            #expect(delivered.all == ["first", "second"])
            database.holdFlushes(false)
            try await first.adopt()
            try await second.adopt()
            #expect(delivered.all == ["first", "second"], "delivered twice")
        }
    }

    @Test("a shared commit nobody adopts (its callers gone) is announced once on disk, and not on a failed flush")
    func deliveredWithoutCallers() async throws {
        try await withDatabase { database in
            let delivered = CommitDeliveries()
            database.holdFlushes(true)
            let commit = try await store("orphan", on: database, delivered: delivered)
            try await Task.sleep(for: .milliseconds(50))
            #expect(delivered.all.isEmpty)
            database.holdFlushes(false)
            for _ in 0..<200 where !commit.isDelivered { try await Task.sleep(for: .milliseconds(5)) }
            #expect(delivered.all == ["orphan"])

            database.failFlushes(true)
            let failed = try await store("unflushed", on: database, delivered: delivered)
            await #expect(throws: DatabaseUnavailable.self) { try await failed.adopt() }
            #expect(delivered.all == ["orphan"], "announced what the disk may not hold")
            database.failFlushes(false)
        }
    }

    @Test("a body that throws rolls back and hands out no commit")
    func rollsBack() async throws {
        try await withDatabase { database in
            let delivered = CommitDeliveries()
            _ = try await store("taken", on: database, delivered: delivered)
            await #expect(throws: (any Error).self) {
                _ = try await database.sharedTransaction { transaction in
                    try await transaction.raw("INSERT INTO items (owner) VALUES ('fresh')").run()
                    try await transaction.raw("INSERT INTO items (owner) VALUES ('taken')").run()
                }
            }
            let owners = try await database.withConnection { sql in
                try await sql.raw("SELECT owner FROM items ORDER BY id").all().map { try $0.decode(column: "owner", as: String.self) }
            }
            #expect(owners == ["taken"])
            // the next shared commit's delivery is not held up by the failed one
            let next = try await store("next", on: database, delivered: delivered)
            try await next.adopt()
            #expect(delivered.all == ["taken", "next"])
        }
    }
}

/// What after-commit work recorded, from any thread.
final class CommitDeliveries: Sendable {
    private let items = Mutex<[String]>([])
    func append(_ item: String) { items.withLock { $0.append(item) } }
    var all: [String] { items.withLock { $0 } }
}
