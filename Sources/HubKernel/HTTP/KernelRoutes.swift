import Foundation
import Hummingbird

/// The kernel's HTTP endpoints (protocol.md): accounts, health, metrics and administration.
struct KernelRoutes {
    let hub: Hub

    private struct Credentials: Decodable, Sendable { var username: String; var password: String; var displayName: String? }
    private struct GuestRequest: Decodable, Sendable { var displayName: String }
    private struct RefreshRequest: Decodable, Sendable { var refreshToken: String }
    private struct FeatureRequest: Decodable, Sendable { var enabled: Bool }
    private struct RoleRequest: Decodable, Sendable { var role: Role }
    private struct ModuleState: Encodable { var name: String; var enabled: Bool }
    private struct Features: Encodable { var modules: [ModuleState] }
    private struct Status: Encodable { var status: String; var node: String }

    /// Default per-IP limits of the account endpoints; overridable as `RATE_LIMIT_AUTH_<ACTION>`.
    static let authLimits: [String: RateLimit] = [
        "auth.register": RateLimit(10, per: .seconds(60), scope: .ip),
        "auth.login": RateLimit(10, per: .seconds(60), scope: .ip),
        "auth.loginAccount": LoginGuard.defaultLimit,
        "auth.guest": RateLimit(30, per: .seconds(60), scope: .ip),
        "auth.refresh": RateLimit(30, per: .seconds(60), scope: .ip),
        "auth.logout": RateLimit(30, per: .seconds(60), scope: .ip),
    ]

    /// The client's address: the peer, or behind a trusted proxy the forwarded one.
    private func client(_ request: Request, _ context: HubRequestContext) -> String {
        ClientAddress.resolve(peer: context.remoteAddress, headers: request.headers, trustedProxies: hub.settings.trustedProxies)
    }

    private func limit(_ action: String, _ request: Request, _ context: HubRequestContext) throws {
        let key = "auth.\(action)"
        let limit = hub.httpRateLimits[key] ?? Self.authLimits[key] ?? RateLimit(30, per: .seconds(60), scope: .ip)
        if let wait = hub.limiter.acquire("\(key)|ip|\(client(request, context))", limit: limit, nowMs: hub.clock.nowMs()) {
            hub.metrics.rateLimited(module: "auth", type: key)
            throw HubError.rateLimited(retryAfterMs: wait)
        }
    }

    func register(on router: Router<HubRequestContext>) {
        let maxBody = hub.settings.maxHTTPBodyBytes
        let auth = router.group("auth")
        auth.post("register") { request, context in
            try limit("register", request, context)
            let body = try await request.decodeJSON(Credentials.self, maxBytes: maxBody)
            return try JSONResponse.make(try await hub.accounts.register(username: body.username, password: body.password, displayName: body.displayName))
        }
        let guard_ = LoginGuard(limiter: hub.limiter, limit: hub.httpRateLimits["auth.loginAccount"])
        auth.post("login") { request, context in
            try limit("login", request, context)
            let body = try await request.decodeJSON(Credentials.self, maxBytes: maxBody)
            let address = client(request, context)
            try guard_.attempt(body.username, from: address, nowMs: hub.clock.nowMs())
            let pair = try await hub.accounts.login(username: body.username, password: body.password)
            guard_.succeeded(body.username, from: address)
            return try JSONResponse.make(pair)
        }
        auth.post("guest") { request, context in
            try limit("guest", request, context)
            let body = try await request.decodeJSON(GuestRequest.self, maxBytes: maxBody)
            return try JSONResponse.make(try await hub.accounts.guest(displayName: body.displayName))
        }
        auth.post("refresh") { request, context in
            try limit("refresh", request, context)
            let body = try await request.decodeJSON(RefreshRequest.self, maxBytes: maxBody)
            return try JSONResponse.make(try await hub.accounts.refresh(body.refreshToken))
        }
        auth.post("logout") { request, context in
            try limit("logout", request, context)
            let body = try await request.decodeJSON(RefreshRequest.self, maxBytes: maxBody)
            try await hub.accounts.logout(body.refreshToken)
            return try JSONResponse.make(EmptyReply())
        }

        router.get("healthz") { _, _ in try JSONResponse.make(Status(status: "ok", node: hub.node)) }
        router.get("readyz") { _, _ in
            if let part = await hub.readinessProblem() {
                return HubError(.unavailable, "not ready: \(part)", field: part).httpResponse()
            }
            return try JSONResponse.make(Status(status: "ready", node: hub.node))
        }
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: hub.metrics.render())))
        }

        let authenticator = Authenticator(tokens: hub.tokens)
        let admin = router.group("admin")
        admin.get("features") { request, _ in
            _ = try await authenticator.identity(for: request, role: .admin)
            return try JSONResponse.make(Features(modules: hub.flags.snapshot.map { ModuleState(name: $0.name, enabled: $0.enabled) }))
        }
        admin.put("features/:module") { request, context in
            let identity = try await authenticator.identity(for: request, role: .admin)
            let module = context.parameters.get("module") ?? ""
            let body = try await request.decodeJSON(FeatureRequest.self, maxBytes: maxBody)
            try await hub.setFeature(module, enabled: body.enabled, by: identity.userID)
            return try JSONResponse.make(ModuleState(name: module, enabled: hub.flags.isEnabled(module)))
        }
        admin.get("overview") { request, _ in
            _ = try await authenticator.identity(for: request, role: .admin)
            return try JSONResponse.make(AdminOverview(hub: hub))
        }
        admin.get("cluster") { request, _ in
            _ = try await authenticator.identity(for: request, role: .admin)
            struct Reply: Encodable { var nodes: [ClusterNode] }
            return try JSONResponse.make(Reply(nodes: try await hub.clusterNodes()))
        }
        admin.get("users") { request, _ in
            _ = try await authenticator.identity(for: request, role: .admin)
            let raw = request.uri.queryParameters.get("role") ?? ""
            guard let role = Role(rawValue: raw), role != .guest else {
                throw HubError.validation("role", "role must be user, agent, host or admin")
            }
            struct Reply: Encodable { var items: [UserRecord] }
            return try JSONResponse.make(Reply(items: try await hub.accounts.store.users(withRole: role, limit: 500)))
        }
        admin.put("users/:username/role") { request, context in
            _ = try await authenticator.identity(for: request, role: .admin)
            let body = try await request.decodeJSON(RoleRequest.self, maxBytes: maxBody)
            let user = try await hub.accounts.setRole(username: context.parameters.get("username") ?? "", role: body.role)
            struct Reply: Encodable { var user: UserRecord }
            return try JSONResponse.make(Reply(user: user))
        }

        // Reached only when the upgrade was refused: say why, with the protocol's error body.
        router.get("ws") { request, _ -> Response in
            _ = try await hub.admit(token: Authenticator.token(in: request), origin: request.headers[.origin])
            throw HubError(.badRequest, "GET /ws needs a WebSocket upgrade request")
        }
    }
}
