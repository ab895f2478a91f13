public import HubKernel
public import Hummingbird

/// Polls: create a poll, vote once per user, watch the tallies live on `poll:<id>`.
///
/// The example of a module written outside `Plugins/`: it depends on `HubKernel` only and
/// reaches the hub through one line in the catalog.
public struct PollModule: HubModule {
    public static let name: ModuleName = "poll"

    let store: PollStore
    let configuration: PollConfiguration
    let publisher: EventPublisher<PollModule>

    public init(setup: ModuleSetup) throws {
        configuration = try PollConfiguration(config: setup.config)
        store = PollStore(database: setup.database, clock: setup.clock)
        publisher = try setup.events(for: PollModule.self)
        routeAuthenticator = setup.authenticator
    }

    let routeAuthenticator: Authenticator

    public var migrations: [any Migration] {
        [Poll001CreatePolls(), Poll002CreateVotes()]
    }

    public var commands: [any CommandHandler] {
        [
            CreatePoll(store: store, configuration: configuration),
            CastVote(store: store, events: publisher),
            GetPoll(store: store),
            ClosePoll(store: store, events: publisher),
        ]
    }

    public var events: [any HubEvent.Type] { [PollTallied.self, PollClosed.self] }

    /// Anyone signed in may watch an existing poll; an unknown one is `not_found`.
    public func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess {
        try await store.poll(id: topic.localName) != nil ? .allow : .notFound("no poll '\(topic.localName)'")
    }

    public var routes: RouteCollection<HubRequestContext> {
        PollRoutes(store: store, authenticator: routeAuthenticator).collection
    }
}
