public import HubKernel
public import ServiceLifecycle

/// Presence: who is online (multi-device, with a leave debounce), persisted status and last
/// seen, and who is on a topic (a chat room, a game, a ticket) with live `presence.diff`.
/// Topics: `presence:users` (online status) and `presence:<topic>` (topic presence).
public struct PresenceModule: HubModule {
    public static let name: ModuleName = "presence"

    let store: PresenceStore
    let tracker: PresenceTracker
    let configuration: PresenceConfiguration
    let access: HubAccess
    let users: any UserDirectory
    let node: String
    let publisher: EventPublisher<PresenceModule>

    public init(setup: ModuleSetup) throws {
        configuration = try PresenceConfiguration(config: setup.config)
        store = PresenceStore(database: setup.database)
        publisher = try setup.events(for: PresenceModule.self)
        let cluster = setup.isClustered
            ? ClusterPresence(database: setup.database, events: publisher, clock: setup.clock, node: setup.node, logger: setup.logger,
                              debounceMs: Int64(configuration.offlineDebounceMs), access: setup.hub)
            : nil
        tracker = PresenceTracker(store: store, events: publisher, clock: setup.clock, node: setup.node,
                                  logger: setup.logger, debounceMs: configuration.offlineDebounceMs,
                                  cluster: cluster, leadership: setup.leadership)
        access = setup.hub
        users = setup.users
        node = setup.node
    }

    public var migrations: [any Migration] { [Presence001CreateStatus(), Presence002CreateClusterPresence()] }

    public var commands: [any CommandHandler] {
        [
            SetStatus(store: store, tracker: tracker, node: node, events: publisher),
            QueryPresence(store: store, tracker: tracker, maxUsers: configuration.queryMaxUsers),
            TrackTopic(tracker: tracker, access: access), UntrackTopic(tracker: tracker),
            ListTopic(tracker: tracker, access: access, users: users), CountTopic(tracker: tracker, access: access),
        ]
    }

    /// `presence:users` is open to everyone signed in; `presence:<topic>` to whoever may
    /// subscribe to `<topic>`.
    public func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess {
        let inner = topic.localName
        if inner == PresenceTracker.usersTopic { return .allow }
        guard let watched = Topic(inner) else { return .notFound("'\(inner)' is not a topic") }
        return try await access.access(to: watched, for: identity)
    }

    public var services: [any Service] { [tracker] }

    public var events: [any HubEvent.Type] { [PresenceDiff.self, PresenceUpdated.self] }

    public func connected(_ connection: ConnectionInfo) async { await tracker.connected(connection) }
    public func disconnected(_ connection: ConnectionInfo) async { await tracker.disconnected(connection) }
}
