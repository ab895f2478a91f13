public import Foundation
import Crypto
import SQLKit

/// Registration, login, guests, token refresh and logout: the logic behind `/auth/*` and
/// `switchboard user …`.
///
/// Refresh tokens are random 256-bit strings stored only as SHA-256 hashes. Each use rotates
/// the token inside its family (one family per login); presenting an already rotated token
/// is treated as theft and revokes the whole family.
public struct Accounts: Sendable {
    /// What login, registration, guest and refresh return (protocol.md).
    public struct TokenPair: Sendable, Codable, Equatable {
        /// The short-lived JWT that opens `/ws` and authenticates HTTP calls.
        public var accessToken: String
        /// The opaque token that buys the next pair once (it rotates on use).
        public var refreshToken: String
        /// Seconds until the access token expires.
        public var expiresIn: Int
        /// Who the pair belongs to, so a client can show the name without another call.
        public var user: UserRecord
    }

    let store: AccountStore
    let tokens: TokenService
    let hasher: PasswordHasher
    let clock: any HubClock
    let refreshTokenTTLSeconds: Int
    let guestRefreshTokenTTLSeconds: Int

    /// The account service over the kernel's tables; the TTLs are `AUTH_*_TTL_SECONDS`.
    public init(database: Database, tokens: TokenService, hasher: PasswordHasher, clock: any HubClock,
                refreshTokenTTLSeconds: Int = 30 * 86_400, guestRefreshTokenTTLSeconds: Int = 86_400) {
        self.store = AccountStore(database: database)
        self.tokens = tokens
        self.hasher = hasher
        self.clock = clock
        self.refreshTokenTTLSeconds = refreshTokenTTLSeconds
        self.guestRefreshTokenTTLSeconds = guestRefreshTokenTTLSeconds
    }

    // MARK: validation

    static func normalizedUsername(_ raw: String) throws(HubError) -> String {
        let username = raw.lowercased()
        guard (3...32).contains(username.count),
              username.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "_.-".unicodeScalars.contains($0) })
        else {
            throw .validation("username", "username must be 3 to 32 characters of a-z, 0-9, '_', '.', '-'")
        }
        return username
    }

    static func checkPassword(_ password: String) throws(HubError) {
        guard (8...128).contains(password.count) else {
            throw .validation("password", "password must be 8 to 128 characters")
        }
    }

    /// A display name: 1–64 code points after trimming, as `users.display_name`'s CHECK counts.
    static let displayNameRule = TextRule("displayName", length: 1...64)

    static func normalizedDisplayName(_ raw: String) throws(HubError) -> String {
        do { return try displayNameRule.clean(raw) } catch { throw error.hubError }
    }

    // MARK: accounts

    /// Creates an account with `role`. Used by registration (role `user`) and by operators.
    public func createUser(username: String, password: String, displayName: String?, role: Role) async throws -> UserRecord {
        guard role != .guest else { throw HubError.validation("role", "guests are created with POST /auth/guest") }
        let username = try Self.normalizedUsername(username)
        try Self.checkPassword(password)
        let displayName = try Self.normalizedDisplayName(displayName ?? username)
        let hash = try await hasher.hash(password)
        let user = UserRecord(id: UUID().uuidString.lowercased(), username: username, displayName: displayName, role: role)
        do {
            try await store.insertUser(user, passwordHash: hash, nowMs: clock.nowMs())
        } catch where error.isUniqueViolation {
            throw HubError.conflict("username '\(username)' is taken")
        }
        return user
    }

    /// `POST /auth/register`: a new `user` account, logged in.
    public func register(username: String, password: String, displayName: String?) async throws -> TokenPair {
        let user = try await createUser(username: username, password: password, displayName: displayName, role: .user)
        return try await startSession(for: user)
    }

    /// `POST /auth/login`.
    public func login(username: String, password: String) async throws -> TokenPair {
        let normalized = username.lowercased()
        guard let (user, hash) = try await store.credentials(username: normalized), let hash else {
            // same cost as a real check, so timing does not reveal which usernames exist
            _ = try? await hasher.verify(password, hash: Self.dummyHash)
            throw HubError.unauthorized("invalid username or password")
        }
        guard try await hasher.verify(password, hash: hash) else {
            throw HubError.unauthorized("invalid username or password")
        }
        if hasher.needsUpgrade(hash) {
            // a hash from before the pre-hash: replace it now that the password is known
            try await store.setPasswordHash(userID: user.id, hash: try await hasher.hash(password))
        }
        return try await startSession(for: user)
    }

    private static let dummyHash = "sb2$$2b$10$abcdefghijklmnopqrstuu2YqzJrGVcyFp6mSkGGWm5WqfXh3Ukb2"

    /// `POST /auth/guest`: a fresh guest identity.
    public func guest(displayName: String) async throws -> TokenPair {
        let name = try Self.normalizedDisplayName(displayName)
        let user = UserRecord(id: UUID().uuidString.lowercased(), username: nil, displayName: name, role: .guest)
        try await store.insertUser(user, passwordHash: nil, nowMs: clock.nowMs())
        return try await startSession(for: user)
    }

    /// Changes a user's role. Their access tokens issued before (which state the old role) are
    /// refused from now on and their sockets closed with 4001, so a demoted admin loses admin
    /// rights at once; the next token, from a refresh, carries the new role.
    public func setRole(username: String, role: Role) async throws -> UserRecord {
        guard role != .guest else { throw HubError.validation("role", "an account cannot become a guest") }
        let username = try Self.normalizedUsername(username)
        let now = clock.nowMs()
        guard let user = try await store.setRole(username: username, role: role, nowMs: now) else {
            throw HubError.notFound("no user '\(username)'")
        }
        tokens.revoke(user.id, at: now)
        return user
    }

    /// Looks a user up by id.
    public func user(id: String) async throws -> UserRecord? { try await store.user(id: id) }

    // MARK: sessions

    private static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func newRefreshToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private func startSession(for user: UserRecord, familyID: String? = nil, on sql: (any SQLDatabase)? = nil) async throws -> TokenPair {
        let refresh = Self.newRefreshToken()
        let now = clock.nowMs()
        let ttl = user.role == .guest ? guestRefreshTokenTTLSeconds : refreshTokenTTLSeconds
        let insert: @Sendable (any SQLDatabase) async throws -> Void = { [store] sql in
            try await store.insertRefreshToken(
                id: UUID().uuidString.lowercased(), userID: user.id, familyID: familyID ?? UUID().uuidString.lowercased(),
                hash: Self.hash(refresh), nowMs: now, expiresAt: now + Int64(ttl) * 1000, on: sql)
        }
        if let sql { try await insert(sql) } else { try await store.database.withConnection { try await insert($0) } }
        let access = try await tokens.issue(for: user.identity)
        return TokenPair(accessToken: access.token, refreshToken: refresh, expiresIn: tokens.accessTokenTTLSeconds, user: user)
    }

    /// `POST /auth/refresh`: rotates the refresh token and issues a new access token with the
    /// user's current role.
    public func refresh(_ refreshToken: String) async throws -> TokenPair {
        let now = clock.nowMs()
        let hash = Self.hash(refreshToken)
        enum Outcome: Sendable { case rotated(TokenPair), reused(String), invalid }
        let outcome: Outcome = try await store.database.transaction { sql in
            guard let row = try await store.refreshToken(hash: hash, on: sql), row.revokedAt == nil, row.expiresAt > now else {
                return .invalid
            }
            if row.usedAt != nil {
                // a rotated token came back: someone kept a copy; end the whole session, and
                // the access tokens that are out there (the thief's among them)
                try await store.revokeFamily(row.familyID, nowMs: now, on: sql)
                try await store.invalidateTokens(of: row.userID, nowMs: now, on: sql)
                return .reused(row.userID)
            }
            guard try await store.markUsed(id: row.id, nowMs: now, on: sql),
                  let user = try await store.user(id: row.userID, on: sql)
            else { return .invalid }
            return .rotated(try await startSession(for: user, familyID: row.familyID, on: sql))
        }
        switch outcome {
        case .rotated(let pair): return pair
        case .reused(let userID):
            tokens.revoke(userID, at: now)
            throw HubError.unauthorized("refresh token was already used; the session is revoked")
        case .invalid: throw HubError.unauthorized("invalid or expired refresh token")
        }
    }

    /// `POST /auth/logout`: revokes the token's session (its family) and the account's access
    /// tokens issued until now, closing its sockets with 4001 (the user's other devices
    /// reconnect through their own refresh tokens). Unknown tokens are ignored.
    public func logout(_ refreshToken: String) async throws {
        let now = clock.nowMs()
        let hash = Self.hash(refreshToken)
        let userID: String? = try await store.database.transaction { sql in
            guard let row = try await store.refreshToken(hash: hash, on: sql), row.revokedAt == nil else { return nil }
            try await store.revokeFamily(row.familyID, nowMs: now, on: sql)
            try await store.invalidateTokens(of: row.userID, nowMs: now, on: sql)
            return row.userID
        }
        if let userID { tokens.revoke(userID, at: now) }
    }
}

extension AccountStore {
    func user(id: String, on sql: any SQLDatabase) async throws -> UserRecord? {
        guard let row = try await sql.raw("SELECT id, username, display_name, role FROM hub_users WHERE id = \(bind: id)").first() else {
            return nil
        }
        return UserRecord(
            id: try row.decode(column: "id", as: String.self),
            username: try row.decode(column: "username", as: String?.self),
            displayName: try row.decode(column: "display_name", as: String.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .guest
        )
    }
}
