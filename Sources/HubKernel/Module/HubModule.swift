public import Hummingbird
public import ServiceLifecycle

/// A feature module: everything one feature contributes to the hub, in one conformance.
///
/// Only ``name`` and ``init(setup:)`` are required; every other member has a default. The
/// conformance reads like a table of contents: lists of migrations, commands, routes and
/// services, with the logic in their own types.
/// ```swift
/// public struct PollModule: HubModule {
///     public static let name: ModuleName = "poll"
///     let store: PollStore
///     public init(setup: ModuleSetup) throws { store = PollStore(database: setup.database) }
///     public var migrations: [any Migration] { [Poll001CreatePolls()] }
///     public var commands: [any CommandHandler] { [CreatePoll(store: store), Vote(store: store)] }
///     public var events: [any HubEvent.Type] { [PollTallied.self, PollClosed.self] }
///     public func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess {
///         try await store.poll(id: topic.localName) != nil ? .allow : .notFound("no poll '\(topic.localName)'")
///     }
/// }
/// ```
/// Modules never import each other: they cooperate through capabilities
/// (``ModuleSetup/provide(_:_:)`` and ``ModuleSetup/capability(_:)``).
public protocol HubModule: Sendable {
    /// The namespace of everything this module owns.
    static var name: ModuleName { get }

    /// Reads configuration and resolves capabilities. No I/O here: the database is not
    /// migrated yet and no service runs.
    init(setup: ModuleSetup) throws

    /// The events this module publishes, listed for `switchboard routes` and checked by the
    /// conformance suite (each is `<name>.<event>`). Default: none.
    var events: [any HubEvent.Type] { get }
    /// Schema changes in order; recorded under ``name``.
    var migrations: [any Migration] { get }
    /// The commands this module answers; each type must start with `<name>.`.
    var commands: [any CommandHandler] { get }
    /// Limits that depend on the module's settings, replacing handlers' static ones
    /// (operators' `RATE_LIMIT_*` overrides still win). Default: none.
    var rateLimits: [CommandType: RateLimit] { get }
    /// Whether `identity` may subscribe to `topic` (which starts with `<name>:`): allow, deny
    /// (`forbidden`) or not found (`not_found`). Throw only when it cannot be answered.
    /// Default: deny.
    func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess
    /// HTTP routes, mounted under `/<name>`. Default: none.
    var routes: RouteCollection<HubRequestContext> { get }
    /// Long-running work (clocks, monitors) run in the hub's service group. Default: none.
    var services: [any Service] { get }
    /// Called after a connection is admitted, before its first command runs. On the SQLite
    /// default every module's hook runs inside one `PendingDurability`: what a hook sends
    /// (``HubAccess/send(_:toConnection:)``, events published in a transaction) leaves once the
    /// flush covering all the hooks' reads and writes is done. Default: nothing.
    func connected(_ connection: ConnectionInfo) async
    /// Called after a connection is gone. Default: nothing.
    func disconnected(_ connection: ConnectionInfo) async
}

extension HubModule {
    /// None: a module without events.
    public var events: [any HubEvent.Type] { [] }
    /// None: a module without tables.
    public var migrations: [any Migration] { [] }
    /// None: a module without commands.
    public var commands: [any CommandHandler] { [] }
    /// None beyond each command's own.
    public var rateLimits: [CommandType: RateLimit] { [:] }
    /// Denies every topic: a module opens its topics on purpose.
    public func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess {
        .deny("\(Self.name) topics are not open to subscribers")
    }
    /// No HTTP routes.
    public var routes: RouteCollection<HubRequestContext> { RouteCollection(context: HubRequestContext.self) }
    /// No background services.
    public var services: [any Service] { [] }
    /// Nothing.
    public func connected(_ connection: ConnectionInfo) async {}
    /// Nothing.
    public func disconnected(_ connection: ConnectionInfo) async {}
}
