public import Hummingbird

/// Finds the caller of an HTTP request: `Authorization: Bearer <token>` or, for browsers,
/// the `access_token` query parameter.
public struct Authenticator: Sendable {
    let tokens: TokenService

    /// The verified identity.
    /// - Throws: ``HubError`` `unauthorized` when the token is missing, invalid or expired.
    public func identity(for request: Request) async throws(HubError) -> Identity {
        try await tokens.verify(Self.token(in: request) ?? "").identity
    }

    /// The identity, required to satisfy `role`.
    /// - Throws: `unauthorized`, or `forbidden` when the role does not suffice.
    public func identity(for request: Request, role: Role) async throws(HubError) -> Identity {
        let identity = try await identity(for: request)
        guard identity.role.satisfies(role) else { throw .forbidden("requires role \(role.rawValue)") }
        return identity
    }

    /// The raw token of a request, if any.
    public static func token(in request: Request) -> String? {
        token(authorization: request.headers[.authorization], accessTokenParameter: request.uri.queryParameters.get("access_token"))
    }

    /// The one bearer-token rule, for HTTP requests and WebSocket upgrades alike: the
    /// `Authorization: Bearer <token>` header (scheme case-insensitive), else the
    /// `access_token` query parameter (browsers cannot set headers on a WebSocket).
    static func token(authorization: String?, accessTokenParameter: String?) -> String? {
        if let authorization {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]) }
        }
        return accessTokenParameter
    }
}
