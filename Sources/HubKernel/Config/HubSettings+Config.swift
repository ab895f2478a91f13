public import Configuration
import Foundation

extension HubSettings {
    /// Reads every kernel setting from `config`, falling back to the defaults above.
    ///
    /// Keys and their environment names (swift-configuration's encoding: `http.port` is
    /// `HTTP_PORT`) are listed in `docs/configuration.md`.
    public init(config: ConfigReader) throws {
        self.init()
        host = config.string(forKey: "http.host", default: host)
        port = config.int(forKey: "http.port", default: port)
        allowedOrigins = config.string(forKey: "http.allowedOrigins").map(Self.list) ?? allowedOrigins
        httpHeaderTimeoutMs = config.int(forKey: "http.headerTimeoutMs", default: httpHeaderTimeoutMs)
        maxHTTPHeaderBytes = config.int(forKey: "http.maxHeaderBytes", default: maxHTTPHeaderBytes)
        trustedProxies = config.string(forKey: "http.trustedProxies").map { Set(Self.list($0)) } ?? trustedProxies
        maxHTTPBodyBytes = config.int(forKey: "http.maxBodyBytes", default: maxHTTPBodyBytes)
        databaseURL = try DatabaseURL(parsing: config.string(forKey: "database.url", default: DatabaseURL.defaultValue))
        databaseLeaseTimeoutMs = config.int(forKey: "database.leaseTimeoutMs", default: databaseLeaseTimeoutMs)
        sqliteSynchronous = config.string(forKey: "database.sqliteSynchronous", default: sqliteSynchronous).lowercased()
        environment = config.string(forKey: "switchboard.env", default: environment)
        jwtSecret = config.string(forKey: "auth.jwtSecret", isSecret: true, default: jwtSecret)
        accessTokenTTLSeconds = config.int(forKey: "auth.accessTokenTtlSeconds", default: accessTokenTTLSeconds)
        refreshTokenTTLSeconds = config.int(forKey: "auth.refreshTokenTtlSeconds", default: refreshTokenTTLSeconds)
        guestRefreshTokenTTLSeconds = config.int(forKey: "auth.guestRefreshTokenTtlSeconds", default: guestRefreshTokenTTLSeconds)
        bcryptCost = config.int(forKey: "auth.bcryptCost", default: bcryptCost)
        maxFrameBytes = config.int(forKey: "hub.maxFrameBytes", default: maxFrameBytes)
        idleTimeoutMs = config.int(forKey: "hub.idleTimeoutMs", default: idleTimeoutMs)
        heartbeatMs = config.int(forKey: "hub.heartbeatMs", default: heartbeatMs)
        maxConsecutiveBadFrames = config.int(forKey: "hub.maxConsecutiveBadFrames", default: maxConsecutiveBadFrames)
        topicHistorySize = config.int(forKey: "hub.topicHistorySize", default: topicHistorySize)
        cluster = config.string(forKey: "hub.cluster", default: cluster).lowercased()
        nodeName = config.string(forKey: "hub.nodeName") ?? config.string(forKey: "hub.node")
        topicIdleMs = config.int(forKey: "hub.topicIdleMs", default: topicIdleMs)
        outboundMaxFrames = config.int(forKey: "hub.outboundMaxFrames", default: outboundMaxFrames)
        outboundMaxBytes = config.int(forKey: "hub.outboundMaxBytes", default: outboundMaxBytes)
        maxSubscriptionsPerConnection = config.int(forKey: "hub.maxSubscriptions", default: maxSubscriptionsPerConnection)
        maxConnectionsPerUser = config.int(forKey: "hub.maxConnectionsPerUser", default: maxConnectionsPerUser)
        maxConnectionsPerAddress = config.int(forKey: "hub.maxConnectionsPerAddress", default: maxConnectionsPerAddress)
        maxPendingConnects = config.int(forKey: "hub.maxPendingConnects", default: maxPendingConnects)
        pendingConnectWaitMs = config.int(forKey: "hub.pendingConnectWaitMs", default: pendingConnectWaitMs)
        shutdownReconnectAfterMs = config.int(forKey: "hub.shutdownReconnectAfterMs", default: shutdownReconnectAfterMs)
        shutdownGraceMs = config.int(forKey: "hub.shutdownGraceMs", default: shutdownGraceMs)
        conformanceEcho = config.bool(forKey: "hub.conformanceEcho", default: conformanceEcho)
        enabledModules = config.string(forKey: "modules.enabled").map(Self.list)
        if enabledModules == ["all"] { enabledModules = nil }
    }

    private static func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The configured override of `type`'s rate limit: `rateLimit.<module>.<action>`
    /// (`RATE_LIMIT_CHAT_SEND`), else `modules.<module>.rateLimits.<action>`.
    static func rateLimitOverride(for type: CommandType, in config: ConfigReader) -> String? {
        config.string(forKey: ConfigKey(["rateLimit", type.module, type.action]))
            ?? config.string(forKey: ConfigKey(["modules", type.module, "rateLimits", type.action]))
    }
}
