import Foundation

/// The kernel's settings, resolved from command line, environment, config file and defaults
/// (see `docs/configuration.md`). Every default is visible here.
public struct HubSettings: Sendable {
    /// The dev-only JWT secret; refused when ``environment`` is `production`.
    public static let developmentJWTSecret = "switchboard-development-secret-do-not-use-in-production"

    /// The address to listen on (`HTTP_HOST`); loopback unless an operator opens it.
    public var host: String = "127.0.0.1"
    /// The port to listen on (`HTTP_PORT`, `--port`); `0` picks a free one (tests).
    public var port: Int = 8080
    /// Where the data lives (`DATABASE_URL`): the embedded SQLite file by default.
    public var databaseURL: DatabaseURL = .sqliteFile(path: "./switchboard.sqlite")
    /// How long a command waits for a pooled PostgreSQL connection before `unavailable`.
    public var databaseLeaseTimeoutMs: Int = 5000
    /// SQLite's `synchronous` level: `full` (an acknowledged commit survives power loss) or
    /// `normal` (it survives a process crash; the last commits may be lost with the machine).
    public var sqliteSynchronous: String = "full"
    /// `development` or `production`.
    public var environment: String = "development"
    /// The HMAC key of access tokens (`AUTH_JWT_SECRET`, ≥ 32 bytes; the default is refused in production).
    public var jwtSecret: String = HubSettings.developmentJWTSecret
    /// How long an access token lives; `hub.token_expiring` warns before it ends.
    public var accessTokenTTLSeconds: Int = 900
    /// How long a user's refresh token lives (rotated on every use).
    public var refreshTokenTTLSeconds: Int = 30 * 86_400
    /// How long a guest's refresh token lives.
    public var guestRefreshTokenTTLSeconds: Int = 86_400
    /// bcrypt's work factor for passwords (4…31; tests use 4).
    public var bcryptCost: Int = 10
    /// Browser origins allowed on `/ws`; `["*"]` allows any.
    public var allowedOrigins: [String] = ["*"]
    /// Addresses of the operator's reverse proxies (`HTTP_TRUSTED_PROXIES`): from these peers,
    /// and only from them, the client address is read from `X-Forwarded-For`.
    public var trustedProxies: Set<String> = []
    /// The largest command frame answered normally; larger ones get `payload_too_large`.
    public var maxFrameBytes: Int = 65_536
    /// The transport's hard limit; larger frames close the connection with 1009.
    public var transportMaxFrameBytes: Int = 1 << 20
    /// How long a client may send no frame at all before it is closed with 1001 (> heartbeat).
    public var idleTimeoutMs: Int = 60_000
    /// How often the server pings each connection; announced in `hub.welcome`.
    public var heartbeatMs: Int = 25_000
    /// `bad_request` frames in a row after which the connection is closed with 1008.
    public var maxConsecutiveBadFrames: Int = 20
    /// Events kept per topic for `since` recovery.
    public var topicHistorySize: Int = 100
    /// `HUB_CLUSTER`: `auto` (on with PostgreSQL, off with SQLite), `on` or `off`.
    public var cluster: String = "auto"
    /// `HUB_NODE_NAME`: this node's name in `hub.welcome`, logs, metrics and
    /// `/admin/cluster`; `nil` means host name and port.
    public var nodeName: String?

    /// Whether this node joins a cluster: several nodes on one PostgreSQL database.
    public var isClustered: Bool {
        guard case .postgres = databaseURL else { return false }
        return cluster != "off"
    }

    /// The node's name: `HUB_NODE_NAME`, else host name and port.
    public var resolvedNodeName: String {
        nodeName ?? "\(ProcessInfo.processInfo.hostName):\(port)"
    }
    /// A topic with no subscriber and no event this long is forgotten (its history too).
    public var topicIdleMs: Int = 600_000
    /// Frames a connection's outbound queue may hold before it is closed with 4008.
    public var outboundMaxFrames: Int = 4096
    /// Bytes a connection's outbound queue may hold before it is closed with 4008.
    public var outboundMaxBytes: Int = 8 << 20
    /// Topics one connection may subscribe to (its user topic included).
    public var maxSubscriptionsPerConnection: Int = 1000
    /// Open connections one account may hold on this node (tabs, devices); the next upgrade
    /// is refused with 429 `rate_limited`. 0 turns the cap off.
    public var maxConnectionsPerUser: Int = 32
    /// Open connections one client address may hold on this node; 0 (the default) turns the
    /// cap off, because behind a reverse proxy every client has the proxy's address.
    public var maxConnectionsPerAddress: Int = 0
    /// WebSocket connections that may be between their admission and the end of their
    /// connect hooks at once; more wait before their `101` (``ConnectGate``). 0 turns the
    /// bound off.
    public var maxPendingConnects: Int = 256
    /// How long an upgrade waits for a place under ``maxPendingConnects`` before it is
    /// refused 503 `unavailable`.
    public var pendingConnectWaitMs: Int = 10_000
    /// The `reconnectAfterMs` that `hub.shutdown` tells clients while draining.
    public var shutdownReconnectAfterMs: Int = 1000
    /// How long a draining node waits for commands in flight before it closes connections.
    public var shutdownGraceMs: Int = 10_000
    /// How long the head of a connection's first HTTP request may take to arrive; a client
    /// that is slower (or sends half a request and waits) gets 408 and is closed.
    public var httpHeaderTimeoutMs: Int = 10_000
    /// The largest request head (request line and headers) read; larger is 431 and closed.
    public var maxHTTPHeaderBytes: Int = 32 << 10
    /// The largest HTTP request body read; larger ones are `payload_too_large` (413).
    public var maxHTTPBodyBytes: Int = 1 << 20
    /// Mounts `/conformance/echo` (`HUB_CONFORMANCE_ECHO`): a WebSocket on exactly the hub's
    /// transport that echoes every message, without a token, for Autobahn|Testsuite. Refused
    /// in production.
    public var conformanceEcho: Bool = false
    /// Modules to load; `nil` loads the whole catalog.
    public var enabledModules: [String]?
    /// Rate-limit overrides by command type, in the `COUNT/PERIOD[:BURST]` syntax.
    public var rateLimitOverrides: [String: String] = [:]

    /// Every setting at its default.
    public init() {}

    /// Whether insecure defaults must be refused.
    public var isProduction: Bool { environment == "production" }

    /// Checks the settings for problems that must stop start-up, each naming its setting.
    public func problems() -> [String] {
        var problems: [String] = []
        if jwtSecret.utf8.count < 32 {
            problems.append("AUTH_JWT_SECRET must be at least 32 bytes (it is \(jwtSecret.utf8.count))")
        }
        if isProduction {
            if jwtSecret == Self.developmentJWTSecret {
                problems.append("AUTH_JWT_SECRET is the development default; set a secret of at least 32 random bytes in production")
            } else if Set(jwtSecret.utf8).count < 8 || jwtSecret.trimmingCharacters(in: .whitespacesAndNewlines).utf8.count < 32 {
                // 32 spaces, or "aaaa…", is 32 bytes and no secret: ask for varied, random bytes
                problems.append("AUTH_JWT_SECRET is too predictable (fewer than 8 different bytes, or padded with whitespace); use 32 or more random bytes, e.g. `openssl rand -base64 48`")
            }
            if conformanceEcho {
                problems.append("HUB_CONFORMANCE_ECHO opens an unauthenticated echo socket for conformance tests; it is refused in production")
            }
            if allowedOrigins.contains("*") {
                problems.append("HTTP_ALLOWED_ORIGINS is '*'; list the browser origins allowed in production")
            }
        }
        if !["auto", "on", "off"].contains(cluster) {
            problems.append("HUB_CLUSTER must be auto, on or off (it is '\(cluster)')")
        } else if cluster == "on", !isClustered {
            problems.append("HUB_CLUSTER=on needs PostgreSQL (DATABASE_URL=postgres://…): nodes share the cluster through it, and SQLite is one process's file")
        }
        if let nodeName, nodeName.isEmpty || nodeName.utf8.count > 64
            || !nodeName.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-_:".unicodeScalars.contains($0)) }) {
            problems.append("HUB_NODE_NAME must be 1–64 ASCII letters, digits, '.', '-', '_' or ':' (it is '\(nodeName)')")
        }
        if !["development", "production", "test"].contains(environment) {
            problems.append("SWITCHBOARD_ENV must be development, production or test (it is '\(environment)')")
        }
        if maxFrameBytes < 128 || maxFrameBytes > transportMaxFrameBytes {
            problems.append("HUB_MAX_FRAME_BYTES must be between 128 and \(transportMaxFrameBytes)")
        }
        if accessTokenTTLSeconds < 10 { problems.append("AUTH_ACCESS_TOKEN_TTL_SECONDS must be at least 10") }
        if httpHeaderTimeoutMs < 100 { problems.append("HTTP_HEADER_TIMEOUT_MS must be at least 100") }
        if maxHTTPHeaderBytes < 1024 { problems.append("HTTP_MAX_HEADER_BYTES must be at least 1024") }
        if maxConnectionsPerUser < 0 { problems.append("HUB_MAX_CONNECTIONS_PER_USER must be 0 (off) or more") }
        if maxConnectionsPerAddress < 0 { problems.append("HUB_MAX_CONNECTIONS_PER_ADDRESS must be 0 (off) or more") }
        if maxPendingConnects < 0 { problems.append("HUB_MAX_PENDING_CONNECTS must be 0 (off) or more") }
        if pendingConnectWaitMs < 1 { problems.append("HUB_PENDING_CONNECT_WAIT_MS must be at least 1") }
        if heartbeatMs < 100 { problems.append("HUB_HEARTBEAT_MS must be at least 100") }
        if idleTimeoutMs < 100 { problems.append("HUB_IDLE_TIMEOUT_MS must be at least 100") }
        if idleTimeoutMs <= heartbeatMs {
            // a client that only answers pings must get one before it counts as idle
            problems.append("HUB_IDLE_TIMEOUT_MS (\(idleTimeoutMs)) must be greater than HUB_HEARTBEAT_MS (\(heartbeatMs))")
        }
        if maxConsecutiveBadFrames < 1 { problems.append("HUB_MAX_CONSECUTIVE_BAD_FRAMES must be at least 1") }
        if !["full", "normal"].contains(sqliteSynchronous) {
            problems.append("DATABASE_SQLITE_SYNCHRONOUS must be full or normal")
        }
        if !(4...31).contains(bcryptCost) { problems.append("AUTH_BCRYPT_COST must be between 4 and 31") }
        return problems
    }
}
