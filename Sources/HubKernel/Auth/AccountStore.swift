import Foundation
import SQLKit

/// The kernel's SQL for accounts and refresh tokens; nothing else touches these tables
/// (modules read accounts through it, as their ``UserDirectory``).
struct AccountStore: UserDirectory {
    let database: Database

    struct RefreshTokenRow: Sendable {
        var id: String
        var userID: String
        var familyID: String
        var expiresAt: Int64
        var usedAt: Int64?
        var revokedAt: Int64?
    }

    private static func user(from row: any SQLRow) throws -> UserRecord {
        UserRecord(
            id: try row.decode(column: "id", as: String.self),
            username: try row.decode(column: "username", as: String?.self),
            displayName: try row.decode(column: "display_name", as: String.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .guest
        )
    }

    func insertUser(_ user: UserRecord, passwordHash: String?, nowMs: Int64) async throws {
        try await database.withConnection { sql in
            try await sql.raw("""
                INSERT INTO hub_users (id, username, password_hash, display_name, role, created_at)
                VALUES (\(bind: user.id), \(bind: user.username), \(bind: passwordHash), \(bind: user.displayName), \(bind: user.role.rawValue), \(bind: nowMs))
                """).run()
        }
    }

    /// The account with its password hash (login only).
    func credentials(username: String) async throws -> (UserRecord, passwordHash: String?)? {
        try await database.withConnection { sql in
            guard let row = try await sql.raw("""
                SELECT id, username, display_name, role, password_hash FROM hub_users WHERE username = \(bind: username)
                """).first() else { return nil }
            return (try Self.user(from: row), try row.decode(column: "password_hash", as: String?.self))
        }
    }

    func setPasswordHash(userID: String, hash: String) async throws {
        try await database.withConnection { sql in
            try await sql.raw("UPDATE hub_users SET password_hash = \(bind: hash) WHERE id = \(bind: userID)").run()
        }
    }

    func user(id: String) async throws -> UserRecord? {
        try await database.withConnection { sql in
            try await sql.raw("SELECT id, username, display_name, role FROM hub_users WHERE id = \(bind: id)")
                .first().map(Self.user(from:))
        }
    }

    func user(username: String) async throws -> UserRecord? {
        try await credentials(username: username).map { $0.0 }
    }

    func displayNames(of ids: [String]) async throws -> [String: String] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return try await database.withConnection { sql in
            try await sql.raw("SELECT id, display_name FROM hub_users WHERE id IN (\(SQLList(unique.map { SQLBind($0) })))").all()
                .reduce(into: [String: String]()) { names, row in
                    names[try row.decode(column: "id", as: String.self)] = try row.decode(column: "display_name", as: String.self)
                }
        }
    }

    func existing(_ ids: [String]) async throws -> Set<String> {
        Set(try await displayNames(of: ids).keys)
    }

    func users(withRole role: Role, limit: Int) async throws -> [UserRecord] {
        try await database.withConnection { sql in
            try await sql.raw("""
                SELECT id, username, display_name, role FROM hub_users WHERE role = \(bind: role.rawValue) ORDER BY id LIMIT \(bind: limit)
                """).all().map(Self.user(from:))
        }
    }

    /// Sets the role and refuses the account's earlier access tokens (they carry the old role).
    func setRole(username: String, role: Role, nowMs: Int64) async throws -> UserRecord? {
        try await database.withConnection { sql in
            try await sql.raw("""
                UPDATE hub_users SET role = \(bind: role.rawValue),
                    tokens_valid_after = CASE WHEN tokens_valid_after < \(bind: nowMs) THEN \(bind: nowMs) ELSE tokens_valid_after END
                WHERE username = \(bind: username)
                RETURNING id, username, display_name, role
                """).first().map(Self.user(from:))
        }
    }

    /// Refuses the account's access tokens issued before `nowMs` (stored, so a restart keeps it).
    func invalidateTokens(of userID: String, nowMs: Int64, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE hub_users SET tokens_valid_after = CASE WHEN tokens_valid_after < \(bind: nowMs) THEN \(bind: nowMs) ELSE tokens_valid_after END
            WHERE id = \(bind: userID)
            """).run()
    }

    func insertRefreshToken(id: String, userID: String, familyID: String, hash: String, nowMs: Int64, expiresAt: Int64, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO hub_refresh_tokens (id, user_id, family_id, token_hash, created_at, expires_at)
            VALUES (\(bind: id), \(bind: userID), \(bind: familyID), \(bind: hash), \(bind: nowMs), \(bind: expiresAt))
            """).run()
    }

    func refreshToken(hash: String, on sql: any SQLDatabase) async throws -> RefreshTokenRow? {
        guard let row = try await sql.raw("""
            SELECT id, user_id, family_id, expires_at, used_at, revoked_at FROM hub_refresh_tokens WHERE token_hash = \(bind: hash)
            """).first() else { return nil }
        return RefreshTokenRow(
            id: try row.decode(column: "id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            familyID: try row.decode(column: "family_id", as: String.self),
            expiresAt: try row.decode(column: "expires_at", as: Int64.self),
            usedAt: try row.decode(column: "used_at", as: Int64?.self),
            revokedAt: try row.decode(column: "revoked_at", as: Int64?.self)
        )
    }

    /// Marks a token used; `false` when another request used it first.
    func markUsed(id: String, nowMs: Int64, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("""
            UPDATE hub_refresh_tokens SET used_at = \(bind: nowMs) WHERE id = \(bind: id) AND used_at IS NULL AND revoked_at IS NULL
            RETURNING id
            """).first() != nil
    }

    func revokeFamily(_ familyID: String, nowMs: Int64, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE hub_refresh_tokens SET revoked_at = \(bind: nowMs) WHERE family_id = \(bind: familyID) AND revoked_at IS NULL
            """).run()
    }
}
