public import Foundation
import JWTKit

/// Signs and verifies access tokens (JWT, HS256).
///
/// Expiry is checked against the hub's clock, not the system clock, so tests can move time.
/// A token is accepted only with exactly the header the hub issues (`alg` `HS256`, no `crit`,
/// no `kid`): the library would otherwise pick its key by what the token says about itself;
/// `nbf`, when present, must have passed.
public final class TokenService: Sendable {
    struct AccessClaims: JWTPayload {
        var sub: SubjectClaim
        var name: String
        var role: Role
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim?
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
        return (Identity(userID: claims.sub.value, displayName: claims.name, role: claims.role), expiresAt)
    }

    /// Whether `token` is three base64url parts whose header is exactly what ``issue(for:)``
    /// writes: `alg` `HS256`, `typ` `JWT` if present, and nothing else.
    static func hasIssuedHeader(_ token: String) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = base64URLDecoded(parts[0]),
              let header = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        guard header["alg"] as? String == "HS256" else { return false }
        if let type = header["typ"] { guard type as? String == "JWT" else { return false } }
        return Set(header.keys).isSubset(of: ["alg", "typ"])
    }

    private static func base64URLDecoded(_ text: Substring) -> Data? {
        guard text.utf8.count <= 512 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
