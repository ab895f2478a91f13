import SQLKit
import Synchronization

/// Which loaded modules are switched on, changed by operators at runtime.
///
/// The state is persisted in `hub_feature_flags` (a module without a row is on), loaded at
/// start, and mirrored in memory for the per-command check. Kernel namespaces (`hub`,
/// `user`) are always on; modules that are not loaded are never on.
public final class FeatureFlags: Sendable {
    /// The loaded modules, in catalog order.
    public let loaded: [String]
    private let state: Mutex<[String: Bool]>
    private static let kernel: Set<String> = ["hub", "user"]

    /// Flags for the `loaded` modules, each switched on.
    public init(loaded: [String]) {
        self.loaded = loaded
        self.state = Mutex(Dictionary(uniqueKeysWithValues: loaded.map { ($0, true) }))
    }

    /// Whether `module`'s commands run and its topics receive events.
    public func isEnabled(_ module: String) -> Bool {
        if Self.kernel.contains(module) { return true }
        return state.withLock { $0[module] ?? false }
    }

    /// Every loaded module with its flag, in catalog order.
    public var snapshot: [(name: String, enabled: Bool)] {
        state.withLock { state in loaded.map { ($0, state[$0] ?? true) } }
    }

    /// Reads the persisted flags.
    func load(from database: Database) async throws {
        let rows = try await database.withConnection { sql in
            try await sql.raw("SELECT module, enabled FROM hub_feature_flags").all().map {
                (try $0.decode(column: "module", as: String.self), try $0.decode(column: "enabled", as: Bool.self))
            }
        }
        state.withLock { state in
            for (module, enabled) in rows where state[module] != nil { state[module] = enabled }
        }
    }

    /// Persists and applies a flag. - Returns: whether it changed.
    func set(_ module: String, enabled: Bool, by userID: String?, database: Database, nowMs: Int64) async throws -> Bool {
        try await database.withConnection { sql in
            try await sql.raw("""
                INSERT INTO hub_feature_flags (module, enabled, updated_at, updated_by) VALUES (\(bind: module), \(bind: enabled), \(bind: nowMs), \(bind: userID))
                ON CONFLICT (module) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """).run()
        }
        return apply(module, enabled: enabled)
    }

    /// Applies a flag in memory (from the bus). - Returns: whether it changed.
    @discardableResult
    func apply(_ module: String, enabled: Bool) -> Bool {
        state.withLock { state in
            guard let current = state[module], current != enabled else { return false }
            state[module] = enabled
            return true
        }
    }
}
