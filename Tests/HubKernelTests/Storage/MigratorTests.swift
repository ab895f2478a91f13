import Logging
import SQLKit
import Testing
import HubTesting
@testable import HubKernel

struct CreateThings: Migration {
    let name = "things.001_create"
    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("CREATE TABLE things (id INTEGER PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0))").run()
    }
    func revert(on database: any SQLDatabase) async throws { try await database.raw("DROP TABLE things").run() }
}

struct AddColour: Migration {
    let name = "things.002_add_colour"
    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("ALTER TABLE things ADD COLUMN colour TEXT").run()
    }
    func revert(on database: any SQLDatabase) async throws {
        try await database.raw("ALTER TABLE things DROP COLUMN colour").run()
    }
}

struct Broken: Migration {
    let name = "things.003_broken"
    func prepare(on database: any SQLDatabase) async throws {
        try await database.raw("CREATE TABLE half (id INTEGER)").run()
        try await database.raw("THIS IS NOT SQL").run()
    }
    func revert(on database: any SQLDatabase) async throws {}
}

@Suite("Migrations")
struct MigratorTests {
    func migrator(_ database: Database, _ migrations: [any Migration]) -> Migrator {
        Migrator(database: database, plans: [.init(module: "things", migrations: migrations)], logger: TestHub.quietLogger)
    }

    @Test("migrations apply in order, once, and are recorded per module") func apply() async throws {
        try await TestDatabase.with { database in
            let first = try await migrator(database, [CreateThings(), AddColour()]).migrate()
            #expect(first.map(\.name) == ["things.001_create", "things.002_add_colour"])
            #expect(try await migrator(database, [CreateThings(), AddColour()]).migrate().isEmpty)
            try await database.withConnection { try await $0.raw("INSERT INTO things (id, n, colour) VALUES (1, 2, 'red')").run() }
        }
    }

    @Test("a failing migration leaves nothing behind and is not recorded") func failure() async throws {
        try await TestDatabase.with { database in
            await #expect(throws: MigrationFailed.self) { try await migrator(database, [CreateThings(), Broken()]).migrate() }
            let pending = try await migrator(database, [CreateThings(), Broken()]).pending()
            #expect(pending.map(\.name) == ["things.003_broken"])
            let half = try await database.withConnection { sql in
                try? await sql.raw("SELECT COUNT(*) AS n FROM half").first()
            }
            #expect(half == nil)
        }
    }

    @Test("revert undoes the newest migration first") func revert() async throws {
        try await TestDatabase.with { database in
            let migrator = migrator(database, [CreateThings(), AddColour()])
            try await migrator.migrate()
            #expect(try await migrator.revert(module: "things").map(\.name) == ["things.002_add_colour"])
            #expect(try await migrator.pending().map(\.name) == ["things.002_add_colour"])
        }
    }

    @Test("CHECK constraints hold on both databases") func check() async throws {
        try await TestDatabase.with { database in
            try await migrator(database, [CreateThings()]).migrate()
            do {
                try await database.withConnection { try await $0.raw("INSERT INTO things (id, n) VALUES (1, -1)").run() }
                Issue.record("a negative n was accepted")
            } catch {
                #expect(error.isConstraintViolation)
            }
            try await database.withConnection { try await $0.raw("INSERT INTO things (id, n) VALUES (1, 1)").run() }
            do {
                try await database.withConnection { try await $0.raw("INSERT INTO things (id, n) VALUES (1, 1)").run() }
                Issue.record("a duplicate key was accepted")
            } catch {
                #expect(error.isUniqueViolation)
            }
        }
    }

    @Test("a transaction that throws rolls back") func rollback() async throws {
        struct Oops: Error {}
        try await TestDatabase.with { database in
            try await migrator(database, [CreateThings()]).migrate()
            await #expect(throws: Oops.self) {
                try await database.transaction { sql in
                    try await sql.raw("INSERT INTO things (id, n) VALUES (1, 1)").run()
                    throw Oops()
                }
            }
            let count = try await database.withConnection { try await $0.raw("SELECT COUNT(*) AS n FROM things").first()?.decode(column: "n", as: Int.self) }
            #expect(count == 0)
        }
    }
}
