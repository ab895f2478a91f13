public import Foundation
public import Logging
import NIOCore
import Synchronization

/// The running hub: connections, routing, topics, flags and limits of one node.
///
/// Built once by ``HubBuilder`` with its modules and an immutable route table; everything a
/// command touches on the hot path is either immutable or behind a short lock.
public final class Hub: Sendable {
    /// This node's name (shown in `hub.welcome`).
    public let node: String
    /// The settings this hub was built with (validated).
    public let settings: HubSettings
    /// The database every module and the kernel share.
    public let database: Database
    /// The clock of every deadline and timestamp (a `TestClock` in tests).
    public let clock: any HubClock
    /// The kernel's logger.
    public let logger: Logger
    /// Topics on this node: subscribers, `seq` and history.
    public let topics: TopicRegistry
    /// Which modules are switched on.
    public let flags: FeatureFlags
    /// The Prometheus metrics served on `/metrics`.
    public let metrics: HubMetrics
    /// Every command type with its handler, role and limit; immutable.
    public let routes: RouteTable
    /// Registration, login, guests and refresh tokens.
    public let accounts: Accounts
    /// Signs and verifies access tokens.
    public let tokens: TokenService
    /// What modules offer each other.
    public let capabilities: CapabilityRegistry
    /// The loaded modules in catalog order.
    public let modules: [any HubModule]
    let moduleByName: [String: any HubModule]
    let publisher: HubPublisher
    let limiter: any RateLimiter
    /// The HTTP routes' limits (`auth.login`, …), with operators' overrides, resolved at start-up.
    let httpRateLimits: [String: RateLimit]
    let bus: (any Bus)?
    let busOutbound: AsyncStream<BusMessage>?
    let decoder = JSONDecoder()
    let encoder = JSONEncoder()

    private let connections = Mutex<[String: Connection]>([:])
    let draining = Atomic<Bool>(false)
    let inFlight = Atomic<Int>(0)
    private let connectionCounter = Atomic<Int>(0)

    init(node: String, settings: HubSettings, database: Database, clock: any HubClock, logger: Logger,
         topics: TopicRegistry, flags: FeatureFlags, metrics: HubMetrics, routes: RouteTable, accounts: Accounts,
         tokens: TokenService, capabilities: CapabilityRegistry, modules: [any HubModule], publisher: HubPublisher,
         limiter: any RateLimiter, httpRateLimits: [String: RateLimit], bus: (any Bus)?, busOutbound: AsyncStream<BusMessage>?) {
        self.node = node
        self.settings = settings
        self.database = database
        self.clock = clock
        self.logger = logger
        self.topics = topics
        self.flags = flags
        self.metrics = metrics
        self.routes = routes
        self.accounts = accounts
        self.tokens = tokens
        self.capabilities = capabilities
        self.modules = modules
        self.moduleByName = Dictionary(uniqueKeysWithValues: modules.map { (moduleName(of: $0), $0) })
        self.publisher = publisher
        self.limiter = limiter
        self.httpRateLimits = httpRateLimits
        self.bus = bus
        self.busOutbound = busOutbound
    }

    /// The untyped publishing engine (kernel tests publish through it directly).
    var eventPublisher: HubPublisher { publisher }
    /// Whether the node is draining for shutdown.
    public var isDraining: Bool { draining.load(ordering: .relaxed) }
    /// The open connections.
    public var openConnections: [Connection] { connections.withLock { Array($0.values) } }

    /// The open connection with this id.
    public func connection(id: String) -> Connection? { connections.withLock { $0[id] } }

    // MARK: admission

    /// Checks a connection attempt before the upgrade: the browser origin, then the token.
    /// - Throws: `forbidden` (HTTP 403) for a refused origin, `unauthorized` (401) for a
    ///   missing or invalid token, `unavailable` (503) while draining.
    public func admit(token: String?, origin: String?) async throws(HubError) -> (identity: Identity, expiresAtMs: Int64) {
        if isDraining { throw .unavailable("the node is shutting down; reconnect to another node") }
        if let origin, !settings.allowedOrigins.contains("*"), !settings.allowedOrigins.contains(origin) {
            throw .forbidden("origin '\(origin)' is not allowed")
        }
        guard let token, !token.isEmpty else { throw .unauthorized("an access token is required") }
        return try await tokens.verify(token)
    }

    /// Registers a new connection: queues `hub.welcome`, subscribes it to its user topic and
    /// runs the modules' connect hooks.
    public func open(identity: Identity, tokenExpiresAtMs: Int64, remoteAddress: String) async -> Connection {
        let number = connectionCounter.add(1, ordering: .relaxed).newValue
        let connection = Connection(
            id: "\(node)-\(number)", identity: identity, tokenExpiresAtMs: tokenExpiresAtMs,
            remoteAddress: remoteAddress,
            outbound: OutboundQueue(maxFrames: settings.outboundMaxFrames, maxBytes: settings.outboundMaxBytes))
        connection.state.withLock { $0.admittedAtMs = clock.nowMs() }
        connections.withLock { $0[connection.id] = connection }
        metrics.connectionOpened()
        sendWelcome(to: connection)
        subscribe(connection, to: identity.userTopic.name)
        for module in modules where flags.isEnabled(moduleName(of: module)) {
            await module.connected(connection.info)
        }
        return connection
    }

    /// Forgets a closed connection and runs the modules' disconnect hooks.
    public func close(_ connection: Connection) async {
        connection.outbound.finish()
        let removed = connections.withLock { $0.removeValue(forKey: connection.id) } != nil
        guard removed else { return }
        for topic in connection.topics { topics.unsubscribe(connection, from: topic) }
        metrics.connectionClosed()
        if connection.outbound.overflowed { metrics.slowConsumerClosed() }
        for module in modules where flags.isEnabled(moduleName(of: module)) {
            await module.disconnected(connection.info)
        }
    }

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
        for connection in openConnections { connection.send(frame) }
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
}
