public import Foundation
public import Logging
import NIOCore
import Synchronization

/// The running hub of one node: its two halves — the ``ConnectionRegistry`` (admission,
/// open, close, welcome, token supervision) and the ``CommandPipeline`` (one command from
/// frame to reply) — plus what they share: topics, flags, the modules, the publisher.
///
/// Built once by ``HubBuilder`` with its modules and an immutable route table; everything a
/// command touches on the hot path is either immutable or behind a short lock. Follow a
/// command: `WebSocketSession` → ``receive(_:on:)`` → `CommandPipeline` → the handler →
/// `EventPublisher` → `TopicRegistry` → each subscriber's `OutboundQueue` → `SocketWriter`.
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
    /// Cluster mode: the database-backed bus joining this node to the others; `nil` alone.
    let cluster: ClusterBus?
    /// Who runs the singleton jobs (the betting clock, the SLA monitor).
    public let leadership: any Leadership
    /// When this hub was built, in ms since the epoch (`/admin/cluster`).
    public let startedAtMs: Int64
    /// This node's connections.
    let connections: ConnectionRegistry
    /// Runs commands.
    let pipeline: CommandPipeline
    /// Bounds the connections still running their connect hooks (reconnect storms).
    let connectGate: ConnectGate

    init(node: String, settings: HubSettings, database: Database, clock: any HubClock, logger: Logger,
         topics: TopicRegistry, flags: FeatureFlags, metrics: HubMetrics, routes: RouteTable, accounts: Accounts,
         tokens: TokenService, capabilities: CapabilityRegistry, modules: [any HubModule], publisher: HubPublisher,
         limiter: any RateLimiter, httpRateLimits: [String: RateLimit], bus: (any Bus)?, busOutbound: AsyncStream<BusMessage>?,
         cluster: ClusterBus?, leadership: any Leadership) {
        self.cluster = cluster
        self.leadership = leadership
        self.startedAtMs = clock.nowMs()
        self.node = node
        self.settings = settings
        self.connectGate = ConnectGate(limit: settings.maxPendingConnects, maxWait: .milliseconds(settings.pendingConnectWaitMs), metrics: metrics)
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
        self.connections = ConnectionRegistry(
            node: node, settings: settings, tokens: tokens, flags: flags, topics: topics, metrics: metrics,
            clock: clock, logger: logger, modules: modules)
        self.pipeline = CommandPipeline(
            settings: settings, routes: routes, flags: flags, limiter: limiter, clock: clock, metrics: metrics,
            logger: logger, database: database, capabilities: capabilities)
    }

    /// The untyped publishing engine (kernel tests publish through it directly).
    var eventPublisher: HubPublisher { publisher }
    /// Whether this node is one of a cluster (cluster mode: PostgreSQL and `HUB_CLUSTER` not off).
    public var isClustered: Bool { cluster != nil }
    /// Whether the node is draining for shutdown.
    public var isDraining: Bool { connections.isDraining }
    /// The open connections.
    public var openConnections: [Connection] { connections.all }
    /// The open connection with this id.
    public func connection(id: String) -> Connection? { connections.connection(id: id) }

    /// Checks a connection attempt before the upgrade: the browser origin, the token, then the
    /// connection caps of the account and of `remoteAddress`.
    /// - Throws: `forbidden` (HTTP 403) for a refused origin, `unauthorized` (401) for a
    ///   missing or invalid token, `rate_limited` (429) over a cap, `unavailable` (503) while
    ///   draining.
    public func admit(token: String?, origin: String?, remoteAddress: String? = nil) async throws(HubError) -> (identity: Identity, expiresAtMs: Int64) {
        try await connections.admit(token: token, origin: origin, remoteAddress: remoteAddress)
    }

    /// Registers a new connection: queues `hub.welcome`, subscribes it to its user topic and
    /// runs the modules' connect hooks.
    public func open(identity: Identity, tokenExpiresAtMs: Int64, remoteAddress: String) async -> Connection {
        let connection = register(identity: identity, tokenExpiresAtMs: tokenExpiresAtMs, remoteAddress: remoteAddress)
        await connected(connection)
        return connection
    }

    /// The first half of ``open(identity:tokenExpiresAtMs:remoteAddress:)``, without waiting:
    /// registers the connection, queues `hub.welcome` and subscribes it to its user topic. The
    /// transport starts writing then, so the welcome leaves before the connect hooks (which
    /// may wait for the database) have run.
    public func register(identity: Identity, tokenExpiresAtMs: Int64, remoteAddress: String) -> Connection {
        connections.register(identity: identity, tokenExpiresAtMs: tokenExpiresAtMs, remoteAddress: remoteAddress)
    }

    /// The second half: runs the enabled modules' connect hooks for a registered connection
    /// (presence marks it online, notifications sends the unread count). In cluster mode it
    /// first reads the user topic's position, so the user's events flow from here on.
    ///
    /// On the SQLite default the hooks run like one command: their database calls do not each
    /// wait for a flush; what they send waits, once, for the flush covering all they wrote and
    /// read (``PendingDurability``). A connect storm then parks one wait per connection, not
    /// one per hook and statement.
    public func connected(_ connection: Connection) async {
        if let cluster {
            let topic = connection.identity.userTopic.name
            if !topics.isAnchored(topic), let latest = try? await cluster.latest(of: topic) {
                topics.anchor(topic, latest: latest, events: [])
            }
        }
        guard database.defersDurability else { return await connections.connected(connection) }
        let pending = PendingDurability(connection: connection)
        await PendingDurability.$current.withValue(pending) { await connections.connected(connection) }
        let (target, deliveries) = pending.seal()
        do {
            try await database.waitUntilDurable(target)
        } catch {
            // what the hooks would have said rests on writes that may be lost: nothing is said
            logger.warning("connect hooks: the flush failed; their events were not sent", metadata: [
                "sb.connection.id": .string(connection.id), "error": .string(String(describing: error))])
            return
        }
        for delivery in deliveries { delivery() }
    }

    /// Forgets a closed connection and runs the modules' disconnect hooks.
    public func close(_ connection: Connection) async { await connections.close(connection) }

    /// Runs one text frame from `connection` through the command pipeline.
    public func receive(_ text: String, on connection: Connection) async {
        await pipeline.receive(text, on: connection, hub: self)
    }

    /// Answers a binary frame: the protocol is JSON text only.
    public func receiveBinary(on connection: Connection) { pipeline.receiveBinary(on: connection) }

    /// Warns connections whose token is about to expire and closes those whose token expired.
    public func superviseTokens() { connections.superviseTokens() }

    /// Sends a topic-less event to one connection. - Returns: whether it was queued.
    @discardableResult
    func sendEvent<Payload: Encodable>(_ type: String, _ payload: Payload, to connection: Connection) -> Bool {
        connections.sendEvent(type, payload, to: connection)
    }

    /// Sends a topic-less event to every connection of this node.
    func broadcast<Payload: Encodable>(_ type: String, _ payload: Payload) { connections.broadcast(type, payload) }

    /// Maps any error to its wire form (the pipeline's one mapping).
    func wireError(_ error: any Error, logger: Logger) -> HubError { pipeline.wireError(error, logger: logger) }
}
