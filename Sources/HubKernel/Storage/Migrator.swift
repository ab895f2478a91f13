public import Logging
public import SQLKit

/// Applies modules' migrations in declared order and records each in `hub_migrations`.
///
/// Runs at start-up and from `switchboard migrate`. On PostgreSQL a session advisory lock
/// makes concurrent nodes apply each migration once.
public struct Migrator: Sendable {
    /// The migrations of one module, in order.
    public struct Plan: Sendable {
        /// The module the migrations belong to (`hub` for the kernel).
        public var module: String
        /// Its migrations, in the order they apply.
        public var migrations: [any Migration]
        /// A module's plan.
        public init(module: String, migrations: [any Migration]) {
            self.module = module
            self.migrations = migrations
        }
    }

    let database: Database
    let plans: [Plan]
    let clock: any HubClock
    let logger: Logger

    /// A migrator for `plans`, in catalog order (the kernel's first).
    public init(database: Database, plans: [Plan], clock: any HubClock = SystemClock(), logger: Logger) {
        self.database = database
        self.plans = plans
        self.clock = clock
        self.logger = logger
    }

    /// A migration's identity: its module and name.
    public struct Record: Sendable, Hashable, CustomStringConvertible {
        /// The module the migrations belong to (`hub` for the kernel).
        public var module: String
        /// The migration's stable name (`chat.002_create_messages`).
        public var name: String
        /// `module: name`.
        public var description: String { "\(module): \(name)" }
    }

    private static let lockKey = 7_303_373_200_017 // arbitrary, stable: "switchboard migrations"

    private func ensureTable(_ sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE TABLE IF NOT EXISTS hub_migrations (
                module TEXT NOT NULL,
                name TEXT NOT NULL,
                applied_at BIGINT NOT NULL,
                PRIMARY KEY (module, name)
            )
            """).run()
    }

    private func applied(_ sql: any SQLDatabase) async throws -> Set<Record> {
        let rows = try await sql.raw("SELECT module, name FROM hub_migrations").all()
        return Set(try rows.map { Record(module: try $0.decode(column: "module", as: String.self),
                                           name: try $0.decode(column: "name", as: String.self)) })
    }

    /// The migrations not applied yet, in the order they would run.
    public func pending() async throws -> [Record] {
        try await database.withConnection { sql in
            try await ensureTable(sql)
            let done = try await applied(sql)
            return plans.flatMap { plan in
                plan.migrations.map { Record(module: plan.module, name: $0.name) }.filter { !done.contains($0) }
            }
        }
    }

    /// Applies every pending migration.
    /// - Returns: what was applied, in order.
    @discardableResult
    public func migrate() async throws -> [Record] {
        try await database.withConnection { sql in
            try await whileLocked(sql) { try await migrateLocked(sql) }
        }
    }

    /// Runs `body` holding the migration lock (PostgreSQL: a session advisory lock, so nodes
    /// starting together migrate one at a time; SQLite has one connection already), for
    /// applying and reverting alike.
    private func whileLocked<T>(_ sql: any SQLDatabase, _ body: () async throws -> T) async throws -> T {
        guard database.kind == .postgres else { return try await body() }
        try await sql.raw("SELECT pg_advisory_lock(\(unsafeRaw: String(Self.lockKey)))").run()
        do {
            let result = try await body()
            try await sql.raw("SELECT pg_advisory_unlock(\(unsafeRaw: String(Self.lockKey)))").run()
            return result
        } catch {
            try? await sql.raw("SELECT pg_advisory_unlock(\(unsafeRaw: String(Self.lockKey)))").run()
            throw error
        }
    }

    private func migrateLocked(_ sql: any SQLDatabase) async throws -> [Record] {
        try await ensureTable(sql)
        let done = try await applied(sql)
        var appliedNow: [Record] = []
        for plan in plans {
            for migration in plan.migrations {
                let record = Record(module: plan.module, name: migration.name)
                if done.contains(record) { continue }
                do {
                    try await ExplicitTransaction.run(on: sql, kind: database.kind) {
                        try await migration.prepare(on: sql)
                        try await sql.raw("""
                            INSERT INTO hub_migrations (module, name, applied_at) VALUES (\(bind: plan.module), \(bind: migration.name), \(bind: clock.nowMs()))
                            """).run()
                    }
                } catch {
                    throw MigrationFailed(record: record, underlying: String(describing: error))
                }
                logger.info("applied migration", metadata: ["sb.module": .string(plan.module), "sb.migration": .string(migration.name)])
                appliedNow.append(record)
            }
        }
        return appliedNow
    }

    /// Reverts the last `count` applied migrations of `module` (newest first).
    @discardableResult
    public func revert(module: String, count: Int = 1) async throws -> [Record] {
        guard let plan = plans.first(where: { $0.module == module }) else { return [] }
        return try await database.withConnection { sql in
            try await whileLocked(sql) {
                try await ensureTable(sql)
                let done = try await applied(sql)
                var reverted: [Record] = []
                for migration in plan.migrations.reversed() where reverted.count < count {
                    let record = Record(module: module, name: migration.name)
                    guard done.contains(record) else { continue }
                    do {
                        try await ExplicitTransaction.run(on: sql, kind: database.kind) {
                            try await migration.revert(on: sql)
                            try await sql.raw("DELETE FROM hub_migrations WHERE module = \(bind: module) AND name = \(bind: migration.name)").run()
                        }
                    } catch {
                        throw MigrationFailed(record: record, underlying: String(describing: error))
                    }
                    reverted.append(record)
                }
                return reverted
            }
        }
    }
}

/// A migration failed; nothing of it was applied.
public struct MigrationFailed: Error, CustomStringConvertible {
    /// The migration that failed.
    public var record: Migrator.Record
    /// What the database said.
    public var underlying: String
    /// One sentence for the log and the operator.
    public var description: String { "migration \(record) failed: \(underlying)" }
}
