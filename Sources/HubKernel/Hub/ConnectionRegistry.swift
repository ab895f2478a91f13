import Foundation
import Logging
import NIOCore
import Synchronization

/// This node's connections, one half of the ``Hub`` (the other is ``CommandPipeline``):
/// admission before the upgrade, opening (welcome, the user topic, connect hooks), closing
/// (topics, disconnect hooks), token supervision, and the events sent to one connection or
/// to all of them.
final class ConnectionRegistry: Sendable {
    let node: String
    let settings: HubSettings
    let tokens: TokenService
    let flags: FeatureFlags
    let topics: TopicRegistry
    let metrics: HubMetrics
    let clock: any HubClock
    let logger: Logger
    let modules: [any HubModule]
    private let encoder = JSONEncoder()
    private let connections = Mutex<[String: Connection]>([:])
    /// Open connections per account and per client address, for the admission caps.
    private let load = Mutex<(users: [String: Int], addresses: [String: Int])>(([:], [:]))
    private let counter = Atomic<Int>(0)
    /// Set once when the node starts draining: admission refuses from then on.
    let draining = Atomic<Bool>(false)

    init(node: String, settings: HubSettings, tokens: TokenService, flags: FeatureFlags, topics: TopicRegistry,
         metrics: HubMetrics, clock: any HubClock, logger: Logger, modules: [any HubModule]) {
        self.node = node
        self.settings = settings
        self.tokens = tokens
        self.flags = flags
        self.topics = topics
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.modules = modules
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }
    var all: [Connection] { connections.withLock { Array($0.values) } }
    func connection(id: String) -> Connection? { connections.withLock { $0[id] } }

    // MARK: admission, open, close

    /// Checks a connection attempt before the upgrade: draining, the browser origin, then the token.
    func admit(token: String?, origin: String?, remoteAddress: String?) async throws(HubError) -> (identity: Identity, expiresAtMs: Int64) {
        if isDraining { throw .unavailable("the node is shutting down; reconnect to another node") }
        if let origin, !settings.allowedOrigins.contains("*"), !settings.allowedOrigins.contains(origin) {
            throw .forbidden("origin '\(origin)' is not allowed")
        }
        guard let token, !token.isEmpty else { throw .unauthorized("an access token is required") }
        let admitted = try await tokens.verify(token)
        try checkCaps(user: admitted.identity.userID, address: remoteAddress)
        return admitted
    }

    /// Refuses a connection over the per-account or per-address cap (checked when the upgrade
    /// is admitted: upgrades completing at the same instant can pass it by the few in flight).
    private func checkCaps(user: String, address: String?) throws(HubError) {
        let (users, addresses) = load.withLock { load in (load.users[user] ?? 0, address.flatMap { load.addresses[$0] } ?? 0) }
        let userCap = settings.maxConnectionsPerUser, addressCap = settings.maxConnectionsPerAddress
        if userCap > 0, users >= userCap {
            throw HubError(.rateLimited, "this account has \(users) open connections, the most allowed; close one first", retryAfterMs: 5000)
        }
        if addressCap > 0, addresses >= addressCap {
            throw HubError(.rateLimited, "this address has \(addresses) open connections, the most allowed; close one first", retryAfterMs: 5000)
        }
    }

    /// Registers a new connection: queues `hub.welcome`, subscribes it to its user topic and
    /// runs the modules' connect hooks.
    func register(identity: Identity, tokenExpiresAtMs: Int64, remoteAddress: String) -> Connection {
        let number = counter.add(1, ordering: .relaxed).newValue
        let connection = Connection(
            id: "\(node)-\(number)", identity: identity, tokenExpiresAtMs: tokenExpiresAtMs,
            remoteAddress: remoteAddress,
            outbound: OutboundQueue(maxFrames: settings.outboundMaxFrames, maxBytes: settings.outboundMaxBytes))
        connection.state.withLock { $0.admittedAtMs = clock.nowMs() }
        connections.withLock { $0[connection.id] = connection }
        load.withLock { load in
            load.users[identity.userID, default: 0] += 1
            load.addresses[remoteAddress, default: 0] += 1
        }
        metrics.connectionOpened()
        sendWelcome(to: connection)
        subscribe(connection, to: identity.userTopic.name)
        return connection
    }

    /// Runs the enabled modules' connect hooks for a registered connection.
    func connected(_ connection: Connection) async {
        for module in modules where flags.isEnabled(moduleName(of: module)) {
            await module.connected(connection.info)
        }
    }

    /// Forgets a closed connection, leaves its topics and runs the modules' disconnect hooks.
    func close(_ connection: Connection) async {
        connection.outbound.finish()
        let removed = connections.withLock { $0.removeValue(forKey: connection.id) } != nil
        guard removed else { return }
        load.withLock { load in
            // the account the connection was admitted as: a hub.auth keeps the user id
            Self.decrement(&load.users, connection.identity.userID)
            Self.decrement(&load.addresses, connection.remoteAddress)
        }
        for topic in connection.topics { topics.unsubscribe(connection, from: topic) }
        metrics.connectionClosed()
        if connection.outbound.overflowed { metrics.slowConsumerClosed() }
        for module in modules where flags.isEnabled(moduleName(of: module)) {
            await module.disconnected(connection.info)
        }
    }

    private static func decrement(_ counts: inout [String: Int], _ key: String) {
        let left = (counts[key] ?? 1) - 1
        if left <= 0 { counts.removeValue(forKey: key) } else { counts[key] = left }
    }

    /// Subscribes without a reply (server-initiated). - Returns: the topic's current `seq`.
    @discardableResult
    func subscribe(_ connection: Connection, to topic: String) -> Int64 {
        var seq: Int64 = 0
        connection.state.withLock { _ = $0.topics.insert(topic) }
        topics.subscribe(connection, to: topic, since: nil) { seq = $0.seq }
        return seq
    }

    // MARK: events to connections

    private struct Welcome: Encodable {
        struct User: Encodable { var id: String; var displayName: String; var role: Role }
        struct Module: Encodable { var name: String; var enabled: Bool }
        var connectionId: String
        var user: User
        var modules: [Module]
        var heartbeatMs: Int
        var node: String
    }

    private func sendWelcome(to connection: Connection) {
        let identity = connection.identity
        let welcome = Welcome(
            connectionId: connection.id,
            user: .init(id: identity.userID, displayName: identity.displayName, role: identity.role),
            modules: flags.snapshot.map { .init(name: $0.name, enabled: $0.enabled) },
            heartbeatMs: settings.heartbeatMs, node: node)
        sendEvent("hub.welcome", welcome, to: connection)
    }

    /// Sends a topic-less event to one connection: the one place that encodes and sends to a
    /// single connection. - Returns: whether it was queued.
    @discardableResult
    func sendEvent<Payload: Encodable>(_ type: String, _ payload: Payload, to connection: Connection) -> Bool {
        guard let frame = eventFrame(type, payload) else { return false }
        return connection.send(frame)
    }

    /// Sends a topic-less event to every connection of this node.
    func broadcast<Payload: Encodable>(_ type: String, _ payload: Payload) {
        guard let frame = eventFrame(type, payload) else { return }
        for connection in all { connection.send(frame) }
    }

    /// A topic-less event's frame; a payload that cannot be encoded is a bug, logged with an
    /// incident id (never dropped in silence).
    private func eventFrame<Payload: Encodable>(_ type: String, _ payload: Payload) -> ByteBuffer? {
        do {
            return OutboundFrame.event(type: type, topic: nil, seq: nil, payload: try encoder.encode(payload))
        } catch {
            logger.error("an event could not be encoded", metadata: [
                "sb.incident": .string(String(UInt32.random(in: .min ... .max), radix: 16)),
                "sb.event.type": .string(type), "error": .string(String(reflecting: error)),
            ])
            return nil
        }
    }

    // MARK: token expiry

    private struct TokenExpiring: Encodable { var expiresInMs: Int64 }

    /// Warns connections whose token is about to expire (`hub.token_expiring`, 60 s before
    /// or at half the lifetime if shorter) and closes those whose token expired (4001).
    /// Closes every connection of `userID` with 4001: its access tokens were revoked.
    func closeRevoked(_ userID: String) {
        for connection in all where connection.identity.userID == userID {
            connection.outbound.close(.tokenExpired, reason: "session revoked; sign in again")
        }
    }

    func superviseTokens() {
        let now = clock.nowMs()
        for connection in all {
            enum Action { case none, warn(Int64), expire }
            let action = connection.state.withLock { state -> Action in
                if now >= state.tokenExpiresAtMs { return .expire }
                let lifetime = state.tokenExpiresAtMs - state.admittedAtMs
                let lead = min(60_000, lifetime / 2)
                if !state.expiryWarned, now >= state.tokenExpiresAtMs - lead {
                    state.expiryWarned = true
                    return .warn(state.tokenExpiresAtMs - now)
                }
                return .none
            }
            switch action {
            case .none: break
            case .warn(let remaining): sendEvent("hub.token_expiring", TokenExpiring(expiresInMs: remaining), to: connection)
            case .expire: connection.outbound.close(.tokenExpired, reason: "token expired")
            }
        }
    }
}
