public import Foundation
import JWTKit

/// Signs and verifies access tokens (JWT, HS256).
///
/// Expiry is checked against the hub's clock, not the system clock, so tests can move time.
public final class TokenService: Sendable {
    struct AccessClaims: JWTPayload {
        var sub: SubjectClaim
        var name: String
        var role: Role
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        var typ: String

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    private let keys: JWTKeyCollection
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
            typ: "access"
        )
        return (try await keys.sign(claims), expiresAt)
    }

    /// Verifies a token's signature and expiry.
    /// - Throws: ``HubError`` `unauthorized` for a malformed, forged or expired token.
    public func verify(_ token: String) async throws(HubError) -> (identity: Identity, expiresAtMs: Int64) {
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch {
            throw .unauthorized("invalid access token")
        }
        guard claims.typ == "access" else { throw .unauthorized("invalid access token") }
        let expiresAt = Int64((claims.exp.value.timeIntervalSince1970 * 1000).rounded())
        guard expiresAt > clock.nowMs() else { throw .unauthorized("access token expired") }
        return (Identity(userID: claims.sub.value, displayName: claims.name, role: claims.role), expiresAt)
    }
}
