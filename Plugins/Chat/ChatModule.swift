public import HubKernel
public import Hummingbird
public import ServiceLifecycle

/// Chat: public rooms, private rooms, direct conversations; persisted messages with
/// idempotent sends, edits, soft deletes and cursor-paged history; typing indicators; read
/// positions and unread counts. Topic `chat:<room>`.
public struct ChatModule: HubModule {
    public static let name: ModuleName = "chat"

    let store: ChatStore
    let configuration: ChatConfiguration
    let typing: TypingTracker
    let authenticator: Authenticator
    let publisher: EventPublisher<ChatModule>

    public init(setup: ModuleSetup) throws {
        configuration = try ChatConfiguration(config: setup.config)
        store = ChatStore(database: setup.database, clock: setup.clock, users: setup.users)
        publisher = try setup.events(for: ChatModule.self)
        typing = TypingTracker(events: publisher, clock: setup.clock, ttlMs: configuration.typingTtlMs, logger: setup.logger)
        authenticator = setup.authenticator
    }

    public var migrations: [any Migration] { [Chat001CreateRooms(), Chat002CreateMessages()] }

    public var commands: [any CommandHandler] {
        [
            CreateRoom(store: store, events: publisher), OpenDm(store: store, events: publisher), JoinRoom(store: store), LeaveRoom(store: store, typing: typing),
            SendMessage(store: store, configuration: configuration, typing: typing, events: publisher),
            EditMessage(store: store, configuration: configuration, events: publisher), DeleteMessage(store: store, events: publisher),
            History(store: store, configuration: configuration), Typing(store: store, tracker: typing),
            MarkRead(store: store, events: publisher), ListRooms(store: store),
        ]
    }

    public var events: [any HubEvent.Type] {
        [MessageSent.self, MessageEdited.self, MessageDeleted.self, TypingChanged.self, ReadPositionMoved.self, RoomAdded.self]
    }

    /// Public rooms are open to everyone signed in; private and DM rooms to their members. To
    /// anyone else a private room or a DM is `not_found`, exactly like a room that does not exist.
    public func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess {
        guard let access = try await store.access(topic.localName, for: identity.userID), access.canRead else {
            return .notFound("no room '\(topic.localName)'")
        }
        return .allow
    }

    public var routes: RouteCollection<HubRequestContext> {
        ChatRoutes(store: store, configuration: configuration, authenticator: authenticator).collection
    }

    public var services: [any Service] { [typing] }
}
