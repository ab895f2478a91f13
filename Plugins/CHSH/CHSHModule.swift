public import HubKernel
public import Hummingbird
public import ServiceLifecycle

/// The CHSH Bell-inequality classroom game: hosts run games with join codes, teams of two
/// answer A/B/X/Y questions dealt in balanced blocks, and the host's dashboard shows the
/// correlations, the CHSH value and the win rate live, computed from stored rounds
/// (docs/modules/chsh.md).
public struct CHSHModule: HubModule {
    public static let name: ModuleName = "chsh"

    let configuration: CHSHConfiguration
    let store: CHSHStore
    let attendance: Attendance
    let throttle: DashboardThrottle
    let announcer: CHSHAnnouncer
    let presence: PlayerPresence
    let builder: DashboardBuilder
    let feed: DashboardFeed
    let runner: ControlRunner
    let export: AnswerExport

    public init(setup: ModuleSetup) throws {
        configuration = try CHSHConfiguration(config: setup.config)
        store = CHSHStore(database: setup.database, clock: setup.clock)
        attendance = Attendance()
        throttle = DashboardThrottle(maxHz: configuration.dashboardMaxHz)
        let events = try setup.events(for: CHSHModule.self)
        announcer = CHSHAnnouncer(events: events, attendance: attendance, throttle: throttle)
        presence = PlayerPresence(attendance: attendance, store: store, announcer: announcer)
        builder = DashboardBuilder(attendance: attendance, clock: setup.clock)
        feed = DashboardFeed(throttle: throttle, builder: builder, database: setup.database, events: events, clock: setup.clock,
                             tick: .milliseconds(configuration.dashboardTickMs), logger: setup.logger)
        runner = ControlRunner(controls: GameControls(store: store), announcer: announcer)
        export = AnswerExport(store: store, authenticator: setup.authenticator)
    }

    public var migrations: [any Migration] { [CHSH001CreateGames(), CHSH002AddTallies()] }

    public var services: [any Service] { [feed] }

    public var events: [any HubEvent.Type] { [GameChanged.self, TeamChanged.self, QuestionDealt.self, RoundCompleted.self, DashboardUpdated.self] }

    public var commands: [any CommandHandler] {
        [
            CreateGame(store: store), ListGames(store: store), JoinGame(store: store, presence: presence),
            GameState(store: store, presence: presence),
            CreateTeam(store: store, announcer: announcer), JoinTeam(store: store, announcer: announcer),
            LeaveTeam(store: store, announcer: announcer), SubmitAnswer(store: store, announcer: announcer),
            StartGame(runner: runner), PauseGame(runner: runner), ResumeGame(runner: runner), ResetGame(runner: runner),
            CloseGame(runner: runner), SetMode(runner: runner), GameStats(store: store, builder: builder),
        ]
    }

    public var routes: RouteCollection<HubRequestContext> {
        let routes = RouteCollection(context: HubRequestContext.self)
        let export = self.export
        routes.get("games/:id/export.csv") { request, context in
            try await export.handle(request, gameID: context.parameters.get("id") ?? "")
        }
        return routes
    }

    /// `chsh:<gameId>` is open to the game's players and host; `chsh:<gameId>:dashboard` to
    /// its host (and admins) only.
    public func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess {
        let parts = topic.localName.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.count == 1 || parts[1] == "dashboard",
              let game = try await store.game(id: String(parts[0])) else { return .notFound("no game '\(topic.localName)'") }
        let isHost = game.hostId == identity.userID || identity.role == .admin
        if parts.count == 2 { return isHost ? .allow : .deny("only the game's host sees its dashboard") }
        if isHost { return .allow }
        return try await store.player(in: game.id, user: identity.userID) != nil ? .allow : .deny("join the game with its code first")
    }

    /// A closed connection no longer counts as its player being here.
    public func disconnected(_ connection: ConnectionInfo) async {
        try? await presence.leave(connection.id)
    }
}
