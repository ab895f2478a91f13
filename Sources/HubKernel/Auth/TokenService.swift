public import Foundation
import JWTKit
import SQLKit
import Synchronization

/// Signs and verifies access tokens (JWT, HS256).
///
/// Expiry is checked against the hub's clock, not the system clock, so tests can move time.
/// A token is accepted only with exactly the header the hub issues (`alg` `HS256`, no `crit`,
/// no `kid`): the library would otherwise pick its key by what the token says about itself;
/// `nbf`, when present, must have passed. A token issued before its account's
/// ``revoke(_:at:)`` is refused: the check reads memory only (loaded at start by
/// ``loadRevocations(from:)``), so no command pays a database read for it.
public final class TokenService: Sendable {
    struct AccessClaims: JWTPayload {
        var sub: SubjectClaim
        var name: String
        var role: Role
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim?
        var typ: String
        /// The issue time in milliseconds (`iat` has whole seconds), for revocation.
        var iatMs: Int64?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    private let keys: JWTKeyCollection
    /// Per account, the time before which its access tokens are refused (only entries younger
    /// than a token's lifetime matter; older ones are pruned).
    private let validAfter = Mutex<[String: Int64]>([:])
    /// Told of each revocation (the hub closes that account's sockets).
    private let observer = Mutex<(@Sendable (String, Int64) -> Void)?>(nil)
    /// How long an access token lives.
    public let accessTokenTTLSeconds: Int
    private let clock: any HubClock

    /// - Parameter secret: the HMAC key; at least 32 bytes (checked by the configuration).
    public init(secret: String, accessTokenTTLSeconds: Int, clock: any HubClock) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.accessTokenTTLSeconds = accessTokenTTLSeconds
        self.clock = clock
    }

    /// Issues a token for `identity`.
    /// - Returns: the token and its expiry in ms since the epoch.
    public func issue(for identity: Identity) async throws -> (token: String, expiresAtMs: Int64) {
        let now = clock.nowMs()
        let expiresAt = now + Int64(accessTokenTTLSeconds) * 1000
        let claims = AccessClaims(
            sub: .init(value: identity.userID),
            name: identity.displayName,
            role: identity.role,
            iat: .init(value: Date(timeIntervalSince1970: Double(now) / 1000)),
            exp: .init(value: Date(timeIntervalSince1970: Double(expiresAt) / 1000)),
            typ: "access",
            iatMs: now
        )
        return (try await keys.sign(claims), expiresAt)
    }

    /// Verifies a token's signature and expiry.
    /// - Throws: ``HubError`` `unauthorized` for a malformed, forged or expired token.
    public func verify(_ token: String) async throws(HubError) -> (identity: Identity, expiresAtMs: Int64) {
        guard Self.hasIssuedHeader(token) else { throw .unauthorized("invalid access token") }
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch {
            throw .unauthorized("invalid access token")
        }
        guard claims.typ == "access" else { throw .unauthorized("invalid access token") }
        let expiresAt = Int64((claims.exp.value.timeIntervalSince1970 * 1000).rounded())
        guard expiresAt > clock.nowMs() else { throw .unauthorized("access token expired") }
        if let notBefore = claims.nbf, Int64((notBefore.value.timeIntervalSince1970 * 1000).rounded()) > clock.nowMs() {
            throw .unauthorized("access token not valid yet")
        }
        let issuedAt = claims.iatMs ?? Int64((claims.iat.value.timeIntervalSince1970 * 1000).rounded(.down))
        if let after = validAfter.withLock({ $0[claims.sub.value] }), issuedAt < after {
            throw .unauthorized("access token revoked; sign in again")
        }
        return (Identity(userID: claims.sub.value, displayName: claims.name, role: claims.role), expiresAt)
    }

    /// Whether `token` is three base64url parts whose header is exactly what ``issue(for:)``
    /// writes: `alg` `HS256`, `typ` `JWT` if present, and nothing else.
    static func hasIssuedHeader(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return false }
        // every token we issue has the same header: a spelling that passed once passes again
        // (a few remembered, so a reconnect storm does not parse the same JSON thousands of times)
        let spelling = String(parts[0])
        if acceptedHeaders.withLock({ $0.contains(spelling) }) { return true }
        guard let data = base64URLDecoded(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        guard header["alg"] as? String == "HS256" else { return false }
        if let type = header["typ"] { guard type as? String == "JWT" else { return false } }
        guard Set(header.keys).isSubset(of: ["alg", "typ"]) else { return false }
        acceptedHeaders.withLock { if $0.count < 8 { $0.insert(spelling) } }
        return true
    }

    /// Header spellings ``hasIssuedHeader(_:)`` accepted (at most 8: a forger cannot grow it).
    private static let acceptedHeaders = Mutex<Set<String>>([])

    private static func base64URLDecoded(_ text: Substring) -> Data? {
        guard text.utf8.count <= 512 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    /// Refuses every access token of `userID` issued before `ms` (a logout, a reused refresh
    /// token, a role change). The caller has stored the same time in the account's row.
    public func revoke(_ userID: String, at ms: Int64) {
        remember(userID, ms)
        observer.withLock { $0 }?(userID, ms)
    }

    /// Calls `observe` with the account and cut-off of every later ``revoke(_:at:)``.
    public func onRevoke(_ observe: @escaping @Sendable (String, Int64) -> Void) { observer.withLock { $0 = observe } }

    /// Records a cut-off (also one another node of the cluster announced).
    func remember(_ userID: String, _ ms: Int64) {
        let horizon = clock.nowMs() - Int64(accessTokenTTLSeconds) * 1000
        validAfter.withLock { map in
            map[userID] = max(map[userID] ?? 0, ms)
            if map.count > 10_000 { map = map.filter { $0.value > horizon } }
        }
    }

    /// Loads the revocations that can still matter (younger than a token's lifetime) from the
    /// accounts, at start, so a restart does not bring revoked tokens back.
    public func loadRevocations(from database: Database) async throws {
        let horizon = clock.nowMs() - Int64(accessTokenTTLSeconds) * 1000
        let rows = try await database.withConnection { sql in
            try await sql.raw("SELECT id, tokens_valid_after FROM hub_users WHERE tokens_valid_after > \(bind: horizon)").all()
        }
        for row in rows { remember(try row.decode(column: "id", as: String.self), try row.decode(column: "tokens_valid_after", as: Int64.self)) }
    }
}
