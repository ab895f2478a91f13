public import HubKernel
public import Hummingbird
public import ServiceLifecycle

/// Betting: rounds of a number game at one or more tables, with wallets kept as a ledger in
/// integer cents, a round clock that survives restarts, provably fair results, and deposits
/// through a signed webhook (docs/modules/betting.md).
public struct BettingModule: HubModule {
    public static let name: ModuleName = "betting"

    let configuration: BettingConfiguration
    let wallets: WalletStore
    let rounds: RoundStore
    let placement: BetPlacement
    let announcer: RoundAnnouncer
    let clock: RoundClock
    let webhook: PaymentWebhook
    let reconciliation: Reconciliation
    let users: any UserDirectory
    let publisher: EventPublisher<BettingModule>
    let metrics: ModuleMetrics

    public init(setup: ModuleSetup) throws {
        configuration = try BettingConfiguration(config: setup.config)
        wallets = WalletStore(database: setup.database, clock: setup.clock)
        rounds = RoundStore(database: setup.database, configuration: configuration)
        placement = BetPlacement(database: setup.database, clock: setup.clock)
        publisher = try setup.events(for: BettingModule.self)
        announcer = RoundAnnouncer(events: publisher, notifier: setup.capability((any Notifier).self), logger: setup.logger, metrics: setup.metrics)
        clock = RoundClock(rounds: rounds, announcer: announcer, tables: configuration.tables, leadership: setup.leadership,
                           tick: .milliseconds(configuration.clockTickMs), clock: setup.clock, logger: setup.logger)
        webhook = PaymentWebhook(wallets: wallets, users: setup.users, secret: configuration.webhookSecret, events: publisher, metrics: setup.metrics)
        reconciliation = Reconciliation(wallets: wallets, rounds: rounds, authenticator: setup.authenticator)
        users = setup.users
        metrics = setup.metrics
    }

    public var migrations: [any Migration] { [Betting001CreateWallets(), Betting002CreateRounds()] }

    public var services: [any Service] { [clock] }

    public var events: [any HubEvent.Type] { [RoundChanged.self, RoundResult.self, BetsSettled.self, WalletChanged.self] }

    public var commands: [any CommandHandler] {
        [
            PlaceBet(placement: placement, configuration: configuration, metrics: metrics),
            BettingState(rounds: rounds, wallets: wallets, configuration: configuration),
            BettingHistory(rounds: rounds, configuration: configuration), MyBets(rounds: rounds), WalletLedger(wallets: wallets),
            AdjustWallet(wallets: wallets, users: users, events: publisher),
        ]
    }

    public var routes: RouteCollection<HubRequestContext> {
        let routes = RouteCollection(context: HubRequestContext.self)
        let webhook = self.webhook
        let reconciliation = self.reconciliation
        routes.post("webhooks/payment") { request, _ in try await webhook.handle(request) }
        routes.get("reconcile") { request, _ in try await reconciliation.handle(request) }
        return routes
    }

    /// Checks every wallet against its ledger and every closed round for bets left pending:
    /// one line per problem, none when the books are sound (`switchboard betting reconcile`).
    public func reconcile() async throws -> [String] { try await reconciliation.problems() }

    /// Every table is open to anyone signed in, guests included: rounds are public.
    public func authorize(_ topic: Topic, for identity: Identity) async throws -> TopicAccess {
        configuration.tables.contains(topic.localName) ? .allow : .notFound("no table '\(topic.localName)'")
    }
}
