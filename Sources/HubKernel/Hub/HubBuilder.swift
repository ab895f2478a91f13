public import Configuration
public import Logging
import Foundation

/// Composes a ``Hub`` from settings, the module catalog and a database: loads the chosen
/// modules, resolves capabilities and builds the route table. Fails start-up, naming the
/// culprit, on a duplicate command type, a bad module name, a missing capability or an
/// invalid rate-limit override.
public enum HubBuilder {
    /// The modules `settings.enabledModules` selects from `catalog`, in catalog order.
    public static func selectModules(_ catalog: [any HubModule.Type], settings: HubSettings) throws -> [any HubModule.Type] {
        var seen: Set<String> = []
        for module in catalog {
            let name = ModuleName(moduleTypeName(module))
            guard name.isValid else { throw ConfigurationError("module name '\(name)' must be lowercase letters and digits and not reserved") }
            guard seen.insert(name.rawValue).inserted else { throw ConfigurationError("two modules in the catalog are named '\(name)'") }
        }
        guard let wanted = settings.enabledModules else { return catalog }
        for name in wanted where !seen.contains(name) {
            throw ConfigurationError("MODULES_ENABLED names '\(name)', which is not in the catalog (\(catalog.map { moduleTypeName($0) }.joined(separator: ", ")))")
        }
        return catalog.filter { wanted.contains(moduleTypeName($0)) }
    }

    /// Builds the hub. Nothing is migrated or started here.
    public static func build(
        settings: HubSettings,
        catalog: [any HubModule.Type],
        config: ConfigReader,
        database: Database,
        clock: any HubClock = SystemClock(),
        logger: Logger,
        bus: (any Bus)? = nil,
        leadership: (any Leadership)? = nil,
        node: String? = nil
    ) async throws -> Hub {
        let problems = settings.problems()
        if !problems.isEmpty { throw ConfigurationError(problems.joined(separator: "; ")) }
        let moduleTypes = try selectModules(catalog, settings: settings)
        let node = node ?? settings.resolvedNodeName
        let clustered = settings.isClustered && database.kind == .postgres
        let topics = TopicRegistry(historySize: settings.topicHistorySize, clock: clock, clustered: clustered)
        let cluster = clustered
            ? ClusterBus(node: node, database: database, topics: topics, historySize: settings.topicHistorySize, clock: clock, logger: logger)
            : nil
        // one node leads each singleton job: the holder of its advisory lock in a cluster
        let leadership = leadership ?? (clustered ? ClusterLeadership(database: database, logger: logger) : SingleNodeLeadership())
        let flags = FeatureFlags(loaded: moduleTypes.map { moduleTypeName($0) })
        let metrics = HubMetrics()
        let capabilities = CapabilityRegistry()
        var busOutbox: AsyncStream<BusMessage>.Continuation?
        var busStream: AsyncStream<BusMessage>?
        if bus != nil {
            let (stream, continuation) = AsyncStream.makeStream(of: BusMessage.self, bufferingPolicy: .bufferingNewest(100_000))
            busOutbox = continuation
            busStream = stream
        }
        let publisher = HubPublisher(node: node, topics: topics, flags: flags, metrics: metrics, logger: logger, busOutbox: busOutbox,
                                     cluster: cluster, database: database)
        let tokens = await TokenService(secret: settings.jwtSecret, accessTokenTTLSeconds: settings.accessTokenTTLSeconds, clock: clock)
        let authenticator = Authenticator(tokens: tokens)
        let hubAccess = HubAccess()

        var modules: [any HubModule] = []
        for moduleType in moduleTypes {
            let name = moduleTypeName(moduleType)
            var moduleLogger = logger
            moduleLogger[metadataKey: "sb.module"] = .string(name)
            let setup = ModuleSetup(
                name: ModuleName(name), config: config.scoped(to: ConfigKey(["modules", name])),
                database: database, clock: clock, logger: moduleLogger, leadership: leadership,
                authenticator: authenticator, hub: hubAccess, node: node, metrics: ModuleMetrics(hubMetrics: metrics, module: name),
                users: AccountStore(database: database), capabilities: capabilities, flags: flags, publisher: publisher)
            modules.append(try makeModule(moduleType, setup: setup))
        }
        try capabilities.seal()

        var badOverride: ConfigurationError?
        var handlerLists: [(module: String, handlers: [any CommandHandler])] = [("hub", KernelCommands.all)]
        var moduleLimits: [CommandType: RateLimit] = [:]
        for module in modules {
            handlerLists.append((moduleName(of: module), module.commands))
            moduleLimits.merge(module.rateLimits) { $1 }
        }
        var settings = settings
        for type in handlerLists.flatMap({ $0.handlers.map(handlerType) }) + KernelRoutes.authLimits.keys.map { CommandType($0) }
        where settings.rateLimitOverrides[type.rawValue] == nil {
            settings.rateLimitOverrides[type.rawValue] = HubSettings.rateLimitOverride(for: type, in: config)
        }
        let policy = RateLimitPolicy(overrides: settings.rateLimitOverrides)
        let routes = try RouteTable.build(
            handlerLists,
            overrides: { type, declared in
                let limit = moduleLimits[type] ?? declared
                do throws(ConfigurationError) { return try policy.resolve(type.rawValue, declared: limit) } catch {
                    badOverride = badOverride ?? error
                    return limit
                }
            })
        if let badOverride { throw badOverride }
        var httpLimits: [String: RateLimit] = [:]
        for (key, declared) in KernelRoutes.authLimits { httpLimits[key] = try policy.resolve(key, declared: declared) }

        let accounts = Accounts(
            database: database, tokens: tokens, hasher: PasswordHasher(cost: UInt8(settings.bcryptCost)), clock: clock,
            refreshTokenTTLSeconds: settings.refreshTokenTTLSeconds,
            guestRefreshTokenTTLSeconds: settings.guestRefreshTokenTTLSeconds)
        let hub = Hub(
            node: node, settings: settings, database: database, clock: clock, logger: logger, topics: topics,
            flags: flags, metrics: metrics, routes: routes, accounts: accounts, tokens: tokens,
            capabilities: capabilities, modules: modules, publisher: publisher,
            limiter: MemoryRateLimiter(), httpRateLimits: httpLimits, bus: bus, busOutbound: busStream,
            cluster: cluster, leadership: leadership)
        hubAccess.bind(hub)
        // a logout, a reused refresh token or a role change closes that account's sockets
        // (in a cluster, on every node)
        tokens.onRevoke { [weak hub] userID, validAfterMs in
            guard let hub else { return }
            hub.connections.closeRevoked(userID)
            if let cluster = hub.cluster {
                Task { try? await cluster.announce(.revocation(origin: hub.node, userID: userID, validAfterMs: validAfterMs)) }
            }
        }
        return hub
    }
}

/// Opens the existential so the compiler constructs a concrete module type.
func makeModule<M: HubModule>(_ type: M.Type, setup: ModuleSetup) throws -> any HubModule {
    try M(setup: setup)
}

/// The command type of a handler.
func handlerType(_ handler: any CommandHandler) -> CommandType {
    func open<H: CommandHandler>(_ handler: H) -> CommandType { H.type }
    return open(handler)
}

/// The name of a module type.
func moduleTypeName<M: HubModule>(_ type: M.Type) -> String {
    M.name.rawValue
}

/// The name of a module instance.
func moduleName(of module: some HubModule) -> String {
    type(of: module).name.rawValue
}

extension Hub {
    /// The migrations of the kernel and every loaded module, in order.
    public var migrationPlans: [Migrator.Plan] {
        [Migrator.Plan(module: "hub", migrations: KernelMigrations.all)]
            + modules.map { Migrator.Plan(module: moduleName(of: $0), migrations: $0.migrations) }
    }

    /// A migrator over ``migrationPlans``.
    public var migrator: Migrator { Migrator(database: database, plans: migrationPlans, clock: clock, logger: logger) }

    /// Applies pending migrations (when `migrate`) and loads the persisted feature flags.
    public func prepare(migrate: Bool = true) async throws {
        if migrate { try await migrator.migrate() }
        try await flags.load(from: database)
        try await tokens.loadRevocations(from: database)
    }

    /// Joins the cluster before serving (cluster mode; nothing on a single node): takes this
    /// node's name — a live node with the same name makes this throw `NodeNameTaken`, naming
    /// `HUB_NODE_NAME` — and records the node. Called by ``HubRuntime`` (idempotent); one-shot
    /// commands (`user create`, `migrate`) never join, so they never hold a node's name.
    public func joinCluster() async throws {
        try await cluster?.claim()
    }
}
