import Foundation
public import HubKernel
public import Logging
import Configuration
import Synchronization

/// A hub for tests, with the chosen modules on a fresh database.
///
/// `.inProcess` drives the hub's command pipeline directly (fast, for module tests);
/// `.live` starts the real HTTP/WebSocket server on an ephemeral loopback port and connects
/// real sockets (for end-to-end tests). Both give the same ``TestClient`` API.
/// ```swift
/// try await TestHub.run(modules: [PollModule.self]) { hub in
///     let alice = try await hub.client(role: .user)
///     let reply = try await alice.send("hub.ping")
///     #expect(reply.ok)
/// }
/// ```
public struct TestHub: Sendable {
    /// How clients reach the hub.
    public enum Mode: Sendable { case inProcess, live }

    /// The hub under test.
    public let hub: Hub
    /// The mode it runs in.
    public let mode: Mode
    /// `http://127.0.0.1:PORT` in `.live` mode.
    public let baseURL: String?
    /// The injected clock, when the test passed one.
    public let clock: any HubClock
    private let counter = Counter()

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
        func next() -> Int { value.add(1, ordering: .relaxed).newValue }
    }

    /// A logger that only reports errors.
    public static var quietLogger: Logger {
        var logger = Logger(label: "test-hub")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    /// Runs `body` against a fresh hub.
    /// - Parameters:
    ///   - modules: the catalog.
    ///   - mode: in-process or over real sockets.
    ///   - environment: settings as environment variables (`MODULES_POLL_MAX_OPTIONS`, `RATE_LIMIT_…`).
    ///   - database: a database that outlives this hub (to test restarts, on SQLite or
    ///     PostgreSQL: ``TestDatabase/withRestartable(logger:_:)``); default a fresh one.
    ///   - clock: the clock to inject; default the system clock.
    ///   - configure: last-minute changes to the kernel settings.
    @discardableResult
    public static func run<T: Sendable>(
        modules: [any HubModule.Type],
        _ mode: Mode = .inProcess,
        environment: [String: String] = [:],
        database restartable: RestartableDatabase? = nil,
        clock: any HubClock = SystemClock(),
        bus: (any Bus)? = nil,
        node: String? = nil,
        configure: @Sendable (inout HubSettings) -> Void = { _ in },
        _ body: @Sendable (TestHub) async throws -> T
    ) async throws -> T {
        let open: (@Sendable (Database) async throws -> T) async throws -> T = { body in
            if let restartable { try await restartable.open(body) } else { try await TestDatabase.with(body) }
        }
        return try await open { database in
            var env = ["AUTH_BCRYPT_COST": "4", "SWITCHBOARD_ENV": "test", "HTTP_PORT": "0"]
            env.merge(environment) { $1 }
            let config = ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: env))
            var settings = try HubSettings(config: config)
            settings.databaseURL = database.url
            configure(&settings)
            let hub = try await HubBuilder.build(
                settings: settings, catalog: modules, config: config, database: database, clock: clock,
                logger: quietLogger, bus: bus, node: node)
            try await hub.prepare(migrate: true)
            switch mode {
            case .inProcess:
                guard bus != nil || hub.isClustered else { return try await body(TestHub(hub: hub, mode: mode, baseURL: nil, clock: clock)) }
                // with a bus or in a cluster, hear what other nodes send, as the live runtime does
                try await hub.joinCluster()
                return try await withThrowingTaskGroup(of: T?.self) { group in
                    group.addTask { try await BusRelay(hub: hub).run(); return nil }
                    group.addTask { try await ClusterMembership(hub: hub).run(); return nil }
                    defer { group.cancelAll() }
                    return try await body(TestHub(hub: hub, mode: mode, baseURL: nil, clock: clock))
                }
            case .live:
                return try await withThrowingTaskGroup(of: T?.self) { group in
                    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
                    group.addTask {
                        try await HubRuntime.run(hub: hub, gracefulShutdownSignals: []) { _, port in
                            portContinuation.yield(port)
                        }
                        return nil
                    }
                    var iterator = ports.makeAsyncIterator()
                    guard let port = await iterator.next() else { throw HubError.unavailable("the test server did not start") }
                    let testHub = TestHub(hub: hub, mode: mode, baseURL: "http://127.0.0.1:\(port)", clock: clock)
                    defer { group.cancelAll() }
                    return try await body(testHub)
                }
            }
        }
    }

    /// Waits until the node would answer `/readyz` with ready — in cluster mode, until its bus
    /// listener listens, so an event another node publishes from now on reaches it.
    /// - Throws: ``HubError`` `.unavailable` naming what is still not ready after `within`.
    public func waitUntilReady(within: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + within
        var problem = await hub.readinessProblem()
        while let part = problem {
            guard ContinuousClock.now < deadline else { throw HubError.unavailable("node \(hub.node) is not ready: \(part)") }
            try await Task.sleep(for: .milliseconds(20))
            problem = await hub.readinessProblem()
        }
    }

    /// A signed-in client with a new account of `role` (a guest for `.guest`).
    public func client(role: Role = .user, name: String? = nil) async throws -> TestClient {
        let number = counter.next()
        let pair: Accounts.TokenPair
        if role == .guest {
            pair = try await hub.accounts.guest(displayName: name ?? "guest \(number)")
        } else {
            let username = "\(role.rawValue)-\(number)-\(UUID().uuidString.prefix(6).lowercased())"
            _ = try await hub.accounts.createUser(username: username, password: "password-\(number)", displayName: name, role: role)
            pair = try await hub.accounts.login(username: username, password: "password-\(number)")
        }
        return try await connect(accessToken: pair.accessToken, refreshToken: pair.refreshToken)
    }

    /// Connects with an existing token (e.g. the same user on a second device).
    public func connect(accessToken: String, refreshToken: String = "", headers: [String: String] = [:], compress: Bool = false) async throws -> TestClient {
        let (identity, expiresAt) = try await hub.tokens.verify(accessToken)
        let inbox = Inbox()
        let transport: any TestTransport
        switch mode {
        case .inProcess:
            transport = await InProcessTransport(hub: hub, identity: identity, expiresAtMs: expiresAt, inbox: inbox)
        case .live:
            let url = baseURL!.replacingOccurrences(of: "http://", with: "ws://") + "/ws"
            transport = try await SocketTransport.connect(
                url: url, headers: ["Authorization": "Bearer \(accessToken)"].merging(headers) { $1 }, inbox: inbox, compress: compress)
        }
        // generous for a loaded 2-core CI machine; the welcome no longer waits for the modules'
        // connect hooks (WebSocketSession starts the writer first), which once took over 10 s
        let welcome = try await inbox.take("hub.welcome", timeout: .seconds(30)) { $0.type == "hub.welcome" }
        return TestClient(identity: identity, accessToken: accessToken, refreshToken: refreshToken, welcome: welcome,
                          transport: transport, inbox: inbox)
    }
}

extension TestHub {
    /// Runs `body` against a live hub on an SQLite file with its flushing thread, so a test can
    /// hold flushes back and read the file through a connection of its own (``CommittedRows``):
    /// the pipelining tests. Does nothing on PostgreSQL, which commits synchronously.
    public static func runOnSQLiteFile(
        modules: [any HubModule.Type], environment: [String: String] = [:],
        _ body: @Sendable (TestHub, String) async throws -> Void
    ) async throws {
        guard try TestDatabase.kind() == .sqlite else { return }
        try await TestDatabase.withRestartable { store in
            guard case .sqliteFile(let path) = store.location else { return }
            try await TestHub.run(modules: modules, .live, environment: environment, database: store) { hub in try await body(hub, path) }
        }
    }
}
