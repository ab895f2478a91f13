/// The hub's accounts as modules may read them: who exists, their names and roles.
///
/// It exists so that no module's SQL names a kernel table: modules ask the directory
/// (``ModuleSetup/users``) instead of querying `hub_users`, and the kernel stays free to
/// change how accounts are stored. Foreign keys from module tables to `hub_users (id)` are
/// schema, not queries, and stay.
///
/// ```swift
/// let names = try await users.displayNames(of: messages.map(\.authorId))   // one query
/// let agents = try await users.users(withRole: .agent, limit: 500)
/// ```
public protocol UserDirectory: Sendable {
    /// The account with this id, if any.
    func user(id: String) async throws -> UserRecord?
    /// The account with this username (lowercase), if any; guests have none.
    func user(username: String) async throws -> UserRecord?
    /// Display names of the given ids, in one lookup; unknown ids are absent.
    func displayNames(of ids: [String]) async throws -> [String: String]
    /// Which of `ids` are accounts, in one lookup.
    func existing(_ ids: [String]) async throws -> Set<String>
    /// Accounts with exactly `role`, ordered by id, at most `limit`.
    func users(withRole role: Role, limit: Int) async throws -> [UserRecord]
}
